"""Controlled vocabularies, defined once: code, label, display order and colour.

Every other place (the data package schema, charts, tables, the audit tagger) reads
these definitions, so a new code is added here and nowhere else. Colours come from
the Okabe-Ito palette, which stays distinguishable under the common colour-vision
deficiencies.
"""

from __future__ import annotations

from dataclasses import dataclass

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    order: int
    colour: str


class Vocabulary:
    """An ordered set of terms with lookups by code."""

    def __init__(self, name: str, terms: list[tuple[str, str, str]]):
        self.name = name
        self.terms = [Term(code, label, i, colour) for i, (code, label, colour) in enumerate(terms)]
        self._by_code = {t.code: t for t in self.terms}

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self):
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    @property
    def codes(self) -> list[str]:
        return [t.code for t in self.terms]

    @property
    def labels(self) -> list[str]:
        return [t.label for t in self.terms]

    @property
    def colours(self) -> list[str]:
        return [t.colour for t in self.terms]

    def label(self, code: str) -> str:
        return self._by_code[code].label

    def colour(self, code: str) -> str:
        return self._by_code[code].colour

    def order(self, code: str) -> int:
        return self._by_code[code].order


P = OKABE_ITO

SUBTYPE = Vocabulary(
    "subtype",
    [
        ("dm", "Dermatomyositis", P["blue"]),
        ("pm", "Polymyositis", P["orange"]),
        ("ibm", "Inclusion body myositis", P["green"]),
        ("jdm", "Juvenile dermatomyositis", P["purple"]),
        ("imnm", "Immune-mediated necrotizing myopathy", P["vermillion"]),
        ("myositis", "Myositis in general (mixed)", P["grey"]),
        # Safety cohorts and product labels about IVIG recipients of any diagnosis: kept apart so
        # that their thousands of patients are never shown as myositis evidence.
        ("any_indication", "IVIG recipients, any indication", P["black"]),
    ],
)

OUTCOME_DOMAIN = Vocabulary(
    "outcome_domain",
    [
        ("strength", "Muscle strength", P["blue"]),
        ("skin", "Skin", P["purple"]),
        ("swallowing", "Swallowing", P["green"]),
        ("enzymes", "Muscle enzymes (CK, aldolase)", P["orange"]),
        ("function_qol", "Function and quality of life", P["sky"]),
        ("composite", "Composite response (e.g. TIS)", P["vermillion"]),
        ("steroid_sparing", "Steroid sparing", P["yellow"]),
        ("lung", "Lung", P["sky"]),
        ("time_to_response", "Time to response", P["blue"]),
        ("dosing", "Dosing and schedule", P["grey"]),
        ("safety", "Safety", P["vermillion"]),
        ("mechanism", "Mechanism", P["grey"]),
        ("epidemiology", "Epidemiology and diagnosis", P["grey"]),
        ("regulatory", "Regulatory", P["black"]),
        ("product", "Product", P["grey"]),
        ("survival", "Survival and mortality", P["black"]),
        ("treatment_position", "Treatment position (first-line or later)", P["green"]),
    ],
)

DESIGN = Vocabulary(
    "design",
    [
        ("rct_parallel", "Randomised controlled trial (parallel)", P["blue"]),
        ("rct_crossover", "Randomised controlled trial (crossover)", P["sky"]),
        ("open_label_extension", "Open-label extension", P["green"]),
        ("open_label_trial", "Open-label trial", P["green"]),
        ("prospective_cohort", "Prospective cohort", P["orange"]),
        ("retrospective_cohort", "Retrospective cohort", P["orange"]),
        ("case_series", "Case series", P["yellow"]),
        ("observational_safety", "Observational safety study", P["yellow"]),
        ("meta_analysis", "Meta-analysis", P["purple"]),
        ("systematic_review", "Systematic review", P["purple"]),
        ("narrative_review", "Narrative review", P["grey"]),
        ("consensus", "Consensus or guideline", P["grey"]),
        ("drug_label", "Drug label", P["black"]),
    ],
)

# Designs that randomise against a comparator; "proven" and "consistently" are judged
# against these only.
CONTROLLED_DESIGNS = ("rct_parallel", "rct_crossover")
PRIMARY_STUDY_DESIGNS = (
    "rct_parallel",
    "rct_crossover",
    "open_label_extension",
    "open_label_trial",
    "prospective_cohort",
    "retrospective_cohort",
    "case_series",
    "observational_safety",
)

BLINDING = Vocabulary(
    "blinding",
    [
        ("double_blind", "Double-blind", P["blue"]),
        ("single_blind", "Single-blind", P["sky"]),
        ("open", "Open", P["orange"]),
        ("not_applicable", "Not applicable", P["grey"]),
    ],
)

RISK_OF_BIAS = Vocabulary(
    "risk_of_bias",
    [
        ("low", "Low", P["green"]),
        ("some_concerns", "Some concerns", P["yellow"]),
        ("high", "High", P["orange"]),
        ("critical", "Critical", P["vermillion"]),
        ("not_applicable", "Not applicable", P["grey"]),
    ],
)

REPORT_ROLE = Vocabulary(
    "role",
    [
        ("primary", "Primary report", P["blue"]),
        ("post_hoc", "Post hoc analysis", P["sky"]),
        ("extension", "Extension", P["green"]),
        ("safety", "Safety report", P["vermillion"]),
        ("secondary", "Secondary report", P["orange"]),
        ("review", "Review", P["grey"]),
        ("label", "Drug label", P["black"]),
    ],
)

MEASURE = Vocabulary(
    "measure",
    [
        ("count", "Events / total", P["blue"]),
        ("mean", "Mean", P["blue"]),
        ("mean_change", "Mean change", P["blue"]),
        ("median", "Median", P["blue"]),
        ("median_change", "Median change", P["blue"]),
        ("percent", "Percent", P["blue"]),
        ("effect", "Between-arm effect", P["vermillion"]),
        ("descriptive", "Descriptive fact", P["grey"]),
    ],
)

EFFECT_TYPE = Vocabulary(
    "effect_type",
    [
        ("RR", "Risk ratio", P["blue"]),
        ("OR", "Odds ratio", P["blue"]),
        ("RD", "Risk difference", P["blue"]),
        ("MD", "Mean difference", P["blue"]),
        ("LSMD", "Least-squares mean difference", P["blue"]),
        ("HR", "Hazard ratio", P["blue"]),
        ("pct_point_diff", "Difference in percentage points", P["blue"]),
        ("other", "Other", P["grey"]),
    ],
)

SOURCE_TIER = Vocabulary(
    "source_tier",
    [
        ("primary", "Primary (journal, PubMed/PMC, label)", P["blue"]),
        ("mirror", "Mirror (a copy of a primary record on another host)", P["sky"]),
        ("secondary", "Secondary (index or reporting page)", P["orange"]),
    ],
)

VERDICT = Vocabulary(
    "verdict",
    [
        ("supported", "Supported", P["blue"]),
        ("partly_supported", "Partly supported (imprecise or overstated)", P["sky"]),
        ("not_supported", "Not supported by the evidence found", P["orange"]),
        ("contradicted", "Contradicted", P["vermillion"]),
        ("not_assessable", "Not assessable", P["grey"]),
    ],
)

CERTAINTY = Vocabulary(
    "certainty",
    [
        ("high", "High", P["blue"]),
        ("moderate", "Moderate", P["sky"]),
        ("low", "Low", P["orange"]),
        ("very_low", "Very low", P["vermillion"]),
    ],
)

CLAIM_TYPE = Vocabulary(
    "claim_type",
    [
        ("efficacy", "Efficacy", P["blue"]),
        ("time_course", "Time course", P["sky"]),
        ("patient_selection", "Who benefits", P["green"]),
        ("mechanism", "Mechanism", P["grey"]),
        ("dosing", "Dosing and schedule", P["orange"]),
        ("monitoring", "Monitoring", P["yellow"]),
        ("safety", "Adverse effects", P["vermillion"]),
        ("regulatory", "Regulatory status", P["black"]),
        ("product", "Named product", P["purple"]),
        ("disease_fact", "Disease fact", P["grey"]),
    ],
)

REFERENCE_STATUS = Vocabulary(
    "status",
    [
        ("correct", "Correct", P["blue"]),
        ("minor_error", "Minor error", P["yellow"]),
        ("wrong", "Wrong", P["vermillion"]),
        ("unverifiable", "Unverifiable", P["grey"]),
    ],
)

ALL: dict[str, Vocabulary] = {
    v.name: v
    for v in (
        SUBTYPE,
        OUTCOME_DOMAIN,
        DESIGN,
        BLINDING,
        RISK_OF_BIAS,
        REPORT_ROLE,
        MEASURE,
        EFFECT_TYPE,
        SOURCE_TIER,
        VERDICT,
        CERTAINTY,
        CLAIM_TYPE,
        REFERENCE_STATUS,
    )
}

INTERVENTION = Vocabulary(
    "intervention",
    [
        ("ivig", "IVIG", P["blue"]),
        ("ivig_plus_prednisone", "IVIG plus prednisone", P["sky"]),
        ("placebo", "Placebo", P["orange"]),
        ("placebo_plus_prednisone", "Placebo plus prednisone", P["yellow"]),
        ("standard_care", "Standard care without IVIG", P["grey"]),
        ("scig", "Subcutaneous immunoglobulin", P["green"]),
        ("fcrn_blocker", "FcRn blocker", P["purple"]),
        ("other", "Other", P["grey"]),
    ],
)
ALL[INTERVENTION.name] = INTERVENTION

DIRECTION = Vocabulary(
    "favourable",
    [
        ("higher", "More events are better (responders)", P["blue"]),
        ("lower", "Fewer events are better (harms)", P["vermillion"]),
        ("neither", "A category of a distribution; not an IVIG-vs-comparator contrast", P["grey"]),
    ],
)
ALL[DIRECTION.name] = DIRECTION

# What an arm is in its study: only `ivig` and `comparator` arms of one study form a contrast;
# extensions, pooled safety sets, subgroups and label regimens re-count or describe patients.
ARM_ROLE = Vocabulary(
    "arm_role",
    [
        ("ivig", "IVIG arm", P["blue"]),
        ("comparator", "Comparator arm", P["orange"]),
        ("extension", "Extension period", P["green"]),
        ("pooled_safety", "Pooled safety set", P["vermillion"]),
        ("subgroup", "Subgroup of an arm", P["sky"]),
        ("regimen", "Labelled regimen (no patients)", P["grey"]),
    ],
)
ALL[ARM_ROLE.name] = ARM_ROLE

# What a result row reports, so that tables, charts and the audit never compare unlike rows.
RESULT_KIND = Vocabulary(
    "result_kind",
    [
        ("arm_outcome", "An arm's outcome at a timepoint", P["blue"]),
        ("within_arm_change", "Change within an arm", P["sky"]),
        ("between_arm", "Between-arm contrast", P["vermillion"]),
        ("distribution_category", "Category of a distribution", P["grey"]),
        ("baseline", "Baseline characteristic", P["grey"]),
        ("descriptive", "Descriptive fact", P["grey"]),
        ("pooled_estimate", "Pooled estimate of a review", P["purple"]),
    ],
)
ALL[RESULT_KIND.name] = RESULT_KIND

# The clinical situation a study addresses, so a reader asking about lung disease or swallowing
# finds the studies made for that question.
CONTEXT = Vocabulary(
    "context",
    [
        ("general", "Active disease in general", P["grey"]),
        ("refractory", "Refractory to standard therapy", P["orange"]),
        ("first_line", "First-line or early treatment", P["green"]),
        ("ild", "Interstitial lung disease", P["sky"]),
        ("dysphagia", "Oesophageal involvement or dysphagia", P["blue"]),
        ("skin_predominant", "Skin-predominant disease", P["purple"]),
        ("maintenance", "Maintenance or route switch", P["yellow"]),
        ("safety", "Safety of immunoglobulin", P["vermillion"]),
    ],
)
ALL[CONTEXT.name] = CONTEXT

# Where a guideline, consensus or review stands on immunoglobulin for one population, so a reader
# can filter its recommendations; the source's own grade is kept beside it as printed.
STANCE = Vocabulary(
    "stance",
    [
        ("recommended", "Recommended, or supported by the evidence the source cites", P["blue"]),
        ("conditional", "Conditional: may be considered or is an option in selected patients", P["sky"]),
        ("not_recommended", "Not recommended", P["vermillion"]),
        ("insufficient_evidence", "Insufficient evidence to recommend for or against", P["grey"]),
    ],
)
ALL[STANCE.name] = STANCE

# What kind of statement a recommendation row records: a guideline's advice, a review's reading of
# the evidence, or a funder's criterion for access, which weigh differently for a reader.
STATEMENT_KIND = Vocabulary(
    "statement_kind",
    [
        ("recommendation", "Recommendation of a guideline or consensus", P["blue"]),
        ("evidence_statement", "Statement of what the evidence supports", P["orange"]),
        ("access_criterion", "Criterion for funded access to immunoglobulin", P["green"]),
    ],
)
ALL[STATEMENT_KIND.name] = STATEMENT_KIND

# Study designs whose rows may carry recommendations.
GUIDANCE_DESIGNS = ("consensus", "narrative_review")
# Background facts that documents about IVIG state (epidemiology, products, approvals, registry
# records, infusion-reaction rates) live in their own tables; their columns use these codes.
EPI_MEASURE = Vocabulary(
    "epi_measure",
    [
        ("incidence", "Incidence (new cases per population and time)", P["blue"]),
        ("prevalence", "Prevalence (existing cases per population)", P["orange"]),
    ],
)
ALL[EPI_MEASURE.name] = EPI_MEASURE

INTERVAL_KIND = Vocabulary(
    "interval_kind",
    [
        ("ci95", "95% confidence interval", P["blue"]),
        ("credible95", "95% credible interval", P["sky"]),
        ("range", "Range across studies or years", P["grey"]),
    ],
)
ALL[INTERVAL_KIND.name] = INTERVAL_KIND

PRODUCT_FACT = Vocabulary(
    "product_fact",
    [
        ("iga_content", "IgA content", P["blue"]),
        ("stabiliser", "Stabiliser", P["green"]),
        ("sugar", "Sugar content", P["orange"]),
        ("sucrose", "Sucrose", P["vermillion"]),
    ],
)
ALL[PRODUCT_FACT.name] = PRODUCT_FACT

APPROVAL_STATUS = Vocabulary(
    "approval_status",
    [
        ("approved", "Approved for this indication", P["blue"]),
        ("not_approved", "Not among the approved indications", P["grey"]),
    ],
)
ALL[APPROVAL_STATUS.name] = APPROVAL_STATUS

ENROLMENT_KIND = Vocabulary(
    "enrolment_kind",
    [
        ("actual", "Actual enrolment", P["blue"]),
        ("planned", "Planned or target enrolment", P["orange"]),
        ("not_stated", "Not stated whether actual or planned", P["grey"]),
    ],
)
ALL[ENROLMENT_KIND.name] = ENROLMENT_KIND
