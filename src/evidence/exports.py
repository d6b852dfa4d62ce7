"""Exports for writers: tables as CSV/XLSX, audits as DOCX, charts as PNG/SVG.

Every file is written to a temporary name and renamed into place, so an interrupted
export never leaves a half-written file.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pandas as pd

from . import vocab
from .atomic import atomic_write
from .cells import safe_cell, safe_frame
from .chart_page import interactive_html

VERDICT_FILLS = {t.label: t.colour.lstrip("#") for t in vocab.VERDICT}
STATUS_FILLS = {t.label: t.colour.lstrip("#") for t in vocab.REFERENCE_STATUS}
_FIXED_TIME = datetime(2000, 1, 1)
PRINT_WIDTH_CHARS = 175  # about what A4 landscape holds at 10-11 pt before fit-to-width shrinks it  # openpyxl stamps the save time; a fixed one keeps builds identical


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    return atomic_write(path, lambda p: safe_frame(frame).to_csv(p, index=False))


def _lines(text: str, width_chars: float) -> int:
    """Wrapped line count of a cell's text at a column width given in characters."""
    import math

    per_line = max(1.0, 1.15 * width_chars - 2)  # a width unit is one '0'; running text is narrower
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path, about: dict[str, str] | None = None) -> Path:
    """Workbook that prints: row 1 says what the sheet is and where its data come from, row 2 is a
    bold header (frozen, filtered, repeated on every printed page), widths and row heights follow
    the content, pages are landscape and one page wide; judgement cells are tinted and marked."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    from . import marks

    about = about or {}

    def write(tmp: Path) -> None:
        wb = Workbook()
        wb.remove(wb.active)
        for name, frame in sheets.items():
            ws = wb.create_sheet(title=name[:31])
            note = about.get(name) or f"{name}, from the evidence base in data/ (see data/datapackage.json)."
            ws.append([safe_cell(note)])
            ws["A1"].font = Font(name="Calibri", italic=True, color="444444")
            ws.append([safe_cell(c) for c in frame.columns])
            judged = {j for j, c in enumerate(frame.columns) if str(c).strip().lower() in ("verdict", "certainty", "status")}
            for row in frame.itertuples(index=False):
                ws.append([safe_cell(marks.mark(frame.columns[j], v) if j in judged and isinstance(v, str) and v else v)
                           for j, v in enumerate(row)])
            for cell in ws[2]:
                cell.font = Font(name="Calibri", bold=True)
                cell.fill = PatternFill("solid", fgColor="E6E6E6")
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.freeze_panes = "A3"
            last = get_column_letter(max(1, len(frame.columns)))
            ws.auto_filter.ref = f"A2:{last}{max(2, len(frame) + 2)}"
            floors, widths = [], []
            for col in frame.columns:
                texts = [str(col)] + ["" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in frame[col]]
                floors.append(min(40, max(8, max((len(w) for t in texts for w in t.split()), default=4) + 2)))
                widths.append(max(floors[-1], min(max(len(t) for t in texts), 45) + 2))
            excess = sum(widths) - PRINT_WIDTH_CHARS
            if excess > 0:  # narrow the wide text columns first, never below their longest word
                slack = [w - f for w, f in zip(widths, floors)]
                total = sum(slack) or 1
                widths = [w - min(s, excess * s / total) for w, s in zip(widths, slack)]
            for i, (col, width) in enumerate(zip(frame.columns, widths), start=1):
                letter = get_column_letter(i)
                ws.column_dimensions[letter].width = round(width, 1)
                for cell in ws[letter][2:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                    fill = marks.fill_for(str(col), str(cell.value)) if (i - 1) in judged and cell.value else None
                    if fill:
                        cell.fill = PatternFill("solid", fgColor=fill)
            for r, row in enumerate(ws.iter_rows(min_row=2, max_row=ws.max_row), start=2):
                lines = max((_lines(c.value, widths[k]) for k, c in enumerate(row) if c.value not in (None, "")), default=1)
                ws.row_dimensions[r].height = 15 * min(lines, 27)  # Excel's row limit is 409 pt
            ws.page_setup.orientation = "landscape"
            ws.page_setup.paperSize = ws.PAPERSIZE_A4
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 0
            ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
            ws.print_title_rows = "2:2"
            ws.print_options.gridLines = True
            ws.page_margins.left = ws.page_margins.right = 0.4
        wb.properties.created = wb.properties.modified = _FIXED_TIME
        wb.save(tmp)

    return atomic_write(path, write)


def write_docx(title: str, groups: dict[str, pd.DataFrame], path: Path, references: list | None = None,
               intro: str = "") -> Path:
    """A Word document with one table per group, laid out by `word` (page, widths, header, rows)."""
    from . import word

    return word.write_tables_docx(path, title, groups, intro=intro, references=references)


SLIDE_PX = (1920, 1080)
_TOP_LEVEL = ("$schema", "config", "datasets", "background", "padding", "autosize", "usermeta")


def source_line(figure) -> str:
    """'Source: ...' from the figure's caption (its short AMA names), for drawing inside the image."""
    caption = " ".join(str(figure.caption).split())
    found = re.search(r"Sources?: (.+)$", caption)
    return f"Source: {found.group(1)}" if found else caption


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def with_source(spec: dict, source: str, chars_per_line: int = 110) -> dict:
    """The chart stacked above a text mark with its source line, so any copy of the image cites it.
    Works on the spec, whatever the builder made (single, layer, facet or concat)."""
    outer = {k: spec[k] for k in _TOP_LEVEL if k in spec}
    inner = {k: v for k, v in spec.items() if k not in _TOP_LEVEL}
    lines = _wrap(source, chars_per_line)
    note = {"data": {"values": [{}]}, "height": 16 * len(lines), "width": 10,
            "mark": {"type": "text", "align": "left", "baseline": "top", "x": 0, "y": 0, "fontSize": 12,
                     "lineHeight": 16, "color": "#444444"},
            "encoding": {"text": {"value": lines}}}
    return {**outer, "vconcat": [inner, note], "spacing": 14}


def slide_png(svg: str, size: tuple[int, int] = SLIDE_PX) -> bytes:
    """The chart (its rendered SVG) rasterised as large as fits a 16:9 slide canvas (1920x1080 px),
    centred on white: rasterised at that scale (not resampled), so text stays sharp."""
    import io

    import vl_convert as vlc
    from PIL import Image

    natural = Image.open(io.BytesIO(vlc.svg_to_png(svg, scale=1)))
    fit = 0.96 * min(size[0] / natural.width, size[1] / natural.height)
    image = Image.open(io.BytesIO(vlc.svg_to_png(svg, scale=fit))).convert("RGBA")
    scale = min(size[0] / image.width, size[1] / image.height, 1.0)
    if scale < 1.0:
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.LANCZOS)
    canvas = Image.new("RGB", size, "white")
    canvas.paste(image, ((size[0] - image.width) // 2, (size[1] - image.height) // 2), image)
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_chart(figure, folder: Path) -> list[Path]:
    """PNG at 2x and SVG with the source line drawn in, a 1920x1080 slide PNG, and an interactive
    HTML page with Vega inlined (works offline). Vega renders the chart once, to SVG; both PNGs are
    rasterised from that SVG (byte-identical to vl-convert's own PNG, at a fraction of the cost)."""
    import vl_convert as vlc

    spec = with_source(figure.chart.to_dict(), source_line(figure))
    svg_text = vlc.vegalite_to_svg(spec)
    png_bytes = vlc.svg_to_png(svg_text, scale=2)
    png = atomic_write(folder / f"{figure.slug}.png", lambda p: p.write_bytes(png_bytes))
    svg = atomic_write(folder / f"{figure.slug}.svg", lambda p: p.write_text(svg_text, encoding="utf-8"))
    slide = atomic_write(folder / "slide" / f"{figure.slug}.png", lambda p: p.write_bytes(slide_png(svg_text)))
    title = spec.get("title", {}).get("text", figure.slug) if isinstance(spec.get("title"), dict) else str(spec.get("title", figure.slug))
    title = " ".join(title) if isinstance(title, list) else title  # a wrapped title is a list of lines
    page = atomic_write(folder / f"{figure.slug}.html",
                        lambda p: p.write_text(interactive_html(spec, str(title)), encoding="utf-8"))
    return [png, svg, page, slide]
