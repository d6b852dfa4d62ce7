import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway copy of the project's data and bibliography to break on purpose."""
    (tmp_path / "data").mkdir()
    for f in (ROOT / "data").iterdir():
        shutil.copy(f, tmp_path / "data" / f.name)
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
