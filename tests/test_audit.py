"""`evidence audit`: behaviour on small invented documents.

Every document here is written for the test (no sentence comes from an audited page).
Tests that need numbers from the evidence base use a small hand-made Evidence (arms,
rows, a .bib) so they stay true while data/ is being edited; one end-to-end test runs
against the real project to prove the pieces fit.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest

from evidence import audit
from evidence.audit import (
    Evidence,
    EvidenceRow,
    Quantity,
    Regimen,
    audit_document,
    check_percent,
    check_regimen,
    extract_quantities,
    render_report,
    run_audit_cli,
    write_outputs,
)
from evidence.audit.read import Block, read_document
from evidence.audit.refs import audit_references
from evidence.audit.tag import candidates, sentences, tag_domain, tag_subtype
from evidence.bib import read_bibliography
from evidence.cli import main as cli_main
from evidence.errors import EvidenceError

ROOT = Path(__file__).resolve().parents[1]

BIB = """
@article{alpha2019trial,
  author = {Alvarez, Maria and Brook, Tom},
  title = {Immune globulin infusions for weakness in adult dermatomyositis: a randomised trial},
  journal = {Journal of Invented Neurology},
  year = {2019},
  volume = {12},
  number = {3},
  pages = {100--110},
  pmid = {11112222},
  doi = {10.9999/jin.2019.003},
  verified = {author,title,journal,year,volume,number,pages,pmid,doi}
}

@article{beta2021cohort,
  author = {Berg, Lena},
  title = {Swallowing outcomes after immunoglobulin in inclusion body myositis},
  journal = {Imaginary Muscle Reports},
  year = {2021},
  volume = {4},
  number = {1},
  pages = {7--15},
  pmid = {33334444},
  verified = {author,title,journal,year,volume,number,pages,pmid}
}
"""

REFERENCE_SECTION = """
References:
1. Alvarez M, Brook T. Immune globulin infusions for weakness in adult dermatomyositis. J Invented Neurol. 2019;12(3):100-110. https://pubmed.ncbi.nlm.nih.gov/11112222/
2. Berg, L., 2021. Swallowing outcome after immunoglobulin in inclusion-body myositis. Imaginary Muscle Reports, 4(1).
3. Carter, Q., 2019. Immune globulin infusions for weakness in adult dermatomyositis. Journal of Invented Neurology, 12(4).
https://pubmed.ncbi.nlm.nih.gov/11112222/ - Nobody, A., 2020. A paper that is in no bibliography. Unknown Journal, 1(1).
https://pubmed.ncbi.nlm.nih.gov/33334444/
"""


@pytest.fixture
def bib(tmp_path: Path):
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    bibliography, problems = read_bibliography(path)
    assert not problems
    return bibliography


@pytest.fixture
def evidence(tmp_path: Path, bib) -> Evidence:
    """A tiny evidence base: two IVIG regimens, two safety rows, one strength row."""
    regimens = [
        Regimen("trial_dm_ivig", "dm", "trial Table 1", dose=2.0, days=(2.0, 5.0), interval=4.0),
        Regimen("trial_pm_ivig", "pm", "pm trial Abstract", dose=2.0, days=(2.0, 2.0), interval=4.0),
    ]
    rows = [
        EvidenceRow("safety_r01", "results", "aseptic meningitis per patient large cohort", "myositis", "safety", "cohort Abstract",
                    percent=0.6, counts=(8, 1324)),
        EvidenceRow("safety_r02", "adverse_events", "aseptic meningitis small series", "myositis", "safety", "series Abstract",
                    percent=11.1, counts=(6, 54)),
        EvidenceRow("strength_r01", "results", "muscle strength MMT improvement dermatomyositis", "dm", "strength", "trial Table 2",
                    percent=79.0, counts=(37, 47)),
    ]
    ev = Evidence(root=tmp_path, rows=rows, regimens=regimens, bib=bib, documents=None)
    ev.index = audit.BM25Index(rows)
    return ev


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def kept(doc_path: Path) -> list[str]:
    found, _, _ = candidates(read_document(doc_path))
    return [c.sentence for c in found if c.status == "kept"]


# ------------------------------------------------------------------ splitting and filtering

DOSING_PAGE = """Immune Globulin Treatment in Dermatomyositis

How it is given
Adults in the invented trial received 2 g/kg over 2 to 5 days. Most of them felt stronger after 12 weeks.
Call our team at 555-123-4567 to sort out insurance and copay questions.
Thanks for reading this page.

References
1. Doe J. A made-up paper about 2 g/kg dosing. Fake Journal. 2020;1(2):3-4.
"""


def test_split_keeps_numeric_sentences_and_drops_marketing(tmp_path):
    found, _, _ = candidates(read_document(write(tmp_path, "page.txt", DOSING_PAGE)))
    by_sentence = {c.sentence: c.status for c in found}
    assert by_sentence["Adults in the invented trial received 2 g/kg over 2 to 5 days."] == "kept"
    assert by_sentence["Most of them felt stronger after 12 weeks."] == "kept"
    assert by_sentence["Call our team at 555-123-4567 to sort out insurance and copay questions."] == "service"
    assert by_sentence["Thanks for reading this page."] == "not_checkable"


def test_reference_list_is_not_a_statement(tmp_path):
    statements = kept(write(tmp_path, "page.txt", DOSING_PAGE))
    assert statements
    assert not any("made-up paper" in s for s in statements)


def test_sentences_come_from_pysbd_not_a_period_split():
    parts = sentences("Dr. Lee gave 0.4 g/kg daily for 5 days, e.g. in the U.S. trial. The FDA approved it in 2021.")
    assert parts == ["Dr. Lee gave 0.4 g/kg daily for 5 days, e.g. in the U.S. trial.", "The FDA approved it in 2021."]


def test_short_bullets_join_their_lead_in(tmp_path):
    text = "Side effects\nMild side effects may include:\n- Headache\n- Chills\n- Low-grade fever\n"
    statements = kept(write(tmp_path, "bullets.txt", text))
    assert statements == ["Mild side effects may include: Headache; Chills; Low-grade fever."]


# ----------------------------------------------------------------------------- tagging


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Skin rash in DM faded after three courses.", "dm"),
        ("Adults with dermatomyositis gained strength.", "dm"),
        ("People with sIBM reported easier swallowing.", "ibm"),
        ("Inclusion body myositis progressed slowly.", "ibm"),
        ("In JDM, children regained strength.", "jdm"),
        ("Juvenile dermatomyositis responded within months.", "jdm"),
        ("Necrotizing myopathy needs early treatment.", "imnm"),
        ("Polymyositis weakens the hips.", "pm"),
        ("Both dermatomyositis and polymyositis improved.", "myositis"),
        ("Many patients improved, especially those with dermatomyositis.", "myositis"),
    ],
)
def test_subtype_synonyms(sentence, expected):
    assert tag_subtype(sentence, None, "myositis") == expected


def test_subtype_falls_back_to_section_then_document():
    assert tag_subtype("Most patients improved.", "ibm", "dm") == "ibm"
    assert tag_subtype("Most patients improved.", None, "dm") == "dm"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("CK fell within weeks.", "enzymes"),
        ("Creatine kinase and aldolase levels dropped.", "enzymes"),
        ("The rash on the knuckles cleared.", "skin"),
        ("Dysphagia eased for most.", "swallowing"),
        ("Weakness of the thighs lessened.", "strength"),
        ("Headache and kidney problems were reported.", "safety"),
        ("The FDA approved this use.", "regulatory"),
        ("The dose is 2 g/kg every 4 weeks.", "dosing"),
        ("Patients needed less steroid.", "steroid_sparing"),
        ("Interstitial lung disease was present.", "lung"),
        ("Gamunex-C and Privigen are sold in vials.", "product"),
    ],
)
def test_outcome_domain_synonyms(sentence, expected):
    assert tag_domain(sentence) == expected


def test_default_subtype_comes_from_the_title(tmp_path):
    found, _, default = candidates(read_document(write(tmp_path, "dm.txt", DOSING_PAGE)))
    assert default == "dm"
    assert {c.subtype for c in found if c.status == "kept"} == {"dm"}
    _, _, general = candidates(read_document(write(tmp_path, "gen.txt", "Immune Globulin for Myositis\nIt helps 5 in 10 people.\n")))
    assert general == "myositis"


# ---------------------------------------------------------------------------- numbers


def test_quantities_are_read_from_words_and_digits():
    found = extract_quantities("Give about 2 grams per kilogram of body weight over two to five days, then every 3 to 4 weeks.")
    assert [(q.kind, q.low, q.high) for q in found] == [("dose", 2.0, 2.0), ("interval", 3.0, 4.0), ("days", 2.0, 5.0)]


def test_percent_keeps_its_comparison_and_ignores_product_strength():
    found = extract_quantities("With Octagam 10% infusions, meningitis affects less than 1% of patients.")
    assert [(q.kind, q.op, q.low) for q in found] == [("percent", "<", 1.0)]


def test_visit_schedule_is_not_a_dosing_interval():
    assert [q.kind for q in extract_quantities("Doctors schedule visits every 4-8 weeks at first.")] == ["span"]


@pytest.fixture
def regimens(evidence):
    return evidence.regimens


def test_dose_and_days_match_the_trial_regimen(regimens):
    assert check_regimen(Quantity("dose", 2, 2), regimens, "dm").status == "match"
    days = check_regimen(Quantity("days", 2, 5), regimens, "dm")
    assert days.status == "match"
    assert "trial_dm_ivig" in days.detail


def test_dose_mismatch_names_the_evidence(regimens):
    check = check_regimen(Quantity("dose", 1, 1), regimens, "dm")
    assert check.status == "mismatch"
    assert "2 g/kg" in check.detail and "trial_dm_ivig" in check.detail and "trial Table 1" in check.detail


def test_interval_range_is_partial_and_other_intervals_mismatch(regimens):
    assert check_regimen(Quantity("interval", 4, 4), regimens, "dm").status == "match"
    assert check_regimen(Quantity("interval", 3, 4), regimens, "dm").status == "partial"
    assert check_regimen(Quantity("interval", 6, 6), regimens, "dm").status == "mismatch"


def test_subtype_regimen_comes_first_and_others_are_named(regimens):
    check = check_regimen(Quantity("days", 2, 5), regimens, "pm")
    assert check.status == "partial"
    assert "trial_pm_ivig" in check.detail and "other-subtype regimens trial_dm_ivig" in check.detail


def test_percent_check_against_linked_rows(evidence):
    low, high = evidence.rows[0], evidence.rows[1]
    assert check_percent(Quantity("percent", 1, 1, "<"), [low]).status == "match"
    assert check_percent(Quantity("percent", 1, 1, "<"), [high]).status == "mismatch"
    assert check_percent(Quantity("percent", 1, 1, "<"), [low, high]).status == "partial"
    assert check_percent(Quantity("percent", 80, 80, "~"), [evidence.rows[2]]).status == "match"


def test_number_check_end_to_end_on_a_document(tmp_path, evidence):
    text = (
        "IVIG in Dermatomyositis\n"
        "The usual course is 2 g/kg spread over 2 to 5 days.\n"
        "Courses are repeated every 8 weeks.\n"
        "Aseptic meningitis affects less than 1% of patients.\n"
    )
    result = audit_document(write(tmp_path, "doc.txt", text), evidence=evidence)
    checks = {s.sentence: s.number_check for s in result.statements}
    assert checks["The usual course is 2 g/kg spread over 2 to 5 days."] == "match"
    assert checks["Courses are repeated every 8 weeks."] == "mismatch"
    assert checks["Aseptic meningitis affects less than 1% of patients."] == "partial"
    meningitis = next(s for s in result.statements if "meningitis" in s.sentence)
    assert {key for key, _ in meningitis.suggestions[:2]} == {"safety_r01", "safety_r02"}


# ------------------------------------------------------------------------- references


def _reference_blocks(tmp_path: Path) -> list[Block]:
    doc = read_document(write(tmp_path, "refs.txt", "Some Page\nText 1.\n" + REFERENCE_SECTION))
    return [b for b in doc.blocks if b.kind != "heading"][1:]


def test_reference_matched_by_pmid_link(tmp_path, bib):
    matches = audit_references(bib, _reference_blocks(tmp_path))
    first = matches[0]
    assert first.bib_key == "alpha2019trial"
    assert first.method.startswith("identifier (PMID 11112222")
    assert first.status == "correct", first.discrepancies


def test_reference_matched_by_title_reports_fields(tmp_path, bib):
    second = audit_references(bib, _reference_blocks(tmp_path))[1]
    assert second.bib_key == "beta2021cohort"
    assert second.method == "title"
    assert second.cited.first_author == "Berg" and second.cited.year == "2021"
    assert second.status == "minor_error"
    assert any(d.startswith("missing pages") for d in second.discrepancies)


def test_reference_discrepancies_first_author_and_issue(tmp_path, bib):
    third = audit_references(bib, _reference_blocks(tmp_path))[2]
    assert third.bib_key == "alpha2019trial"
    assert "first author 'Carter' should be 'Alvarez'" in third.discrepancies
    assert "issue 4 should be 3" in third.discrepancies
    assert third.status == "wrong"


def test_link_to_another_entry_and_unmatched_reference(tmp_path, bib):
    matches = audit_references(bib, _reference_blocks(tmp_path))
    assert len(matches) == 4
    nobody = matches[3]
    assert nobody.cited.title == "A paper that is in no bibliography"
    assert nobody.link_target == "beta2021cohort" and nobody.bib_key == "beta2021cohort"
    assert nobody.status == "wrong"
    assert any("title differs" in d for d in nobody.discrepancies)


def test_unknown_reference_is_unverifiable(tmp_path, bib):
    blocks = [Block("bullet", "Zed, Q., 2024. Nothing like any entry here at all. Unknown Press.")]
    (match,) = audit_references(bib, blocks)
    assert match.bib_key == "" and match.status == "unverifiable"
    assert match.discrepancies == ["no matching entry in references.bib"]


# ------------------------------------------------------------------------------ formats


def test_html_drops_script_style_nav_and_keeps_headings(tmp_path):
    page = """<!DOCTYPE html><html><head><title>IVIG in Dermatomyositis</title>
    <style>.x { color: red }</style><script>var leaked = "2 g/kg secret";</script></head>
    <body><nav><a href="/">Home</a> 5 menu links</nav>
    <h1>IVIG in Dermatomyositis</h1><h2>Dosing</h2>
    <p>The course is 2 g/kg over 2 to 5 days.<script>document.write("hidden 9 g/kg")</script></p>
    <ul><li>Headache affects some patients after infusion.</li></ul></body></html>"""
    found, sections, default = candidates(read_document(write(tmp_path, "page.html", page)))
    texts = " ".join(c.sentence for c in found)
    assert "secret" not in texts and "hidden" not in texts and "menu" not in texts and "color" not in texts
    assert default == "dm"
    dosing = [c for c in found if c.section == "Dosing" and c.status == "kept"]
    assert [c.sentence for c in dosing] == ["The course is 2 g/kg over 2 to 5 days.", "Headache affects some patients after infusion."]


def test_docx_headings_lists_and_tables(tmp_path):
    import docx

    word = docx.Document()
    word.add_heading("IVIG for Inclusion Body Myositis", level=1)
    word.add_heading("Swallowing", level=2)
    word.add_paragraph("Dysphagia improved in 3 of 10 patients after treatment.")
    word.add_paragraph("Fewer choking episodes were seen within 6 weeks.", style="List Bullet")
    table = word.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Dose"
    table.rows[0].cells[1].text = "2 g/kg every 4 weeks"
    path = tmp_path / "page.docx"
    word.save(path)
    found, sections, default = candidates(read_document(path))
    assert default == "ibm"
    assert "Swallowing" in [s.title for s in sections]
    statements = {c.sentence: c for c in found if c.status == "kept"}
    assert statements["Dysphagia improved in 3 of 10 patients after treatment."].outcome_domain == "swallowing"
    assert statements["Fewer choking episodes were seen within 6 weeks."].subtype == "ibm"
    assert "Dose: 2 g/kg every 4 weeks." in statements


def test_markdown_headings_and_links(tmp_path):
    text = "# IVIG in JDM\n\n## Response\n\nChildren improved within **8 weeks** in [one study](https://example.org/x).\n"
    found, sections, default = candidates(read_document(write(tmp_path, "page.md", text)))
    assert default == "jdm"
    (statement,) = [c for c in found if c.status == "kept"]
    assert statement.section == "Response"
    assert statement.sentence.startswith("Children improved within 8 weeks in one study")


# ---------------------------------------------------------------------------- bad input


def _corrupt_docx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "a zip file, but not a Word document")


BAD_INPUTS = {
    "empty.txt": lambda p: p.write_bytes(b""),
    "nul.txt": lambda p: p.write_bytes(b"IVIG 2 g/kg\x00\x01\x02 binary"),
    "latin1.md": lambda p: p.write_bytes("Caf\u00e9 2 g/kg for DM.".encode("latin-1")),
    "slides.pdf": lambda p: p.write_bytes(b"%PDF-1.4 fake"),
    "huge.txt": lambda p: p.write_bytes(b"IVIG helps. " * (5 * 1024 * 1024 // 12 + 10)),
    "random.docx": lambda p: p.write_bytes(b"PK\x03\x04 this is not really a zip"),
    "notword.docx": _corrupt_docx,
    "blank.html": lambda p: p.write_text("<html><head><script>var x = 1;</script></head><body>  </body></html>"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_raises_and_writes_nothing(tmp_path, name):
    source = tmp_path / "in" / name
    source.parent.mkdir()
    BAD_INPUTS[name](source)
    out_parent = tmp_path / "results"
    out_parent.mkdir()
    with pytest.raises(EvidenceError) as caught:
        run_audit_cli(source, out_parent / "audit", root=ROOT)
    (problem,) = caught.value.problems
    assert name in problem.file
    assert len(problem.message) > 10
    assert list(out_parent.iterdir()) == []


def test_missing_file_via_cli_is_a_message_not_a_traceback(tmp_path, capsys):
    code = cli_main(["audit", str(tmp_path / "nowhere.txt"), "--out", str(tmp_path / "out"), "--root", str(ROOT)])
    err = capsys.readouterr().err
    assert code == 1
    assert "nowhere.txt: file not found" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------- outputs


def test_report_escapes_html_in_sentences(tmp_path, evidence):
    text = "IVIG in DM\nA dose of 2 g/kg <script>alert('x')</script> improved strength in 9 of 10 adults.\n"
    result = audit_document(write(tmp_path, "doc.txt", text), evidence=evidence)
    assert any("<script>" in s.sentence for s in result.statements)
    report = render_report(result)
    assert "<script" not in report
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in report
    assert "http://" not in report and "https://" not in report and "<link" not in report


def test_outputs_are_written_complete(tmp_path, evidence):
    from openpyxl import load_workbook

    doc = write(tmp_path, "doc.txt", "IVIG in DM\nThe course is 2 g/kg over 2 to 5 days.\n" + REFERENCE_SECTION)
    result = audit_document(doc, evidence=evidence)
    out = tmp_path / "out"
    write_outputs(result, out)
    assert sorted(p.name for p in out.iterdir()) == ["references.csv", "report.html", "worksheet.csv", "worksheet.xlsx"]
    with (out / "worksheet.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == audit.WORKSHEET_COLUMNS
    assert rows[0]["number_check"] == "match" and rows[0]["verdict"] == "" and rows[0]["reviewer_note"] == ""
    with (out / "references.csv").open(encoding="utf-8") as handle:
        refs = list(csv.DictReader(handle))
    assert [r["bib_key"] for r in refs] == ["alpha2019trial", "beta2021cohort", "alpha2019trial", "beta2021cohort"]
    sheet = load_workbook(out / "worksheet.xlsx")["worksheet"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:O2"
    assert sheet["C2"].alignment.wrap_text is True
    assert all(c.alignment.wrap_text and c.alignment.vertical == "top" for row in sheet.iter_rows(min_row=2) for c in row)
    assert sheet.column_dimensions["C"].width >= 60
    assert sheet["C2"].value == "The course is 2 g/kg over 2 to 5 days."


def test_failed_write_leaves_no_partial_folder(tmp_path, evidence, monkeypatch):
    result = audit_document(write(tmp_path, "doc.txt", "IVIG in DM\nThe course is 2 g/kg.\n"), evidence=evidence)

    def broken(path, result):
        raise OSError("disk full")

    monkeypatch.setattr(audit.write, "_write_xlsx", broken)
    with pytest.raises(EvidenceError, match="disk full"):
        write_outputs(result, tmp_path / "results" / "audit")
    assert list((tmp_path / "results").iterdir()) == []


def test_cli_end_to_end_on_the_real_project(tmp_path, capsys):
    text = (
        "IVIG for Dermatomyositis\n"
        "Dosing\n"
        "Adults usually receive 2 g/kg of immune globulin over 2 to 5 days.\n"
        "Visit our pharmacy website for copay cards.\n"
        "References\n"
        "1. Invented A. Not a real paper at all. Nowhere Journal. 2001;1(1):1-2.\n"
    )
    out = tmp_path / "audit"
    code = cli_main(["audit", str(write(tmp_path, "page.txt", text)), "--out", str(out), "--root", str(ROOT)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "statements kept  1 from 1 sentences (dropped: 1 service/marketing, 0 not checkable)" in printed
    assert "by subtype       dm 1" in printed
    assert "number checks    match 1" in printed
    assert "references       1 listed: 0 matched, 1 unmatched (unverifiable 1)" in printed
    with (out / "worksheet.csv").open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["subtype"] == "dm" and row["outcome_domain"] == "dosing"
    assert row["number_check"] == "match"
    assert row["suggested_evidence"].count("(") == 3


def test_cached_bm25_scores_equal_rank_bm25(evidence):
    index = evidence.index
    query = audit.tokens("Aseptic meningitis in a large cohort of patients")
    assert list(index.scores(query)) == pytest.approx(list(index.bm25.get_scores(query)))
    assert index.scores(query).max() > 0


def test_existing_output_folder_keeps_other_files(tmp_path, evidence):
    result = audit_document(write(tmp_path, "doc.txt", "IVIG in DM\nThe course is 2 g/kg.\n"), evidence=evidence)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "worksheet.csv").write_text("stale", encoding="utf-8")
    write_outputs(result, out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "worksheet.csv").read_text(encoding="utf-8").startswith("statement_id,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.txt", "out", "refs.bib"]


def test_counts_match_enrolment_and_about_allows_rounding():
    from evidence.audit import EvidenceRow, Quantity, check_count, check_percent

    trial_row = EvidenceRow("t_r01", "results", "responders", "dm", "composite", "t Abstract", 79.0, (37, 47, 95))
    assert check_count(Quantity("count", 95, 95, "=", "95"), [trial_row]).status == "match"
    assert check_count(Quantity("count", 120, 120, "=", "120"), [trial_row]).status == "mismatch"
    eleven = EvidenceRow("s_r01", "results", "meningitis", "any_indication", "safety", "s Abstract", 11.1, (6, 54))
    assert check_percent(Quantity("percent", 10, 10, "~", "about 10%"), [eleven]).status == "match"
    assert check_percent(Quantity("percent", 10, 10, "=", "10%"), [eleven]).status == "mismatch"


def test_lay_words_fold_into_the_clinical_terms_of_labels():
    from evidence.audit.match import tokens
    assert tokens("tiredness, aches and hives") == tokens("fatigue, myalgia and urticaria")
