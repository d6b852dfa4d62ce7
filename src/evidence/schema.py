"""The evidence-base schema, written out as a Frictionless Data Package.

The table definitions live here so that enumerations are taken from `vocab` and
never typed twice; `data/datapackage.json` is generated from them
(`evidence schema`) and a test fails when the committed file falls behind.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import vocab

ID_PATTERN = "^[a-z0-9_]+$"


def _f(name: str, type_: str = "string", *, required: bool = False, enum: str | None = None,
       minimum: float | None = None, maximum: float | None = None, pattern: str | None = None,
       description: str = "") -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": type_}
    if description:
        field["description"] = description
    constraints: dict[str, Any] = {}
    if required:
        constraints["required"] = True
    if enum:
        constraints["enum"] = vocab.ALL[enum].codes
    if minimum is not None:
        constraints["minimum"] = minimum
    if maximum is not None:
        constraints["maximum"] = maximum
    if pattern:
        constraints["pattern"] = pattern
    if constraints:
        field["constraints"] = constraints
    return field


def _source_fields() -> list[dict[str, Any]]:
    return [
        _f("locator", required=True, description="Where in the source the figure stands"),
        _f("source_url", required=True, description="The page the figure was read on"),
        _f("source_tier", required=True, enum="source_tier"),
    ]


# No study, cohort or label counts more than a billion patients or infusions; a larger count
# is a typing error, and the bound keeps sums of counts far inside 64 bits.
MAX_COUNT = 1_000_000_000


def _count(name: str, description: str = "") -> dict[str, Any]:
    return _f(name, "integer", minimum=0, maximum=MAX_COUNT, description=description)


def _fk(fields: str | list[str], resource: str, ref: str | list[str]) -> dict[str, Any]:
    return {"fields": fields, "reference": {"resource": resource, "fields": ref}}


TABLES: dict[str, dict[str, Any]] = {
    "studies": {
        "description": "One row per study: a trial, cohort, review or label (not a paper).",
        "fields": [
            _f("study_id", required=True, pattern=ID_PATTERN),
            _f("acronym"),
            _f("short_title", required=True),
            _f("design", required=True, enum="design"),
            _f("blinding", required=True, enum="blinding"),
            _f("subtype", required=True, enum="subtype"),
            _f("population"),
            _f("context", enum="context", description="The clinical situation the study addresses"),
            _count("n_enrolled", "Participants enrolled or randomised"),
            _f("arm_sum_note", description="Why the arms do not add up to n_enrolled"),
            _f("setting"),
            _f("duration_weeks", "number", minimum=0),
            _f("comparator"),
            _f("risk_of_bias", required=True, enum="risk_of_bias"),
            _f("rob_rationale", required=True),
            *_source_fields(),
        ],
        "primaryKey": ["study_id"],
        "foreignKeys": [],
    },
    "reports": {
        "description": "Papers (bib keys) reporting each study, with their role.",
        "fields": [
            _f("study_id", required=True),
            _f("bib_key", required=True),
            _f("role", required=True, enum="role"),
        ],
        "primaryKey": ["study_id", "bib_key"],
        "foreignKeys": [_fk("study_id", "studies", "study_id")],
    },
    "arms": {
        "description": "Study arms with regimen and size.",
        "fields": [
            _f("arm_id", required=True, pattern=ID_PATTERN),
            _f("study_id", required=True),
            _f("label", required=True),
            _f("intervention", required=True, enum="intervention"),
            _f("arm_role", required=True, enum="arm_role", description="What the arm is in its study; only ivig and comparator arms form contrasts"),
            _f("product"),
            _f("dose_g_per_kg", "number", minimum=0, description="Total dose per course"),
            _count("days_min", "Fewest days one course is spread over"),
            _count("days_max", "Most days one course is spread over (equal to days_min when fixed)"),
            _f("interval_weeks", "number", minimum=0),
            _count("n_courses"),
            _count("n", "Participants in the arm"),
            *_source_fields(),
            _f("note"),
        ],
        "primaryKey": ["arm_id"],
        "foreignKeys": [_fk("study_id", "studies", "study_id")],
    },
    "results": {
        "description": "One reported result for an outcome, arm (or arm contrast) and timepoint.",
        "fields": [
            _f("result_id", required=True, pattern=ID_PATTERN),
            _f("study_id", required=True),
            _f("bib_key", required=True),
            _f("outcome_domain", required=True, enum="outcome_domain"),
            _f("outcome", required=True),
            _f("definition"),
            _f("measure", required=True, enum="measure"),
            _f("result_kind", required=True, enum="result_kind", description="What the row reports; decides what it may be compared with"),
            _f("timepoint_weeks", "number", minimum=0),
            _f("arm_id"),
            _f("comparator_arm_id"),
            _count("events"),
            _count("total"),
            _f("percent", "number", minimum=0, maximum=100, description="Percentage as printed"),
            _f("mean", "number"),
            _f("sd", "number", minimum=0),
            _f("median", "number"),
            _f("effect_type", enum="effect_type"),
            _f("effect", "number"),
            _f("ci_low", "number"),
            _f("ci_high", "number"),
            _f("p_value", "number", minimum=0, maximum=1),
            _f("p_text"),
            _f("unit"),
            _f("favourable", enum="favourable",
               description="For count rows: whether more events are good (higher), bad (lower) or neither; empty = lower for safety, else higher"),
            *_source_fields(),
            _f("note"),
        ],
        "primaryKey": ["result_id"],
        "foreignKeys": [
            _fk("study_id", "studies", "study_id"),
            _fk("arm_id", "arms", "arm_id"),
            _fk("comparator_arm_id", "arms", "arm_id"),
        ],
    },
    "adverse_events": {
        "description": "Adverse events of one type in one arm and period.",
        "fields": [
            _f("ae_id", required=True, pattern=ID_PATTERN),
            _f("study_id", required=True),
            _f("arm_id"),
            _f("period"),
            _f("event", required=True),
            _count("patients", "Participants with at least one event"),
            _count("events", "Episodes"),
            _count("n_at_risk"),
            _count("infusions", "Infusions given (denominator for per-infusion rates)"),
            _f("serious", "boolean"),
            *_source_fields(),
            _f("note"),
        ],
        "primaryKey": ["ae_id"],
        "foreignKeys": [
            _fk("study_id", "studies", "study_id"),
            _fk("arm_id", "arms", "arm_id"),
        ],
    },
    "discrepancies": {
        "description": "Where two sources disagree on a figure, both values and which one the tables use.",
        "fields": [
            _f("study_id", required=True),
            _f("field", required=True),
            _f("value_a", required=True),
            _f("source_a", required=True),
            _f("value_b", required=True),
            _f("source_b", required=True),
            _f("used", required=True),
            _f("note"),
        ],
        "primaryKey": ["study_id", "field"],
        "foreignKeys": [_fk("study_id", "studies", "study_id")],
    },
    "certainty": {
        "description": "GRADE certainty of the body of evidence, one row per subtype and outcome, with the reason for each domain rated down.",
        "fields": [
            _f("subtype", required=True, enum="subtype"),
            _f("outcome_id", required=True, pattern=ID_PATTERN, description="Key of the outcome within its subtype"),
            _f("outcome", required=True, description="The outcome as the summary of findings names it"),
            _f("outcome_domain", required=True, enum="outcome_domain"),
            _f("effect", required=True, pattern="^(benefit|harm)$", description="Whether the outcome is a benefit or a harm"),
            _f("result_ids", description="Result or adverse-event ids the row's effect is computed from, separated by ';'"),
            _f("studies", required=True, description="Study ids separated by ';'"),
            _f("certainty", required=True, enum="certainty"),
            _f("risk_of_bias", description="Why rated down for risk of bias ('Serious: ...' or 'Very serious: ...'); empty when not"),
            _f("inconsistency", description="Why rated down for inconsistency; empty when not"),
            _f("indirectness", description="Why rated down for indirectness; empty when not"),
            _f("imprecision", description="Why rated down for imprecision; empty when not"),
            _f("publication_bias", description="Why rated down for publication or reporting bias; empty when not"),
            _f("reasons", description="What else the reader should know about the judgement"),
        ],
        "primaryKey": ["subtype", "outcome_id"],
        "foreignKeys": [],
    },
    "documents": {
        "description": "Documents under audit (their text is not copied into the project).",
        "fields": [
            _f("doc_id", required=True, pattern=ID_PATTERN),
            _f("title", required=True),
            _f("publisher", required=True),
            _f("url"),
            _f("accessed", "date"),
            _f("bib_key", required=True),
            _f("seed_file", description="File name of the copy under audit in shared/seeds"),
        ],
        "primaryKey": ["doc_id"],
        "foreignKeys": [],
    },
    "claims": {
        "description": "Checkable claims of the audited documents, in our words, with verdicts.",
        "fields": [
            _f("claim_id", required=True, pattern=ID_PATTERN),
            _f("doc_id", required=True),
            _f("section", required=True),
            _f("claim", required=True),
            _f("claim_type", required=True, enum="claim_type"),
            _f("subtype", required=True, enum="subtype"),
            _f("outcome_domain", required=True, enum="outcome_domain"),
            _f("evidence", description="Result, adverse-event or study ids separated by ';'"),
            _f("verdict", required=True, enum="verdict"),
            _f("certainty", enum="certainty"),
            _f("rationale", required=True),
        ],
        "primaryKey": ["claim_id"],
        "foreignKeys": [_fk("doc_id", "documents", "doc_id")],
    },
    "document_regimens": {
        "description": "Dosing schedules stated by audited documents, structured for the dosing chart.",
        "fields": [
            _f("doc_id", required=True),
            _f("claim_id", required=True),
            _f("phase", required=True, description="loading or maintenance"),
            _f("dose_g_per_kg", "number", minimum=0),
            _count("days_min"),
            _count("days_max"),
            _f("interval_weeks_min", "number", minimum=0),
            _f("interval_weeks_max", "number", minimum=0),
        ],
        "primaryKey": ["doc_id", "claim_id", "phase"],
        "foreignKeys": [_fk("doc_id", "documents", "doc_id"), _fk("claim_id", "claims", "claim_id")],
    },
    "document_references": {
        "description": "Each entry of an audited document's reference list, checked field by field.",
        "fields": [
            _f("doc_id", required=True),
            _f("position", "integer", required=True, minimum=1),
            _f("cited_authors"),
            _f("cited_year", "integer"),
            _f("cited_title"),
            _f("cited_journal"),
            _f("cited_volume"),
            _f("cited_issue"),
            _f("cited_link"),
            _f("bib_key", description="The verified entry the citation means"),
            _f("link_target", description="What the link or identifier actually points to"),
            _f("discrepancies"),
            _f("status", required=True, enum="status"),
        ],
        "primaryKey": ["doc_id", "position"],
        "foreignKeys": [_fk("doc_id", "documents", "doc_id")],
    },
    "recommendations": {
        "description": "One row per statement about immunoglobulin in a guideline, consensus or review, with the grade it gives.",
        "fields": [
            _f("rec_id", required=True, pattern=ID_PATTERN),
            _f("study_id", required=True, description="The document's row in studies.csv (design consensus or narrative_review)"),
            _f("bib_key", required=True, description="The document's entry in references.bib"),
            _f("subtype", required=True, enum="subtype"),
            _f("context", enum="context", description="The clinical situation the statement is about"),
            _f("intervention", required=True, enum="intervention"),
            _f("statement_kind", required=True, enum="statement_kind"),
            _f("stance", required=True, enum="stance"),
            _f("grade", description="The grade or evidence class as the source prints it; empty when the page read shows none"),
            _f("grade_scale", description="The grading system the grade belongs to"),
            _f("recommendation", required=True, description="What the source says, in our words"),
            _f("population", description="Population or line of therapy the statement applies to"),
            *_source_fields(),
            _f("note"),
        ],
        "primaryKey": ["rec_id"],
        "foreignKeys": [_fk("study_id", "studies", "study_id")],
    },
    "registrations": {
        "description": "Trial registry records: status, design, enrolment and registered primary outcome as the registry shows them.",
        "fields": [
            _f("registration_id", required=True, pattern=ID_PATTERN),
            _f("study_id", required=True),
            _f("registry", required=True, description="Register holding the record (ClinicalTrials.gov, ANZCTR, EU CTR)"),
            _f("registry_id", required=True),
            _f("phase"),
            _f("allocation"),
            _f("masking"),
            _f("status", description="Recruitment status as printed"),
            _f("status_as_of", description="Date the record was last updated, as printed"),
            _count("enrolment", "Participants as printed in the record"),
            _f("enrolment_kind", enum="enrolment_kind"),
            _f("start_date"),
            _f("completion_date", description="Primary or study completion date as printed"),
            _f("primary_outcome"),
            _f("primary_timepoint_weeks", "number", minimum=0),
            _f("results_posted", "boolean"),
            _f("bib_key", required=True),
            *_source_fields(),
            _f("note"),
        ],
        "primaryKey": ["registration_id"],
        "foreignKeys": [_fk("study_id", "studies", "study_id")],
    },
    "epidemiology": {
        "description": "Incidence and prevalence of each myositis subtype, kept apart, each with its case definition and population.",
        "fields": [
            _f("epi_id", required=True, pattern=ID_PATTERN),
            _f("subtype", required=True, enum="subtype"),
            _f("measure", required=True, enum="epi_measure"),
            _f("value", "number", minimum=0, description="Point estimate; empty when only a range is given"),
            _f("low", "number", minimum=0),
            _f("high", "number", minimum=0),
            _f("interval_kind", enum="interval_kind"),
            _f("per", "number", required=True, minimum=1, description="Population size the value is expressed per (100000, 1000000)"),
            _f("unit", required=True, description="Unit as printed, e.g. per 100,000 person-years"),
            _f("definition", required=True, description="Case definition used by the source"),
            _f("population", required=True),
            _f("period"),
            _f("bib_key", required=True),
            *_source_fields(),
            _f("note"),
        ],
        "primaryKey": ["epi_id"],
        "foreignKeys": [],
    },
    "products": {
        "description": "Product facts per IVIG brand (IgA content, stabiliser, sugar), one fact per row with its source.",
        "fields": [
            _f("fact_id", required=True, pattern=ID_PATTERN),
            _f("product", required=True),
            _f("manufacturer"),
            _f("fact", required=True, enum="product_fact"),
            _f("value_text", required=True, description="The fact in words, e.g. glycine, maltose, none"),
            _f("value", "number", minimum=0),
            _f("value_high", "number", minimum=0),
            _f("unit"),
            _f("statistic", description="average, maximum or range, as printed"),
            _f("bib_key", required=True),
            *_source_fields(),
            _f("note"),
        ],
        "primaryKey": ["fact_id"],
        "foreignKeys": [],
    },
    "approvals": {
        "description": "What is approved, for whom and since when, for treatments a myositis page may mention.",
        "fields": [
            _f("approval_id", required=True, pattern=ID_PATTERN),
            _f("product", required=True),
            _f("agent", required=True, description="Active substance"),
            _f("agent_class", required=True, enum="intervention"),
            _f("regulator", required=True),
            _f("indication", required=True, description="Indication (or the myositis indication asked about) as the source words it"),
            _f("subtype", enum="subtype", description="Myositis subtype the row is about"),
            _f("population"),
            _f("status", required=True, enum="approval_status"),
            _f("approved_on", description="Approval date or label revision as printed (YYYY, YYYY-MM or YYYY-MM-DD)"),
            _f("bib_key", required=True),
            *_source_fields(),
            _f("note"),
        ],
        "primaryKey": ["approval_id"],
        "foreignKeys": [],
    },
    "infusion_reactions": {
        "description": "How often infusion reactions occur, per patient and per infusion, in separate columns.",
        "fields": [
            _f("rate_id", required=True, pattern=ID_PATTERN),
            _f("study_id", required=True),
            _f("reaction", required=True, description="What was counted"),
            _f("population", required=True),
            _count("patients_with"),
            _count("patients_total"),
            _f("percent_patients", "number", minimum=0, maximum=100),
            _f("percent_patients_high", "number", minimum=0, maximum=100, description="Upper end when the source gives a range"),
            _count("infusions_with"),
            _count("infusions_total"),
            _f("percent_infusions", "number", minimum=0, maximum=100),
            _f("percent_infusions_high", "number", minimum=0, maximum=100, description="Upper end when the source gives a range"),
            _f("bib_key", required=True),
            *_source_fields(),
            _f("note"),
        ],
        "primaryKey": ["rate_id"],
        "foreignKeys": [_fk("study_id", "studies", "study_id")],
    },
}

# Columns whose values must be keys of references.bib (checked outside Frictionless,
# which cannot see into a .bib file).
BIB_KEY_COLUMNS = {
    "reports": ["bib_key"],
    "results": ["bib_key"],
    "documents": ["bib_key"],
    "document_references": ["bib_key"],
    "recommendations": ["bib_key"],
    "registrations": ["bib_key"],
    "epidemiology": ["bib_key"],
    "products": ["bib_key"],
    "approvals": ["bib_key"],
    "infusion_reactions": ["bib_key"],
}


def datapackage() -> dict[str, Any]:
    """The Frictionless descriptor for every table."""
    resources = []
    for name, table in TABLES.items():
        schema: dict[str, Any] = {
            "fields": table["fields"],
            "primaryKey": table["primaryKey"],
            "missingValues": [""],
        }
        if table["foreignKeys"]:
            schema["foreignKeys"] = table["foreignKeys"]
        resources.append(
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "encoding": "utf-8",
                "description": table["description"],
                "schema": schema,
            }
        )
    return {
        "name": "ivig-myositis-evidence",
        "title": "Evidence on intravenous immunoglobulin in myositis",
        "profile": "tabular-data-package",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": resources,
    }


def write_datapackage(path: Path) -> None:
    path.write_text(json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
