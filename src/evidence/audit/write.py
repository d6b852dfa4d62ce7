"""Worksheet CSV/XLSX, references CSV and the offline report."""

from __future__ import annotations

import csv
import html
import os
import secrets
import shutil
import sys
from copy import copy
from pathlib import Path
from typing import Any

from .. import vocab
from ..cells import safe_cell
from ..errors import EvidenceError, Problem
from .pipeline import AuditResult, audit_document

WORKSHEET_COLUMNS = [
    "statement_id", "section", "sentence", "subtype", "outcome_domain", "suggested_verdict", "verdict_reason",
    "evidence", "evidence_content", "flags", "number_check", "number_detail", "suggested_evidence", "verdict",
    "reviewer_note",
]
REFERENCE_COLUMNS = [
    "doc_id", "position", "cited_authors", "cited_year", "cited_title", "cited_journal", "cited_volume", "cited_issue",
    "cited_link", "bib_key", "link_target", "discrepancies", "status", "match_method", "title_similarity",
]

# -------------------------------------------------------------------------- output

def _csv_safe(value: Any) -> Any:
    """Stop a spreadsheet from running a cell that starts like a formula."""
    return safe_cell(value) if isinstance(value, str) else value


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_safe(row.get(k, "")) for k in columns})


_WIDTHS = {
    "suggested_verdict": 16, "verdict_reason": 70, "evidence": 30, "evidence_content": 70, "flags": 24,
    "statement_id": 20, "section": 26, "sentence": 70, "subtype": 11, "outcome_domain": 17, "suggested_evidence": 40,
    "number_check": 18, "number_detail": 60, "verdict": 18, "reviewer_note": 40, "cited_title": 60, "discrepancies": 70,
    "cited_authors": 26, "cited_link": 40, "bib_key": 28, "link_target": 28,
}


def _sheet(workbook: Any, title: str, columns: list[str], rows: list[dict[str, Any]], lists: dict[str, list[str]]) -> None:
    """A sheet a reviewer can work in: bold frozen header, filters, wrapped text, drop-down lists."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = workbook.create_sheet(title)
    sheet.append(columns)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in (row.get(c, "") for c in columns)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    styled = None
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if styled is None:
                cell.alignment = wrap
                styled = cell._style  # the style's index array, copied to every other cell (setting it anew is slow)
            else:
                cell._style = copy(styled)
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
    for i, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(name, 14)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    last = max(len(rows) + 1, 2)
    for name, options in lists.items():
        letter = get_column_letter(columns.index(name) + 1)
        check = DataValidation(type="list", formula1=f'"{",".join(options)}"', allow_blank=True)
        check.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(check)


def _write_xlsx(path: Path, result: AuditResult) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    lists = {"verdict": vocab.VERDICT.codes, "suggested_verdict": vocab.VERDICT.codes, "subtype": vocab.SUBTYPE.codes, "outcome_domain": vocab.OUTCOME_DOMAIN.codes}
    _sheet(workbook, "worksheet", WORKSHEET_COLUMNS, result.worksheet_rows(), lists)
    _sheet(workbook, "references", REFERENCE_COLUMNS, result.reference_rows(), {"status": vocab.REFERENCE_STATUS.codes})
    workbook.save(path)


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:80rem;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.35rem .5rem;vertical-align:top;text-align:left}th{background:#eef3f8}
.summary td:first-child{font-weight:600;width:16rem}.match{background:#e3f1ea}.partial{background:#fdf3d8}
.mismatch,.wrong{background:#fbe3d6}.minor_error{background:#fdf3d8}.correct{background:#e3f1ea}.unverifiable{background:#eee}
.small{font-size:.85rem;color:#555}.card{border:1px solid #ccc;border-radius:4px;padding:.3rem .8rem;margin:.6rem 0}
.badge{color:#fff;border-radius:3px;padding:.1rem .4rem;font-weight:600}.flag{background:#fbe3d6;border-radius:3px;padding:.1rem .4rem;margin-right:.2rem;font-size:.85rem}details{margin:.5rem 0}code{font-size:.85rem}
"""


def _cell(value: Any, css: str = "") -> str:
    attribute = f' class="{html.escape(css)}"' if css else ""
    return f"<td{attribute}>{html.escape(str(value))}</td>"


def _table(columns: list[str], rows: list[dict[str, Any]], css_column: str = "") -> str:
    """An HTML table; the cell of `css_column` is coloured by its own value (match, wrong...)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    lines = []
    for r in rows:
        cells = [_cell(r.get(c, ""), str(r.get(c, "")).replace(" ", "_") if c == css_column else "") for c in columns]
        lines.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


_BADGE = {t.code: t.colour for t in vocab.VERDICT}


def _statement_card(s: Any) -> str:
    """One statement: verdict badge, flags, reason, and each evidence row with its content and link."""
    esc = html.escape
    j = s.judgement
    verdict = s.verdict
    colour = _BADGE.get(verdict, "#999999")
    flags = "".join(f'<span class="flag">{esc(f)}</span>' for f in (j.flags if j else []))
    rows = []
    for r in (j.evidence if j else []):
        link = ""
        if r.url.startswith(("http://", "https://")):
            link = f' <a href="{esc(r.url, quote=True)}" rel="noreferrer">source</a>'
        rows.append(f"<li><code>{esc(r.id)}</code> {esc(r.label or r.study)} · {esc(r.outcome)} · {esc(r.figure)}"
                    f' <span class="small">{esc(r.tier)}</span>{link}</li>')
    evidence = f"<ul>{''.join(rows)}</ul>" if rows else '<p class="small">no evidence in the base</p>'
    return (f'<div class="card"><p><span class="badge" style="background:{esc(colour)}">{esc(verdict)}</span> {flags} '
            f'<span class="small">{esc(s.statement_id)} · {esc(s.subtype)} · {esc(s.outcome_domain)} · {esc(s.section)}</span></p>'
            f"<p>{esc(s.sentence)}</p><p class=\"small\">{esc(j.reason if j else '')}</p>{evidence}</div>")


def render_report(result: AuditResult) -> str:
    """A single offline HTML page, weakest claims first: no script, no external file, every text escaped."""
    from .judge import severity

    esc = html.escape
    summary = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in result.summary())
    ordered = sorted(result.statements, key=lambda s: (severity(s.verdict), s.statement_id))
    weakest = [s for s in ordered if severity(s.verdict) <= 2]
    cards = "".join(_statement_card(s) for s in ordered)
    statement_cols = ["statement_id", "section", "sentence", "subtype", "outcome_domain", "suggested_verdict", "flags",
                      "evidence", "number_check", "number_detail"]
    statements = _table(statement_cols, [s.row() for s in result.statements], "number_check")
    references = _table(REFERENCE_COLUMNS[1:13], result.reference_rows(), "status")
    dropped = "".join(
        f'<li><span class="small">{esc(c.status)} · {esc(c.section)}</span> {esc(c.sentence)}</li>' for c in result.dropped)
    warning = ""
    if result.evidence_problems:
        warning = (f'<p class="mismatch">The evidence base has {result.evidence_problems} validation problem(s); suggestions '
                   "use the tables that could be read. Run <code>evidence validate</code>.</p>")
    if result.empty_reason:
        warning += f'<p class="mismatch">{esc(result.empty_reason)}</p>'
    intro = (f"Source file {esc(result.source.name)} · document id {esc(result.doc_id)} · default subtype "
             f"{esc(result.default_subtype)}. Verdicts, reasons and number checks are machine suggestions for a reviewer "
             "to confirm; the reviewer's verdict column of the worksheet is left empty.")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Audit: {esc(result.title)}</title><style>{_CSS}</style></head><body>"
        f'<h1>Audit worksheet: {esc(result.title)}</h1><p class="small">{intro}</p>{warning}'
        f"<h2>Weakest claims ({len(weakest)})</h2>{''.join(_statement_card(s) for s in weakest[:10]) or '<p>none</p>'}"
        f'<h2>Summary</h2><table class="summary">{summary}</table>'
        f"<h2>Every statement, weakest first ({len(result.statements)})</h2>{cards}"
        f"<h2>Worksheet ({len(result.statements)})</h2>{statements}"
        f"<h2>References ({len(result.references)})</h2>{references}"
        f"<h2>Dropped sentences ({len(result.dropped)})</h2><details><summary>Service, marketing and uncheckable text</summary>"
        f"<ul>{dropped}</ul></details></body></html>\n"
    )


OUTPUT_FILES = ("worksheet.csv", "worksheet.xlsx", "references.csv", "report.html")


def _out_error(out: Path, exc: OSError) -> EvidenceError:
    """A file-system failure on --out as one line: what failed and why, never a traceback."""
    reason = exc.strerror or str(exc) or exc.__class__.__name__
    return EvidenceError([Problem(file=str(out), message=f"cannot write the audit here ({reason}); give --out a writable folder")])


def write_outputs(result: AuditResult, out: Path) -> list[Path]:
    """Write all four files into a temporary folder beside `out`, then move them in at once.

    A failure halfway leaves `out` as it was: no half-written worksheet for a reviewer to trust.
    """
    out = Path(out).resolve()
    try:
        if out.exists() and not out.is_dir():
            raise EvidenceError([Problem(file=str(out), message="--out must be a folder, and this is a file")])
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = out.parent / f".{out.name}.partial-{secrets.token_hex(4)}"
        staging.mkdir()
    except OSError as exc:
        raise _out_error(out, exc) from None
    try:
        _write_csv(staging / "worksheet.csv", WORKSHEET_COLUMNS, result.worksheet_rows())
        _write_xlsx(staging / "worksheet.xlsx", result)
        _write_csv(staging / "references.csv", REFERENCE_COLUMNS, result.reference_rows())
        (staging / "report.html").write_text(render_report(result), encoding="utf-8")
        if not out.exists():
            os.replace(staging, out)
        else:
            for name in OUTPUT_FILES:
                os.replace(staging / name, out / name)
    except OSError as exc:
        raise _out_error(out, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in OUTPUT_FILES]


def format_summary(result: AuditResult, out: Path) -> str:
    """The short table printed after an audit."""
    lines = [f"audit of {result.source.name} ({result.doc_id}) -> {out}"]
    width = max(len(k) for k, _ in result.summary())
    lines += [f"  {k.ljust(width)}  {v}" for k, v in result.summary()]
    return "\n".join(lines)


def run_audit_cli(path: Path, out: Path, root: Path | None = None) -> int:
    """Entry point of `evidence audit`: audit, write, print the summary; 0 on success."""
    result = audit_document(path, root)
    if result.evidence_problems:
        print(f"warning: the evidence base has {result.evidence_problems} validation problem(s); "
              "suggestions use the tables that could be read (run `evidence validate`)", file=sys.stderr)
    if result.empty_reason:
        print(f"note: {result.source.name}: {result.empty_reason}; the worksheet says so", file=sys.stderr)
    write_outputs(result, out)
    print(format_summary(result, out))
    return 0
