"""Every bad input gets a clear message naming file, row and field; nothing on disk changes."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, snapshot

from evidence.data import validate
from evidence.errors import EvidenceError


def run_validate(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evidence.cli", "validate", "--root", str(root)],
                          capture_output=True, text=True, cwd=root)


def edit_cell(root: Path, table: str, row: int, field: str, value: str) -> None:
    path = root / "data" / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        cols, rows = reader.fieldnames, list(reader)
    rows[row - 1][field] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_shipped_data_is_valid():
    base = validate(ROOT)
    assert len(base.tables["studies"]) >= 20
    assert "aggarwal2022proderm" in base.bib


def test_cli_ok_prints_one_line_summary():
    proc = run_validate(ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("OK:") and "references" in proc.stdout


def expect_problem(root: Path, *fragments: str) -> str:
    before = snapshot(root)
    proc = run_validate(root)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, proc.stderr
    assert snapshot(root) == before
    return proc.stderr


@pytest.mark.parametrize(
    "table,row,field,value,fragments",
    [
        ("results", 1, "events", "thirty-seven", ("data/results.csv, row 1", "field 'events'", "not a whole number")),
        ("arms", 2, "n", "-3", ("data/arms.csv, row 2", "field 'n'", "below the minimum")),
        ("results", 1, "events", "99", ("data/results.csv, row 1", "exceed total")),
        ("results", 3, "study_id", "no_such_study", ("data/results.csv, row 3", "field 'study_id'", "does not exist in data/studies.csv")),
        ("reports", 1, "bib_key", "nobody2099nothing", ("data/reports.csv, row 1", "bib key 'nobody2099nothing' is not in references.bib")),
        ("studies", 1, "design", "anecdote", ("data/studies.csv, row 1", "field 'design'", "not one of")),
    ],
    ids=["wrong_type", "negative_count", "events_above_denominator", "dangling_foreign_key", "unknown_bib_key", "enum_violation"],
)
def test_bad_cell(project, table, row, field, value, fragments):
    edit_cell(project, table, row, field, value)
    expect_problem(project, *fragments)


def test_empty_table(project):
    path = project / "data" / "adverse_events.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    expect_problem(project, "data/adverse_events.csv", "table has no rows")


def test_not_utf8(project):
    path = project / "data" / "studies.csv"
    path.write_bytes(path.read_bytes() + "caf\xe9\n".encode("latin-1"))
    expect_problem(project, "data/studies.csv", "not UTF-8")


def test_missing_required_column(project):
    path = project / "data" / "arms.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cols = lines[0].split(",")
    idx = cols.index("locator")
    fixed = [",".join(c for i, c in enumerate(next(csv.reader([line]))) if i != idx) for line in lines]
    path.write_text("\n".join(fixed) + "\n", encoding="utf-8")
    expect_problem(project, "data/arms.csv", "field 'locator'", "required column is missing")


def test_claim_without_evidence(project):
    edit_cell(project, "claims", 1, "verdict", "supported")
    edit_cell(project, "claims", 1, "evidence", "")
    expect_problem(project, "data/claims.csv, row 1", "cites no evidence row")


def test_duplicate_bib_key(project):
    bib = project / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@article{aggarwal2022proderm,\n  title = {Again},\n  year = {2022}\n}\n", encoding="utf-8")
    expect_problem(project, "references.bib", "duplicate key 'aggarwal2022proderm'")


def test_malformed_bib_entry(project):
    bib = project / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@article{broken2020entry,\n  title = {Unclosed,\n  year = {2020}\n\n@article{next2021entry, title={Fine}, year={2021}}\n", encoding="utf-8")
    expect_problem(project, "references.bib, line", "syntax error")


def test_duplicate_bib_field(project):
    bib = project / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@misc{twice2020title,\n  title = {One},\n  title = {Two}\n}\n", encoding="utf-8")
    expect_problem(project, "references.bib", "duplicate field: title")


def test_all_problems_reported_at_once(project):
    edit_cell(project, "results", 1, "events", "x")
    edit_cell(project, "arms", 1, "n", "-1")
    with pytest.raises(EvidenceError) as err:
        validate(project)
    assert len(err.value.problems) >= 2
