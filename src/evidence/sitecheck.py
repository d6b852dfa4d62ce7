"""Check the built site in a real browser: headless Chromium driven over the DevTools protocol.

Each page is loaded from disk at 1366 px wide. A page fails on a console error or uncaught
exception, a request to another host, an internal link to a missing file or anchor, an image
or chart that did not render, or a missing sidebar / previous-next navigation. A full-page
screenshot of every page is saved to look at.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync", "--disable-quic", "--hide-scrollbars", "--mute-audio", "--remote-debugging-port=0"]
WIDTH = 1366

PAGE_FACTS = """(() => {
  const imgs = [...document.querySelectorAll('article img, main img')].map(i => ({src: i.getAttribute('src'), w: i.naturalWidth, h: i.naturalHeight, ok: i.complete}));
  const charts = [...document.querySelectorAll('figure.evidence-chart svg')].map(s => ({w: s.getBoundingClientRect().width,
    marks: [...s.querySelectorAll('[role=graphics-symbol]')].filter(m => !['axis', 'legend', 'title', 'subtitle'].includes(m.getAttribute('aria-roledescription'))).length, label: (s.getAttribute('aria-label') || '').slice(0, 80)}));
  const links = [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const sidebar = document.querySelectorAll('.bd-sidebar-primary nav a, nav.bd-docs-nav a').length;
  const prevnext = document.querySelectorAll('.prev-next-area a, a.left-prev, a.right-next').length;
  const search = !!document.querySelector('form.bd-search, .search-button, input[name=q]');
  return {imgs, charts, links, ids, sidebar, prevnext, search, title: document.title, height: document.documentElement.scrollHeight};
})()"""


@dataclass
class PageReport:
    page: str
    problems: list[str] = field(default_factory=list)
    screenshot: Path | None = None


def find_browser() -> str | None:
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class _Session:
    """A minimal DevTools client: one browser, one tab, commands answered in order."""

    def __init__(self, browser: str, profile: str):
        import websocket

        # its own process group, so closing stops Chromium's helper processes too
        self.proc = subprocess.Popen([browser, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
        url = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and url is None:
            line = self.proc.stderr.readline()
            if not line and self.proc.poll() is not None:
                break
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            url = match.group(1) if match else None
        if url is None:
            self.close()
            raise RuntimeError("Chromium did not open a DevTools endpoint")
        self.ws = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=WIDTH, height=900, deviceScaleFactor=1, mobile=False)

    def call(self, method: str, session: bool = False, **params) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(e["method"] == method for e in self.events):
                return
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except Exception:
                break
        self.ws.settimeout(60)

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def _local_target(site: Path, page: Path, href: str) -> tuple[Path, str] | None:
    """The file and fragment an internal link points to (None for mailto, javascript or external)."""
    parsed = urlparse(href)
    if parsed.scheme in ("http", "https", "mailto", "javascript", "data") or parsed.netloc:
        return None
    path = (page.parent / unquote(parsed.path)).resolve() if parsed.path else page
    return path, parsed.fragment


def check_site(site: Path, shots: Path | None = None, pages: list[Path] | None = None) -> list[PageReport]:
    """Load every page of `site` in headless Chromium and report what a reader would hit."""
    browser = find_browser()
    if browser is None:
        raise RuntimeError("Chromium not found (Debian: apt-get install chromium)")
    site = site.resolve()
    pages = pages or sorted(p for p in site.glob("*.html") if p.name not in ("genindex.html",))
    reports = []
    ids_cache: dict[Path, set[str]] = {}
    # a helper process can still be writing the profile as it exits: its leftovers are no failure
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        session = _Session(browser, profile)
        try:
            for page in pages:
                report = PageReport(page.name)
                session.events.clear()
                session.call("Page.navigate", session=True, url=page.as_uri())
                session.wait_for("Page.loadEventFired")
                session.call("Runtime.evaluate", session=True, expression="new Promise(r => setTimeout(r, 150))", awaitPromise=True)
                facts = session.call("Runtime.evaluate", session=True, expression=PAGE_FACTS, returnByValue=True)["result"]["value"]
                ids_cache[page.resolve()] = set(facts["ids"])
                for event in session.events:
                    method, params = event["method"], event.get("params", {})
                    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                        text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                        report.problems.append(f"console error: {text[:200]}")
                    elif method == "Runtime.exceptionThrown":
                        report.problems.append(f"uncaught exception: {params['exceptionDetails'].get('text', '')[:200]}")
                    elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                        report.problems.append(f"browser error: {params['entry'].get('text', '')[:200]} {params['entry'].get('url', '')}")
                    elif method == "Network.requestWillBeSent":
                        url = params["request"]["url"]
                        if not url.startswith(("file:", "data:", "about:", "blob:")):
                            report.problems.append(f"request to another host: {url[:200]}")
                    elif method == "Network.loadingFailed" and not params.get("canceled"):
                        report.problems.append(f"failed to load: {params.get('errorText')}")
                for img in facts["imgs"]:
                    if not img["ok"] or img["w"] < 20 or img["h"] < 20:
                        report.problems.append(f"image or chart did not render: {img['src']}")
                for chart in facts["charts"]:
                    if chart["w"] < 50 or chart["marks"] < 2:
                        report.problems.append(f"empty chart: {chart['label'] or 'unlabelled'} ({chart['marks']} marks)")
                if page.name not in ("search.html",) and facts["sidebar"] < 3:
                    report.problems.append(f"no navigation sidebar ({facts['sidebar']} links)")
                if page.name not in ("search.html",) and facts["prevnext"] < 1:
                    report.problems.append("no previous/next links")
                if not facts["search"]:
                    report.problems.append("no search box")
                for href in dict.fromkeys(facts["links"]):
                    target = _local_target(site, page, href)
                    if target is None:
                        continue
                    path, fragment = target
                    if not path.exists():
                        report.problems.append(f"broken link: {href}")
                    elif fragment and path.suffix == ".html":
                        if path not in ids_cache:
                            ids_cache[path] = set(re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8", errors="replace")))
                        if fragment not in ids_cache[path]:
                            report.problems.append(f"broken anchor: {href}")
                if shots is not None:
                    shots.mkdir(parents=True, exist_ok=True)
                    height = min(int(facts["height"]), 12000)
                    session.call("Emulation.setDeviceMetricsOverride", session=True, width=WIDTH, height=height, deviceScaleFactor=1, mobile=False)
                    shot = session.call("Page.captureScreenshot", session=True, format="png")
                    session.call("Emulation.setDeviceMetricsOverride", session=True, width=WIDTH, height=900, deviceScaleFactor=1, mobile=False)
                    report.screenshot = shots / f"{page.stem}.png"
                    report.screenshot.write_bytes(base64.b64decode(shot["data"]))
                reports.append(report)
        finally:
            session.close()
    return reports
