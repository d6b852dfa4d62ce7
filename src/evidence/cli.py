"""Command line: `evidence validate`, `evidence build`, `evidence audit`, `evidence schema`.

Every user error ends in a plain message (file, row, field) and a non-zero exit,
never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import EvidenceError


def _cmd_validate(args: argparse.Namespace) -> int:
    from .data import validate

    base = validate(Path(args.root) if args.root else None)
    print(f"OK: {base.summary()} ({base.root})")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from .data import DATA_DIR, DESCRIPTOR, find_root
    from .schema import write_datapackage

    root = Path(args.root).resolve() if args.root else find_root()
    target = root / DATA_DIR / DESCRIPTOR
    write_datapackage(target)
    print(f"wrote {target}")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import run_build

    return run_build(
        root=Path(args.root).resolve() if args.root else None,
        force=args.force,
        update_notebooks=args.update_notebooks,
        only=args.only,
        jobs_n=args.jobs,
        params=_parse_params(args.param),
    )


def _parse_params(items: list[str] | None) -> dict[str, str]:
    """'subtype=dm' -> {'subtype': 'dm'}; malformed items are a user error, not a traceback."""
    from .errors import Problem

    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise EvidenceError([Problem(file="command line", message=f"--param expects NAME=VALUE, got '{item}'")])
        out[name.strip()] = value.strip()
    return out


def _cmd_audit(args: argparse.Namespace) -> int:
    from .audit import run_audit_cli

    return run_audit_cli(Path(args.path), Path(args.out), root=Path(args.root).resolve() if args.root else None)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="evidence", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check the evidence base, references.bib and every rule")
    v.add_argument("--root", help="project folder (default: this folder or a parent)")
    v.set_defaults(func=_cmd_validate)

    s = sub.add_parser("schema", help="rewrite data/datapackage.json from src/evidence/schema.py")
    s.add_argument("--root")
    s.set_defaults(func=_cmd_schema)

    b = sub.add_parser("build", help="validate, execute notebooks, write build/site and build/exports")
    b.add_argument("--root")
    b.add_argument("--force", action="store_true", help="rebuild every notebook, ignoring the cache")
    b.add_argument("--update-notebooks", action="store_true", help="write fresh outputs back into notebooks/")
    b.add_argument("--only", action="append", help="build only this notebook (file stem); repeatable")
    b.add_argument("--jobs", type=int, default=None, help="parallel notebook runs (default: cores)")
    b.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="run templates for this value only (e.g. subtype=dm, doc_id=csp_myositis); checked against the data")
    b.set_defaults(func=_cmd_build)

    a = sub.add_parser("audit", help="pre-fill an audit worksheet for a document (.txt .md .html .docx)")
    a.add_argument("path")
    a.add_argument("--out", default="audit-out", help="folder for worksheet.csv/.xlsx, references.csv, report.html")
    a.add_argument("--root")
    a.set_defaults(func=_cmd_audit)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except EvidenceError as exc:
        problems = exc.problems
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # disk full, read-only folder, vanished file: a message, not a traceback
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: one line, and the trace only on request
        if os.environ.get("EVIDENCE_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (set EVIDENCE_DEBUG=1 for the trace)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
