"""The one setup call every notebook makes: theme, display options, citations, footers.

Notebooks stay thin: `nb = setup()` then `nb.show(figure)` / `nb.show(table)`, and
`nb.footer()` at the end prints the references the notebook cited and a
reproducibility note (package versions and a fingerprint of the data it ran on).
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from . import charts as _charts  # noqa: F401  (registers the Altair theme)
from .data import BIB_FILE, DATA_DIR, EvidenceBase, dependency_files, load, record_dependencies

PACKAGES = ("evidence", "pandas", "altair", "vl-convert-python", "statsmodels", "pymare", "bibtexparser")


class Markdown:
    """Escaped paragraph of text for notebook output."""

    def __init__(self, text: str):
        self.text = text

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"text/html": f"<p>{html.escape(self.text)}</p>", "text/plain": self.text}


def data_fingerprint(root: Path, files: list[str] | None = None) -> str:
    """Short hash of the given input files (default: every data file and references.bib)."""
    rels = files if files is not None else [f"{DATA_DIR}/{p.name}" for p in sorted((root / DATA_DIR).glob("*"))] + [BIB_FILE]
    digest = hashlib.sha256()
    for rel in sorted(rels):
        path = root / rel
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass
class Session:
    base: EvidenceBase
    cited: list[str] = field(default_factory=list)

    def cite(self, *keys: str) -> None:
        for key in keys:
            if key and key in self.base.bib and key not in self.cited:
                self.cited.append(key)

    def show(self, item):
        """Display a Figure or Table and remember the sources it names."""
        self.cite(*getattr(item, "sources", []))
        return item

    def references(self) -> _References:
        return _References([self.base.bib.ama(k) for k in self.cited])

    def footer(self) -> _References:
        """References and a reproducibility line; also records the inputs this notebook read,
        so the build reruns it only when one of them changes."""
        files = dependency_files(self.base)
        record_dependencies(self.base)
        return _References(
            [self.base.bib.ama(k) for k in self.cited],
            note=f"Data fingerprint {data_fingerprint(self.base.root, files)}; "
            + ", ".join(f"{p} {version(p)}" for p in PACKAGES),
        )


class _References:
    def __init__(self, entries: list[str], note: str = ""):
        self.entries, self.note = entries, note

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        items = "".join(f"<li>{html.escape(e)}</li>" for e in self.entries)
        note = f"<p class='repro'>{html.escape(self.note)}</p>" if self.note else ""
        text = "\n".join(f"{i}. {e}" for i, e in enumerate(self.entries, 1)) + (f"\n{self.note}" if self.note else "")
        return {"text/html": f"<h3>References</h3><ol>{items}</ol>{note}", "text/plain": text}


def setup(root: Path | None = None) -> Session:
    """Load the validated evidence base and set display options for every notebook."""
    pd.set_option("display.max_colwidth", 200)
    pd.set_option("display.width", 200)
    return Session(load(root))
