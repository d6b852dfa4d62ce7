"""Word documents a medical writer can print and paste from (python-docx).

python-docx gives every table equal columns on a portrait page; a register of long claims
then breaks words mid-word and runs to dozens of pages. Here the page turns landscape when
the content needs it, each column is at least as wide as its longest word and wider where it
holds more text, the header row repeats on every page (w:tblHeader), rows never split across
pages (w:cantSplit), type is 9 pt, and judgements carry a tint and a symbol (`marks`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from . import ama, marks

FONT = "Arial"  # LibreOffice substitutes the metric-compatible Liberation Sans
FONT_PT = 9.0
CELL_PAD_PT = 14.0  # Word's default cell margins (0.08 in each side) plus a little air
PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
MARGIN_MM = 15.0
ZWSP = "\u200b"
FIXED_TIME = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class Rich:
    """Cell content in pieces: (text, style) with style '', 'italic' or 'sup'."""

    parts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.parts)


def _mm_to_pt(mm: float) -> float:
    return mm * 72 / 25.4


def breakable(text: str) -> str:
    """Zero-width break points after / ? & = in URLs and after ; in id lists, so a link or a list of
    evidence ids wraps instead of widening its column."""
    text = re.sub(r"(https?://\S+)", lambda m: re.sub(r"([/?&=])", "\\1" + ZWSP, m.group(1)), text)
    return re.sub(r";(?=\S)", ";" + ZWSP, text)


_NARROW = set("ijlft.,;:'|!()[] ")
_WIDE = set("mwMW@%")


def text_width_em(text: str, bold: bool = False) -> float:
    """Width of text in em for Arial/Liberation Sans, by glyph class (within a few per cent,
    erring wide): enough to size columns so that no word has to break."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.30
        elif ch in _WIDE:
            em += 0.92
        elif ch.isupper():
            em += 0.69
        elif ch.isdigit() or ch.islower():
            em += 0.54
        else:
            em += 0.80  # symbols such as the GRADE circles
    return em * (1.07 if bold else 1.0)


def cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, Rich):
        return value.text
    if isinstance(value, list):  # ama runs
        return "".join(getattr(r, "text", str(r)) for r in value)
    if hasattr(value, "raw_author") and hasattr(value, "entry_type"):
        return ama.text(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s\u200b]+", breakable(text)) if w]


def column_widths(columns: list[str], rows: list[list[str]], usable_pt: float, font_pt: float = FONT_PT) -> list[float]:
    """Widths in points: each column at least its longest word, the rest shared by how much text it holds."""
    n = len(columns)
    min_w, want_w, weight = [0.0] * n, [0.0] * n, [0.0] * n
    for j, col in enumerate(columns):
        texts = [str(col)] + [r[j] for r in rows]
        longest_word = max([text_width_em(w, bold=True) for w in _words(str(col))]
                           + [text_width_em(w) for t in texts[1:] for w in _words(t)] + [1.0])
        longest_text = max(text_width_em(t) for t in texts)
        min_w[j] = longest_word * font_pt + CELL_PAD_PT
        want_w[j] = max(min_w[j], min(longest_text, 140 * 0.55) * font_pt + CELL_PAD_PT)
        weight[j] = sum(len(t) for t in texts[1:]) + len(str(col))
    if sum(min_w) >= usable_pt:
        return min_w
    widths = list(min_w)
    spare = usable_pt - sum(widths)
    open_cols = {j for j in range(n) if want_w[j] > widths[j]}
    while spare > 0.5 and open_cols:
        total = sum(weight[j] for j in open_cols) or len(open_cols)
        given = 0.0
        for j in list(open_cols):
            share = spare * ((weight[j] / total) if total else 1 / len(open_cols))
            add = min(share, want_w[j] - widths[j])
            widths[j] += add
            given += add
            if want_w[j] - widths[j] < 0.5:
                open_cols.discard(j)
        spare -= given
        if given < 0.5:
            break
    if spare > 0.5:  # everything fits on one line: spread the rest evenly
        widths = [w + spare / n for w in widths]
    return widths


def needs_landscape(frames: Iterable[pd.DataFrame], paper: str = "a4") -> bool:
    """Landscape when any table's comfortable width exceeds the portrait text width."""
    width_mm = PAPER_MM[paper][0] - 2 * MARGIN_MM
    usable = _mm_to_pt(width_mm)
    for frame in frames:
        cols = [str(c) for c in frame.columns]
        rows = [[cell_text(v) for v in row] for row in frame.itertuples(index=False)]
        want = 0.0
        for j, col in enumerate(cols):
            texts = [col] + [r[j] for r in rows]
            word = max([text_width_em(w) for t in texts for w in _words(t)] + [1.0])
            line = min(max(text_width_em(t) for t in texts), 30 * 0.55)
            want += max(word, line) * FONT_PT + CELL_PAD_PT
        if want > usable:
            return True
    return False


def _set_cell_shading(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _row_flags(row, header: bool) -> None:
    from docx.oxml import OxmlElement

    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def _fixed_layout(table, widths_pt: list[float]) -> None:
    """Fixed layout and a tblGrid that LibreOffice and Word both honour."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_pt):
        col.set(qn("w:w"), str(int(w * 20)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_pt):
            cell.width = Pt(w)


def _write_cell(cell, value: Any, column: str, font_pt: float, bold: bool = False) -> None:
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if hasattr(value, "raw_author") and hasattr(value, "entry_type"):
        ama.add_to_paragraph(paragraph, value, Pt(font_pt))
        return
    if isinstance(value, Rich):
        parts = value.parts
    else:
        text = cell_text(value)
        if column.strip().lower() in ("verdict", "certainty", "status") and text:
            text = marks.mark(column, text)
        parts = [(breakable(text), "")]
    for text, style in parts:
        run = paragraph.add_run(text)
        run.font.size = Pt(font_pt)
        run.bold = bold or None
        if style == "italic":
            run.italic = True
        elif style == "sup":
            run.font.superscript = True
    fill = None if bold else marks.fill_for(column, cell_text(value))
    if fill:
        _set_cell_shading(cell, fill)


def add_table(doc, frame: pd.DataFrame, usable_pt: float, font_pt: float = FONT_PT, band: str | None = None) -> None:
    """A full-width table: content-sized columns, bold repeating header, rows that never split.

    With `band`, that column is dropped and each change of its value opens a full-width bold row
    (one table for a whole register instead of a heading and a header row per section)."""
    bands = [cell_text(v) for v in frame[band]] if band else []
    if band:
        frame = frame.drop(columns=[band])
    columns = [str(c) for c in frame.columns]
    values = [list(row) for row in frame.itertuples(index=False)]
    texts = [[cell_text(v) for v in row] for row in values]
    widths = column_widths(columns, texts, usable_pt, font_pt)
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.autofit = False
    header = table.rows[0]
    for cell, col in zip(header.cells, columns):
        _write_cell(cell, col, "", font_pt, bold=True)
        _set_cell_shading(cell, "E6E6E6")
    _row_flags(header, header=True)
    previous = None
    for i, row in enumerate(values):
        if band and bands[i] != previous:
            previous = bands[i]
            band_row = table.add_row()
            merged = band_row.cells[0].merge(band_row.cells[-1])
            _write_cell(merged, previous, "", font_pt, bold=True)
            _set_cell_shading(merged, "F3F3F3")
            _row_flags(band_row, header=False)
        cells = table.add_row()
        for cell, value, col in zip(cells.cells, row, columns):
            _write_cell(cell, value, col, font_pt)
        _row_flags(cells, header=False)
    _fixed_layout(table, widths)


def new_document(title: str, landscape: bool, paper: str = "a4", subtitle: str = ""):
    """A document with the page set up (size, orientation, margins) and a 9-10 pt body style."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10)
    for name, size in (("Heading 1", 16), ("Heading 2", 12)):
        doc.styles[name].font.name = FONT
        doc.styles[name].font.size = Pt(size)
    section = doc.sections[0]
    short, long_ = PAPER_MM[paper]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(long_), Mm(short)) if landscape else (Mm(short), Mm(long_))
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    # Word's core properties hold at most 255 characters; a long document title is cut there (the heading keeps it all).
    doc.core_properties.title = title if len(title) <= 255 else title[:254] + "…"
    doc.add_heading(title, level=1)
    if subtitle:
        doc.add_paragraph(subtitle)
    return doc


def usable_width_pt(doc) -> float:
    section = doc.sections[0]
    return (section.page_width - section.left_margin - section.right_margin) / 12700


def add_references(doc, references: list[Any], heading: str = "References") -> None:
    """Numbered AMA references; a bib.Reference renders with its journal in italics."""
    from docx.shared import Pt

    if not references:
        return
    doc.add_heading(heading, level=2)
    for i, ref in enumerate(references, start=1):
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        lead = paragraph.add_run(f"{i}. ")
        lead.font.size = Pt(9)
        if hasattr(ref, "raw_author"):
            ama.add_to_paragraph(paragraph, ref, Pt(9))
        else:
            paragraph.add_run(str(ref)).font.size = Pt(9)


def add_notes(doc, notes: list[str], heading: str = "") -> None:
    from docx.shared import Pt

    if heading:
        doc.add_heading(heading, level=2)
    for note in notes:
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        paragraph.add_run(note).font.size = Pt(9)


def write_tables_docx(path: Path, title: str, groups: dict[str, pd.DataFrame], intro: str = "",
                      references: list[Any] | None = None, notes: list[str] | None = None, paper: str = "a4",
                      band: str | None = None) -> Path:
    """Heading, intro, one table per group, footnotes, references; page set up by content."""
    from .exports import atomic_write

    def write(tmp: Path) -> None:
        doc = new_document(title, needs_landscape(groups.values(), paper), paper, intro)
        usable = usable_width_pt(doc)
        for heading, frame in groups.items():
            if heading:
                doc.add_heading(heading, level=2)
            add_table(doc, frame, usable, band=band if band in frame.columns else None)
        if notes:
            add_notes(doc, notes, "Notes")
        add_references(doc, references or [])
        doc.core_properties.created = doc.core_properties.modified = FIXED_TIME  # reproducible output
        doc.save(tmp)

    return atomic_write(path, write)
