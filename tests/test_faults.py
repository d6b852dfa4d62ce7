"""Faults an unlucky user meets: each is one message naming the file (and row and field),
never a traceback, and nothing on disk changes. Our cell reader must also never be more
lenient than Frictionless reading the same datapackage.json."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evidence.data import _cast, collect

VALUES = {
    "integer": ["1", "-3", "+4", "1_0", "\u0663\u0667", "1.0", "9" * 30, "0x10", "1e3"],
    "number": ["1.5", "1e3", ".5", "5.", "inf", "nan", "1_0", "\u0661.\u0665", "0x10", "-2.5E-3"],
    "boolean": ["yes", "no", "true", "True", "TRUE", "1", "0", "false", "t", "on"],
    "date": ["2026-11-21", "20261121", "2026-13-01", "\u0662\u0660\u0662\u0666-11-21", "2026-1-5"],
}


def _ours(type_: str, value: str) -> bool:
    try:
        _cast(value, type_)
    except ValueError:
        return False
    return True


def _frictionless(tmp_path: Path, type_: str, values: list[str]) -> list[bool]:
    from frictionless import Resource, Schema

    path = tmp_path / f"{type_}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["v"])
        writer.writerows([[v] for v in values])
    report = Resource(path=path.name, basepath=str(tmp_path), schema=Schema.from_descriptor({"fields": [{"name": "v", "type": type_}]})).validate()
    assert not [e for task in report.tasks for e in task.errors if e.type == "resource-error"], "Frictionless could not read the file"
    bad_rows = {err.row_number for task in report.tasks for err in task.errors if getattr(err, "row_number", None)}
    return [i + 2 not in bad_rows for i in range(len(values))]


@pytest.mark.parametrize("type_", sorted(VALUES))
def test_never_more_lenient_than_frictionless(tmp_path, type_):
    values = VALUES[type_]
    theirs = _frictionless(tmp_path, type_, values)
    assert any(theirs) and not all(theirs), "the battery must hold values Frictionless accepts and rejects"
    for value, accepted in zip(values, theirs):
        if not accepted:
            assert not _ours(type_, value), f"{type_} {value!r}: Frictionless rejects it, we accept it"


def test_serious_yes_is_rejected_by_both(project, tmp_path):
    assert _frictionless(tmp_path, "boolean", ["yes"]) == [False]
    _set(project, "adverse_events", 1, "serious", "yes")
    assert any(p.field == "serious" and "true or false" in p.message for p in collect(project)[2])


def _set(root: Path, table: str, row: int, field: str, value: str) -> None:
    path = root / "data" / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        cols, rows = list(reader.fieldnames or []), list(reader)
    rows[row - 1][field] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _validate(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evidence.cli", "validate", "--root", str(root)],
                          capture_output=True, text=True, timeout=120)


def _one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, proc.stderr


@pytest.mark.parametrize("field,value,fragment", [
    ("total", str(2**63 - 1), "too large"),
    ("total", "9" * 40, "too large"),
    ("events", "\u0663\u0667", "not a whole number"),
    ("events", "1_0", "not a whole number"),
    ("mean", "1_0.5", "not a number"),
    ("mean", "NaN", "not a number"),
])
def test_bad_numbers_are_named(project, field, value, fragment):
    _set(project, "results", 2, field, value)
    _one_line_error(_validate(project), "data/results.csv, row 2", f"field '{field}'", fragment)


def test_symlink_loop(project):
    target = project / "data" / "arms.csv"
    target.unlink()
    os.symlink("arms.csv", target)
    _one_line_error(_validate(project), "data/arms.csv", "loops")


def test_table_that_is_a_folder(project):
    target = project / "data" / "arms.csv"
    target.unlink()
    target.mkdir()
    _one_line_error(_validate(project), "data/arms.csv", "is a folder")


def test_unreadable_table(project, monkeypatch):
    real_open = Path.open

    def refusing(self, *args, **kwargs):
        if self.name == "arms.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing)
    problems = collect(project)[2]
    assert any(p.file == "data/arms.csv" and "permission denied" in p.message for p in problems)


def test_descriptor_without_resources(project):
    (project / "data" / "datapackage.json").write_text('{"name": "x"}', encoding="utf-8")
    _one_line_error(_validate(project), "data/datapackage.json", "resources")


def test_descriptor_that_is_not_json(project):
    (project / "data" / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    _one_line_error(_validate(project), "data/datapackage.json", "not valid JSON")


def test_oversized_table_is_refused_without_reading_it(project):
    big = project / "data" / "claims.csv"
    with big.open("r+b") as fh:
        fh.truncate(300 * 1024 * 1024)  # sparse: no 300 MB written or read
    proc = _validate(project)
    _one_line_error(proc, "data/claims.csv", "refused")


def test_undefined_string_macro(project):
    bib = project / "references.bib"
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text + "\n@article{zz2000macro,\n  author = {Doe, J.},\n  title = notdefined,\n  journal = {J},\n  year = {2000}\n}\n", encoding="utf-8")
    _one_line_error(_validate(project), "references.bib", "'notdefined' is not a defined @string macro")


def test_same_pmid_twice_is_one_work_entered_twice(project):
    bib = project / "references.bib"
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text + "\n@article{zz2022copy,\n  author = {Doe, J.},\n  title = {Another title for the same paper},\n"
                          "  journal = {J},\n  year = {2022},\n  pmid = {40616720}\n}\n", encoding="utf-8")
    _one_line_error(_validate(project), "references.bib", "same pmid (40616720)", "one entry per work")


def test_build_into_a_path_that_is_a_file(project):
    (project / "notebooks").mkdir()
    (project / "build").write_text("not a folder", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "evidence.cli", "build", "--root", str(project)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "build" in proc.stderr and len(proc.stderr.strip().splitlines()) <= 2, proc.stderr
