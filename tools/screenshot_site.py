"""Open the built site in headless Chromium (no network) and save screenshots to look at.

Usage: .venv/bin/python tools/screenshot_site.py [PAGE ...]
Needs Debian's chromium (`apt-get install chromium`); pages default to the index and the overview.
Writes build/screenshots/<page>.png and prints the paths.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "build" / "site"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1400,2400"]


def main(pages: list[str]) -> int:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        print("chromium not found: apt-get install chromium", file=sys.stderr)
        return 1
    out = ROOT / "build" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for page in pages or ["index", "01_overview"]:
        source = SITE / f"{page}.html"
        if not source.exists():
            print(f"{source} not found: run `make build` first", file=sys.stderr)
            return 1
        target = out / f"{page}.png"
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={target}", source.as_uri()],
                           check=True, capture_output=True, timeout=120)
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
