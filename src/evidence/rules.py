"""Cross-column rules of the evidence base, as a table of named rules.

Types, enumerations, ranges and keys come from data/datapackage.json (the one descriptor
Frictionless reads too); what a descriptor cannot say lives here: one `Rule` per check, each
with a name, the table and field it reports on, and a function of one row (a dict) and a
shared context of lookups built once per validation. Every rule has its own test in
tests/test_rules.py, and every problem names file, row and field.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .vocab import GUIDANCE_DESIGNS

Row = dict[str, Any]

# Arms whose intervention is immunoglobulin; a comparator arm must be something else.
IG_INTERVENTIONS = ("ivig", "ivig_plus_prednisone", "scig")

# Reader-facing text says what a source shows and where, never how a figure was found.
WORKING_NOTE = re.compile(
    r"\b(this session|previous session|the session|assignment brief|task brief|the brief|helper|search tool|look-?ups?|looked up"
    r"|lookup ids?|not reached|could not be reached|page read|pages read|we read|i read|was read on|read on a copy"
    r"|stored corpus|the corpus|in the corpus|find_string|read_file)\b",
    re.I,
)
# Columns that name things rather than describe them are not searched for working notes.
_URL = re.compile(r"https?://\S+")
_NOT_PROSE = ("_id", "bib_key", "url", "evidence", "locator", "source_tier")


_IP_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?(?:[0-9]|\[)", re.I)


def is_bare_ip_url(url: str) -> bool:
    if not _IP_HOST.match(url):  # cheap test first: a host that starts with a digit or '['
        return False
    try:
        ipaddress.ip_address(urlsplit(url).hostname or "")
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Rule:
    name: str
    table: str
    field: str
    says: str
    check: Callable[[Row, dict[str, Any]], str | None]


def _has(v: Any) -> bool:
    return v is not None and v != ""


def _events_le_total(r: Row, _: dict) -> str | None:
    if _has(r["events"]) and _has(r["total"]) and r["events"] > r["total"]:
        return f"events ({r['events']}) exceed total ({r['total']})"
    return None


def _arm_of_study(col: str) -> Callable[[Row, dict], str | None]:
    def check(r: Row, ctx: dict) -> str | None:
        arm = r.get(col)
        owner = ctx["arm_study"].get(arm)
        if _has(arm) and owner is not None and owner != r["study_id"]:
            return f"arm '{arm}' belongs to study '{owner}', not '{r['study_id']}'"
        return None
    return check


def _percent_matches_counts(r: Row, _: dict) -> str | None:
    if _has(r["events"]) and _has(r["total"]) and _has(r["percent"]) and r["total"] > 0:
        computed = 100 * r["events"] / r["total"]
        if abs(computed - r["percent"]) > 1.0:
            return f"percent {r['percent']} disagrees with events/total = {computed:.1f}%"
    return None


def _percent_in_its_column(r: Row, _: dict) -> str | None:
    if r["measure"] == "percent" and not _has(r["percent"]):
        return "a percent row keeps its value in 'percent' (not in 'mean')"
    return None


def _effect_needs_value(r: Row, _: dict) -> str | None:
    if r["measure"] == "effect" and not (_has(r["effect"]) or _has(r["p_value"]) or _has(r["p_text"])):
        return "an effect row needs an effect or a p value"
    return None


def _effect_needs_type(r: Row, _: dict) -> str | None:
    if r["measure"] == "effect" and _has(r["effect"]) and not _has(r["effect_type"]):
        return "effect given without effect_type"
    return None


def _count_needs_events(r: Row, _: dict) -> str | None:
    if r["measure"] == "count" and not _has(r["events"]):
        return "a count row needs events"
    return None


def _ci_ordered(r: Row, _: dict) -> str | None:
    if _has(r["ci_low"]) and _has(r["ci_high"]) and r["ci_low"] > r["ci_high"]:
        return f"ci_low ({r['ci_low']}) is above ci_high ({r['ci_high']})"
    return None


def _effect_in_ci(r: Row, _: dict) -> str | None:
    lo, est, hi = r["ci_low"], r["effect"], r["ci_high"]
    if _has(lo) and _has(hi) and _has(est) and lo <= hi and not (lo <= est <= hi):
        return f"effect {est} lies outside its interval [{lo}, {hi}]"
    return None


def _contrast_has_comparator(r: Row, _: dict) -> str | None:
    if r.get("result_kind") == "between_arm" and r["measure"] != "effect" and not _has(r["comparator_arm_id"]):
        return "a between-arm row needs comparator_arm_id (or measure 'effect')"
    return None


def _arms_add_up(r: Row, ctx: dict) -> str | None:
    total = ctx["arm_sizes"].get(r["study_id"])
    if _has(r["n_enrolled"]) and total is not None and total != r["n_enrolled"] and not _has(r["arm_sum_note"]):
        return f"arms add up to {total} but n_enrolled is {r['n_enrolled']}; fix one or say why in arm_sum_note"
    return None


def _role_fits_intervention(r: Row, _: dict) -> str | None:
    if r.get("arm_role") == "comparator" and r["intervention"] in IG_INTERVENTIONS:
        return f"a comparator arm cannot be '{r['intervention']}'; use arm_role ivig"
    if r.get("arm_role") == "ivig" and r["intervention"] not in IG_INTERVENTIONS:
        return f"an ivig arm cannot be '{r['intervention']}'; use arm_role comparator"
    return None


def _patients_le_at_risk(r: Row, _: dict) -> str | None:
    if _has(r["patients"]) and _has(r["n_at_risk"]) and r["patients"] > r["n_at_risk"]:
        return f"patients ({r['patients']}) exceed n_at_risk ({r['n_at_risk']})"
    return None


def _events_le_infusions(r: Row, _: dict) -> str | None:
    if _has(r["events"]) and _has(r["infusions"]) and r["events"] > r["infusions"] and not _has(r["note"]):
        return f"events ({r['events']}) exceed infusions ({r['infusions']}) without a note"
    return None


def _patients_or_events(r: Row, _: dict) -> str | None:
    if not _has(r["patients"]) and not _has(r["events"]):
        return "give patients or events"
    return None


def split_ids(value: Any) -> list[str]:
    """Evidence ids of a claim, in order ('a; b;c' -> ['a', 'b', 'c'])."""
    if not _has(value):
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


# The rows a claim may cite as its evidence, by table and id column (studies are citable as a whole).
CITABLE_ROWS = {"results": "result_id", "adverse_events": "ae_id", "recommendations": "rec_id", "approvals": "approval_id",
                "products": "fact_id", "epidemiology": "epi_id", "infusion_reactions": "rate_id"}


def _evidence_exists(r: Row, ctx: dict) -> str | None:
    missing = [e for e in split_ids(r["evidence"]) if e not in ctx["citable_ids"]]
    if missing:
        return (f"evidence id '{missing[0]}' is not a study id or a row id of {', '.join(CITABLE_ROWS)}"
                + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    return None


def _rating_rows_exist(r: Row, ctx: dict) -> str | None:
    missing = [e for e in split_ids(r.get("result_ids")) if e not in ctx["evidence_ids"]]
    if missing:
        return f"'{missing[0]}' is not a result or adverse-event id"
    return None


def _rating_studies_exist(r: Row, ctx: dict) -> str | None:
    missing = [e for e in split_ids(r.get("studies")) if e not in ctx["design"]]
    if missing:
        return f"'{missing[0]}' is not a study id"
    return None


def _verdict_cites_evidence(r: Row, _: dict) -> str | None:
    if r["verdict"] != "not_assessable" and not split_ids(r["evidence"]):
        return f"verdict '{r['verdict']}' cites no evidence row"
    return None


def _certainty_for_efficacy(r: Row, _: dict) -> str | None:
    if r["claim_type"] in ("efficacy", "safety") and r["verdict"] != "not_assessable" and not _has(r["certainty"]):
        return "an efficacy or safety verdict needs a GRADE certainty"
    return None


_GRADE_ORDER = {"very_low": 0, "low": 1, "moderate": 2, "high": 3}


def _certainty_within_rating(r: Row, ctx: dict) -> str | None:
    rated = ctx["ratings"].get((r["subtype"], r["outcome_domain"]))
    if not (_has(r["certainty"]) and rated):
        return None
    if _GRADE_ORDER.get(r["certainty"], 0) > max(_GRADE_ORDER.get(c, 0) for c in rated):
        return (f"certainty '{r['certainty']}' is above the rating of {r['subtype']} {r['outcome_domain']} "
                f"in certainty.csv ({', '.join(sorted(rated))})")
    return None


def _guidance_design(r: Row, ctx: dict) -> str | None:
    kind = ctx["design"].get(r["study_id"])
    if kind is not None and kind not in GUIDANCE_DESIGNS:
        return f"study '{r['study_id']}' is a {kind}, not one of: {', '.join(GUIDANCE_DESIGNS)}"
    return None


def _paper_of_study(r: Row, ctx: dict) -> str | None:
    if r["study_id"] in ctx["design"] and (r["study_id"], r["bib_key"]) not in ctx["papers"]:
        return f"bib key '{r['bib_key']}' is not a report of study '{r['study_id']}' in data/reports.csv"
    return None


def _primary_not_on_bare_ip(r: Row, _: dict) -> str | None:
    if r.get("source_tier") == "primary" and _has(r.get("source_url")) and is_bare_ip_url(str(r["source_url"])):
        return "a page on a bare IP address is a copy, not the primary record: use source_tier 'mirror'"
    return None


RULES: list[Rule] = [
    Rule("events_within_total", "results", "events", "events never exceed the total", _events_le_total),
    Rule("arm_in_study", "results", "arm_id", "a result's arm belongs to its study", _arm_of_study("arm_id")),
    Rule("comparator_in_study", "results", "comparator_arm_id", "a result's comparator arm belongs to its study", _arm_of_study("comparator_arm_id")),
    Rule("percent_matches_counts", "results", "percent", "a printed percent agrees with events/total within 1 point", _percent_matches_counts),
    Rule("percent_in_its_column", "results", "percent", "a percentage is stored in 'percent' only", _percent_in_its_column),
    Rule("effect_has_value", "results", "effect", "an effect row gives an effect or a p value", _effect_needs_value),
    Rule("effect_has_type", "results", "effect_type", "an effect says what kind it is", _effect_needs_type),
    Rule("count_has_events", "results", "events", "a count row gives its events", _count_needs_events),
    Rule("ci_ordered", "results", "ci_low", "a confidence interval's lower bound is not above its upper", _ci_ordered),
    Rule("effect_within_ci", "results", "effect", "an effect lies inside its interval", _effect_in_ci),
    Rule("contrast_has_comparator", "results", "comparator_arm_id", "a between-arm count or mean names its comparator arm", _contrast_has_comparator),
    Rule("arms_add_up", "studies", "n_enrolled", "arm sizes add up to enrolment unless a reason is given", _arms_add_up),
    Rule("role_fits_intervention", "arms", "arm_role", "ivig arms give immunoglobulin, comparator arms do not", _role_fits_intervention),
    Rule("patients_within_at_risk", "adverse_events", "patients", "patients with an event never exceed those at risk", _patients_le_at_risk),
    Rule("events_within_infusions", "adverse_events", "events", "episodes exceed infusions only with a note saying why", _events_le_infusions),
    Rule("ae_has_counts", "adverse_events", "patients", "an adverse-event row gives patients or events", _patients_or_events),
    Rule("ae_arm_in_study", "adverse_events", "arm_id", "an adverse event's arm belongs to its study", _arm_of_study("arm_id")),
    Rule("evidence_exists", "claims", "evidence", "every evidence id of a claim is a study or a citable row", _evidence_exists),
    Rule("verdict_cites_evidence", "claims", "evidence", "a verdict other than not_assessable cites evidence", _verdict_cites_evidence),
    Rule("certainty_for_efficacy", "claims", "certainty", "an efficacy or safety verdict carries a GRADE certainty", _certainty_for_efficacy),
    Rule("certainty_within_rating", "claims", "certainty",
         "a claim's certainty is never above the certainty.csv rating of its subtype and outcome (a narrower, weaker "
         "body of evidence may rate lower)", _certainty_within_rating),
    Rule("rating_rows_exist", "certainty", "result_ids", "a certainty rating rests on result or adverse-event rows that exist", _rating_rows_exist),
    Rule("rating_studies_exist", "certainty", "studies", "a certainty rating names studies that exist", _rating_studies_exist),
    Rule("recommendation_from_guidance", "recommendations", "study_id", "a recommendation comes from a guideline, consensus or review", _guidance_design),
    Rule("recommendation_cites_its_paper", "recommendations", "bib_key", "a recommendation cites a paper of its own document", _paper_of_study),
]

# Applied to every table that has the columns they read.
SOURCE_RULE = Rule("primary_not_on_bare_ip", "*", "source_tier", "a copy on a bare IP address is never the primary record", _primary_not_on_bare_ip)


def _ratings(rows: list[Row]) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        if _has(r.get("certainty")):
            out[(r["subtype"], r["outcome_domain"])].add(r["certainty"])
    return out


def context(tables: dict[str, list[Row]]) -> dict[str, Any]:
    """Lookups every rule may use, built once per validation (linear in the rows)."""
    arm_sizes: dict[str, int] = defaultdict(int)
    counted: set[str] = set()
    for a in tables.get("arms", []):
        if _has(a.get("n")):
            arm_sizes[a["study_id"]] += a["n"]
            counted.add(a["study_id"])
    evidence_ids: set[str] = set()
    for table, col in (("results", "result_id"), ("adverse_events", "ae_id"), ("studies", "study_id")):
        evidence_ids.update(r[col] for r in tables.get(table, []) if _has(r.get(col)))
    citable_ids = set(evidence_ids)
    for table, col in CITABLE_ROWS.items():
        citable_ids.update(r[col] for r in tables.get(table, []) if _has(r.get(col)))
    return {
        "citable_ids": citable_ids,
        "arm_study": {a["arm_id"]: a["study_id"] for a in tables.get("arms", [])},
        "arm_sizes": {k: v for k, v in arm_sizes.items() if k in counted},
        "design": {s["study_id"]: s["design"] for s in tables.get("studies", [])},
        "ratings": _ratings(tables.get("certainty", [])),
        "papers": {(p["study_id"], p["bib_key"]) for p in tables.get("reports", [])},
        "evidence_ids": evidence_ids,
    }


def prose_fields(names: Iterable[str], enums: set[str]) -> list[str]:
    return [n for n in names if n not in enums and not n.endswith(_NOT_PROSE)]


def working_note(text: str) -> str | None:
    """The phrase that makes a text a working note, or None."""
    if not WORKING_NOTE.search(text):
        return None
    m = WORKING_NOTE.search(_URL.sub(" ", text))
    return m.group(0) if m else None
