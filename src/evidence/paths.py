"""Where the project's inputs live; import-light so that a no-op build never loads pandas."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import EvidenceError, Problem

DATA_DIR = "data"
BIB_FILE = "references.bib"
DESCRIPTOR = "datapackage.json"


def find_root(start: Path | None = None) -> Path:
    """The project root: $EVIDENCE_ROOT, else the nearest parent holding data/datapackage.json."""
    env = os.environ.get("EVIDENCE_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / DATA_DIR / DESCRIPTOR).is_file():
            return candidate
    package_root = Path(__file__).resolve().parents[2]
    if (package_root / DATA_DIR / DESCRIPTOR).is_file():
        return package_root
    raise EvidenceError([Problem(file=str(here), message="no data/datapackage.json here or in any parent folder")])
