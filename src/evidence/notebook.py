"""The one setup call every notebook makes: theme, display options, citations, footers.

Notebooks stay thin: `nb = setup()` then `nb.show(figure)` / `nb.show(table)`, and
`nb.footer()` at the end prints the references the notebook cited and a
reproducibility note (package versions and a fingerprint of the data it ran on).
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from . import charts as _charts  # noqa: F401  (registers the Altair theme)
from .data import BIB_FILE, DATA_DIR, EvidenceBase, dependency_files, load, record_dependencies

PACKAGES = ("evidence", "pandas", "altair", "vl-convert-python", "statsmodels", "pymare", "bibtexparser")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~^$&:=\"'@%,;/?])")


def md_escape(text: str) -> str:
    """Text from data as inert Markdown: every ASCII punctuation mark backslash-escaped (CommonMark allows it),
    so a claim or title can never become a link, a directive, a role or raw HTML on the site."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def cite_role(keys: list[str]) -> str:
    """An in-text numbered citation for the published site (sphinxcontrib-bibtex)."""
    keys = [k for k in dict.fromkeys(keys) if re.fullmatch(r"[A-Za-z0-9_:.-]+", k)]
    return "{cite:p}`" + ",".join(keys) + "`" if keys else ""


class Markdown:
    """Escaped paragraph of text for notebook output (HTML in Jupyter, inert Markdown on the site).

    `strong` is an escaped lead-in printed in bold; `keys` add numbered citations on the site."""

    def __init__(self, text: str, keys: list[str] | None = None, names: str = "", strong: str = ""):
        self.text, self.keys, self.names, self.strong = text, keys or [], names, strong

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        lead_html = f"<strong>{html.escape(self.strong)}</strong> " if self.strong else ""
        lead_md = f"**{md_escape(self.strong)}** " if self.strong else ""
        sources = f" Sources: {self.names}." if self.names else ""
        cites = cite_role(self.keys)
        return {"text/html": f"<p>{lead_html}{html.escape(self.text + sources)}</p>",
                "text/markdown": lead_md + md_escape(self.text) + (f" {cites}" if cites else ""),
                "text/plain": (self.strong + " " if self.strong else "") + self.text + sources}


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
        """Display a Figure or Table and remember the sources it names.

        A figure is displayed as an image and followed by its caption, whose sources become
        numbered citations on the site and short author names in Jupyter."""
        keys = [k for k in getattr(item, "sources", []) if k in self.base.bib]
        self.cite(*keys)
        if isinstance(item, _charts.Figure):
            from IPython.display import display

            display(item)
            lead, _, names = item.caption.partition(" Sources: ")
            return Markdown(lead, keys=list(dict.fromkeys(keys)), names=names.rstrip("."))
        return item

    def references(self) -> _References:
        return _References([self.base.bib.ama(k) for k in self.cited], keys=list(self.cited))

    def footer(self) -> _References:
        """References and a reproducibility line; also records the inputs this notebook read,
        so the build reruns it only when one of them changes."""
        files = dependency_files(self.base)
        record_dependencies(self.base)
        return _References(
            [self.base.bib.ama(k) for k in self.cited], keys=list(self.cited),
            note=f"Data fingerprint {data_fingerprint(self.base.root, files)}; "
            + ", ".join(f"{p} {version(p)}" for p in PACKAGES),
        )


class _References:
    """The works a page cited: an ordered list in Jupyter, a per-page bibliography on the site."""

    def __init__(self, entries: list[str], note: str = "", keys: list[str] | None = None):
        self.entries, self.note, self.keys = entries, note, keys or []

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        items = "".join(f"<li>{html.escape(e)}</li>" for e in self.entries)
        note = f"<p class='repro'>{html.escape(self.note)}</p>" if self.note else ""
        text = "\n".join(f"{i}. {e}" for i, e in enumerate(self.entries, 1)) + (f"\n{self.note}" if self.note else "")
        empty = "This page cites no works."
        keys = [k for k in self.keys if re.fullmatch(r"[A-Za-z0-9_:.-]+", k)]
        bibliography = ("```{bibliography}\n:filter: docname in docnames\n\n" + "\n".join(keys) + "\n```\n") if keys else empty + "\n"
        markdown = bibliography + (f"\n<p class=\"repro\">{html.escape(self.note)}</p>\n" if self.note else "")
        return {"text/html": f"<h3>References</h3><ol>{items}</ol>{note}" if self.entries else f"<p>{empty}</p>{note}",
                "text/markdown": markdown, "text/plain": text or empty}


def setup(root: Path | None = None) -> Session:
    """Load the validated evidence base and set display options for every notebook."""
    pd.set_option("display.max_colwidth", 200)
    pd.set_option("display.width", 200)
    return Session(load(root))
