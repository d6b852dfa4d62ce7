"""Write a file so that readers see the old bytes or the new ones, never half of either.

Office files (.docx, .xlsx, .pptx) are zip archives that python-docx and openpyxl stamp with
the current time; they are rewritten with fixed entry dates and fixed document-property
timestamps so that identical inputs give identical bytes.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

OFFICE_SUFFIXES = (".docx", ".xlsx", ".pptx")
FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
FIXED_W3CDTF = "2000-01-01T00:00:00Z"
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def reproducible_office_file(path: Path) -> None:
    """Rewrite an Office zip with fixed timestamps and a stable entry order."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    tmp = path.with_name(path.name + ".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>" + FIXED_W3CDTF.encode() + rb"\g<2>", data)
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            out.writestr(info, data)
    os.replace(tmp, path)


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call write(tmp) then move tmp onto path in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        if path.suffix.lower() in OFFICE_SUFFIXES:
            reproducible_office_file(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
