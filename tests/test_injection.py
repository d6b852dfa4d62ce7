"""Text from the data never runs: payloads in every free-text column and in references.bib
are built into the site, the chart pages and every spreadsheet, then looked for.

HTML files are loaded in headless Chromium where it is installed (CI installs it) and the
DOM after scripts ran is searched for elements or titles the payloads would create;
without Chromium, the same search runs on the parsed HTML. Spreadsheet cells are read back
with openpyxl and csv.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from evidence import build
from evidence.data import validate

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MARK = "pwned7"
HTML_PAYLOAD = f"</script><script>document.title='{MARK}'</script><img src=x id={MARK} onerror=\"document.title='{MARK}'\">"
FORMULAS = ["=HYPERLINK(\"http://example.invalid\",\"x\")", "+1+1", "-2+3", "@SUM(1)"]


def _free_text_fields(descriptor: dict) -> dict[str, list[str]]:
    """String columns with no enum, pattern or key role: where a writer types prose."""
    out: dict[str, list[str]] = {}
    for res in descriptor["resources"]:
        schema = res["schema"]
        keyed = set(schema.get("primaryKey", []))
        for fk in schema.get("foreignKeys", []):
            keyed.update([fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"])
        cols = [f["name"] for f in schema["fields"]
                if f["type"] == "string" and not f.get("constraints", {}).get("enum")
                and not f.get("constraints", {}).get("pattern") and f["name"] not in keyed
                and not f["name"].endswith(("_id", "_ids", "bib_key", "_url", "url", "evidence", "studies"))]
        out[res["path"]] = cols
    return out


def _inject(root: Path) -> int:
    descriptor = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    touched = 0
    for path, cols in _free_text_fields(descriptor).items():
        file = root / "data" / path
        with file.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            fields, rows = list(reader.fieldnames or []), list(reader)
        for i, row in enumerate(rows):
            for j, col in enumerate(cols):
                if (i + j) % 3 == 0:
                    row[col] = FORMULAS[(i + j) % len(FORMULAS)] + " " + HTML_PAYLOAD
                elif row[col]:
                    row[col] = row[col] + " " + HTML_PAYLOAD
                touched += 1
        with file.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    bib = (root / "references.bib").read_text(encoding="utf-8")
    bib = bib.replace("title = {", "title = {=cmd|' /C calc'!A0 " + HTML_PAYLOAD.replace("{", "").replace("}", "") + " ", 5)
    (root / "references.bib").write_text(bib, encoding="utf-8")
    return touched


@pytest.fixture(scope="module")
def injected_build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("injected")
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copy(ROOT / "references.bib", root / "references.bib")
    (root / "notebooks").mkdir()
    for nb in ("01_overview.ipynb", "06_claims_audit.ipynb"):
        shutil.copy(ROOT / "notebooks" / nb, root / "notebooks" / nb)
    assert _inject(root) > 500
    validate(root)  # the payloads are valid data: the writers, not validation, must defuse them
    assert build.run_build(root=root, jobs_n=2, params={"doc_id": "csp_myositis"}) == 0
    return root / "build"


def _dom(page: Path, tmp: Path) -> str:
    if not CHROMIUM:
        return page.read_text(encoding="utf-8")
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={tmp}",
         "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-500:]
    return proc.stdout


def test_no_html_page_runs_or_builds_markup_from_data(injected_build, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from bs4 import BeautifulSoup

    pages = sorted(injected_build.rglob("*.html"))
    assert any(p.parent.name == "charts" for p in pages) and any(p.parent.name == "site" for p in pages)
    with ThreadPoolExecutor(max_workers=2) as pool:
        doms = list(pool.map(lambda page: _dom(page, tmp_path / f"{page.parent.name}-{page.stem}"), pages))
    for page, dom in zip(pages, doms):
        soup = BeautifulSoup(dom, "html.parser")
        assert soup.find(id=MARK) is None, f"{page}: an element from data text was created"
        assert (soup.title.string if soup.title else "") != MARK, f"{page}: data text ran as script"
        for script in soup.find_all("script"):
            text = script.string or ""
            if script.get("type") == "application/json":
                assert "<" not in text, f"{page}: unescaped markup inside the embedded spec"
            else:
                assert MARK not in text, f"{page}: data text inside a live script"


def test_every_spreadsheet_cell_is_inert(injected_build):
    from openpyxl import load_workbook

    books = sorted(injected_build.rglob("*.xlsx"))
    csvs = sorted(injected_build.rglob("*.csv"))
    assert books and csvs
    seen_payload = 0
    for book in books:
        wb = load_workbook(book)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{book.name}!{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(("=", "+", "-", "@")), f"{book.name}!{cell.coordinate}: {cell.value[:30]!r}"
                        seen_payload += MARK in cell.value
    for file in csvs:
        with file.open(encoding="utf-8", newline="") as handle:
            for line_no, row in enumerate(csv.reader(handle), start=1):
                for value in row:
                    if value.startswith(("=", "+", "-", "@")):
                        try:
                            float(value)
                        except ValueError:
                            pytest.fail(f"{file.name} line {line_no}: live formula {value[:30]!r}")
                    seen_payload += MARK in value
    assert seen_payload > 20  # the payloads did reach the files, defused
