"""The evidence the audit compares against, and BM25 ranking of it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import vocab
from ..bib import Bibliography
from ..errors import EvidenceError, Problem

TOP_K = 3
SUBTYPE_BOOST = 1.5
DOMAIN_BOOST = 1.2

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
    study: str = ""  # study_id (a claim: its doc_id)
    label: str = ""  # study acronym or short title, for a reader
    outcome: str = ""
    figure: str = ""  # the arm figures as printed: "37/47 (79%)", "effect 35, p <0.001"
    kind: str = ""  # result_kind, "adverse_event" or "claim"
    design: str = ""
    tier: str = ""
    url: str = ""
    p_value: float | None = None
    names: tuple[str, str, str] = ("", "", "")  # the study's first-author surname, year and journal, lower case
    rate: tuple[str, float, float] | None = None  # epidemiology: (incidence|prevalence, low, high per million)
    approval: tuple[str, str, str, str] | None = None  # approvals: (agent class, status, population, approved on)

    def content(self) -> str:
        """One line a reviewer can read without opening data/: study, outcome, figures, tier."""
        parts = [f"{self.id}: {self.label or self.study}", self.outcome, self.figure]
        return " | ".join(p for p in parts if p) + (f" [{self.tier}]" if self.tier else "")


@dataclass(frozen=True)
class Regimen:
    """An IVIG regimen as a trial arm or a dosing result gives it."""

    id: str
    subtype: str
    locator: str
    dose: float | None = None
    days: tuple[float, float] | None = None
    interval: float | None = None
    maintenance: bool = False  # a later, lowered course ("then 1 g/kg"): compared only with maintenance statements


# "2 g/kg load, then 1 g/kg twice", "maintenance courses 1 g/kg": an arm's later dose as its label or note states it
_MAINTENANCE_DOSE_RE = re.compile(r"\b(?:then|maintenance (?:courses?|doses?))\s+(\d+(?:\.\d+)?)\s*g/kg", re.I)


@dataclass(frozen=True)
class Finding:
    """What the base concludes for one subtype and outcome: a proposition the judge matches.

    Derived at load time from data/certainty.csv (its certainty, studies and reasons):
    `null` when the controlled trials found no significant benefit, so a blanket efficacy
    statement about that subtype can be held against it.
    """

    subtype: str
    domain: str
    certainty: str
    studies: tuple[str, ...]
    reason: str
    null: bool
    result_ids: tuple[str, ...] = ()  # the rows the grading rests on: the ones a reviewer cites first


_NULL_RE = re.compile(
    r"\bno (?:significant|clear|consistent|meaningful)\b|\bnot (?:statistically )?significant|\bno (?:strength )?benefit"
    r"|did not (?:improve|differ|show)|\bnull\b", re.I)


def _findings(tables: dict[str, pd.DataFrame]) -> dict[tuple[str, str], Finding]:
    frame = tables.get("certainty")
    if frame is None:
        return {}
    results = tables.get("results")
    first_rows: dict[tuple[str, str], list[str]] = {}
    if results is not None:
        for res in results.itertuples():
            first_rows.setdefault((str(res.study_id), str(res.outcome_domain)), []).append(str(res.result_id))
    out: dict[tuple[str, str], Finding] = {}
    for r in frame.itertuples():
        reason = _text(r.reasons)
        key = (str(r.subtype), str(r.outcome_domain))
        studies = tuple(s.strip() for s in str(r.studies).split(";") if s.strip()) if _present(r.studies) else ()
        ids = tuple(s.strip() for s in str(r.result_ids).split(";") if s.strip()) if _present(r.result_ids) else ()
        # Without listed rows, each graded study's first row of that outcome (its headline figure).
        ids = ids or tuple(first_rows[(st, key[1])][0] for st in studies if (st, key[1]) in first_rows)
        if key in out:  # several graded outcomes of one domain: the first listed is the headline one
            head = out[key]
            out[key] = Finding(head.subtype, head.domain, head.certainty, tuple(dict.fromkeys(head.studies + studies)),
                               head.reason, head.null, tuple(dict.fromkeys(head.result_ids + ids)))
            continue
        out[key] = Finding(key[0], key[1], _text(r.certainty), studies, reason, bool(_NULL_RE.search(reason)), ids)
    return out


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
    findings: dict[tuple[str, str], Finding] = field(default_factory=dict)
    enrolment: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # study -> (n enrolled, design, subtype)
    timepoints: dict[str, frozenset[float]] = field(default_factory=dict)  # study -> weeks at which it reports results

    @cached_property
    def claims(self) -> tuple[list[EvidenceRow], list[str]]:
        """Registered claims and their folded word sets, for matching a statement to a judged claim."""
        rows = [r for r in self.rows if r.table == "claims"]
        return rows, [" ".join(sorted(set(tokens(r.outcome)))) for r in rows]

    @cached_property
    def numeric_rows(self) -> dict[str, EvidenceRow]:
        """Results and adverse events by id (the rows a registered claim can cite)."""
        return {r.id: r for r in self.rows if r.table != "claims"}

    @cached_property
    def by_study(self) -> dict[str, list[EvidenceRow]]:
        """Result, adverse-event and guidance rows per study id, in data order."""
        out: dict[str, list[EvidenceRow]] = {}
        for r in self.rows:
            if r.table != "claims":
                out.setdefault(r.study, []).append(r)
        return out

    @cached_property
    def recommendation_rows(self) -> list[EvidenceRow]:
        """Guidance rows: where IVIG stands, for whom."""
        return [r for r in self.rows if r.kind == "recommendation"]

    @cached_property
    def safety_rate_rows(self) -> list[EvidenceRow]:
        """Harm rows with a rate: what a stated frequency of a harm is held against."""
        return [r for r in self.rows if r.domain == "safety" and r.table != "claims" and r.percent is not None]

    @cached_property
    def dosing_rows(self) -> list[EvidenceRow]:
        return [r for r in self.rows if r.domain == "dosing" and r.table != "claims"]

    @cached_property
    def infusion_rate_rows(self) -> list[EvidenceRow]:
        """Rows that state an infusion rate per kg (label dosing tables, rate caps)."""
        return [r for r in self.rows if r.table != "claims" and "/kg/" in r.figure]

    @cached_property
    def approval_rows(self) -> list[EvidenceRow]:
        return [r for r in self.rows if r.approval]

    @cached_property
    def rate_rows(self) -> list[EvidenceRow]:
        """Epidemiology rows with a rate per million: what a stated population figure is held against."""
        return [r for r in self.rows if r.rate is not None]

    @cached_property
    def management_rows(self) -> list[EvidenceRow]:
        """Rows on how harms are prevented or managed (premedication, infusion rate, hydration, re-exposure)."""
        return [r for r in self.rows if r.table != "claims" and _MANAGEMENT_RE.search(f"{r.outcome} {r.text}")]

    @cached_property
    def row_words(self) -> frozenset[str]:
        """Every folded word the base's rows use (claims aside): what a listed item can be found in."""
        if self.index is None:
            return frozenset()
        return frozenset(w for row, words in zip(self.index.rows, self.index.row_tokens) if row.table != "claims"
                         for w in words)

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


def _study_meta(tables: dict[str, pd.DataFrame]) -> dict[str, tuple[str, str]]:
    """study_id -> (short label, design): the label a reason names, the design a flag weighs."""
    studies = tables.get("studies")
    if studies is None:
        return {}
    out = {}
    for r in studies.itertuples():
        label = str(r.acronym) if _present(r.acronym) else str(r.study_id)
        out[r.study_id] = (label, str(r.design) if _present(r.design) else "")
    return out


def _num(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number == int(number) else f"{number:g}"


def _per_million(e: Any) -> tuple[str, float, float] | None:
    """An epidemiology row's estimate (or its range) per million people, so rates on any base compare."""
    if not _present(e.per) or str(e.measure) not in ("incidence", "prevalence"):
        return None
    scale = 1e6 / float(e.per)
    low = e.low if _present(e.low) else e.value
    high = e.high if _present(e.high) else e.value
    if not (_present(low) and _present(high)):
        return None
    return str(e.measure), float(low) * scale, float(high) * scale


def _figure(r: Any) -> str:
    """The figures of a results row as a reader would quote them."""
    parts = []
    if _present(r.events) and _present(r.total):
        parts.append(f"{_num(r.events)}/{_num(r.total)}")
    if _present(r.percent):
        parts.append(f"{_num(r.percent)}%")
    if _present(r.mean):
        # A descriptive fact (a label's dose, a trial's total of cycles) sits in the value column: it is no mean.
        label = "" if getattr(r, "measure", "") == "descriptive" else "mean "
        parts.append(f"{label}{_num(r.mean)}{'' if not _present(r.unit) or str(r.unit) == '%' else ' ' + str(r.unit)}")
    if _present(r.median):
        parts.append(f"median {_num(r.median)}")
    if _present(r.effect):
        ci = f" (CI {_num(r.ci_low)} to {_num(r.ci_high)})" if _present(r.ci_low) and _present(r.ci_high) else ""
        parts.append(f"{r.effect_type if _present(r.effect_type) else 'effect'} {_num(r.effect)}{ci}")
    if _present(r.p_text):
        parts.append(f"p {r.p_text}")
    elif _present(r.p_value):
        parts.append(f"p {_num(r.p_value)}")
    arm = f"{r.arm_id}: " if _present(r.arm_id) else ""
    return arm + ", ".join(parts) if parts else ""


def _p_of(r: Any) -> float | None:
    if _present(r.p_value):
        return float(r.p_value)
    found = re.search(r"<\s*(0?\.\d+)", str(r.p_text)) if _present(r.p_text) else None
    return float(found.group(1)) / 2 if found else None


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
    meta = _study_meta(tables)
    rows = []
    for r in frame.itertuples():
        subtype, title = info.get(r.study_id, ("myositis", ""))
        label = vocab.SUBTYPE.label(subtype) if subtype in vocab.SUBTYPE else subtype
        text = _text(r.outcome, r.definition, r.note, title, label)
        counts = tuple(int(v) for v in (r.events, r.total) if _present(v))
        counts += by_study.get(r.study_id, ()) + by_arm.get(r.arm_id, ())
        where = _text(r.study_id, r.locator)
        label, design = meta.get(r.study_id, (r.study_id, ""))
        rows.append(EvidenceRow(
            r.result_id, "results", text, subtype, str(r.outcome_domain), where, _percent_of(r), counts,
            study=r.study_id, label=label, outcome=str(r.outcome), figure=_figure(r), kind=str(r.result_kind),
            design=design, tier=_text(r.source_tier), url=_text(r.source_url), p_value=_p_of(r)))
    return rows


def _ae_rows(tables: dict[str, pd.DataFrame], info: dict[str, tuple[str, str]]) -> list[EvidenceRow]:
    frame = tables.get("adverse_events")
    if frame is None:
        return []
    by_study, _ = _sizes(tables)
    meta = _study_meta(tables)
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
        label, design = meta.get(a.study_id, (a.study_id, ""))
        per = []
        if _present(a.patients) and _present(a.n_at_risk):
            per.append(f"{_num(a.patients)}/{_num(a.n_at_risk)} patients")
        if _present(a.events) and _present(a.infusions):
            per.append(f"{_num(a.events)}/{_num(a.infusions)} infusions")
        elif _present(a.events):
            per.append(f"{_num(a.events)} events")
        figure = (f"{a.arm_id}: " if _present(a.arm_id) else "") + ", ".join(per)
        rows.append(EvidenceRow(
            a.ae_id, "adverse_events", text, subtype, "safety", where, percent, counts, study=a.study_id, label=label,
            outcome=str(a.event), figure=figure, kind="adverse_event", design=design, tier=_text(a.source_tier),
            url=_text(a.source_url)))
    return rows


def _claim_rows(tables: dict[str, pd.DataFrame]) -> list[EvidenceRow]:
    frame = tables.get("claims")
    if frame is None:
        return []
    from ..data import split_ids

    rows = []
    for c in frame.itertuples():
        text, where = _text(c.claim, c.rationale), _text(c.doc_id, c.section)
        cites = tuple(split_ids(c.evidence))
        rows.append(EvidenceRow(c.claim_id, "claims", text, str(c.subtype), str(c.outcome_domain), where, cites=cites,
                                study=str(c.doc_id), outcome=str(c.claim), kind="claim", figure=_text(c.verdict),
                                label=_text(c.rationale)))
    return rows


def _fact(value: Any) -> str:
    return _num(value) if _present(value) and re.fullmatch(r"-?\d+(?:\.\d+)?", str(value)) else _text(value)


def _guidance_rows(tables: dict[str, pd.DataFrame], info: dict[str, tuple[str, str]]) -> list[EvidenceRow]:
    """Recommendations, approvals, product facts, epidemiology and infusion-reaction rates as searchable rows.

    These answer the treatment-position, regulatory, product, epidemiology and safety statements
    that no trial result states; each keeps its own source, tier and locator.
    """
    meta = _study_meta(tables)
    rows: list[EvidenceRow] = []
    frame = tables.get("recommendations")
    for r in () if frame is None else frame.itertuples():
        label = meta.get(r.study_id, (r.study_id, ""))[0]
        stance = str(r.stance).replace("_", " ")
        grade = f", grade {r.grade}" if _present(r.grade) else ""
        context = str(r.context).replace("_", " ") if _present(r.context) else ""
        text = _text(r.recommendation, r.population, context, "recommend guideline treatment option", stance)
        rows.append(EvidenceRow(
            r.rec_id, "recommendations", text, str(r.subtype), "treatment_position", _text(r.study_id, r.locator),
            study=str(r.study_id), label=label, outcome=str(r.recommendation), figure=f"{stance}{grade}",
            kind="recommendation", design="guideline", tier=_text(r.source_tier), url=_text(r.source_url)))
    frame = tables.get("approvals")
    for a in () if frame is None else frame.itertuples():
        text = _text(a.product, a.agent, a.regulator, a.indication, a.population, a.status, "approval approved indication label")
        rows.append(EvidenceRow(
            a.approval_id, "approvals", text, str(a.subtype) if _present(a.subtype) else "myositis", "regulatory",
            _text(a.bib_key, a.locator), study=str(a.bib_key), label=_text(a.product, a.regulator),
            outcome=_text(a.indication), figure=_text(a.status, a.approved_on), kind="approval", design="drug_label",
            tier=_text(a.source_tier), url=_text(a.source_url),
            approval=(_text(a.agent_class), _text(a.status), _text(a.population), _text(a.approved_on))))
    frame = tables.get("products")
    for f in () if frame is None else frame.itertuples():
        value = _text(f.value_text) or _text(_fact(f.value), f.unit)
        text = _text(f.product, f.manufacturer, str(f.fact).replace("_", " "), f.value_text, f.note, "product brand")
        rows.append(EvidenceRow(
            f.fact_id, "products", text, "any_indication", "product", _text(f.bib_key, f.locator), study=str(f.bib_key),
            label=str(f.product), outcome=str(f.fact).replace("_", " "), figure=value, kind="product_fact",
            tier=_text(f.source_tier), url=_text(f.source_url)))
    frame = tables.get("epidemiology")
    for e in () if frame is None else frame.itertuples():
        figure = _text(_fact(e.value), e.unit)
        text = _text(e.measure, e.definition, e.population, e.period, vocab.SUBTYPE.label(e.subtype)
                     if e.subtype in vocab.SUBTYPE else e.subtype)
        rows.append(EvidenceRow(
            e.epi_id, "epidemiology", text, str(e.subtype), "epidemiology", _text(e.bib_key, e.locator),
            study=str(e.bib_key), label=str(e.bib_key), outcome=_text(e.measure, e.population), figure=figure,
            kind="descriptive", tier=_text(e.source_tier), url=_text(e.source_url), rate=_per_million(e)))
    frame = tables.get("infusion_reactions")
    for x in () if frame is None else frame.itertuples():
        percent = float(x.percent_patients) if _present(x.percent_patients) else (
            float(x.percent_infusions) if _present(x.percent_infusions) else None)
        counts = tuple(int(v) for v in (x.patients_with, x.patients_total) if _present(v))
        per = [f"{_fact(x.percent_patients)}% of patients"] if _present(x.percent_patients) else []
        per += [f"{_fact(x.percent_infusions)}% of infusions"] if _present(x.percent_infusions) else []
        label = meta.get(x.study_id, (x.study_id, ""))[0]
        rows.append(EvidenceRow(
            x.rate_id, "infusion_reactions", _text(x.reaction, x.population, "infusion reaction adverse event safety"),
            "any_indication", "safety", _text(x.study_id, x.locator), percent, counts, study=str(x.study_id), label=label,
            outcome=str(x.reaction), figure=", ".join(per), kind="adverse_event", tier=_text(x.source_tier),
            url=_text(x.source_url)))
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
            later = _MAINTENANCE_DOSE_RE.search(f"{a.label} {_text(a.note)}")
            if later:
                out.append(Regimen(a.arm_id, info.get(a.study_id, ("myositis", ""))[0], _text(a.study_id, a.locator),
                                   float(later.group(1)), maintenance=True))
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
    from .. import data

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


def _study_names(tables: dict[str, pd.DataFrame], bib: Bibliography) -> dict[str, tuple[str, str, str]]:
    """study_id -> (first-author surname, year, journal) of its primary report: how pages name a study."""
    reports = tables.get("reports")
    if reports is None:
        return {}
    out: dict[str, tuple[str, str, str]] = {}
    for r in reports.itertuples():
        if r.study_id in out and str(r.role) != "primary" or str(r.bib_key) not in bib:
            continue
        ref = bib[str(r.bib_key)]
        surname = ref.first_author_surname.lower() if not ref.corporate_authors else ""
        journal = ref.get("journal").lower()
        out[str(r.study_id)] = (surname if re.fullmatch(r"[a-z\-']{4,}", surname) else "", ref.get("year"),
                                journal if len(journal.split()) >= 2 else "")
    return out


@lru_cache(maxsize=4)
def _cached_evidence(root: str, stamp: tuple) -> Evidence:
    tables, bib, problems = _read_tables(Path(root))
    info = _study_info(tables)
    rows = _result_rows(tables, info) + _ae_rows(tables, info) + _guidance_rows(tables, info) + _claim_rows(tables)
    names = _study_names(tables, bib)
    rows = [replace(r, names=names[r.study]) if r.table != "claims" and r.study in names else r for r in rows]
    evidence = Evidence(Path(root), rows, _regimens(tables, info), bib, tables.get("documents"), problems)
    evidence.index = BM25Index(rows) if rows else None
    evidence.findings = _findings(tables)
    results = tables.get("results")
    if results is not None and "timepoint_weeks" in results:
        weeks: dict[str, set[float]] = {}
        for r in results.itertuples():
            if _present(r.timepoint_weeks):
                weeks.setdefault(str(r.study_id), set()).add(float(r.timepoint_weeks))
        evidence.timepoints = {k: frozenset(v) for k, v in weeks.items()}
    studies = tables.get("studies")
    if studies is not None:
        evidence.enrolment = {str(r.study_id): (n, str(r.design), info.get(r.study_id, ("myositis", ""))[0])
                              for r in studies.itertuples() if (n := _enrolled(r))}
    return evidence


_POOLED_SIZE_RE = re.compile(r"\b(\d[\d,]*)\s+(?:adults|patients|participants|people|children)\b", re.I)


def _enrolled(study: Any) -> int:
    """Patients a study enrolled; for a review with no arms, the patients its population names ("308 adults")."""
    if _present(study.n_enrolled):
        return int(study.n_enrolled)
    if str(study.design) in ("systematic_review", "meta_analysis") and _present(study.population):
        sizes = [int(m.group(1).replace(",", "")) for m in _POOLED_SIZE_RE.finditer(str(study.population))]
        return max(sizes, default=0)
    return 0


def load_evidence(root: Path | None = None) -> Evidence:
    """The evidence to audit against, rebuilt only when a data file or references.bib changes."""
    from ..data import find_root

    resolved = find_root() if root is None else Path(root).resolve()
    if not (resolved / "data").is_dir():
        raise EvidenceError([Problem(file=str(resolved), message="no data/ folder here: give the project folder with --root")])
    return _cached_evidence(str(resolved), _stamp(resolved))


# ---------------------------------------------------------------------------- BM25

_MANAGEMENT_RE = re.compile(
    r"premedicat|pre-medicat|infusion rate|\brate cap|\bslow(?:ed|er|ing|ly)?\b|\b(?:rapid|fast) (?:infusion|rate)|hydrat"
    r"|\bfluids?\b|re-?exposure|rechalleng|recurrence|antihistamin|paracetamol|acetaminophen|caffeine", re.I)
_PREFIX_HYPHEN_RE = re.compile(r"\b(pre|re|co|non)-(?=[a-z])")
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
    # lay words for the clinical terms labels and trials use
    "tiredness": "fatigue", "tired": "fatigue", "aches": "myalgia", "ache": "myalgia", "hives": "urticaria",
    "dyspnoea": "dyspnea", "breathlessness": "dyspnea", "chill": "chills", "rigors": "chills", "rigor": "chills",
    "hypersensitivity": "allergic", "allergy": "allergic", "anaphylactic": "anaphylaxis",
    "nauseous": "nausea", "vomit": "vomiting", "infarction": "infarct", "haemolysis": "hemolysis", "hemolytic": "hemolysis",
    "haemolytic": "hemolysis", "meningeal": "meningitis", "teae": "adverse", "teaes": "adverse", "ae": "adverse",
    "aes": "adverse", "tylenol": "paracetamol", "benadryl": "antihistamine", "diphenhydramine": "antihistamine",
    "cetirizine": "antihistamine", "loratadine": "antihistamine", "respond": "response", "responded": "response", "responds": "response", "responder": "response",
    "responders": "response", "improve": "response", "improved": "response", "improves": "response",
    "improvement": "response", "improvements": "response", "hydration": "fluid", "hydrated": "fluid", "hydrate": "fluid",
}


def tokens(text: str) -> list[str]:
    """Lower-case word stems with synonyms folded together (CK = creatine kinase, clot = thrombo...)."""
    return list(_tokens(text))


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    out = []
    # "pre-medication" is "premedication", "re-exposure" is "reexposure"
    for word in re.findall(r"[a-z0-9]+", _PREFIX_HYPHEN_RE.sub(r"\1", text.lower())):
        if word in _STOPWORDS or len(word) < 2:
            continue
        word = _CANONICAL.get(word, word)
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return tuple(out)


class BM25Index:
    """rank_bm25's BM25Okapi with per-term score vectors cached, so a query costs a few numpy adds.

    The score is exactly BM25Okapi.get_scores; rank_bm25 recomputes each term over the
    whole corpus in Python for every query, which is too slow for a 10,000-word document.
    """

    def __init__(self, rows: list[EvidenceRow]):
        from rank_bm25 import BM25Okapi

        self.rows = rows
        self.row_tokens = [frozenset(tokens(r.text)) for r in rows]
        self.bm25 = BM25Okapi([tokens(r.text) or ["_"] for r in rows])
        self._lengths = np.array(self.bm25.doc_len, dtype=float)
        self._cache: dict[str, np.ndarray] = {}
        self.subtypes = np.array([r.subtype for r in rows])
        self.domains = np.array([r.domain for r in rows])
        self.is_claim = np.array([r.table == "claims" for r in rows], dtype=bool)
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


