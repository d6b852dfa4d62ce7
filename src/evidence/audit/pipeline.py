"""One audit: read, tag, match, check numbers, judge."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from .. import vocab
from .judge import (
    EFFICACY_DOMAINS,
    EFFICACY_RE,
    MAX_EVIDENCE,
    Judgement,
    about_other_treatment,
    all_harms,
    allowed_row,
    harms_named,
    introduces_study,
    judge,
    named_by_weeks_only,
    named_studies,
    names_study,
    own_hosts,
    qualifiers,
    relevant_rows,
    same_qualifiers,
)
from .match import Evidence, EvidenceRow, load_evidence, tokens
from .numbers import check_events, check_mean, extract_quantities, is_mean, number_check, row_ids_in
from .read import Document, read_document
from .refs import RefMatch, audit_references
from .tag import DOMAIN_PATTERNS, Candidate, candidates, listed_domains, mentioned_subtypes

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
    judgement: Judgement | None = None

    @property
    def suggested_evidence(self) -> str:
        return "; ".join(f"{key} ({score:.1f})" for key, score in self.suggestions)

    @property
    def verdict(self) -> str:
        return self.judgement.verdict if self.judgement else "not_assessable"

    def row(self) -> dict[str, str]:
        j = self.judgement or Judgement("not_assessable", "no evidence in the base")
        return {
            "statement_id": self.statement_id, "section": self.section, "sentence": self.sentence, "subtype": self.subtype,
            "outcome_domain": self.outcome_domain, "suggested_verdict": j.verdict, "verdict_reason": j.reason,
            "evidence": "; ".join(r.id for r in j.evidence), "evidence_content": "\n".join(r.content() for r in j.evidence),
            "flags": "; ".join(j.flags), "number_check": self.number_check, "number_detail": self.number_detail,
            "suggested_evidence": self.suggested_evidence, "verdict": "", "reviewer_note": "",
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
    empty_reason: str = ""  # why no statement was kept (another language, nothing about IVIG or myositis)

    def worksheet_rows(self) -> list[dict[str, str]]:
        """The worksheet's rows; an empty audit gets one row that says why it is empty."""
        if self.statements or not self.empty_reason:
            return [s.row() for s in self.statements]
        return [{"statement_id": f"{self.doc_id}_none", "suggested_verdict": "not_assessable",
                 "verdict_reason": self.empty_reason, "verdict": "", "reviewer_note": ""}]

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
            ("statements kept", f"{len(self.statements)} from {len({s.statement_id.rstrip('abcdefgh') for s in self.statements})} "
                                f"sentences (dropped: {dropped['service']} service/marketing, "
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


_NOT_LIKE = ("baseline", "distribution_category", "descriptive", "claim")


def with_siblings(rows: list[EvidenceRow], evidence: Evidence, domain: str, hosts: frozenset[str]) -> list[EvidenceRow]:
    """The rows plus the other arms of the same study and outcome: "68.1% versus 22.9%" needs both arms."""
    out, seen = list(rows), {r.id for r in rows}
    for r in rows:
        for other in evidence.by_study.get(r.study, []):
            if (other.id not in seen and other.domain == domain and other.outcome.lower() == r.outcome.lower()
                    and allowed_row(other, hosts)):
                out.append(other)
                seen.add(other.id)
    return out


def exact_rows(sentence: str, studies: set[str], domain: str, evidence: Evidence,
               hosts: frozenset[str]) -> list[EvidenceRow]:
    """Rows of these studies that state the sentence's exact fraction ("5 of the 95") or its percentage to
    the decimal ("65.3%"): a figure that disagrees with the closest rows may be another row's exactly."""
    wanted = [q for q in extract_quantities(sentence) if q.kind == "percent"]
    if not wanted:
        return []
    fractions = [tuple(int(x) for x in re.findall(r"\d+", q.text)[:2]) for q in wanted if " of " in q.text]
    decimals = [q.low for q in wanted if " of " not in q.text and q.low != int(q.low)]
    pool = [r for st in sorted(studies) for r in evidence.by_study.get(st, [])
            if r.domain == domain and r.kind not in _NOT_LIKE and allowed_row(r, hosts)]
    hits = [r for r in same_qualifiers(sentence, pool)
            if any(len(f) == 2 and f[0] in r.counts and f[1] in r.counts for f in fractions)
            or (r.percent is not None and any(abs(r.percent - d) < 0.05 for d in decimals))]
    return hits if len(hits) >= len(wanted) or (hits and len(wanted) == 1) else []


def plain_counterparts(sentence: str, rows: list[EvidenceRow], evidence: Evidence | None,
                       hosts: frozenset[str] = frozenset()) -> list[EvidenceRow]:
    """Rows narrowed by a qualifier the sentence lacks give way to their study's plain outcome, in place:
    "65.3% had adverse events" is held against "Any TEAE", not "TEAE related to study drug"."""
    said = qualifiers(sentence)
    out: list[EvidenceRow] = []
    for r in rows:
        if qualifiers(f"{r.outcome} {r.figure}") <= said or evidence is None:
            out.append(r)
            continue
        core = set(tokens(_QUALIFIER_WORDS_RE.sub(" ", r.outcome))) - _ROW_GENERIC
        plain = [o for o in evidence.by_study.get(r.study, []) if o.domain == r.domain and allowed_row(o, hosts)
                 and qualifiers(f"{o.outcome} {o.figure}") <= said and core and core & set(tokens(o.outcome))]
        out.extend(o for o in plain if o not in out)
    if rows and out and out[0] is not rows[0] and out[0].study != rows[0].study:
        # The best row was narrower than the sentence and its study has no plain row: what is left
        # counts only on that outcome, not another one ("risk factor: age over 65" for "had adverse events").
        core = set(tokens(_QUALIFIER_WORDS_RE.sub(" ", rows[0].outcome))) - _ROW_GENERIC
        out = [r for r in out if core & set(tokens(r.outcome))]
    return out


_TWO_ARMS_RE = re.compile(r"\bversus\b|\bvs\.?|\bplacebo\b|\bcontrols?\b|\bcompared\b|\bthan\b|\bboth (?:arms|groups)\b", re.I)
_CONTROL_ROW_RE = re.compile(r"[^:]*(?:placebo|control)[^:]*:", re.I)
def _fmt_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_POPULATION_GENERIC = frozenset(tokens(
    "ivig immunoglobulin intravenous patients patient adults adult people participants given treated received study "
    "trial group arm placebo"))
_QUALIFIER_WORDS_RE = re.compile(r"\b(?:related|serious|severe|possibly|probably|to study drug|drug)\b", re.I)
_ROW_GENERIC = frozenset(tokens("overall all ivig exposure study patients first period"))


def like_rows(sentence: str, rows: list[EvidenceRow], focus: frozenset[str] = frozenset()) -> list[EvidenceRow]:
    """The rows a figure is held against: the study the sentence names, else the best row's study and
    other studies' rows of the same outcome (half its outcome words shared).

    A headline rate is never compared with another outcome's or a subgroup's figure.
    """
    rows = same_qualifiers(sentence, rows)
    if not _TWO_ARMS_RE.search(sentence):
        # "65.3% of participants": the treated, not the placebo arm
        rows = [r for r in rows if not _CONTROL_ROW_RE.match(r.figure)] or rows
    named = [r for r in rows if names_study(sentence, r) or r.study in focus]
    if named:
        own = [r for r in rows if r.study == named[0].study]
        figures = {_fmt_number(q.low) for q in extract_quantities(sentence)} | {_fmt_number(q.high) for q in extract_quantities(sentence)}
        # words on what was measured, and when ("week 16"), but not the stated figures themselves
        said = {w for w in tokens(sentence) if w not in figures} - _POPULATION_GENERIC

        def shared(r: EvidenceRow) -> int:  # words on what was measured: the study's own name does not count
            return len((said - set(tokens(f"{r.label} {r.study}"))) & set(tokens(f"{r.outcome} {r.text}")))

        best = max(own, key=shared)  # first of the best, in row order
        if not shared(best):
            return []  # the named study reports nothing on what the sentence gives a figure for
        own = [best] + [r for r in own if r is not best]
        head = set(tokens(best.outcome))
        # of the named study, the best row's outcome and its like ("Any TEAE", not "Thromboembolic events")
        like = [r for r in own if len(head & set(tokens(r.outcome))) * 2 >= max(len(head), 1)]
        return like or own
    if not rows:
        return []
    head = set(tokens(rows[0].outcome))
    return [r for r in rows if r.study == rows[0].study or len(head & set(tokens(r.outcome))) * 2 >= max(len(head), 1)]


def _trusted(status: str, detail: str, sentence: str, comparable: list[EvidenceRow],
             focus: frozenset[str] = frozenset()) -> tuple[str, str]:
    """A figure disagrees with the base only against like rows: the study the sentence names, or the
    same outcome in two or more studies. Otherwise nothing is compared (regimens are always compared).
    """
    if (status != "mismatch" or "regimens give" in detail or "per million" in detail
            or any(names_study(sentence, r) or r.study in focus for r in comparable)):
        return status, detail
    # A percentage may be held against the same outcome in two or more studies; a count only against its own study.
    if "linked rows give" not in detail and len({r.study for r in comparable if r.percent is not None}) >= 2:
        return status, detail
    return "nothing to compare", f"not compared: no row of the same study and outcome ({detail})"


def _statements(doc_id: str, kept: list[Candidate], evidence: Evidence, hosts: frozenset[str],
                title: str = "") -> list[Statement]:
    out = []
    # (section, studies its sentences named, whether the last study named is one the base does not hold)
    carried: tuple[str, frozenset[str], bool] = ("", frozenset(), False)
    page_study = _page_study(title, kept, evidence)
    # A page reporting a study the base does not hold (an abstract, a news item): its figures are that study's.
    page_unheld = (not page_study and not any(named_studies(c.sentence, evidence) for c in kept)
                   and (bool(_STUDY_TITLE_RE.search(title)) and not named_studies(title, evidence)
                        or any(introduces_study(c.sentence) for c in kept[:12])))
    for n, c in enumerate(kept, start=1):
        focus = named_studies(c.sentence, evidence)
        if focus and named_by_weeks_only(c.sentence, evidence):
            before = carried[1] if carried[0] == c.section else frozenset()
            page = frozenset({page_study[0]}) if page_study else frozenset()
            focus = before or page or focus
        unheld = not focus and introduces_study(c.sentence)
        if not focus and not unheld and carried[0] == c.section and (c.context or _POINTS_BACK_RE.search(c.sentence)):
            focus, unheld = carried[1], carried[2]
        if focus or unheld:
            carried = (c.section, focus, unheld)
            c = _with_study_subtype(c, focus, evidence)
        if not focus and not unheld and page_unheld and extract_quantities(c.sentence) and not _GENERAL_RE.search(c.sentence):
            unheld = True  # (not carried: the page, not this sentence, introduced the study)
        if not focus and not unheld and page_study and extract_quantities(c.sentence) and not _GENERAL_RE.search(c.sentence):
            # A page about one trial ("ProDERM shows benefit..."): its figures are that trial's.
            study_subtype = page_study[1]
            if c.subtype in (study_subtype, "myositis"):
                focus = frozenset({page_study[0]})
            c = _with_study_subtype(c, focus, evidence)
        if (c.subtype == "ibm" and c.outcome_domain == "composite" and not _COMPOSITE_WORDS_RE.search(c.sentence)
                and EFFICACY_RE.search(c.sentence)):
            # IBM's trials measured strength: a benefit named no further is judged on strength
            c = replace(c, outcome_domain="strength")
        parts = [(replace(c, subtype=st), domain) for st in _listed_subtypes(c)
                 for domain in listed_domains(c.sentence, c.outcome_domain)]
        for k, (part, domain) in enumerate(parts):
            statement_id = f"{doc_id}_s{n:03d}" + ("" if k == 0 else _suffix(k))
            out.append(_statement(statement_id, part, domain, doc_id, evidence, hosts, focus, unheld))
    return out


def _suffix(k: int) -> str:
    """a, b, ... z, then aa, ab...: one letter per extra statement of a sentence."""
    return chr(ord("a") + k - 1) if k <= 26 else "a" + chr(ord("a") + k - 27)


_ADULT_DM_RE = re.compile(r"(?<!juvenile )\bdermatomyositis\b|\bDM\b", re.I)
_EXAMPLES_RE = re.compile(r"\b(?:such as|including|like|e\.g\.|for example|namely)\b", re.I)


def _listed_subtypes(c: Candidate) -> list[str]:
    """"IVIG can treat myopathies such as DM, PM and juvenile DM": one statement per subtype listed, since each
    has its own evidence; otherwise the sentence's own subtype."""
    found = mentioned_subtypes(c.sentence)
    if "jdm" in found and _ADULT_DM_RE.search(c.sentence):
        found = ["dm"] + found  # "dermatomyositis, polymyositis and juvenile dermatomyositis": adult DM too
    if (len(found) >= 2 and _EXAMPLES_RE.search(c.sentence)
            and (c.outcome_domain in EFFICACY_DOMAINS or c.outcome_domain == "treatment_position")):
        return list(dict.fromkeys(found))
    return [c.subtype]


_STUDY_TITLE_RE = re.compile(
    r"\b(?:experience|cohort|retrospective|prospective|case series|a (?:\w+ )?study|single[- ]cent(?:re|er)|tertiary)\b", re.I)
_GENERAL_RE = re.compile(r"\b(?:studies|trials|reviews?|meta-analys\w*|in general|generally|usually|most patients)\b", re.I)


_COMPOSITE_WORDS_RE = dict(DOMAIN_PATTERNS)["composite"]


def _listed_harm_rows(sentence: str, domain: str, evidence: Evidence, hosts: frozenset[str]) -> list[EvidenceRow]:
    """For "headache (42%), pyrexia (19%) and nausea (16%)": one row per figure, each on a harm the sentence
    names and agreeing with it; [] unless every figure finds one. Each figure is held against its own harm."""
    percents = [q for q in extract_quantities(sentence) if q.kind == "percent"]
    harms = all_harms(sentence)
    if domain != "safety" or len(percents) < 2 or len(harms) < 2:
        return []
    pool = [r for r in evidence.safety_rate_rows if harms & set(tokens(r.outcome)) and allowed_row(r, hosts)]
    picked: list[EvidenceRow] = []
    start = 0
    for q in percents:
        at = sentence.find(q.text, start)
        if at < 0:
            return []
        own = all_harms(sentence[start:at])  # the harm named between the previous figure and this one
        start = at + len(q.text)
        hit = next((r for r in pool if own & set(tokens(r.outcome)) and abs(r.percent - q.low) <= 1.0
                    and r not in picked), None)
        if hit is None:
            return []
        picked.append(hit)
    return picked


def _page_study(title: str, kept: list[Candidate], evidence: Evidence) -> tuple[str, str] | None:
    """(study, subtype) when the page is about one study of the base: its title names it, or it is the only
    study its sentences name, at least three times."""
    named = named_studies(title, evidence)
    if len(named) != 1:
        counts = Counter(st for c in kept for st in named_studies(c.sentence, evidence))
        named = frozenset(counts) if len(counts) == 1 and next(iter(counts.values())) >= 2 else frozenset()
    if len(named) != 1:
        return None
    study = next(iter(named))
    rows = evidence.by_study.get(study)
    return (study, rows[0].subtype) if rows else None


def _with_study_subtype(c: Candidate, focus: frozenset[str], evidence: Evidence) -> Candidate:
    """"In the ProDERM trial, 37 of 95 improved": a sentence about a named study that names no subtype is
    about that study's patients, not myositis in general."""
    if c.subtype != "myositis" or mentioned_subtypes(c.sentence):
        return c
    subtypes = {rows[0].subtype for st in focus if (rows := evidence.by_study.get(st))}
    if len(subtypes) == 1 and next(iter(subtypes)) not in ("myositis", "any_indication"):
        return replace(c, subtype=next(iter(subtypes)))
    return c


# "In that trial", "the 42 patients", "the authors": the sentence speaks of a study named before it.
_POINTS_BACK_RE = re.compile(
    r"\b(?:that|this|the same) (?:[\w-]+ ){0,2}?(?:trial|study|review|series|cohort|analysis)\b|\bthe (?:authors|researchers|investigators)\b"
    r"|\b(?:in|from|during) the (?:trial|study)\b"
    r"|\bthe \d+ (?:patients|participants|children|adults|people)\b|\b(?:these|those) patients\b", re.I)


def _nearby_rows(rows: list[EvidenceRow], linked: list[tuple[EvidenceRow, float]], evidence: Evidence,
                 hosts: frozenset[str], focus: frozenset[str] = frozenset()) -> list[EvidenceRow]:
    """The statement's rows, the index's matches and the named studies' rows, with every sibling of their
    studies: where a figure printed in one row of a study ("mean 1125", "282 events") is looked for."""
    near = rows + [r for r, _ in linked] + [r for st in sorted(focus) for r in evidence.by_study.get(st, [])]
    near += [r for st in dict.fromkeys(r.study for r in near) for r in evidence.by_study.get(st, [])]
    return [r for r in dict.fromkeys(near) if allowed_row(r, hosts)]


def _statement(statement_id: str, c: Candidate, domain: str, doc_id: str, evidence: Evidence,
               hosts: frozenset[str], focus: frozenset[str] = frozenset(), unheld: bool = False) -> Statement:
    """One claim of a sentence, about one outcome domain, matched, number-checked and judged."""
    # A sentence that refers back ("They start slowly") is looked up with the sentence it refers to.
    query = f"{c.context} {c.sentence}" if c.context else c.sentence
    linked = evidence.index.top(query, c.subtype, domain) if evidence.index else []
    linked = [(r, score) for r, score in linked if not (r.table == "claims" and r.study == doc_id)]
    rows = relevant_rows(query, c.subtype, domain, evidence, doc_id, hosts, focus, said=c.sentence)
    # Like with like: figures are held only against rows of the same outcome that report an arm or pool.
    if domain == "safety" and extract_quantities(c.sentence):
        # A harm's rate is held against every study's rate of that harm, not only the closest rows.
        harms = harms_named(c.sentence)
        harm_rows = [r for r in evidence.safety_rate_rows if harms and r not in rows
                     and harms & set(tokens(r.outcome)) and allowed_row(r, hosts)]
    else:
        harm_rows = []
    candidates_ = with_siblings(plain_counterparts(c.sentence, [r for r in rows + harm_rows
                                                                if (r.domain == domain or (domain == "epidemiology" and r.study in focus))
                                                                and r.kind not in _NOT_LIKE], evidence, hosts),
                                evidence, domain, hosts)
    candidates_ = list(dict.fromkeys(candidates_))
    if any(q.kind == "infusion_rate" for q in extract_quantities(c.sentence)):
        # a label's stated rates are descriptive rows, and the only rows that state a rate
        rated = [r for r in evidence.infusion_rate_rows if allowed_row(r, hosts)
                 and (r.subtype == c.subtype or c.subtype == "myositis" or r.subtype in ("myositis", "any_indication"))]
        candidates_ += [r for r in rows + rated if (r.domain == "dosing" or r in rated) and r not in candidates_]
    if focus and domain in ("regulatory", "treatment_position") and any(
            q.kind in ("percent", "count") for q in extract_quantities(c.sentence)):
        # "the approval rested on ProDERM, where 79% responded": the figures are the named trial's results
        results = [r for st in sorted(focus) for r in evidence.by_study.get(st, [])
                   if r.domain in EFFICACY_DOMAINS and r.kind not in _NOT_LIKE and allowed_row(r, hosts)]
        candidates_ += [r for r in results if r not in candidates_]
        rows = rows + [r for r in like_rows(c.sentence, results, focus) if r not in rows]
    comparable = like_rows(c.sentence, candidates_, focus)
    if domain == "epidemiology" and focus:
        if any(q.kind == "percent" for q in extract_quantities(c.sentence)):
            # "75% were women": only a row on that characteristic of the named study is like it
            said = set(tokens(c.sentence)) - _POPULATION_GENERIC
            comparable = [r for r in candidates_ if r.study in focus and said & set(tokens(r.outcome))]
        else:
            comparable = [r for r in candidates_ if r.study in focus]  # "enrolled 95": any of its rows gives its size
    if any(q.kind == "infusion_rate" for q in extract_quantities(c.sentence)):
        comparable = comparable + [r for r in candidates_ if "/kg/" in r.figure and r not in comparable]
    if focus:
        # "a review of 14 studies with 308 adults": the named study's size, whatever outcome its row is filed under
        sizes = {int(q.low) for q in extract_quantities(c.sentence) if q.kind == "count"}
        sizes &= {evidence.enrolment[st][0] for st in focus if st in evidence.enrolment}
        comparable = comparable + [r for st in sorted(focus) for r in evidence.by_study.get(st, [])
                                   if sizes & set(r.counts) and r not in comparable and allowed_row(r, hosts)][:1]
    if focus and any(q.kind == "improvers" for q in extract_quantities(c.sentence)):
        # "a trial of 15 patients in which 12 improved": the named study's improvement rows, whatever outcome
        comparable = comparable + [r for st in sorted(focus) for r in evidence.by_study.get(st, [])
                                   if r not in comparable and allowed_row(r, hosts) and r.kind not in _NOT_LIKE]
    counted = [q for q in extract_quantities(c.sentence) if q.kind == "events"]
    if counted and domain == "safety":
        # "282 treatment-related adverse events": the harm rows of the page's or named study that give that count
        pool = [r for r in _nearby_rows(rows, linked, evidence, hosts, focus) if r.table == "adverse_events"]
        for q in counted:
            check = check_events(q, pool)
            if check.status == "match":
                comparable = comparable + [r for r in pool if r not in comparable and r.id in row_ids_in(check.detail)]
    means = [q for q in extract_quantities(c.sentence) if is_mean(q) or q.kind == "change"]
    if means:
        # "a mean of 1.82 (SD 1.38) cycles": a mean to two decimals names its row, whatever the outcome is filed under
        pool = _nearby_rows(rows, linked, evidence, hosts)
        for q in means:
            check = check_mean(q, pool)
            if check:
                comparable = comparable + [r for r in pool if r not in comparable
                                           and r.id in row_ids_in(check.detail)]
    listed = _listed_harm_rows(c.sentence, domain, evidence, hosts)
    if listed:
        comparable = listed
    named = frozenset(r.id for r in comparable if names_study(c.sentence, r) or r.study in focus)
    if about_other_treatment(c.sentence, c.context) and not focus:
        # "prednisolone 1 mg/kg a day": another drug's dose is no IVIG figure
        status, detail = "nothing to compare", "not compared: the figures are about another treatment"
    else:
        status, detail = number_check(c.sentence, c.subtype, comparable, evidence.regimens, evidence.rate_rows, named)
    if status == "partial" and comparable and len({r.study for r in comparable}) == 1:
        # Agreement with the best-matching row's outcome is agreement: the same study's other outcomes
        # ("38% in a subgroup") are not like rows for it.
        same = [r for r in comparable if r.outcome.lower() == comparable[0].outcome.lower()]
        again = number_check(c.sentence, c.subtype, same, evidence.regimens, evidence.rate_rows)
        if same != comparable and again[0] == "match":
            comparable, (status, detail) = same, again
    if status in ("mismatch", "partial"):
        exact = exact_rows(c.sentence, {r.study for r in comparable}, domain, evidence, hosts)
        if exact:
            status, detail = number_check(c.sentence, c.subtype, exact, evidence.regimens, evidence.rate_rows)
            rows = exact + [r for r in rows if r not in exact]
            comparable = exact
    status, detail = _trusted(status, detail, c.sentence, comparable, focus)
    if status in ("match", "partial", "mismatch") and comparable:
        # the rows a figure was held against are the evidence the verdict rests on, the agreeing ones first
        named_after = set(re.findall(r"(?:as in |, )(\w+)", detail))
        agreeing = [r for r in comparable if r.id in named_after]
        held = agreeing + [r for r in comparable if r not in agreeing]
        rows = (held + [r for r in rows if r not in held])[:MAX_EVIDENCE]
    judgement = judge(c.sentence, c.subtype, domain, rows, status, detail, evidence, doc_id, hosts, c.context, focus,
                      unheld)
    suggestions = [(r.id, score) for r, score in linked]
    return Statement(statement_id, c.section, c.sentence, c.subtype, domain, suggestions, status, detail, judgement)


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
    title = _title(doc, sections, doc_id, evidence)
    hosts = own_hosts(evidence, doc_id, doc.url)
    reason = empty_reason(doc)
    if reason:
        kept = []
    return AuditResult(Path(path), doc_id, title, default, _statements(doc_id, kept, evidence, hosts, title),
                       [c for c in found if c.status != "kept"], references, len(evidence.problems), reason)


def _title(doc: Document, sections: list, doc_id: str, evidence: Evidence) -> str:
    """The registered title, else the file's own, else the first heading that names the topic
    (a page may open with an image caption such as "IV drip")."""
    docs = evidence.documents
    if docs is not None and "title" in docs:
        hit = docs[docs["doc_id"] == doc_id]
        if len(hit) and isinstance(hit.iloc[0]["title"], str):
            return str(hit.iloc[0]["title"])
    headings = [s.title for s in sections if s.title]
    return doc.title or next((h for h in headings if _TOPIC_RE.search(h)), headings[0] if headings else doc.name)


_ENGLISH = frozenset("the and of to in is are for with that this it be or on as by can may not from".split())
_TOPIC_RE = re.compile(
    r"\bIVI?G\b|immun[eo]\s*globulin|myosit|myopath|dermatomyos|polymyos|inclusion[\s-]+body|\bIBM\b|\bIMNM\b|\bJDM\b",
    re.I)


def empty_reason(doc: Document) -> str:
    """Why a document has nothing to audit, or "" when it has: not English, or nothing on IVIG or myositis."""
    text = " ".join(b.text for b in doc.blocks)
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) >= 20 and sum(w in _ENGLISH for w in words) / len(words) < 0.05:
        return ("the document does not read as English (under 5% common English words); "
                "the audit reads English pages only, so no statement was kept")
    if not _TOPIC_RE.search(f"{doc.title} {text}"):
        return "the document makes no statement about IVIG or myositis, so there is nothing to hold against the evidence"
    return ""


