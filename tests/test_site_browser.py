"""The published site in a real browser (headless Chromium over the DevTools protocol).

Built once per session from the committed notebooks (no kernel starts), with the exports
written beside it, then every page is loaded at 1366 px: no console error, no request to
another host, no broken internal link or anchor, no empty chart, navigation on every page.
Screenshots land in build/screenshots/ to look at.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from evidence import build, publish, sitecheck
from evidence.data import load

ROOT = Path(__file__).resolve().parents[1]
BROWSER = sitecheck.find_browser()


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    base = load(ROOT)
    root = tmp_path_factory.mktemp("site-root")
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copy(ROOT / "references.bib", root / "references.bib")
    exports = ROOT / "build" / "exports"
    if exports.is_dir():  # `make build` ran first (as in CI): reuse its exports rather than render every chart again
        shutil.copytree(exports, root / "build" / "exports")
    else:
        build.write_exports(root, base)
    # EVIDENCE_SITE_FROM=build/executed checks freshly executed notebooks instead of the committed ones.
    chosen = os.environ.get("EVIDENCE_SITE_FROM")
    pages = ({p.stem: p for p in sorted((ROOT / chosen).glob("*.ipynb"))} if chosen else publish.committed_pages(ROOT))
    return publish.publish(root, pages, base, root / "build" / "site")


@pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed (Debian: apt-get install chromium); CI installs it")
def test_every_page_loads_cleanly_in_chromium(site):
    reports = sitecheck.check_site(site, shots=ROOT / "build" / "screenshots")
    pages = {r.page for r in reports}
    assert {"index.html", "search.html", "01_overview.html"} <= pages
    assert any(p.startswith("08_by_outcome-") for p in pages)
    problems = [f"{r.page}: {p}" for r in reports for p in r.problems]
    assert not problems, "\n".join(problems)
    assert all(r.screenshot and r.screenshot.stat().st_size > 10_000 for r in reports)


def test_site_is_offline_self_contained_and_world_readable(site):
    assert publish.check_offline(site) == []
    assert (site / "exports" / "charts" / "evidence-map.svg").exists()
    assert (site / "exports" / "index.html").exists()
    for path in site.rglob("*"):
        assert os.stat(path).st_mode & 0o004, f"{path} is not world-readable"
    assert not list(site.parent.glob(".site-*")), "temporary build folders left behind"


def test_landing_page_puts_the_bottom_line_first(site):
    page = (site / "index.html").read_text(encoding="utf-8")
    certainty = load(ROOT).tables["certainty"]
    assert page.count("class=\"certainty cert-") + page.count("class='certainty cert-") == len(certainty)
    # ProDERM (Aggarwal 2022, NEJM abstract): TIS>=20 at week 16 in 37 of 47 on IVIG vs 21 of 48 on placebo.
    assert re.search(r"37/47 with IVIG vs 21/48 with placebo, RR 1\.\d\d", page)
    article = page[page.index("<article"):]
    assert article.index("bottom-line") < article.index("Where the evidence is") < article.index("Where to go next")
    subtype_pages = [p.name for p in site.glob("03_by_subtype-*.html")]
    assert subtype_pages and all(f"href='{name}'" in page for name in subtype_pages)


def test_pages_hide_template_mechanics_and_cite_by_number(site):
    dm = (site / "03_by_subtype-dm.html").read_text(encoding="utf-8")
    assert "<title>IVIG in dermatomyositis" in dm
    for page in site.glob("0*.html"):
        text = page.read_text(encoding="utf-8")
        assert "papermill" not in text and "injected-parameters" not in text, page.name
        assert "subtype = " not in text and "doc_id = " not in text, page.name
    # in-text numbered citation linked to this page's bibliography; the ProDERM DOI (NEJM) as a link
    cite = re.search(r'<span class="bibtex-citation"[^>]*>\[<a class="reference internal" href="#(id\d+)"[^>]*>1</a>', dm)
    assert cite and re.search(rf'id="{cite.group(1)}" role="doc-biblioentry"', dm)
    assert 'href="https://doi.org/10.1056/NEJMoa2117912"' in dm
