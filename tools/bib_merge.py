"""Merge two versions of references.bib entry by entry: every key of ours, then the keys only
theirs holds, each entry kept whole (a textual merge can splice two entries together)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ENTRY = re.compile(r"^@\w+\{([^,\s]+),", re.M)


def entries(text: str) -> tuple[str, list[tuple[str, str]]]:
    starts = [m.start() for m in ENTRY.finditer(text)]
    head = text[: starts[0]] if starts else text
    out = []
    for i, s in enumerate(starts):
        chunk = text[s: starts[i + 1] if i + 1 < len(starts) else len(text)]
        out.append((ENTRY.match(chunk).group(1), chunk.rstrip() + "\n\n"))
    return head, out


def merge(base: str, ours: str, theirs: str) -> str:
    _, b = entries(base)
    head, o = entries(ours)
    _, t = entries(theirs)
    bd, td = dict(b), dict(t)
    merged = []
    for key, chunk in o:
        if key in td and td[key] != bd.get(key) and chunk == bd.get(key):
            chunk = td[key]  # changed on their side only
        merged.append(chunk)
    known = {k for k, _ in o}
    merged += [c for k, c in t if k not in known and k not in bd]
    return head + "".join(merged).rstrip() + "\n"


if __name__ == "__main__":
    base_p, ours_p, theirs_p = sys.argv[1:4]
    text = merge(*(Path(p).read_text(encoding="utf-8") for p in (base_p, ours_p, theirs_p)))
    Path(ours_p).write_text(text, encoding="utf-8")
