"""`evidence audit PATH`: pre-fill an audit worksheet for a document about IVIG in myositis.

The audit does the clerical half of a claims review so the reviewer can do the
judging half:

1. read the document and keep its checkable statements (audit_text);
2. tag each with a subtype and an outcome domain;
3. suggest the three most relevant evidence rows (BM25 over results, adverse
   events and registered claims, boosted when the subtype or domain agrees);
4. hold every number the sentence states against those rows and the trial
   regimens (arms): `match`, `partial`, `mismatch` or `nothing to compare`;
5. check the reference list against references.bib (audit_refs);
6. write worksheet.csv/.xlsx, references.csv and an offline report.html.

Number-check rules (what "match" means):
- dose (g/kg, mg/kg): match when an IVIG arm or dosing result of the statement's
  subtype (all subtypes when none has one) gives the same dose (within 0.05 g/kg);
- days per course ("2 to 5 days"): match when an arm has exactly that range,
  partial when the ranges only overlap, mismatch when they do not meet;
- interval ("every 3 to 4 weeks", "monthly" = 4 weeks): match when the stated
  interval is exactly an arm's interval, partial when a stated range contains it
  but also allows intervals no trial used, mismatch otherwise;
- percentages ("less than 1%", "8 of 10"): compared with each linked evidence row
  that gives a percentage (events/total, patients/n at risk); match when all
  agree, partial when some do, mismatch when none does. A stated figure agrees
  within 1 percentage point (rounding); "about X%" within 15% of X;
- counts ("95 patients"): match when a linked row, its study's enrolment or its
  arm's size has that number;
- other spans (hours, ages, months to improve) are listed but not compared.
The sentence's verdict is the worst of its checks (mismatch, partial, match).
"""

from __future__ import annotations

import csv
import html
import os
import re
import secrets
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import vocab
from .audit_refs import RefMatch, audit_references
from .audit_text import Candidate, Document, candidates, read_document
from .bib import Bibliography
from .cells import safe_cell
from .errors import EvidenceError, Problem

TOP_K = 3
SUBTYPE_BOOST = 1.5
DOMAIN_BOOST = 1.2
WORKSHEET_COLUMNS = [
    "statement_id", "section", "sentence", "subtype", "outcome_domain", "suggested_evidence",
    "number_check", "number_detail", "verdict", "reviewer_note",
]
REFERENCE_COLUMNS = [
    "doc_id", "position", "cited_authors", "cited_year", "cited_title", "cited_journal", "cited_volume", "cited_issue",
    "cited_link", "bib_key", "link_target", "discrepancies", "status", "match_method", "title_similarity",
]
CHECK_ORDER = {"mismatch": 3, "partial": 2, "match": 1, "nothing to compare": 0}

# ------------------------------------------------------------------------ evidence


@dataclass(frozen=True)
class EvidenceRow:
    """One searchable row (result, adverse event or registered claim) with what the checks need."""

    id: str
    table: str
    text: str
    subtype: str
    domain: str
    locator: str
    percent: float | None = None
    counts: tuple[int, ...] = ()
    cites: tuple[str, ...] = ()  # a registered claim's evidence ids


@dataclass(frozen=True)
class Regimen:
    """An IVIG regimen as a trial arm or a dosing result gives it."""

    id: str
    subtype: str
    locator: str
    dose: float | None = None
    days: tuple[float, float] | None = None
    interval: float | None = None


@dataclass
class Evidence:
    """What the audit compares against, read once per data version."""

    root: Path
    rows: list[EvidenceRow]
    regimens: list[Regimen]
    bib: Bibliography
    documents: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)
    index: BM25Index | None = None

    @cached_property
    def numeric_rows(self) -> dict[str, EvidenceRow]:
        """Results and adverse events by id (the rows a registered claim can cite)."""
        return {r.id: r for r in self.rows if r.table != "claims"}

    def comparable(self, sentence: str, linked: list[EvidenceRow]) -> list[EvidenceRow]:
        """Rows whose numbers a statement is checked against.

        Linked results and adverse events, plus the rows that linked registered claims cite
        (a claim states no number itself). Cited rows are kept only when they are about the
        sentence (BM25 at least half the best), since a claim often cites a neighbouring topic too.
        """
        by_id = self.numeric_rows
        direct = {row.id: row for row in linked if row.table != "claims"}
        cited = {c: by_id[c] for row in linked for c in row.cites if c in by_id and c not in direct}
        if cited and self.index is not None:
            scores = self.index.scores_for(sentence, list(cited))
            best = max(scores.values(), default=0.0)
            cited = {k: v for k, v in cited.items() if best > 0 and scores[k] >= 0.5 * best}
        return list(direct.values()) + list(cited.values())


def _present(value: Any) -> bool:
    return value is not None and not pd.isna(value) and str(value) != ""


def _text(*values: Any) -> str:
    return " ".join(str(v) for v in values if _present(v))


def _study_info(tables: dict[str, pd.DataFrame]) -> dict[str, tuple[str, str]]:
    """study_id -> (subtype, short title with acronym)."""
    studies = tables.get("studies")
    if studies is None:
        return {}
    return {
        r.study_id: (r.subtype if _present(r.subtype) else "myositis", _text(r.acronym, r.short_title))
        for r in studies.itertuples()
    }


def _percent_of(row: Any) -> float | None:
    """The percentage a results row states, printed or computed from events/total."""
    if _present(row.percent):
        return float(row.percent)
    if _present(row.events) and _present(row.total) and float(row.total) > 0:
        return 100.0 * float(row.events) / float(row.total)
    if str(row.unit).strip() == "%" and _present(row.mean) and row.measure in ("percent", "count"):
        return float(row.mean)
    return None


def _sizes(tables: dict[str, pd.DataFrame]) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """Enrolment per study and size per arm, so "95 patients" can match the trial it describes."""
    studies, arms = tables.get("studies"), tables.get("arms")
    by_study = {} if studies is None else {s.study_id: (int(s.n_enrolled),) for s in studies.itertuples() if _present(s.n_enrolled)}
    by_arm = {} if arms is None else {a.arm_id: (int(a.n),) for a in arms.itertuples() if _present(a.n)}
    return by_study, by_arm


def _result_rows(tables: dict[str, pd.DataFrame], info: dict[str, tuple[str, str]]) -> list[EvidenceRow]:
    frame = tables.get("results")
    if frame is None:
        return []
    by_study, by_arm = _sizes(tables)
    rows = []
    for r in frame.itertuples():
        subtype, title = info.get(r.study_id, ("myositis", ""))
        label = vocab.SUBTYPE.label(subtype) if subtype in vocab.SUBTYPE else subtype
        text = _text(r.outcome, r.definition, r.note, title, label)
        counts = tuple(int(v) for v in (r.events, r.total) if _present(v))
        counts += by_study.get(r.study_id, ()) + by_arm.get(r.arm_id, ())
        where = _text(r.study_id, r.locator)
        rows.append(EvidenceRow(r.result_id, "results", text, subtype, str(r.outcome_domain), where, _percent_of(r), counts))
    return rows


def _ae_rows(tables: dict[str, pd.DataFrame], info: dict[str, tuple[str, str]]) -> list[EvidenceRow]:
    frame = tables.get("adverse_events")
    if frame is None:
        return []
    by_study, _ = _sizes(tables)
    rows = []
    for a in frame.itertuples():
        subtype, title = info.get(a.study_id, ("myositis", ""))
        percent = None
        if _present(a.patients) and _present(a.n_at_risk) and float(a.n_at_risk) > 0:
            percent = 100.0 * float(a.patients) / float(a.n_at_risk)
        elif _present(a.events) and _present(a.infusions) and float(a.infusions) > 0:
            percent = 100.0 * float(a.events) / float(a.infusions)
        counts = tuple(int(v) for v in (a.patients, a.n_at_risk) if _present(v)) + by_study.get(a.study_id, ())
        text = _text(a.event, a.note, "adverse event safety", title)
        where = _text(a.study_id, a.locator)
        rows.append(EvidenceRow(a.ae_id, "adverse_events", text, subtype, "safety", where, percent, counts))
    return rows


def _claim_rows(tables: dict[str, pd.DataFrame]) -> list[EvidenceRow]:
    frame = tables.get("claims")
    if frame is None:
        return []
    from .data import split_ids

    rows = []
    for c in frame.itertuples():
        text, where = _text(c.claim, c.rationale), _text(c.doc_id, c.section)
        cites = tuple(split_ids(c.evidence))
        rows.append(EvidenceRow(c.claim_id, "claims", text, str(c.subtype), str(c.outcome_domain), where, cites=cites))
    return rows


def _regimens(tables: dict[str, pd.DataFrame], info: dict[str, tuple[str, str]]) -> list[Regimen]:
    """IVIG arms with a dose, days or interval, plus dosing results given in g/kg or weeks."""
    out: list[Regimen] = []
    arms = tables.get("arms")
    if arms is not None:
        for a in arms.itertuples():
            if not str(a.intervention).startswith("ivig"):
                continue
            days = (float(a.days_min), float(a.days_max)) if _present(a.days_min) and _present(a.days_max) else None
            out.append(Regimen(a.arm_id, info.get(a.study_id, ("myositis", ""))[0], _text(a.study_id, a.locator),
                               float(a.dose_g_per_kg) if _present(a.dose_g_per_kg) else None, days,
                               float(a.interval_weeks) if _present(a.interval_weeks) else None))
    results = tables.get("results")
    if results is not None:
        for r in results[results["outcome_domain"] == "dosing"].itertuples():
            unit, subtype = str(r.unit).strip(), info.get(r.study_id, ("myositis", ""))[0]
            if unit == "g/kg" and _present(r.mean):
                out.append(Regimen(r.result_id, subtype, _text(r.study_id, r.locator), dose=float(r.mean)))
            elif unit == "weeks" and _present(r.mean) and "interval" in str(r.outcome).lower():
                out.append(Regimen(r.result_id, subtype, _text(r.study_id, r.locator), interval=float(r.mean)))
    return out


def _read_tables(root: Path) -> tuple[dict[str, pd.DataFrame], Bibliography, list[Problem]]:
    """The validated tables; when validation fails, the tables that could be read, with the problems."""
    from . import data

    try:
        base = data.load(root)
        return base.tables, base.bib, []
    except EvidenceError as exc:
        tables, bib, _ = data.collect(root)
        clean = {name: frame.drop(columns="_row") for name, frame in tables.items()}
        return clean, bib, exc.problems


def _stamp(root: Path) -> tuple:
    files = sorted((root / "data").glob("*.csv")) + [root / "references.bib"]
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists())


@lru_cache(maxsize=4)
def _cached_evidence(root: str, stamp: tuple) -> Evidence:
    tables, bib, problems = _read_tables(Path(root))
    info = _study_info(tables)
    rows = _result_rows(tables, info) + _ae_rows(tables, info) + _claim_rows(tables)
    evidence = Evidence(Path(root), rows, _regimens(tables, info), bib, tables.get("documents"), problems)
    evidence.index = BM25Index(rows) if rows else None
    return evidence


def load_evidence(root: Path | None = None) -> Evidence:
    """The evidence to audit against, rebuilt only when a data file or references.bib changes."""
    from .data import find_root

    resolved = find_root() if root is None else Path(root).resolve()
    if not (resolved / "data").is_dir():
        raise EvidenceError([Problem(file=str(resolved), message="no data/ folder here: give the project folder with --root")])
    return _cached_evidence(str(resolved), _stamp(resolved))


# ---------------------------------------------------------------------------- BM25

_STOPWORDS = frozenset(
    "a an and are as at be been but by can could do does for from had has have how if in into is it its may might more most "
    "of on or other our over so some such than that the their them then there these they this those to up was were what when "
    "where which while who will with within without you your yours".split()
)
_CANONICAL = {
    "dm": "dermatomyositis", "pm": "polymyositis", "sibm": "ibm", "jdm": "juvenile", "child": "juvenile", "children": "juvenile",
    "pediatric": "juvenile", "paediatric": "juvenile", "childhood": "juvenile", "necrotizing": "imnm", "necrotising": "imnm",
    "clot": "thrombo", "clots": "thrombo", "thrombotic": "thrombo", "thromboembolic": "thrombo", "thrombosis": "thrombo",
    "tee": "thrombo", "embolism": "thrombo", "kidney": "renal", "kidneys": "renal", "swallow": "dysphagia",
    "swallowing": "dysphagia", "rash": "skin", "rashes": "skin", "cutaneous": "skin", "cdasi": "skin", "ck": "creatine",
    "cpk": "creatine", "pyrexia": "fever", "headaches": "headache", "weak": "strength", "weakness": "strength",
    "stronger": "strength", "mmt": "strength", "steroids": "steroid", "corticosteroid": "steroid", "corticosteroids": "steroid",
    "prednisone": "steroid", "glucocorticoid": "steroid", "glucocorticoids": "steroid", "ivig": "immunoglobulin",
    "ivigs": "immunoglobulin", "immunoglobulins": "immunoglobulin", "globulin": "immunoglobulin", "lungs": "lung",
    "ild": "lung", "pulmonary": "lung", "interstitial": "lung", "fda": "approval", "approved": "approval", "label": "approval",
}


def tokens(text: str) -> list[str]:
    """Lower-case word stems with synonyms folded together (CK = creatine kinase, clot = thrombo...)."""
    out = []
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if word in _STOPWORDS or len(word) < 2:
            continue
        word = _CANONICAL.get(word, word)
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return out


class BM25Index:
    """rank_bm25's BM25Okapi with per-term score vectors cached, so a query costs a few numpy adds.

    The score is exactly BM25Okapi.get_scores; rank_bm25 recomputes each term over the
    whole corpus in Python for every query, which is too slow for a 10,000-word document.
    """

    def __init__(self, rows: list[EvidenceRow]):
        from rank_bm25 import BM25Okapi

        self.rows = rows
        self.bm25 = BM25Okapi([tokens(r.text) or ["_"] for r in rows])
        self._lengths = np.array(self.bm25.doc_len, dtype=float)
        self._cache: dict[str, np.ndarray] = {}
        self.subtypes = np.array([r.subtype for r in rows])
        self.domains = np.array([r.domain for r in rows])
        self._position = {r.id: i for i, r in enumerate(rows)}

    def _term(self, term: str) -> np.ndarray:
        if term not in self._cache:
            bm = self.bm25
            freq = np.array([doc.get(term, 0) for doc in bm.doc_freqs], dtype=float)
            denom = freq + bm.k1 * (1 - bm.b + bm.b * self._lengths / bm.avgdl)
            self._cache[term] = (bm.idf.get(term) or 0.0) * freq * (bm.k1 + 1) / denom
        return self._cache[term]

    def scores(self, query: list[str]) -> np.ndarray:
        total = np.zeros(len(self.rows))
        for term in query:
            total += self._term(term)
        return total

    def scores_for(self, sentence: str, ids: list[str]) -> dict[str, float]:
        """Plain BM25 scores of a few rows, by id."""
        scores = self.scores(tokens(sentence))
        return {i: float(scores[self._position[i]]) for i in ids if i in self._position}

    def top(self, sentence: str, subtype: str, domain: str, k: int = TOP_K) -> list[tuple[EvidenceRow, float]]:
        """The k best rows for a statement; rows of the same subtype or domain count more."""
        scores = self.scores(tokens(sentence))
        if subtype != "myositis":
            scores = scores * np.where(self.subtypes == subtype, SUBTYPE_BOOST, 1.0)
        scores = scores * np.where(self.domains == domain, DOMAIN_BOOST, 1.0)
        best = np.argsort(-scores, kind="stable")[:k]
        return [(self.rows[i], float(scores[i])) for i in best if scores[i] > 0]


# ------------------------------------------------------------------------- numbers

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
}
_NUM = r"\d+(?:\.\d+)?"
_RANGE = rf"(?P<a>{_NUM})(?:\s*(?:-|to|or)\s*(?P<b>{_NUM}))?"
_DOSE_RE = re.compile(
    rf"{_RANGE}\s*(?P<unit>g|gm|grams?|mg|milligrams?)\s*(?:/|per)\s*(?:kg|kilograms?)(?:\s+of\s+body\s*weight)?"
    r"(?!\s*(?:/|per)\s*(?:min|h\b|hour))",  # not an infusion rate (mg/kg/min)
    re.I)
_INTERVAL_RE = re.compile(rf"\bevery\s+{_RANGE}\s*(?P<unit>weeks?|months?)\b", re.I)
_MONTHLY_RE = re.compile(r"\b(?:once|one time)\s+(?:a|per|every)\s+month\b|\bmonthly\b|\bevery\s+month\b", re.I)
_DAYS_RE = re.compile(
    rf"(?:(?P<a>{_NUM})\s*(?:-|to|or)\s*(?P<b>{_NUM})|(?:over|across|for|on)\s+(?P<c>{_NUM}))\s+(?:consecutive\s+)?days\b", re.I)
_PERCENT_RE = re.compile(
    r"(?P<op>less than|fewer than|under|below|up to|at most|no more than|more than|over|above|at least|about|approximately"
    rf"|around|nearly|almost|roughly|<|>|\u2264|\u2265|~)?\s*(?P<v>{_NUM})\s*(?:%|percent\b|per cent\b)", re.I)
_FRACTION_RE = re.compile(r"\b(?P<a>\d+)\s+(?:of|out of)\s+(?:every\s+)?(?P<b>\d+)\b", re.I)
_COUNT_RE = re.compile(r"\b(?P<n>\d+)\s+(?:patients|participants|people|adults|children|subjects|individuals)\b", re.I)
_SPAN_RE = re.compile(
    rf"(?:between\s+(?P<x>{_NUM})\s+and\s+(?P<y>{_NUM})|{_RANGE})\s*(?P<unit>hours?|days?|weeks?|months?|years?)\b", re.I)
# "Octagam 10%" is a concentration, not a share of patients.
_PRODUCT_BEFORE_RE = re.compile(
    r"(octagam|privigen|gamunex(?:-c)?|gammagard(?: liquid)?|panzyga|gammaked|ivig|igg|solution)\s*$", re.I)
_DOSING_CONTEXT_RE = re.compile(
    r"\bdos|infus|g/kg|grams? per|\bivig\b|immunoglobulin|maintenance|loading|course|treatment|therapy|given", re.I)
_MONITORING_RE = re.compile(r"\bvisits?\b|appointments?|check-?ins?|follow-?ups?|blood tests?|\bmonitor", re.I)
_OPS = {
    "less than": "<", "fewer than": "<", "under": "<", "below": "<", "<": "<", "up to": "<=", "at most": "<=",
    "no more than": "<=", "\u2264": "<=", "more than": ">", "over": ">", "above": ">", ">": ">", "at least": ">=", "\u2265": ">=",
}


@dataclass(frozen=True)
class Quantity:
    """A number a sentence states: kind, range, comparison word and the words it came from."""

    kind: str  # dose | days | interval | percent | count | span
    low: float
    high: float
    op: str = "="
    text: str = ""

    def shown(self) -> str:
        value = _fmt(self.low) if self.low == self.high else f"{_fmt(self.low)}-{_fmt(self.high)}"
        return f"{'' if self.op == '=' else self.op + ' '}{value}"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def normalise_numbers(text: str) -> str:
    """Digits for number words, ASCII hyphens for dashes, no thousands separators."""
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text.replace("\u00a0", " "))
    text = re.sub(r"(\d),(\d{3})\b", r"\1\2", text)
    words = "|".join(_NUMBER_WORDS)
    return re.sub(rf"\b({words})\b", lambda m: str(_NUMBER_WORDS[m.group(1).lower()]), text, flags=re.I)


def _range(match: re.Match[str], a: str = "a", b: str = "b") -> tuple[float, float]:
    low = float(match.group(a))
    high = float(match.group(b)) if match.group(b) else low
    return min(low, high), max(low, high)


def extract_quantities(sentence: str) -> list[Quantity]:
    """Every dose, course length, interval, percentage, count and time span the sentence states."""
    text = normalise_numbers(sentence)
    taken: list[tuple[int, int]] = []
    found: list[Quantity] = []

    def free(m: re.Match[str]) -> bool:
        return not any(m.start() < end and start < m.end() for start, end in taken)

    def add(m: re.Match[str], quantity: Quantity) -> None:
        taken.append((m.start(), m.end()))
        found.append(quantity)

    dosing = bool(_DOSING_CONTEXT_RE.search(text)) and not _MONITORING_RE.search(text)
    for m in _DOSE_RE.finditer(text):
        low, high = _range(m)
        scale = 0.001 if m.group("unit").lower().startswith("m") else 1.0
        add(m, Quantity("dose", low * scale, high * scale, text=m.group(0)))
    for m in _INTERVAL_RE.finditer(text):
        low, high = _range(m)
        factor = 4.0 if m.group("unit").lower().startswith("month") else 1.0
        add(m, Quantity("interval" if dosing else "span", low * factor, high * factor, text=m.group(0)))
    for m in _MONTHLY_RE.finditer(text):
        if free(m):
            add(m, Quantity("interval" if dosing else "span", 4.0, 4.0, text=m.group(0)))
    for m in _DAYS_RE.finditer(text):
        if free(m):
            low, high = _range(m) if m.group("a") else _range(m, "c", "c")
            add(m, Quantity("days" if dosing else "span", low, high, text=m.group(0)))
    for m in _PERCENT_RE.finditer(text):
        if free(m) and not _PRODUCT_BEFORE_RE.search(text[: m.start("v")]):
            op = _OPS.get((m.group("op") or "").lower(), "~" if m.group("op") else "=")
            add(m, Quantity("percent", float(m.group("v")), float(m.group("v")), op, m.group(0).strip()))
    for m in _FRACTION_RE.finditer(text):
        if free(m) and 0 < int(m.group("b")) and int(m.group("a")) <= int(m.group("b")):
            value = 100.0 * int(m.group("a")) / int(m.group("b"))
            add(m, Quantity("percent", value, value, "~", m.group(0)))
    for m in _COUNT_RE.finditer(text):
        if free(m):
            add(m, Quantity("count", float(m.group("n")), float(m.group("n")), text=m.group(0)))
    for m in _SPAN_RE.finditer(text):
        if free(m):
            low, high = _range(m, "x", "y") if m.group("x") else _range(m)
            add(m, Quantity("span", low, high, text=m.group(0).strip()))
    return found


@dataclass(frozen=True)
class Check:
    """The outcome of comparing one stated number with the evidence."""

    status: str  # match | partial | mismatch | nothing to compare
    detail: str


def _cite(items: list[Regimen], limit: int = 3) -> str:
    shown = ", ".join(f"{r.id} [{r.locator}]" for r in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _classify(q: Quantity, r: Regimen) -> str:
    """match / partial / mismatch of one stated regimen number against one regimen (rules in the module doc)."""
    if q.kind == "dose":
        return "match" if q.low - 0.05 <= r.dose <= q.high + 0.05 else "mismatch"
    if q.kind == "days":
        if r.days == (q.low, q.high):
            return "match"
        return "partial" if r.days[0] <= q.high and q.low <= r.days[1] else "mismatch"
    if q.low == q.high == r.interval:
        return "match"
    return "partial" if q.low <= r.interval <= q.high else "mismatch"


_REGIMEN_FIELD = {"dose": "dose", "days": "days", "interval": "interval"}
_REGIMEN_LABEL = {"dose": "{} g/kg", "days": "{} days per course", "interval": "every {} weeks"}


def _regimen_value(r: Regimen, kind: str) -> str:
    value = getattr(r, _REGIMEN_FIELD[kind])
    if kind == "days":
        return _fmt(value[0]) if value[0] == value[1] else f"{_fmt(value[0])}-{_fmt(value[1])}"
    return _fmt(value)


def check_regimen(q: Quantity, regimens: list[Regimen], subtype: str) -> Check:
    """A stated dose, course length or interval against the IVIG regimens of the statement's subtype.

    All subtypes count when the statement is about myositis in general or its subtype
    has no regimen giving this number; when the subtype's regimens disagree, regimens of
    other subtypes that match exactly are named, for the reviewer to weigh.
    """
    label = _REGIMEN_LABEL[q.kind]
    usable = [r for r in regimens if getattr(r, _REGIMEN_FIELD[q.kind]) is not None]
    if not usable:
        return Check("nothing to compare", f"{label.format(q.shown())}: no regimen in the evidence gives this")
    same = [r for r in usable if r.subtype == subtype] if subtype != "myositis" else []
    scope = same or usable
    graded = {status: [r for r in scope if _classify(q, r) == status] for status in ("match", "partial", "mismatch")}
    status = next(s for s in ("match", "partial", "mismatch") if graded[s])
    values = ", ".join(sorted({_regimen_value(r, q.kind) for r in scope}))
    who = f"{subtype} regimens" if same else "regimens"
    detail = f"{label.format(q.shown())}: {status}; {who} give {label.format(values)} ({_cite(graded[status])})"
    if status == "partial" and q.kind == "interval":
        detail += "; the stated range also allows intervals no regimen used"
    if same and status != "match":
        elsewhere = [r for r in usable if r.subtype != subtype and _classify(q, r) == "match"]
        if elsewhere:
            detail += f"; exactly as in other-subtype regimens {_cite(elsewhere)}"
    return Check(status, detail)


def _agrees(q: Quantity, value: float) -> bool:
    # Exact figures agree within 1 point (printed figures are rounded); "about X%" within 15% of X.
    tolerance = max(1.0, 0.15 * q.low) if q.op == "~" else 1.0
    return {
        "<": value < q.low, "<=": value <= q.low + tolerance, ">": value > q.low, ">=": value >= q.low - tolerance,
    }.get(q.op, abs(value - q.low) <= tolerance)


def check_percent(q: Quantity, linked: list[EvidenceRow]) -> Check:
    rows = [r for r in linked if r.percent is not None]
    if not rows:
        return Check("nothing to compare", f"{q.shown()}%: no linked evidence row gives a percentage")
    parts = [f"{r.id} {_fmt(round(r.percent, 1))}% [{r.locator}]" for r in rows]
    agreeing = [r for r in rows if _agrees(q, r.percent)]
    status = "match" if len(agreeing) == len(rows) else "partial" if agreeing else "mismatch"
    return Check(status, f"{q.shown()}% vs {'; '.join(parts)}")


def check_count(q: Quantity, linked: list[EvidenceRow]) -> Check:
    rows = [r for r in linked if r.counts]
    if not rows:
        return Check("nothing to compare", f"{q.shown()} patients: no linked evidence row gives a count")
    hits = [r for r in rows if int(q.low) in r.counts]
    if hits:
        return Check("match", f"{q.shown()} patients as in {', '.join(f'{r.id} [{r.locator}]' for r in hits)}")
    shown = "; ".join(f"{r.id}: {', '.join(map(str, r.counts))}" for r in rows)
    return Check("mismatch", f"{q.shown()} patients; linked rows give {shown}")


def number_check(sentence: str, subtype: str, linked: list[EvidenceRow], regimens: list[Regimen]) -> tuple[str, str]:
    """(overall status, detail) for every number the sentence states."""
    checks: list[Check] = []
    spans: list[str] = []
    for q in extract_quantities(sentence):
        if q.kind in _REGIMEN_FIELD:
            checks.append(check_regimen(q, regimens, subtype))
        elif q.kind == "percent":
            checks.append(check_percent(q, linked))
        elif q.kind == "count":
            checks.append(check_count(q, linked))
        else:
            spans.append(q.text)
    status = max((c.status for c in checks), key=CHECK_ORDER.__getitem__, default="nothing to compare")
    detail = [c.detail for c in checks]
    if spans:
        detail.append("not compared: " + ", ".join(spans))
    return status, " | ".join(detail)


# --------------------------------------------------------------------------- audit


@dataclass
class Statement:
    """One row of the worksheet."""

    statement_id: str
    section: str
    sentence: str
    subtype: str
    outcome_domain: str
    suggestions: list[tuple[str, float]]
    number_check: str
    number_detail: str

    @property
    def suggested_evidence(self) -> str:
        return "; ".join(f"{key} ({score:.1f})" for key, score in self.suggestions)

    def row(self) -> dict[str, str]:
        return {
            "statement_id": self.statement_id, "section": self.section, "sentence": self.sentence, "subtype": self.subtype,
            "outcome_domain": self.outcome_domain, "suggested_evidence": self.suggested_evidence,
            "number_check": self.number_check, "number_detail": self.number_detail, "verdict": "", "reviewer_note": "",
        }


@dataclass
class AuditResult:
    """Everything one audit found, ready to write or summarise."""

    source: Path
    doc_id: str
    title: str
    default_subtype: str
    statements: list[Statement]
    dropped: list[Candidate]
    references: list[RefMatch]
    evidence_problems: int = 0

    def reference_rows(self) -> list[dict[str, Any]]:
        rows = []
        for m in self.references:
            c = m.cited
            rows.append({
                "doc_id": self.doc_id, "position": c.position, "cited_authors": c.authors, "cited_year": c.year,
                "cited_title": c.title, "cited_journal": c.journal, "cited_volume": c.volume, "cited_issue": c.issue,
                "cited_link": c.link, "bib_key": m.bib_key, "link_target": m.link_target,
                "discrepancies": "; ".join(m.discrepancies), "status": m.status, "match_method": m.method,
                "title_similarity": "" if m.title_similarity is None else m.title_similarity,
            })
        return rows

    def summary(self) -> list[tuple[str, str]]:
        """(label, value) lines of the summary table."""
        dropped = Counter(c.status for c in self.dropped)
        subtypes = Counter(s.subtype for s in self.statements)
        checks = Counter(s.number_check for s in self.statements)
        matched = sum(1 for m in self.references if m.bib_key)
        statuses = Counter(m.status for m in self.references)
        order = ("match", "partial", "mismatch", "nothing to compare")
        status_list = ", ".join(f"{c} {statuses[c]}" for c in vocab.REFERENCE_STATUS.codes if statuses[c])
        return [
            ("statements kept", f"{len(self.statements)} (dropped: {dropped['service']} service/marketing, "
                                f"{dropped['not_checkable']} not checkable)"),
            ("by subtype", ", ".join(f"{code} {subtypes[code]}" for code in vocab.SUBTYPE.codes if subtypes[code]) or "-"),
            ("number checks", ", ".join(f"{k} {checks[k]}" for k in order if checks[k]) or "-"),
            ("references", f"{len(self.references)} listed: {matched} matched, {len(self.references) - matched} unmatched"
                           + (f" ({status_list})" if status_list else "")),
        ]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "document"


def doc_id_for(path: Path, documents: pd.DataFrame | None) -> str:
    """The registered doc_id when data/documents.csv lists this file as a seed, else a slug of its name."""
    if documents is not None and "seed_file" in documents:
        hit = documents[documents["seed_file"] == path.name]
        if len(hit):
            return str(hit.iloc[0]["doc_id"])
    return _slug(path.stem)


def _statements(doc_id: str, kept: list[Candidate], evidence: Evidence) -> list[Statement]:
    out = []
    for n, c in enumerate(kept, start=1):
        linked = evidence.index.top(c.sentence, c.subtype, c.outcome_domain) if evidence.index else []
        comparable = evidence.comparable(c.sentence, [r for r, _ in linked])
        status, detail = number_check(c.sentence, c.subtype, comparable, evidence.regimens)
        suggestions = [(r.id, score) for r, score in linked]
        statement_id = f"{doc_id}_s{n:03d}"
        out.append(Statement(statement_id, c.section, c.sentence, c.subtype, c.outcome_domain, suggestions, status, detail))
    return out


def audit_document(path: Path, root: Path | None = None, evidence: Evidence | None = None) -> AuditResult:
    """Audit one document; input is checked before the evidence base is even opened."""
    doc: Document = read_document(Path(path))
    evidence = evidence or load_evidence(root)
    found, sections, default = candidates(doc)
    doc_id = doc_id_for(Path(path), evidence.documents)
    kept = [c for c in found if c.status == "kept"]
    references: list[RefMatch] = []
    for section in sections:
        if section.is_references:
            references.extend(audit_references(evidence.bib, section.blocks))
    for i, m in enumerate(references, start=1):
        m.cited.position = i
    title = doc.title or next((s.title for s in sections if s.title), Path(path).name)
    return AuditResult(Path(path), doc_id, title, default, _statements(doc_id, kept, evidence),
                       [c for c in found if c.status != "kept"], references, len(evidence.problems))


# -------------------------------------------------------------------------- output

def _csv_safe(value: Any) -> Any:
    """Stop a spreadsheet from running a cell that starts like a formula."""
    return safe_cell(value) if isinstance(value, str) else value


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_safe(row.get(k, "")) for k in columns})


_WIDTHS = {
    "statement_id": 20, "section": 26, "sentence": 70, "subtype": 11, "outcome_domain": 17, "suggested_evidence": 40,
    "number_check": 18, "number_detail": 60, "verdict": 18, "reviewer_note": 40, "cited_title": 60, "discrepancies": 70,
    "cited_authors": 26, "cited_link": 40, "bib_key": 28, "link_target": 28,
}


def _sheet(workbook: Any, title: str, columns: list[str], rows: list[dict[str, Any]], lists: dict[str, list[str]]) -> None:
    """A sheet a reviewer can work in: bold frozen header, filters, wrapped text, drop-down lists."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = workbook.create_sheet(title)
    sheet.append(columns)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in (row.get(c, "") for c in columns)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = wrap
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
    for i, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(name, 14)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    last = max(len(rows) + 1, 2)
    for name, options in lists.items():
        letter = get_column_letter(columns.index(name) + 1)
        check = DataValidation(type="list", formula1=f'"{",".join(options)}"', allow_blank=True)
        check.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(check)


def _write_xlsx(path: Path, result: AuditResult) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    lists = {"verdict": vocab.VERDICT.codes, "subtype": vocab.SUBTYPE.codes, "outcome_domain": vocab.OUTCOME_DOMAIN.codes}
    _sheet(workbook, "worksheet", WORKSHEET_COLUMNS, [s.row() for s in result.statements], lists)
    _sheet(workbook, "references", REFERENCE_COLUMNS, result.reference_rows(), {"status": vocab.REFERENCE_STATUS.codes})
    workbook.save(path)


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:80rem;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.35rem .5rem;vertical-align:top;text-align:left}th{background:#eef3f8}
.summary td:first-child{font-weight:600;width:16rem}.match{background:#e3f1ea}.partial{background:#fdf3d8}
.mismatch,.wrong{background:#fbe3d6}.minor_error{background:#fdf3d8}.correct{background:#e3f1ea}.unverifiable{background:#eee}
.small{font-size:.85rem;color:#555}details{margin:.5rem 0}code{font-size:.85rem}
"""


def _cell(value: Any, css: str = "") -> str:
    attribute = f' class="{html.escape(css)}"' if css else ""
    return f"<td{attribute}>{html.escape(str(value))}</td>"


def _table(columns: list[str], rows: list[dict[str, Any]], css_column: str = "") -> str:
    """An HTML table; the cell of `css_column` is coloured by its own value (match, wrong...)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    lines = []
    for r in rows:
        cells = [_cell(r.get(c, ""), str(r.get(c, "")).replace(" ", "_") if c == css_column else "") for c in columns]
        lines.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def render_report(result: AuditResult) -> str:
    """A single offline HTML page: no script, no external file, every text escaped."""
    esc = html.escape
    summary = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in result.summary())
    statement_cols = [c for c in WORKSHEET_COLUMNS if c not in ("verdict", "reviewer_note")]
    statements = _table(statement_cols, [s.row() for s in result.statements], "number_check")
    references = _table(REFERENCE_COLUMNS[1:13], result.reference_rows(), "status")
    dropped = "".join(
        f'<li><span class="small">{esc(c.status)} · {esc(c.section)}</span> {esc(c.sentence)}</li>' for c in result.dropped)
    warning = ""
    if result.evidence_problems:
        warning = (f'<p class="mismatch">The evidence base has {result.evidence_problems} validation problem(s); suggestions '
                   "use the tables that could be read. Run <code>evidence validate</code>.</p>")
    intro = (f"Source file {esc(result.source.name)} · document id {esc(result.doc_id)} · default subtype "
             f"{esc(result.default_subtype)}. Suggestions and number checks are machine pre-fills for a reviewer to confirm.")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Audit: {esc(result.title)}</title><style>{_CSS}</style></head><body>"
        f'<h1>Audit worksheet: {esc(result.title)}</h1><p class="small">{intro}</p>{warning}'
        f'<h2>Summary</h2><table class="summary">{summary}</table>'
        f"<h2>Statements ({len(result.statements)})</h2>{statements}"
        f"<h2>References ({len(result.references)})</h2>{references}"
        f"<h2>Dropped sentences ({len(result.dropped)})</h2><details><summary>Service, marketing and uncheckable text</summary>"
        f"<ul>{dropped}</ul></details></body></html>\n"
    )


OUTPUT_FILES = ("worksheet.csv", "worksheet.xlsx", "references.csv", "report.html")


def write_outputs(result: AuditResult, out: Path) -> list[Path]:
    """Write all four files into a temporary folder beside `out`, then move them in at once.

    A failure halfway leaves `out` as it was: no half-written worksheet for a reviewer to trust.
    """
    out = Path(out).resolve()
    if out.exists() and not out.is_dir():
        raise EvidenceError([Problem(file=str(out), message="--out must be a folder, and this is a file")])
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        _write_csv(staging / "worksheet.csv", WORKSHEET_COLUMNS, [s.row() for s in result.statements])
        _write_xlsx(staging / "worksheet.xlsx", result)
        _write_csv(staging / "references.csv", REFERENCE_COLUMNS, result.reference_rows())
        (staging / "report.html").write_text(render_report(result), encoding="utf-8")
        if not out.exists():
            os.replace(staging, out)
        else:
            for name in OUTPUT_FILES:
                os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in OUTPUT_FILES]


def format_summary(result: AuditResult, out: Path) -> str:
    """The short table printed after an audit."""
    lines = [f"audit of {result.source.name} ({result.doc_id}) -> {out}"]
    width = max(len(k) for k, _ in result.summary())
    lines += [f"  {k.ljust(width)}  {v}" for k, v in result.summary()]
    return "\n".join(lines)


def run_audit_cli(path: Path, out: Path, root: Path | None = None) -> int:
    """Entry point of `evidence audit`: audit, write, print the summary; 0 on success."""
    result = audit_document(path, root)
    if result.evidence_problems:
        print(f"warning: the evidence base has {result.evidence_problems} validation problem(s); "
              "suggestions use the tables that could be read (run `evidence validate`)", file=sys.stderr)
    write_outputs(result, out)
    print(format_summary(result, out))
    return 0
