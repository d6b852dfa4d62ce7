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


def light_site(root: Path, executed: dict, base) -> Path:
    """Stand-in for the Sphinx site in tests of build logic: one page per published notebook
    holding its markdown and outputs as text (rendering the real site takes a minute)."""
    import json

    site = root / "build" / "site"
    site.mkdir(parents=True, exist_ok=True)
    for name, path in executed.items():
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        parts = []
        for cell in nb.get("cells", []):
            src = cell.get("source", "")
            parts.append("".join(src) if isinstance(src, list) else src)
            for out in cell.get("outputs", []):
                text = out.get("text", "")
                parts.append("".join(text) if isinstance(text, list) else text)
        (site / f"{name}.html").write_text("\n".join(parts), encoding="utf-8")
    (site / "index.html").write_text("index", encoding="utf-8")
    return site
