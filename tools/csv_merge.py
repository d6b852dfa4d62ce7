"""Git merge driver for the evidence tables: a three-way merge by primary key and column.

Two branches that add rows, or change different cells of the same row, merge cleanly;
the same cell changed two ways is reported and the merge stops for a human.
Configure with:
  git config merge.evidence-csv.driver "python3 tools/csv_merge.py %O %A %B %P"
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path


def _read(path: str) -> tuple[list[str], list[dict[str, str]]]:
    text = Path(path).read_text(encoding="utf-8") if Path(path).exists() else ""
    if not text.strip():
        return [], []
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def _key_fields(repo_path: str, header: list[str]) -> list[str]:
    name = Path(repo_path).stem
    package = Path(repo_path).parent / "datapackage.json"
    try:
        for res in json.loads(package.read_text(encoding="utf-8"))["resources"]:
            if res.get("name") == name:
                key = res["schema"].get("primaryKey")
                if key:
                    return [key] if isinstance(key, str) else list(key)
    except (OSError, ValueError, KeyError):
        pass
    return header[:1]


def main(base_p: str, ours_p: str, theirs_p: str, repo_path: str) -> int:
    hb, base = _read(base_p)
    ho, ours = _read(ours_p)
    ht, theirs = _read(theirs_p)
    header = ho + [c for c in ht if c not in ho]
    keys = _key_fields(repo_path, header)

    def k(row: dict[str, str]) -> tuple[str, ...]:
        return tuple(row.get(f, "") for f in keys)

    base_by = {k(r): r for r in base}
    theirs_by = {k(r): r for r in theirs}
    ours_keys = {k(r) for r in ours}
    conflicts: list[str] = []
    merged: list[dict[str, str]] = []
    for row in ours:
        key = k(row)
        b, t = base_by.get(key), theirs_by.get(key)
        if t is None:
            if b is not None and b == row:
                continue  # deleted on their side, untouched on ours
            merged.append(row)
            continue
        out = {}
        for col in header:
            o, th, bv = row.get(col), t.get(col), (b or {}).get(col)
            if o is None:
                out[col] = th or ""
            elif th is None or th == o or th == bv:
                out[col] = o
            elif o == bv:
                out[col] = th
            else:
                out[col] = o
                conflicts.append(f"{repo_path}: {key} column {col}: ours {o!r} vs theirs {th!r}")
        merged.append(out)
    for row in theirs:
        key = k(row)
        if key not in ours_keys and key not in base_by:
            merged.append({c: row.get(c, "") for c in header})
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in merged:
        writer.writerow({c: row.get(c, "") or "" for c in header})
    Path(ours_p).write_text(buf.getvalue(), encoding="utf-8")
    for line in conflicts:
        print(line, file=sys.stderr)
    return 1 if conflicts else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
