"""The recommendations table: it loads, bad cells are named by file, row and field, key rows are pinned.

Each pinned grade and stance was read on the page in the row's source_url, at its locator
(the abstracts of the AANEM 2009 and 2023 statements and of the EFNS 2008 guideline; the
Australian criteria page for inflammatory myopathies).
"""

import csv
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, snapshot

from evidence import vocab
from evidence.data import validate


@pytest.fixture(scope="module")
def recs():
    return validate(ROOT).tables["recommendations"].set_index("rec_id")


def set_cell(root: Path, rec_id: str, field: str, value: str) -> int:
    """Change one cell of data/recommendations.csv; return the 1-based data row changed."""
    path = root / "data" / "recommendations.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        cols, rows = reader.fieldnames, list(reader)
    index = next(i for i, r in enumerate(rows) if r["rec_id"] == rec_id)
    rows[index][field] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return index + 1


def validate_stderr(root: Path) -> str:
    before = snapshot(root)
    proc = subprocess.run([sys.executable, "-m", "evidence.cli", "validate", "--root", str(root)],
                          capture_output=True, text=True, cwd=root)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert snapshot(root) == before
    return proc.stderr


def test_table_loads_with_every_document(recs):
    assert len(recs) >= 20
    assert set(recs["stance"]) <= set(vocab.STANCE.codes)
    assert {"aanem2009", "aanem2023", "efns2008", "hoa2017_review", "gandiga2023_guide",
            "nba_ig_criteria", "nba_ig_criteria_2ed"} <= set(recs["study_id"])


def test_every_recommendation_belongs_to_a_guidance_document(recs):
    studies = validate(ROOT).tables["studies"].set_index("study_id")
    designs = set(studies.loc[recs["study_id"].unique(), "design"])
    assert designs <= set(vocab.GUIDANCE_DESIGNS)


@pytest.mark.parametrize(
    "rec_id,subtype,stance,grade",
    [
        ("aanem2009_rec01", "dm", "recommended", "Class I"),
        ("aanem2009_rec02", "pm", "conditional", "Class IV"),
        ("aanem2023_rec01", "dm", "recommended", "Class I"),
        ("aanem2023_rec02", "ibm", "not_recommended", "Class I"),
        ("aanem2023_rec03", "imnm", "conditional", "Class IV"),
        ("efns2008_rec01", "dm", "recommended", "Level B"),
        ("efns2008_rec02", "pm", "conditional", "Level C"),
        ("nba2ed_rec03", "ibm", "conditional", "Category 2a"),
    ],
)
def test_pinned_grades(recs, rec_id, subtype, stance, grade):
    row = recs.loc[rec_id]
    assert (row["subtype"], row["stance"], row["grade"]) == (subtype, stance, grade)


def test_an_ungraded_statement_says_so(recs):
    row = recs.loc["aanem2023_rec04"]
    assert row["stance"] == "insufficient_evidence"
    assert pd.isna(row["grade"]) and "no evidence class" in row["note"]


def test_bad_stance_is_named_by_file_row_and_field(project):
    row = set_cell(project, "aanem2009_rec01", "stance", "strongly_advised")
    err = validate_stderr(project)
    assert f"data/recommendations.csv, row {row}" in err
    assert "field 'stance'" in err and "'strongly_advised' is not one of" in err


def test_unknown_study_is_reported(project):
    row = set_cell(project, "efns2008_rec01", "study_id", "efns2099")
    err = validate_stderr(project)
    assert f"data/recommendations.csv, row {row}" in err
    assert "field 'study_id'" in err and "does not exist in data/studies.csv" in err


def test_unknown_bib_key_is_reported(project):
    row = set_cell(project, "efns2008_rec01", "bib_key", "nobody2099nothing")
    err = validate_stderr(project)
    assert f"data/recommendations.csv, row {row}" in err
    assert "bib key 'nobody2099nothing' is not in references.bib" in err


def test_a_trial_cannot_carry_recommendations(project):
    row = set_cell(project, "aanem2009_rec01", "study_id", "proderm")
    err = validate_stderr(project)
    assert f"data/recommendations.csv, row {row}" in err
    assert "study 'proderm' is a rct_parallel" in err


def test_bib_key_must_report_the_same_document(project):
    row = set_cell(project, "aanem2009_rec01", "bib_key", "tavee2023updated")
    err = validate_stderr(project)
    assert f"data/recommendations.csv, row {row}" in err
    assert "'tavee2023updated' is not a report of study 'aanem2009'" in err
