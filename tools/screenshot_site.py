"""Open the built site in headless Chromium (no network) and save a 1366 px screenshot of every page.

Usage: .venv/bin/python tools/screenshot_site.py [PAGE ...]
Needs Debian's chromium (`apt-get install chromium`). Writes build/screenshots/<page>.png, prints the
paths and whatever the browser check found (console errors, requests to other hosts, broken links,
empty charts, missing navigation); the same check runs in tests/test_site_browser.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from evidence import sitecheck  # noqa: E402

SITE = ROOT / "build" / "site"


def main(pages: list[str]) -> int:
    if sitecheck.find_browser() is None:
        print("chromium not found: apt-get install chromium", file=sys.stderr)
        return 1
    if not (SITE / "index.html").exists():
        print(f"{SITE / 'index.html'} not found: run `make build` first", file=sys.stderr)
        return 1
    chosen = [SITE / f"{p}.html" for p in pages] or None
    failed = 0
    for report in sitecheck.check_site(SITE, ROOT / "build" / "screenshots", chosen):
        print(report.screenshot)
        for problem in report.problems:
            failed += 1
            print(f"  {report.page}: {problem}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
