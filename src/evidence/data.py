"""Load and validate the evidence base (data/*.csv described by data/datapackage.json).

Loading always validates: a notebook never sees a table that breaks the schema or a
domain rule. Every problem is reported at once, each naming file, row and field; the
data on disk is only read, never changed.
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from . import rules
from .bib import Bibliography, read_bibliography
from .errors import EvidenceError, Problem
from .paths import BIB_FILE, DATA_DIR, DESCRIPTOR, find_root
from .rules import split_ids  # noqa: F401  (re-exported: other modules import it from here)
from .schema import BIB_KEY_COLUMNS

Row = dict[str, Any]

# Where the evidence ids of a claim may point.
EVIDENCE_TABLES = {"results": "result_id", "adverse_events": "ae_id", "studies": "study_id"}


@dataclass
class EvidenceBase:
    """The validated evidence base: one DataFrame per table, plus the bibliography."""

    root: Path
    tables: dict[str, pd.DataFrame]
    bib: Bibliography

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def summary(self) -> str:
        rows = sum(len(t) for t in self.tables.values())
        return f"{len(self.tables)} tables, {rows} rows, {len(self.bib)} references"


MAX_TABLE_BYTES = 256 * 1024 * 1024
# Whole numbers beyond 2**53 lose digits once pandas mixes them with missing values.
INT_LIMIT = 2**53
_INT_RE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
# Frictionless' default spellings of booleans: the two validators must agree.
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")


def _cast(value: str, type_: str) -> Any:
    """A cell as its column's type. Stricter than Python's int()/float(): ASCII digits only,
    no underscores, no inf/nan, whole numbers within 2**53."""
    if type_ == "integer":
        if not _INT_RE.fullmatch(value):
            raise ValueError(f"'{value}' is not a whole number")
        number = int(value)
        if abs(number) > INT_LIMIT:
            raise ValueError(f"'{value[:30]}' is too large for a whole-number column")
        return number
    if type_ == "number":
        if not _NUMBER_RE.fullmatch(value):
            raise ValueError(f"'{value[:30]}' is not a number")
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"'{value[:30]}' is not a finite number")
        return number
    if type_ == "boolean":
        if value in TRUE_VALUES:
            return True
        if value in FALSE_VALUES:
            return False
        raise ValueError(f"'{value[:30]}' is not true or false")
    if type_ == "date":
        try:
            if not _DATE_RE.fullmatch(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value[:30]}' is not a date (YYYY-MM-DD)") from None
    return value


_DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "string": "object", "date": "object"}


def _os_message(exc: OSError) -> str:
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a CSV file"
    if isinstance(exc, PermissionError):
        return "cannot be read (permission denied)"
    if exc.errno == 40:
        return "is a symbolic link that loops"
    return f"cannot be read: {exc.strerror or exc}"


def _read_records(path: Path, rel: str, resource: dict[str, Any], problems: list[Problem]) -> list[Row] | None:
    """Stream one table, cast every cell, and return its rows as dicts (None if unreadable)."""
    fields = resource["schema"]["fields"]
    names = [f["name"] for f in fields]
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise IsADirectoryError
    except FileNotFoundError:
        problems.append(Problem(file=rel, message="file not found"))
        return None
    except OSError as exc:
        problems.append(Problem(file=rel, message=_os_message(exc)))
        return None
    if size > MAX_TABLE_BYTES:
        problems.append(Problem(file=rel, message=f"is {size / 2**20:.0f} MB; tables over {MAX_TABLE_BYTES // 2**20} MB are refused (split the table)"))
        return None
    records: list[Row] = []
    specs = [(f["name"], f["type"], bool(f.get("constraints", {}).get("required")),
              {k: v for k, v in f.get("constraints", {}).items() if k != "required"}) for f in fields]
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            try:
                header = [h.strip() for h in next(reader)]
            except StopIteration:
                header = []
            if not any(header):
                problems.append(Problem(file=rel, message="empty file: expected a header row"))
                return None
            before = len(problems)
            for name in names:
                if name not in header:
                    problems.append(Problem(file=rel, line=1, field=name, message="required column is missing from the header"))
            for name in header:
                if name not in names:
                    problems.append(Problem(file=rel, line=1, field=name, message="unknown column (not in data/datapackage.json)"))
            if len(set(header)) != len(header):
                problems.append(Problem(file=rel, line=1, message="duplicate column names in the header"))
            if len(problems) > before:
                return None
            position = {name: header.index(name) for name in names}
            row_no = 0
            line = reader.line_num + 1
            for row in reader:
                end_line = reader.line_num
                if not any(c.strip() for c in row):
                    line = end_line + 1
                    continue
                row_no += 1
                if len(row) != len(header):
                    problems.append(Problem(file=rel, row=row_no, line=line, message=f"has {len(row)} cells, header has {len(header)}"))
                    line = end_line + 1
                    continue
                record: Row = {}
                for name, type_, required, cons in specs:
                    cell = row[position[name]].strip()
                    if cell == "":
                        if required:
                            problems.append(Problem(file=rel, row=row_no, line=line, field=name, message="required value is empty"))
                        record[name] = None
                        continue
                    if "\x00" in cell:
                        problems.append(Problem(file=rel, row=row_no, line=line, field=name, message="contains a NUL byte"))
                        record[name] = None
                        continue
                    try:
                        value = cell if type_ == "string" else _cast(cell, type_)
                    except ValueError as exc:
                        problems.append(Problem(file=rel, row=row_no, line=line, field=name, message=f"{exc} (column type is {type_})"))
                        record[name] = None
                        continue
                    if cons:
                        message = _constraint_problem(value, cons)
                        if message:
                            problems.append(Problem(file=rel, row=row_no, line=line, field=name, message=message))
                    record[name] = value
                record["_row"], record["_line"] = row_no, line
                records.append(record)
                line = end_line + 1
    except UnicodeDecodeError as exc:
        problems.append(Problem(file=rel, message=f"not UTF-8 text (invalid byte near offset {exc.start} of a block); save the file as UTF-8"))
        return None
    except csv.Error as exc:
        problems.append(Problem(file=rel, message=f"CSV syntax error: {exc}"))
        return None
    except OSError as exc:
        problems.append(Problem(file=rel, message=_os_message(exc)))
        return None
    if not records and not any(p.file == rel for p in problems):
        problems.append(Problem(file=rel, message="table has no rows"))
        return None
    return records


def _constraint_problem(value: Any, cons: dict[str, Any]) -> str | None:
    if "enum" in cons and value not in cons["enum"]:
        return f"'{str(value)[:60]}' is not one of: {', '.join(cons['enum'])}"
    if "minimum" in cons and value < cons["minimum"]:
        return f"{value} is below the minimum {cons['minimum']}"
    if "maximum" in cons and value > cons["maximum"]:
        return f"{value} is above the maximum {cons['maximum']}"
    if "pattern" in cons and not re.fullmatch(cons["pattern"], str(value)):
        return f"'{str(value)[:60]}' does not match {cons['pattern']}"
    return None


def _frame(records: list[Row], fields: list[dict[str, Any]]) -> pd.DataFrame:
    names = [f["name"] for f in fields]
    frame = pd.DataFrame.from_records(records, columns=[*names, "_row", "_line"])
    for f in fields:
        frame[f["name"]] = frame[f["name"]].astype(_DTYPES[f["type"]])
    return frame


def _row_where(rel: str, frame: pd.DataFrame, idx: Any, field: str | None = None) -> dict[str, Any]:
    return {"file": rel, "row": int(frame.at[idx, "_row"]), "line": int(frame.at[idx, "_line"]), "field": field}


def _check_keys(tables: dict[str, pd.DataFrame], resources: dict[str, dict], problems: list[Problem]) -> None:
    for name, frame in tables.items():
        schema = resources[name]["schema"]
        rel = f"{DATA_DIR}/{resources[name]['path']}"
        pk = schema.get("primaryKey") or []
        pk = [pk] if isinstance(pk, str) else pk
        if pk:
            dup = frame.duplicated(subset=pk, keep="first")
            for idx in frame.index[dup]:
                key = ", ".join(str(frame.at[idx, k]) for k in pk)
                problems.append(Problem(message=f"duplicate primary key ({key})", **_row_where(rel, frame, idx, pk[0])))
        for fk in schema.get("foreignKeys", []):
            target = fk["reference"]["resource"]
            if target not in tables:
                continue
            known = set(tables[target][fk["reference"]["fields"]].dropna())
            col = fk["fields"]
            bad = frame[col].notna() & ~frame[col].isin(known)
            for idx in frame.index[bad]:
                problems.append(Problem(message=f"'{frame.at[idx, col]}' does not exist in {DATA_DIR}/{target}.csv", **_row_where(rel, frame, idx, col)))


def _check_bib_keys(tables: dict[str, pd.DataFrame], bib: Bibliography, problems: list[Problem]) -> None:
    for name, columns in BIB_KEY_COLUMNS.items():
        frame = tables.get(name)
        if frame is None:
            continue
        for col in columns:
            bad = frame[col].notna() & ~frame[col].isin(set(bib.keys()))
            for idx in frame.index[bad]:
                problems.append(Problem(message=f"bib key '{frame.at[idx, col]}' is not in {BIB_FILE}", **_row_where(f"{DATA_DIR}/{name}.csv", frame, idx, col)))


def _present(value: Any) -> bool:
    return value is not None and not pd.isna(value)


def _check_rules(records: dict[str, list[Row]], resources: dict[str, dict], problems: list[Problem]) -> None:
    """Run every named rule of `rules.RULES` (and the per-table text and source rules)."""
    ctx = rules.context(records)
    by_table: dict[str, list[rules.Rule]] = {}
    for rule in rules.RULES:
        by_table.setdefault(rule.table, []).append(rule)
    for name, rows in records.items():
        rel = f"{DATA_DIR}/{resources[name]['path']}"
        fields = resources[name]["schema"]["fields"]
        enums = {f["name"] for f in fields if f.get("constraints", {}).get("enum") or f["type"] != "string"}
        prose = rules.prose_fields([f["name"] for f in fields], enums)
        has_source = "source_tier" in {f["name"] for f in fields}
        table_rules = by_table.get(name, [])
        for row in rows:
            for rule in table_rules:
                message = rule.check(row, ctx)
                if message:
                    problems.append(Problem(file=rel, row=row["_row"], line=row["_line"], field=rule.field, message=f"{message} [{rule.name}]"))
            if has_source:
                message = rules.SOURCE_RULE.check(row, ctx)
                if message:
                    problems.append(Problem(file=rel, row=row["_row"], line=row["_line"], field="source_tier", message=f"{message} [{rules.SOURCE_RULE.name}]"))
            for col in prose:
                text = row.get(col)
                if text:
                    phrase = rules.working_note(text)
                    if phrase:
                        problems.append(Problem(file=rel, row=row["_row"], line=row["_line"], field=col,
                                                message=f"reads like a working note ('{phrase}'): say what the source shows and where [no_working_notes]"))


def read_descriptor(root: Path) -> dict[str, Any]:
    path = root / DATA_DIR / DESCRIPTOR
    rel = f"{DATA_DIR}/{DESCRIPTOR}"

    def bad(message: str) -> EvidenceError:
        return EvidenceError([Problem(file=rel, message=message)])

    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise bad("file not found") from None
    except OSError as exc:
        raise bad(_os_message(exc)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(f"not valid JSON: {exc}") from None
    except RecursionError:
        raise bad("nested too deeply to be a data package") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list) or not descriptor["resources"]:
        raise bad("has no 'resources' list: regenerate it with `evidence schema`")
    for i, res in enumerate(descriptor["resources"], start=1):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str) or not isinstance(res.get("path"), str):
            raise bad(f"resource {i} lacks a name or path")
        schema = res.get("schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not all(
                isinstance(f, dict) and isinstance(f.get("name"), str) and f.get("type", "string") in _DTYPES for f in schema["fields"]):
            raise bad(f"resource '{res['name']}' has no valid schema fields")
        if "/" in res["path"] or res["path"].startswith("."):
            raise bad(f"resource '{res['name']}' path '{res['path']}' must be a file name inside data/")
        for f in schema["fields"]:
            f.setdefault("type", "string")
    return descriptor


def collect(root: Path) -> tuple[dict[str, pd.DataFrame], Bibliography, list[Problem]]:
    """Read every table and the bibliography; return them with all problems found."""
    descriptor = read_descriptor(root)
    resources = {r["name"]: r for r in descriptor["resources"]}
    problems: list[Problem] = []
    records: dict[str, list[Row]] = {}
    for name, resource in resources.items():
        rel = f"{DATA_DIR}/{resource['path']}"
        rows = _read_records(root / DATA_DIR / resource["path"], rel, resource, problems)
        if rows is not None:
            records[name] = rows
    bib, bib_problems = read_bibliography(root / BIB_FILE, BIB_FILE)
    problems.extend(bib_problems)
    tables = {name: _frame(rows, resources[name]["schema"]["fields"]) for name, rows in records.items()}
    _check_keys(tables, resources, problems)
    _check_bib_keys(tables, bib, problems)
    if len(records) == len(resources):
        _check_rules(records, resources, problems)
    return tables, bib, problems


class TrackedTables(dict):
    """The tables, remembering which ones were read: a notebook's footer records them, so
    the build reruns a notebook only when a table it read changes."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.accessed: set[str] = set()

    def __getitem__(self, key: str) -> pd.DataFrame:
        self.accessed.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        if key in self:
            self.accessed.add(key)
        return super().get(key, default)

    def values(self):  # type: ignore[override]
        self.accessed.update(self.keys())
        return super().values()

    def items(self):  # type: ignore[override]
        self.accessed.update(self.keys())
        return super().items()


def validate(root: Path | None = None) -> EvidenceBase:
    """Validate the project at root; raise EvidenceError listing every problem."""
    root = find_root() if root is None else Path(root).resolve()
    tables, bib, problems = collect(root)
    if problems:
        raise EvidenceError(problems)
    clean = TrackedTables({name: frame.drop(columns=["_row", "_line"]).reset_index(drop=True) for name, frame in tables.items()})
    return EvidenceBase(root=root, tables=clean, bib=bib)


@lru_cache(maxsize=4)
def _cached(root: str, stamp: tuple) -> EvidenceBase:
    return validate(Path(root))


def _stamp(root: Path) -> tuple:
    files = sorted((root / DATA_DIR).glob("*")) + [root / BIB_FILE]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists())


def load(root: Path | None = None) -> EvidenceBase:
    """The validated evidence base, cached until a data file or references.bib changes."""
    resolved = find_root() if root is None else Path(root).resolve()
    return _cached(str(resolved), _stamp(resolved))


def studies(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["studies"]


def reports(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["reports"]


def arms(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["arms"]


def results(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["results"]


def adverse_events(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["adverse_events"]


def discrepancies(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["discrepancies"]


def documents(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["documents"]


def claims(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["claims"]


def document_references(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["document_references"]


def recommendations(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["recommendations"]
def registrations(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["registrations"]


def epidemiology(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["epidemiology"]


def products(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["products"]


def approvals(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["approvals"]


def infusion_reactions(root: Path | None = None) -> pd.DataFrame:
    return load(root).tables["infusion_reactions"]


def bibliography(root: Path | None = None) -> Bibliography:
    return load(root).bib


def dependency_files(base: EvidenceBase) -> list[str]:
    """The input files whatever used `base` has read so far: the tables it looked at, their
    descriptor and the bibliography (paths relative to the project root)."""
    accessed = getattr(base.tables, "accessed", set(base.tables))
    return sorted({f"{DATA_DIR}/{DESCRIPTOR}", BIB_FILE, *(f"{DATA_DIR}/{name}.csv" for name in accessed)})


def record_dependencies(base: EvidenceBase) -> None:
    """Tell `evidence build` which inputs this notebook read ($EVIDENCE_DEPS_FILE, set per run)."""
    target = os.environ.get("EVIDENCE_DEPS_FILE")
    if target:
        Path(target).write_text(json.dumps(dependency_files(base)), encoding="utf-8")
