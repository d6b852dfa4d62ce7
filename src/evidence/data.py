"""Load and validate the evidence base (data/*.csv described by data/datapackage.json).

Loading always validates: a notebook never sees a table that breaks the schema or a
domain rule. Every problem is reported at once, each naming file, row and field; the
data on disk is only read, never changed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .bib import Bibliography, read_bibliography
from .errors import EvidenceError, Problem
from .paths import BIB_FILE, DATA_DIR, DESCRIPTOR, find_root
from .schema import BIB_KEY_COLUMNS
from .vocab import GUIDANCE_DESIGNS

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


def _cast(value: str, type_: str) -> Any:
    if type_ == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise ValueError(f"'{value}' is not a whole number")
        return int(value)
    if type_ == "number":
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"'{value}' is not a finite number")
        return number
    if type_ == "boolean":
        lowered = value.lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        raise ValueError(f"'{value}' is not true or false")
    if type_ == "date":
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a date (YYYY-MM-DD)") from None
    return value


_DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "string": "object", "date": "object"}


def _read_table(path: Path, rel: str, resource: dict[str, Any], problems: list[Problem]) -> pd.DataFrame | None:
    fields = resource["schema"]["fields"]
    names = [f["name"] for f in fields]
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(file=rel, message="file not found"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(file=rel, line=line, message=f"not UTF-8 text (invalid byte at offset {exc.start}); save the file as UTF-8"))
        return None
    if "\x00" in text:
        problems.append(Problem(file=rel, message="contains NUL bytes: not a text CSV file"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        problems.append(Problem(file=rel, line=reader.line_num, message=f"CSV syntax error: {exc}"))
        return None
    if not rows or not any(cell.strip() for cell in rows[0]):
        problems.append(Problem(file=rel, message="empty file: expected a header row"))
        return None
    header = [h.strip() for h in rows[0]]
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
    body = [(i, r) for i, r in enumerate(rows[1:], start=1) if any(c.strip() for c in r)]
    if not body:
        problems.append(Problem(file=rel, message="table has no rows"))
        return None
    records: list[dict[str, Any]] = []
    for row_no, row in body:
        line = row_no + 1
        if len(row) != len(header):
            problems.append(Problem(file=rel, row=row_no, line=line, message=f"has {len(row)} cells, header has {len(header)}"))
            continue
        values = dict(zip(header, row))
        record: dict[str, Any] = {}
        for f in fields:
            name, type_ = f["name"], f["type"]
            cons = f.get("constraints", {})
            cell = values[name].strip()
            where = {"file": rel, "row": row_no, "line": line, "field": name}
            if cell == "":
                if cons.get("required"):
                    problems.append(Problem(message="required value is empty", **where))
                record[name] = None
                continue
            try:
                value = _cast(cell, type_)
            except ValueError as exc:
                problems.append(Problem(message=f"{exc} (column type is {type_})", **where))
                record[name] = None
                continue
            if "enum" in cons and value not in cons["enum"]:
                problems.append(Problem(message=f"'{value}' is not one of: {', '.join(cons['enum'])}", **where))
            if "minimum" in cons and value < cons["minimum"]:
                problems.append(Problem(message=f"{value} is below the minimum {cons['minimum']}", **where))
            if "maximum" in cons and value > cons["maximum"]:
                problems.append(Problem(message=f"{value} is above the maximum {cons['maximum']}", **where))
            if "pattern" in cons and not re.fullmatch(cons["pattern"], str(value)):
                problems.append(Problem(message=f"'{value}' does not match {cons['pattern']}", **where))
            record[name] = value
        record["_row"] = row_no
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=[*names, "_row"])
    for f in fields:
        frame[f["name"]] = frame[f["name"]].astype(_DTYPES[f["type"]])
    return frame


def _row_where(rel: str, frame: pd.DataFrame, idx: Any, field: str | None = None) -> dict[str, Any]:
    row = int(frame.at[idx, "_row"])
    return {"file": rel, "row": row, "line": row + 1, "field": field}


def _check_keys(tables: dict[str, pd.DataFrame], resources: dict[str, dict], problems: list[Problem]) -> None:
    for name, frame in tables.items():
        schema = resources[name]["schema"]
        rel = f"{DATA_DIR}/{resources[name]['path']}"
        pk = schema["primaryKey"]
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
            for idx, value in frame[col].items():
                if value is not None and not pd.isna(value) and value not in known:
                    problems.append(Problem(message=f"'{value}' does not exist in {DATA_DIR}/{target}.csv", **_row_where(rel, frame, idx, col)))


def _check_bib_keys(tables: dict[str, pd.DataFrame], bib: Bibliography, problems: list[Problem]) -> None:
    for name, columns in BIB_KEY_COLUMNS.items():
        frame = tables.get(name)
        if frame is None:
            continue
        for col in columns:
            for idx, value in frame[col].items():
                if value is not None and not pd.isna(value) and value not in bib:
                    problems.append(Problem(message=f"bib key '{value}' is not in {BIB_FILE}", **_row_where(f"{DATA_DIR}/{name}.csv", frame, idx, col)))


def _present(value: Any) -> bool:
    return value is not None and not pd.isna(value)


def _check_domain(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    studies, arms = tables.get("studies"), tables.get("arms")
    results, aes = tables.get("results"), tables.get("adverse_events")
    arm_study = dict(zip(arms["arm_id"], arms["study_id"])) if arms is not None else {}

    if studies is not None and arms is not None:
        sizes = arms.groupby("study_id")["n"].sum(min_count=1)
        for idx, study in studies.iterrows():
            enrolled, total = study["n_enrolled"], sizes.get(study["study_id"])
            if _present(enrolled) and _present(total) and int(total) != int(enrolled) and not _present(study["arm_sum_note"]):
                problems.append(Problem(
                    message=f"arms add up to {int(total)} but n_enrolled is {int(enrolled)}; fix one or say why in arm_sum_note",
                    **_row_where("data/studies.csv", studies, idx, "n_enrolled")))

    if results is not None:
        rel = "data/results.csv"
        for idx, r in results.iterrows():
            if _present(r["events"]) and _present(r["total"]) and r["events"] > r["total"]:
                problems.append(Problem(message=f"events ({r['events']}) exceed total ({r['total']})", **_row_where(rel, results, idx, "events")))
            for col in ("arm_id", "comparator_arm_id"):
                arm = r[col]
                if _present(arm) and arm in arm_study and arm_study[arm] != r["study_id"]:
                    problems.append(Problem(message=f"arm '{arm}' belongs to study '{arm_study[arm]}', not '{r['study_id']}'", **_row_where(rel, results, idx, col)))
            if _present(r["events"]) and _present(r["total"]) and _present(r["percent"]) and r["total"] > 0:
                computed = 100 * r["events"] / r["total"]
                if abs(computed - r["percent"]) > 1.0:
                    problems.append(Problem(
                        message=f"percent {r['percent']} disagrees with events/total = {computed:.1f}%",
                        **_row_where(rel, results, idx, "percent")))
            if r["measure"] == "effect":
                if not _present(r["effect"]) and not _present(r["p_value"]) and not _present(r["p_text"]):
                    problems.append(Problem(message="an effect row needs an effect or a p value", **_row_where(rel, results, idx, "effect")))
                if _present(r["effect"]) and not _present(r["effect_type"]):
                    problems.append(Problem(message="effect given without effect_type", **_row_where(rel, results, idx, "effect_type")))
            if r["measure"] == "count" and not _present(r["events"]):
                problems.append(Problem(message="a count row needs events", **_row_where(rel, results, idx, "events")))
            lo, est, hi = r["ci_low"], r["effect"], r["ci_high"]
            if _present(lo) and _present(hi) and lo > hi:
                problems.append(Problem(message=f"ci_low ({lo}) is above ci_high ({hi})", **_row_where(rel, results, idx, "ci_low")))
            if _present(lo) and _present(hi) and _present(est) and not (lo <= est <= hi):
                problems.append(Problem(message=f"effect {est} lies outside its interval [{lo}, {hi}]", **_row_where(rel, results, idx, "effect")))

    if aes is not None:
        rel = "data/adverse_events.csv"
        for idx, a in aes.iterrows():
            if _present(a["patients"]) and _present(a["n_at_risk"]) and a["patients"] > a["n_at_risk"]:
                problems.append(Problem(message=f"patients ({a['patients']}) exceed n_at_risk ({a['n_at_risk']})", **_row_where(rel, aes, idx, "patients")))
            if _present(a["events"]) and _present(a["infusions"]) and a["events"] > a["infusions"] and not _present(a["note"]):
                problems.append(Problem(message=f"events ({a['events']}) exceed infusions ({a['infusions']}) without a note", **_row_where(rel, aes, idx, "events")))
            if not _present(a["patients"]) and not _present(a["events"]):
                problems.append(Problem(message="give patients or events", **_row_where(rel, aes, idx, "patients")))
            arm = a["arm_id"]
            if _present(arm) and arm in arm_study and arm_study[arm] != a["study_id"]:
                problems.append(Problem(message=f"arm '{arm}' belongs to study '{arm_study[arm]}', not '{a['study_id']}'", **_row_where(rel, aes, idx, "arm_id")))

    claims = tables.get("claims")
    if claims is not None:
        rel = "data/claims.csv"
        known: dict[str, str] = {}
        for table, col in EVIDENCE_TABLES.items():
            if tables.get(table) is not None:
                known.update({value: table for value in tables[table][col].dropna()})
        for idx, c in claims.iterrows():
            ids = split_ids(c["evidence"])
            for ev in ids:
                if ev not in known:
                    problems.append(Problem(message=f"evidence id '{ev}' is not a result, adverse-event or study id", **_row_where(rel, claims, idx, "evidence")))
            if c["verdict"] != "not_assessable" and not ids:
                problems.append(Problem(message=f"verdict '{c['verdict']}' cites no evidence row", **_row_where(rel, claims, idx, "evidence")))
            if c["claim_type"] in ("efficacy", "safety") and c["verdict"] != "not_assessable" and not _present(c["certainty"]):
                problems.append(Problem(message="an efficacy or safety verdict needs a GRADE certainty", **_row_where(rel, claims, idx, "certainty")))


def _check_recommendations(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """A recommendation belongs to a guidance document and cites that document's own paper."""
    recs, studies, reports = tables.get("recommendations"), tables.get("studies"), tables.get("reports")
    if recs is None or studies is None or reports is None:
        return
    rel = "data/recommendations.csv"
    design = dict(zip(studies["study_id"], studies["design"]))
    papers = set(zip(reports["study_id"], reports["bib_key"]))
    for idx, r in recs.iterrows():
        kind = design.get(r["study_id"])
        if kind is not None and kind not in GUIDANCE_DESIGNS:
            problems.append(Problem(
                message=f"study '{r['study_id']}' is a {kind}, not one of: {', '.join(GUIDANCE_DESIGNS)}",
                **_row_where(rel, recs, idx, "study_id")))
        if kind is not None and (r["study_id"], r["bib_key"]) not in papers:
            problems.append(Problem(
                message=f"bib key '{r['bib_key']}' is not a report of study '{r['study_id']}' in data/reports.csv",
                **_row_where(rel, recs, idx, "bib_key")))


def split_ids(value: Any) -> list[str]:
    """Evidence ids of a claim, in order ('a; b;c' -> ['a', 'b', 'c'])."""
    if not _present(value):
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


def read_descriptor(root: Path) -> dict[str, Any]:
    path = root / DATA_DIR / DESCRIPTOR
    rel = f"{DATA_DIR}/{DESCRIPTOR}"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvidenceError([Problem(file=rel, message="file not found")]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvidenceError([Problem(file=rel, message=f"not valid JSON: {exc}")]) from None


def collect(root: Path) -> tuple[dict[str, pd.DataFrame], Bibliography, list[Problem]]:
    """Read every table and the bibliography; return them with all problems found."""
    descriptor = read_descriptor(root)
    resources = {r["name"]: r for r in descriptor["resources"]}
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    for name, resource in resources.items():
        rel = f"{DATA_DIR}/{resource['path']}"
        frame = _read_table(root / DATA_DIR / resource["path"], rel, resource, problems)
        if frame is not None:
            tables[name] = frame
    bib, bib_problems = read_bibliography(root / BIB_FILE, BIB_FILE)
    problems.extend(bib_problems)
    _check_keys(tables, resources, problems)
    _check_bib_keys(tables, bib, problems)
    if len(tables) == len(resources):
        _check_domain(tables, problems)
        _check_recommendations(tables, problems)
    return tables, bib, problems


def validate(root: Path | None = None) -> EvidenceBase:
    """Validate the project at root; raise EvidenceError listing every problem."""
    root = find_root() if root is None else Path(root).resolve()
    tables, bib, problems = collect(root)
    if problems:
        raise EvidenceError(problems)
    clean = {name: frame.drop(columns="_row").reset_index(drop=True) for name, frame in tables.items()}
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
