"""Exports for writers: tables as CSV/XLSX, audits as DOCX, charts as PNG/SVG.

Every file is written to a temporary name and renamed into place, so an interrupted
export never leaves a half-written file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import vocab
from .atomic import atomic_write
from .cells import safe_cell, safe_frame
from .chart_page import interactive_html

VERDICT_FILLS = {t.label: t.colour.lstrip("#") for t in vocab.VERDICT}
STATUS_FILLS = {t.label: t.colour.lstrip("#") for t in vocab.REFERENCE_STATUS}


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    return atomic_write(path, lambda p: safe_frame(frame).to_csv(p, index=False))


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    """Workbook with frozen header, filters, wrapped text, widths and verdict colours."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    def write(tmp: Path) -> None:
        wb = Workbook()
        wb.remove(wb.active)
        for name, frame in sheets.items():
            ws = wb.create_sheet(title=name[:31])
            ws.append([safe_cell(c) for c in frame.columns])
            for row in frame.itertuples(index=False):
                ws.append([safe_cell(v) for v in row])
            for cell in ws[1]:
                cell.font = Font(bold=True)
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = ws.dimensions
            for i, col in enumerate(frame.columns, start=1):
                longest = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
                ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, longest + 2))
                fills = VERDICT_FILLS if col == "Verdict" else STATUS_FILLS if col == "Status" else None
                for cell in ws[get_column_letter(i)][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                    if fills and cell.value in fills:
                        cell.fill = PatternFill("solid", fgColor=fills[cell.value])
        wb.save(tmp)

    return atomic_write(path, write)


def write_docx(title: str, groups: dict[str, pd.DataFrame], path: Path, references: list[str] | None = None,
               intro: str = "") -> Path:
    """A Word document with one table per group (e.g. per section), then references."""
    from docx import Document

    def write(tmp: Path) -> None:
        doc = Document()
        doc.add_heading(title, level=1)
        if intro:
            doc.add_paragraph(intro)
        for heading, frame in groups.items():
            doc.add_heading(heading, level=2)
            table = doc.add_table(rows=1, cols=len(frame.columns))
            table.style = "Table Grid"
            for cell, col in zip(table.rows[0].cells, frame.columns):
                cell.text = str(col)
            for row in frame.itertuples(index=False):
                cells = table.add_row().cells
                for cell, value in zip(cells, row):
                    cell.text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        if references:
            doc.add_heading("References", level=2)
            for i, ref in enumerate(references, start=1):
                doc.add_paragraph(f"{i}. {ref}")
        doc.save(tmp)

    return atomic_write(path, write)


def write_chart(figure, folder: Path) -> list[Path]:
    """PNG at 2x scale for slides, SVG, and an interactive HTML page with Vega inlined (works offline)."""
    import vl_convert as vlc

    spec = figure.chart.to_dict()
    png = atomic_write(folder / f"{figure.slug}.png", lambda p: p.write_bytes(vlc.vegalite_to_png(spec, scale=2)))
    svg = atomic_write(folder / f"{figure.slug}.svg", lambda p: p.write_text(figure.svg(), encoding="utf-8"))
    title = spec.get("title", {}).get("text", figure.slug) if isinstance(spec.get("title"), dict) else str(spec.get("title", figure.slug))
    page = atomic_write(folder / f"{figure.slug}.html",
                        lambda p: p.write_text(interactive_html(spec, title), encoding="utf-8"))
    return [png, svg, page]
