"""The Office exports opened as a user would: converted to PDF by LibreOffice, then measured.

One DOCX of each kind (claims register, reference audit, summary of findings), one XLSX of
each kind (evidence tables, audit workbook) and one PPTX deck go through
`libreoffice --headless --convert-to pdf`; the PDFs are checked for page count, orientation,
that a table never breaks a word across lines (a column narrower than its longest word would),
that a sheet prints one page wide, and that a deck is 16:9.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from evidence import documents, exports, slides, tables, word
from evidence.data import validate

ROOT = Path(__file__).resolve().parents[1]
LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
POPPLER = shutil.which("pdfinfo") and shutil.which("pdftotext")
needs_office = pytest.mark.skipif(not (LIBREOFFICE and POPPLER),
                                  reason="LibreOffice (libreoffice/soffice) and poppler-utils (pdfinfo, pdftotext) are needed "
                                         "to convert and measure the Office exports; install them (apt-get install libreoffice-writer "
                                         "libreoffice-calc libreoffice-impress poppler-utils)")


@pytest.fixture(scope="module")
def base():
    return validate(ROOT)


@pytest.fixture(scope="module")
def pdfs(base, tmp_path_factory):
    folder = tmp_path_factory.mktemp("office")
    made = {
        "claims": documents.claims_register_docx(base, "csp_myositis", folder / "claims.docx"),
        "references": documents.reference_audit_docx(base, "csp_myositis", folder / "references.docx"),
        "sof": documents.summary_of_findings_docx(base, "dm", folder / "sof.docx"),
        "tables": exports.write_xlsx({"Study characteristics": tables.study_characteristics(base),
                                      "SoF DM": tables.summary_of_findings(base, "dm")}, folder / "tables.xlsx"),
        "audit": exports.write_xlsx({"Claims": tables.claims_register(base, "csp_polymyositis"),
                                     "References": tables.reference_audit(base, "csp_polymyositis")}, folder / "audit.xlsx"),
        "deck": slides.write_deck(base, "dm", folder / "deck.pptx"),
    }
    if not (LIBREOFFICE and POPPLER):
        return {"made": made}
    subprocess.run([LIBREOFFICE, "--headless", f"-env:UserInstallation=file://{folder / 'profile'}", "--convert-to", "pdf",
                    "--outdir", str(folder), *[str(p) for p in made.values()]], check=True, capture_output=True, timeout=600)
    return {"made": made, **{k: folder / f"{p.stem}.pdf" for k, p in made.items()}}


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)]


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-raw"] + (["-f", str(first)] if first else []) + (["-l", str(last)] if last else []) + [str(pdf), "-"]
    return unicodedata.normalize("NFKC", subprocess.run(args, capture_output=True, text=True, check=True).stdout)


def words_of(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{4,}", unicodedata.normalize("NFKC", text)))


def docx_table_words(path: Path) -> set[str]:
    from docx import Document

    found: set[str] = set()
    for table in Document(str(path)).tables:
        for row in table.rows:
            for cell in row.cells:
                text = " ".join(" ".join(run.text for run in p.runs if not run.font.superscript) for p in cell.paragraphs)
                found |= words_of(text.replace(word.ZWSP, " "))
    return found


@needs_office
@pytest.mark.parametrize("kind,max_pages", [("claims", 18), ("references", 3), ("sof", 3)])
def test_word_documents_are_landscape_and_short(pdfs, kind, max_pages):
    sizes = page_sizes(pdfs[kind])
    assert 1 <= len(sizes) <= max_pages, f"{kind}: {len(sizes)} pages"
    assert all(w > h for w, h in sizes), f"{kind}: a page is portrait"


@needs_office
@pytest.mark.parametrize("kind", ["claims", "references", "sof"])
def test_no_table_word_is_broken_across_lines(pdfs, kind):
    """A word from a table cell that does not appear whole in the PDF text was split by a too-narrow column."""
    printed = words_of(pdf_text(pdfs[kind]))
    missing = docx_table_words(pdfs["made"][kind]) - printed
    assert not missing, f"{kind}: words broken or lost: {sorted(missing)[:10]}"


@needs_office
def test_claims_register_of_85_claims_fits_about_15_pages(base, pdfs):
    n = (base.tables["claims"]["doc_id"] == "csp_myositis").sum()
    pages = len(page_sizes(pdfs["claims"]))
    assert pages <= max(15, round(n * 15 / 85)) + 2, f"{n} claims on {pages} pages"


@needs_office
def test_header_row_repeats_on_every_page(pdfs):
    first = pdf_text(pdfs["claims"], 1, 1)
    assert "Rationale" in first
    pages = len(page_sizes(pdfs["claims"]))
    for page in range(2, pages + 1):
        text = pdf_text(pdfs["claims"], page, page)
        if "Claim" in text and re.search(r"myo_c\d+", text):
            assert "Rationale" in text and "Evidence" in text, f"page {page} has rows but no header"


@needs_office
@pytest.mark.parametrize("kind", ["tables", "audit"])
def test_sheets_print_landscape_and_one_page_wide(pdfs, kind):
    from openpyxl import load_workbook

    sizes = page_sizes(pdfs[kind])
    assert sizes and all(w > h for w, h in sizes)
    text = pdf_text(pdfs[kind])
    wb = load_workbook(pdfs["made"][kind])
    for ws in wb.worksheets:
        assert ws.print_title_rows.replace("$", "") == "2:2" and ws.freeze_panes == "A3"
        headers = [c.value for c in ws[2] if c.value]
        first_pages = [t for t in text.split("\f") if str(ws["A1"].value)[:30] in t]
        assert first_pages, f"{ws.title}: its first-row description is not printed"
        page = first_pages[0]
        for header in headers:
            assert str(header).split()[0] in page, f"{ws.title}: column '{header}' is not on the sheet's first page"


@needs_office
def test_deck_is_16_9_with_title_and_five_content_slides(pdfs):
    sizes = page_sizes(pdfs["deck"])
    assert len(sizes) == 6
    assert all(abs(w / h - 16 / 9) < 0.01 for w, h in sizes)


def test_deck_slides_have_headline_chart_source_and_notes(pdfs):
    from pptx import Presentation

    prs = Presentation(str(pdfs["made"]["deck"]))
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    content = list(prs.slides)[1:]
    assert len(content) == 5
    pictures = 0
    for slide in content:
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert any(t.startswith("Source") for t in texts), "slide without a source line"
        notes = slide.notes_slide.notes_text_frame.text
        assert notes.strip()
        sizes = [run.font.size.pt for s in slide.shapes if s.has_text_frame for p in s.text_frame.paragraphs for run in p.runs if run.font.size]
        assert min(sizes) >= 14, "text too small for a lecture hall"
        pictures += sum(1 for s in slide.shapes if s.shape_type == 13)
    assert pictures >= 3
    forest = content[2]
    # the headline of the forest slide is computed from the data: ProDERM's published 37/47 vs 21/48 (NEJM 2022)
    assert "37/47 vs 21/48" in forest.shapes[0].text_frame.text
    assert "certainty" in forest.notes_slide.notes_text_frame.text


def test_docx_tables_mark_header_repeat_and_unsplittable_rows(pdfs):
    xml = zipfile.ZipFile(pdfs["made"]["claims"]).read("word/document.xml").decode("utf-8")
    assert xml.count("<w:tblHeader/>") == 1
    assert xml.count("<w:cantSplit/>") >= 85
    assert 'w:orient="landscape"' in xml
    assert "\u2295\u2295" in xml  # GRADE certainty symbols
    assert "w:fill=" in xml  # tinted verdict cells


def test_sof_footnotes_are_lettered_and_reasons_leave_the_table(base, tmp_path):
    frame, notes = documents.sof_layout(tables.summary_of_findings(base, "dm"))
    assert notes and notes[0].startswith("a. ") and notes[1].startswith("b. ")
    assert not any(" a. " in str(c) for c in frame.get("Comments", []))  # the reasons left the table
    cert = frame["Certainty"].tolist()
    assert cert[0].parts[0][0] == "\u2295\u2295\u2295\u25ef Moderate" and cert[0].parts[1] == ("a", "sup")
    # a reshaped frame with an unknown column and a Footnotes column still renders
    reshaped = pd.DataFrame({"Outcome": ["X"], "Certainty": ["Low"], "Footnotes": [["one reason", "two reason"]], "Extra": ["kept"]})
    frame, notes = documents.sof_layout(reshaped)
    assert notes == ["a. one reason", "b. two reason"] and frame["Extra"].tolist() == ["kept"]


FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "plain"]


def test_every_spreadsheet_writer_neutralises_formulas(tmp_path):
    from openpyxl import load_workbook

    frame = pd.DataFrame({"Text": FORMULAS, "Verdict": ["=HYPERLINK(1)"] * 5})
    xlsx = exports.write_xlsx({"Sheet": frame}, tmp_path / "x.xlsx", {"Sheet": "=about row"})
    ws = load_workbook(xlsx)["Sheet"]
    values = [c.value for c in ws["A"]]
    assert values[0] == "'=about row"
    assert values[2:] == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "plain"]
    assert all(not str(c.value).startswith(("=", "+", "-", "@")) for row in ws.iter_rows() for c in row if c.value)
    csv = exports.write_csv(frame, tmp_path / "x.csv").read_text(encoding="utf-8")
    assert "\n=1+1" not in csv and "'=1+1" in csv


def test_word_writer_keeps_formula_text_as_plain_text(tmp_path):
    """Word has no cell formulas: text starting with = stays text (no field code is created)."""
    path = word.write_tables_docx(tmp_path / "x.docx", "T", {"": pd.DataFrame({"A": FORMULAS})})
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    assert "=1+1" in xml and "instrText" not in xml and "fldSimple" not in xml


def test_chart_exports_carry_their_source_and_a_slide_size_copy(base, tmp_path):
    from PIL import Image

    from evidence import charts

    figure = charts.response_rates(base, "dm")
    png, svg, page, slide = exports.write_chart(figure, tmp_path)
    assert "Source: " in svg.read_text(encoding="utf-8") and "Aggarwal et al 2022" in svg.read_text(encoding="utf-8")
    assert Image.open(slide).size == (1920, 1080)
    width, height = Image.open(png).size
    assert width > 1000 and height > 300  # 2x scale


def test_response_rate_rows_have_their_own_arm_scale(base):
    """Each study row is a facet with an independent arm scale, so its bars sit level with its label."""
    from evidence import charts

    spec = charts.response_rates(base).chart.to_dict()
    assert spec["facet"]["row"]["field"] == "row"
    assert spec["resolve"]["scale"]["y"] == "independent"


def test_interactive_chart_page_keeps_script_text_inert():
    """A data string holding </script> must not end the page's script block (opened in Chromium: shown as text)."""
    import altair as alt

    frame = pd.DataFrame({"a": ["</script><script>alert(1)</script>", "x & y"], "b": [1, 2]})
    spec = alt.Chart(frame).mark_bar().encode(x="b:Q", y="a:N").properties(title="T </script>").to_dict()
    from evidence.chart_page import interactive_html

    page = interactive_html(spec, "T </script>")
    plain = interactive_html(alt.Chart(pd.DataFrame({"a": ["p"], "b": [1]})).mark_bar().encode(x="b:Q", y="a:N").to_dict(), "T")
    assert page.count("</script>") == plain.count("</script>")
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in page


def test_a_title_longer_than_words_core_property_limit_is_cut_not_fatal(tmp_path):
    from docx import Document

    from evidence.word import write_tables_docx
    title = "Claims audit: " + "a long registered document title " * 12
    path = tmp_path / "long.docx"
    write_tables_docx(path, title, {"": pd.DataFrame({"a": ["1"]})})
    doc = Document(str(path))
    assert len(doc.core_properties.title) <= 255 and doc.core_properties.title.startswith("Claims audit: a long")
    assert doc.paragraphs[0].text == title  # the heading keeps the whole title
