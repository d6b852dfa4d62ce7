"""The audit's judge on small documents written for these tests.

A hand-made evidence base (one DM trial, one null IBM trial, two safety rows, one
incidence row, and a row published by the page under audit) keeps every expectation
independent of data/: each test states what a reviewer would conclude from those rows.
"""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from evidence import vocab
from evidence.audit import BM25Index, Evidence, EvidenceRow, audit_document, run_audit_cli
from evidence.audit.judge import FLAGS, own_hosts, relevant_rows
from evidence.audit.match import Finding
from evidence.audit.numbers import extract_quantities, normalise_numbers
from evidence.audit.read import read_document
from evidence.audit.tag import _SUBTYPE_PATTERNS, DOMAIN_PATTERNS, candidates, tag_domain
from evidence.bib import Bibliography

PAGE_URL = "https://pharmacy.example.com/ivig-for-myositis"


def _row(id_: str, text: str, subtype: str, domain: str, **kw) -> EvidenceRow:
    table = "adverse_events" if kw.get("kind") == "adverse_event" else "results"
    return EvidenceRow(id_, table, text, subtype, domain, f"{id_} Table 1", **kw)


ROWS = [
    _row("trialx_r01", "total improvement score TIS responders dermatomyositis TRIALX", "dm", "composite",
         percent=79.0, counts=(37, 47, 95), study="trialx", label="TRIALX", outcome="TIS >= 20", figure="ivig: 37/47, 79%",
         kind="arm_outcome", design="rct_parallel", tier="primary", url="https://journal.example.org/trialx"),
    _row("trialx_r02", "baseline women share dermatomyositis total improvement TRIALX", "dm", "composite",
         percent=38.0, counts=(36, 95), study="trialx", label="TRIALX", outcome="women at baseline", figure="38%",
         kind="baseline", design="rct_parallel", tier="primary", url="https://journal.example.org/trialx"),
    _row("ibmtrial_r01", "muscle strength inclusion body myositis no significant difference IBMTRIAL", "ibm", "strength",
         study="ibmtrial", label="IBMTRIAL", outcome="strength change vs placebo", figure="no significant difference",
         kind="between_arm", design="rct_crossover", tier="primary", url="https://journal.example.org/ibm"),
    _row("cohort_ae01", "headache after infusion cohort", "any_indication", "safety", percent=20.0, counts=(20, 100),
         study="cohort", label="COHORT", outcome="Headache", figure="20/100 patients", kind="adverse_event",
         tier="primary", url="https://journal.example.org/cohort"),
    _row("cohort_ae02", "aseptic meningitis after infusion cohort", "any_indication", "safety", percent=0.6,
         counts=(6, 1000), study="cohort", label="COHORT", outcome="Aseptic meningitis", figure="6/1000 patients",
         kind="adverse_event", tier="primary", url="https://journal.example.org/cohort"),
    _row("registry_r01", "dermatomyositis incidence per 100000 people per year registry", "dm", "epidemiology",
         study="registry", label="REGISTRY", outcome="Incidence per 100,000 per year", figure="1 per 100,000",
         kind="descriptive", tier="primary", url="https://journal.example.org/registry"),
    _row("pagestudy_r01", "total improvement score responders dermatomyositis pharmacy survey", "dm", "composite",
         percent=95.0, study="pagestudy", label="PAGE SURVEY", outcome="TIS responders", figure="95%",
         kind="arm_outcome", tier="secondary", url="https://www.pharmacy.example.com/survey"),
]
FINDINGS = {
    ("dm", "composite"): Finding("dm", "composite", "moderate", ("trialx",), "one RCT, TIS >= 20 79% vs 44%", False),
    ("ibm", "strength"): Finding("ibm", "strength", "low", ("ibmtrial",), "no significant strength benefit", True),
}
DOCUMENTS = pd.DataFrame([{"doc_id": "pharmacy_page", "url": PAGE_URL, "seed_file": "page.txt"}])


@pytest.fixture
def evidence(tmp_path: Path) -> Evidence:
    ev = Evidence(root=tmp_path, rows=list(ROWS), regimens=[], bib=Bibliography(tmp_path / "none.bib", {}), documents=DOCUMENTS)
    ev.index = BM25Index(ev.rows)
    ev.findings = dict(FINDINGS)
    return ev


def _with_rows(tmp_path: Path, *extra: EvidenceRow) -> Evidence:
    """The hand-made base plus a few rows written for one test, indexed."""
    ev = Evidence(root=tmp_path, rows=list(ROWS) + list(extra), regimens=[], bib=Bibliography(tmp_path / "none.bib", {}),
                  documents=DOCUMENTS)
    ev.index = BM25Index(ev.rows)
    return ev


def audit_text(tmp_path: Path, evidence: Evidence, text: str, name: str = "doc.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out: dict = {}
    for s in audit_document(path, evidence=evidence).statements:
        out.setdefault(s.sentence, s)  # a sentence listing several outcomes: its first (tagged) statement
    return out


def one(tmp_path: Path, evidence: Evidence, title: str, sentence: str):
    statements = audit_text(tmp_path, evidence, f"{title}\n{sentence}\n")
    return statements[sentence]


# ---------------------------------------------------------------------------- flags


def test_null_trial_against_blanket_efficacy(tmp_path, evidence):
    s = one(tmp_path, evidence, "Inclusion body myositis", "IVIG improves muscle strength in inclusion body myositis.")
    assert s.verdict == "contradicted"
    assert "null_trial" in s.judgement.flags
    assert "ibmtrial" in s.judgement.reason


def test_negated_efficacy_is_not_a_null_trial_flag(tmp_path, evidence):
    s = one(tmp_path, evidence, "Inclusion body myositis", "IVIG did not improve muscle strength in inclusion body myositis.")
    assert "null_trial" not in s.judgement.flags and s.verdict != "contradicted"


def test_subtype_generalised_to_all_myositis(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG and myositis", "IVIG improves the total improvement score of responders with myositis.")
    assert s.subtype == "myositis"
    assert "subtype_generalised" in s.judgement.flags
    assert s.verdict == "partly_supported"
    assert "Dermatomyositis" in s.judgement.reason


def test_rare_is_tested_against_the_adverse_event_rate(tmp_path, evidence):
    s = one(tmp_path, evidence, "Side effects of IVIG in myositis", "Headache after an IVIG infusion is rare.")
    assert "absolute_word" in s.judgement.flags
    assert "'rare' but" in s.judgement.reason and "20%" in s.judgement.reason
    assert s.judgement.evidence[0].id == "cohort_ae01"


def test_rare_is_not_flagged_when_the_numbers_bear_it_out(tmp_path, evidence):
    s = one(tmp_path, evidence, "Side effects of IVIG in myositis", "Aseptic meningitis after an IVIG infusion is rare.")
    assert "absolute_word" not in s.judgement.flags
    assert s.judgement.evidence[0].id == "cohort_ae02"


def test_proven_against_low_certainty(tmp_path, evidence):
    s = one(tmp_path, evidence, "Inclusion body myositis", "IVIG is proven to build muscle strength in IBM.")
    assert "absolute_word" in s.judgement.flags
    assert s.verdict in ("contradicted", "not_supported")


def test_incidence_given_as_prevalence(tmp_path, evidence):
    s = one(tmp_path, evidence, "About dermatomyositis",
            "Dermatomyositis affects about 1 in every 100000 people, according to the registry incidence.")
    assert "incidence_vs_prevalence" in s.judgement.flags
    assert "registry_r01" in s.row()["evidence"]


def test_trial_total_used_for_an_arms_denominator(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG in dermatomyositis",
            "In TRIALX, 37 of 95 adults with dermatomyositis reached the total improvement score response.")
    assert "trial_total_for_arm" in s.judgement.flags
    assert "the arm's denominator is 47" in s.judgement.reason


def test_figure_with_no_source_in_the_base(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG in dermatomyositis", "IVIG halves lung scarring in 60% of adults with dermatomyositis.")
    assert "figure_without_source" in s.judgement.flags
    assert s.verdict == "not_supported"


def test_every_flag_has_a_test_here():
    source = Path(__file__).read_text(encoding="utf-8")
    assert all(f'"{flag}" in s.judgement.flags' in source for flag in FLAGS)


# --------------------------------------------------------------- verdicts and reasons


def test_supported_statement_names_its_study_and_figures(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG in dermatomyositis",
            "In TRIALX, IVIG gave a total improvement score response in 79% of adults with dermatomyositis.")
    assert s.verdict == "supported"
    assert s.number_check == "match"
    assert "TRIALX" in s.judgement.reason and "37/47, 79%" in s.judgement.reason
    assert s.row()["evidence"].split("; ")[0] == "trialx_r01"
    assert "TIS >= 20 | ivig: 37/47, 79% [primary]" in s.row()["evidence_content"]


def test_nothing_relevant_is_no_evidence_not_a_weak_match(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG in dermatomyositis", "IVIG bottles should be kept away from sunlight.")
    assert s.row()["evidence"] == ""
    assert s.verdict == "not_assessable" and "no evidence in the base" in s.judgement.reason


# ---------------------------------------------------------------------- numbers


def test_headline_figure_is_not_compared_with_a_baseline_row(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG in dermatomyositis",
            "With IVIG, 79% of TRIALX adults with dermatomyositis were total improvement score responders.")
    assert s.number_check == "match"
    assert "trialx_r02" not in s.number_detail


def test_confidence_levels_page_ranges_and_years_are_not_figures():
    assert extract_quantities("The difference was 35 points (95% CI 17 to 53).") == []
    assert extract_quantities("Neurology. 1997;48(3):712-716, published in 2019.") == []


@pytest.mark.parametrize("words, digits", [
    ("Forty-five of fifty adults", "45 of 50 adults"),
    ("seventy two patients", "72 patients"),
    ("one hundred and twenty patients", "120 patients"),
    ("nine of ten adults", "9 of 10 adults"),
])
def test_number_words(words, digits):
    assert normalise_numbers(words) == digits


def test_number_words_are_checked_like_digits(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG in dermatomyositis",
            "In TRIALX, thirty-seven of forty-seven adults with dermatomyositis were total improvement score responders.")
    assert s.number_check == "match"


# ---------------------------------------------------------------- context and circularity


def test_subtype_carried_from_the_previous_sentence(tmp_path, evidence):
    statements = audit_text(tmp_path, evidence, (
        "Living with muscle disease\n"
        "Inclusion body myositis usually progresses over years. It can make swallowing hard for many patients.\n"))
    assert statements["It can make swallowing hard for many patients."].subtype == "ibm"


def test_subtype_carried_from_the_heading(tmp_path, evidence):
    statements = audit_text(tmp_path, evidence, (
        "IVIG and myositis\nDermatomyositis\nMany adults notice stronger muscles after a few IVIG courses.\n"))
    assert statements["Many adults notice stronger muscles after a few IVIG courses."].subtype == "dm"


def test_rows_from_the_document_under_audit_are_never_its_evidence(evidence):
    sentence = "Pharmacy survey responders with dermatomyositis reached the total improvement score."
    hosts = own_hosts(evidence, "pharmacy_page")
    assert hosts == frozenset({"pharmacy.example.com"})
    offered = [r.id for r in relevant_rows(sentence, "dm", "composite", evidence, "pharmacy_page", hosts)]
    assert "pagestudy_r01" not in offered and offered
    elsewhere = [r.id for r in relevant_rows(sentence, "dm", "composite", evidence, "other_page", frozenset())]
    assert elsewhere[0] == "pagestudy_r01"


def test_registered_page_is_recognised_by_its_seed_file(tmp_path, evidence):
    statements = audit_text(tmp_path, evidence, (
        "IVIG in dermatomyositis\nPharmacy survey responders with dermatomyositis reached the total improvement score.\n"),
        name="page.txt")
    (s,) = statements.values()
    assert s.statement_id.startswith("pharmacy_page_")
    assert "pagestudy_r01" not in s.row()["evidence"]


# -------------------------------------------------------------------- empty audits


@pytest.mark.parametrize("text, why", [
    ("La myosite est une maladie rare des muscles. Le traitement par immunoglobulines est donné à l'hôpital "
     "chaque mois pendant plusieurs jours et les patients sont suivis par une équipe médicale.", "does not read as English"),
    ("Knee replacement\nMost people walk within two days of knee surgery, and the wound heals in six weeks.",
     "no statement about IVIG or myositis"),
])
def test_other_language_or_off_topic_page_gets_a_reason(tmp_path, evidence, monkeypatch, capsys, text, why):
    import evidence.audit.pipeline as pipeline

    monkeypatch.setattr(pipeline, "load_evidence", lambda root=None: evidence)
    source = tmp_path / "page.md"
    source.write_text(text, encoding="utf-8")
    assert run_audit_cli(source, tmp_path / "out") == 0
    assert why in capsys.readouterr().err
    with (tmp_path / "out" / "worksheet.csv").open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert why in row["verdict_reason"] and row["verdict"] == ""
    assert why in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------- report and tables


def test_report_opens_with_weakest_claims_badges_and_links(tmp_path, evidence):
    from evidence.audit import render_report

    path = tmp_path / "doc.txt"
    path.write_text("IVIG in myositis\nIVIG improves muscle strength in inclusion body myositis.\n"
                    "In TRIALX, IVIG gave a total improvement score response in 79% of adults with dermatomyositis.\n"
                    "A <b>bold</b> claim: IVIG =cures= dermatomyositis.\n", encoding="utf-8")
    report = render_report(audit_document(path, evidence=evidence))
    weakest = report.index("Weakest claims")
    assert weakest < report.index("Summary")
    assert report.index("inclusion body myositis.", weakest) < report.index("79% of adults", weakest)
    assert 'class="badge"' in report and 'class="flag">null_trial' in report
    assert 'href="https://journal.example.org/trialx"' in report
    assert "<b>bold</b>" not in report and "<script" not in report


def test_domain_tagger_covers_every_outcome_domain():
    tagged = {code for code, _ in DOMAIN_PATTERNS} | {"epidemiology"}
    assert set(vocab.OUTCOME_DOMAIN.codes) <= tagged


def test_subtype_tagger_covers_every_named_subtype():
    named = {code for code, _ in _SUBTYPE_PATTERNS}
    assert set(vocab.SUBTYPE.codes) - {"myositis", "any_indication"} == named


def test_under_the_skin_is_a_route_not_the_skin_domain():
    assert tag_domain("Some patients can receive immune globulin under the skin at home.") != "skin"


@pytest.mark.parametrize("sentence, domain", [
    ("IVIG did not change survival or mortality in the cohort.", "survival"),
    ("IVIG is used as a second-line option when steroids fail.", "treatment_position"),
    ("Dermatomyositis affects the muscles and the skin.", "epidemiology"),
    # a fall in the steroid dose is steroid sparing; a steroid named as the usual first drug is not
    ("IVIG can help lower the need for steroids.", "steroid_sparing"),
    ("In a selected group of children, systemic corticosteroids can be avoided.", "steroid_sparing"),
    ("Patients were able to reduce their daily prednisone dose.", "steroid_sparing"),
    ("IVIG is often started together with an intravenous corticosteroid.", "treatment_position"),
    ("IVIG antibodies are pooled from thousands of healthy donors.", "product"),
    ("IVIG is a safe and effective treatment.", "composite"),
    # "refractory" says who was treated; an improvement in them is an outcome
    ("Of 20 patients with refractory PM/DM, 15 improved on IVIG.", "composite"),
    ("IVIG is advised when patients have not responded to steroids.", "treatment_position"),
    ("IVIG helped skin and muscle disease that resisted other drugs.", "composite"),
    ("Of the 42 patients, 15 had refractory skin disease and 25 skin and muscle disease.", "skin"),
    ("Such patients often need IVIG early in the disease.", "treatment_position"),
    # where the disease begins is a disease fact; a benefit beside it is not
    ("Muscle weakness often begins in the wrists and fingers.", "epidemiology"),
    ("Unlike dermatomyositis, polymyositis causes no rash, which helps tell the two apart.", "epidemiology"),
    # better results when started early: an effect claim, not a place in the sequence
    ("Beginning IVIG early in the course of the illness tends to give better results.", "composite"),
    # other drugs failing or causing side effects place IVIG; they make no safety claim about it
    ("IVIG is recommended when first-line treatments are not effective enough or cause side effects.",
     "treatment_position"),
])
def test_domain_examples(sentence, domain):
    assert tag_domain(sentence) == domain


def test_no_publisher_is_named_in_the_rules():
    source = "".join(p.read_text(encoding="utf-8") for p in Path(read_document.__code__.co_filename).parent.glob("*.py"))
    for name in ("california specialty", "acelpa", "csprx", r"\bCSP\b"):
        assert name not in source.lower().replace("\\\\", "\\")
    _ = candidates


def test_figure_from_a_study_outside_the_base_is_not_assessable_not_a_mismatch(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG in dermatomyositis",
            "In one small retrospective review, 41% of adults with dermatomyositis reached a total improvement score response.")
    assert s.verdict == "not_assessable"
    assert "figure_without_source" in s.judgement.flags
    assert "study the base does not hold" in s.judgement.reason


def test_an_outcome_the_base_lacks_is_not_backed_by_another_outcome(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG in dermatomyositis",
            "In dermatomyositis, IVIG improves lung function measured by the total improvement score team.")
    assert s.outcome_domain == "lung"
    assert s.row()["evidence"] == ""


def test_compound_sentence_is_split_when_each_part_is_a_statement():
    from evidence.audit.tag import split_compound

    parts = split_compound("IVIG improves strength in dermatomyositis, but it does not help inclusion body myositis patients.")
    assert parts == ["IVIG improves strength in dermatomyositis.", "It does not help inclusion body myositis patients."]
    assert split_compound("IVIG is safe but costly for many.") == ["IVIG is safe but costly for many."]


def test_a_heading_that_asserts_is_a_statement(tmp_path, evidence):
    statements = audit_text(tmp_path, evidence, (
        "IVIG and myositis\n## IVIG improves muscle strength in inclusion body myositis\nAsk your doctor about the next visit.\n"),
        name="doc.md")
    s = statements["IVIG improves muscle strength in inclusion body myositis."]
    assert s.verdict == "contradicted" and "null_trial" in s.judgement.flags


def test_a_registered_claim_of_another_document_lends_its_verdict_but_never_its_own(tmp_path):
    claim = EvidenceRow("other_c01", "claims", "headache common IVIG infusion", "myositis", "safety", "other_page",
                        cites=("cohort_ae01",), study="other_page", outcome="Headache is common after IVIG infusions.",
                        kind="claim", figure="supported", label="Headache in 20/100 patients of a cohort.")
    ev = _with_rows(tmp_path, claim)
    statements = audit_text(tmp_path, ev, "IVIG and myositis\nHeadache is common after IVIG infusions for myositis.\n")
    (s,) = statements.values()
    assert s.verdict == "supported" and "other_c01" in s.judgement.reason
    assert s.judgement.evidence[0].id == "cohort_ae01"
    own = audit_text(tmp_path, ev, "IVIG and myositis\nHeadache is common after IVIG infusions for myositis.\n",
                     name="other_page.txt")
    assert all("other_c01" not in x.judgement.reason for x in own.values())


def test_a_count_is_a_mismatch_only_against_the_study_it_names(tmp_path, evidence):
    unnamed = one(tmp_path, evidence, "IVIG in dermatomyositis",
                  "Overall, 57 patients with dermatomyositis reached a total improvement score response.")
    assert unnamed.number_check == "nothing to compare" and unnamed.verdict != "contradicted"
    assert "figure_without_source" in unnamed.judgement.flags
    named = one(tmp_path, evidence, "IVIG in dermatomyositis",
                "In TRIALX, 57 patients with dermatomyositis reached a total improvement score response.")
    assert named.number_check == "mismatch" and named.verdict == "contradicted"


def test_an_unnamed_trial_whose_figure_matches_the_base_is_not_set_aside(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG in dermatomyositis",
            "In a placebo-controlled trial, 79% of adults with dermatomyositis were total improvement score responders.")
    assert s.number_check in ("match", "partial")  # TRIALX gives 79%; another study of the outcome gives 95%
    assert s.verdict != "not_assessable" and "figure_without_source" not in s.judgement.flags
    assert s.judgement.evidence[0].id == "trialx_r01"


# ------------------------------------------------------- comparisons, frequency words, listed outcomes


def test_a_claim_of_difference_needs_a_contrast(tmp_path, evidence):
    s = one(tmp_path, evidence, "Side effects of IVIG in myositis",
            "Headache after an IVIG infusion is milder than after other immunosuppressive drugs.")
    assert "comparison_without_evidence" in s.judgement.flags
    assert s.verdict == "not_supported" and "milder than" in s.judgement.reason


def test_a_difference_measured_between_arms_is_not_flagged(tmp_path, evidence):
    s = one(tmp_path, evidence, "Inclusion body myositis",
            "Patients with inclusion body myositis had better muscle strength on IVIG than on placebo.")
    assert s.judgement.evidence and s.judgement.evidence[0].id == "ibmtrial_r01"
    assert "comparison_without_evidence" not in s.judgement.flags
    assert s.verdict == "contradicted"  # the contrast exists and was null


def test_uncommon_is_read_as_under_one_in_ten(tmp_path, evidence):
    s = one(tmp_path, evidence, "Side effects of IVIG in myositis", "Headache after an IVIG infusion is uncommon.")
    assert "absolute_word" in s.judgement.flags and "'uncommon' but" in s.judgement.reason
    s = one(tmp_path, evidence, "Side effects of IVIG in myositis", "Aseptic meningitis after an IVIG infusion is uncommon.")
    assert "absolute_word" not in s.judgement.flags


def test_well_tolerated_is_weighed_against_adverse_events(tmp_path, evidence):
    s = one(tmp_path, evidence, "Side effects of IVIG in myositis",
            "IVIG infusions are well tolerated, and headache after infusion passes.")
    assert "absolute_word" in s.judgement.flags and "although adverse events occur" in s.judgement.reason
    assert s.verdict == "partly_supported"


def test_a_sentence_listing_outcomes_is_judged_per_outcome(tmp_path, evidence):
    path = tmp_path / "doc.txt"
    path.write_text("IVIG in dermatomyositis\nIVIG improves muscle strength and the skin rash in dermatomyositis.\n",
                    encoding="utf-8")
    statements = audit_document(path, evidence=evidence).statements
    assert [s.outcome_domain for s in statements] == ["skin", "strength"]
    assert [s.statement_id for s in statements] == ["doc_s001", "doc_s001a"]
    assert len({s.sentence for s in statements}) == 1


def test_a_single_outcome_sentence_is_one_statement(tmp_path, evidence):
    path = tmp_path / "doc.txt"
    path.write_text("Side effects\nHeadache after an IVIG infusion is common in myositis.\n", encoding="utf-8")
    assert len(audit_document(path, evidence=evidence).statements) == 1


# ------------------------------------------------------- guidance tables, subtype fit, graded rows first


def _guidance_tables() -> dict[str, pd.DataFrame]:
    rec = {"rec_id": "guide_rec01", "study_id": "guide2020", "bib_key": "guide2020", "subtype": "pm", "context": "refractory",
           "intervention": "ivig", "statement_kind": "recommendation", "stance": "conditional", "grade": "2C",
           "grade_scale": "GRADE", "recommendation": "Offer IVIG to adults with polymyositis refractory to steroids and methotrexate",
           "population": "Refractory polymyositis", "locator": "Table 3", "source_url": "https://guide.example.org/2020",
           "source_tier": "primary", "note": ""}
    approval = {"approval_id": "brand_fda_dm", "product": "Brandgam", "agent": "immune globulin", "agent_class": "ivig",
                "regulator": "FDA", "indication": "Dermatomyositis in adults", "subtype": "dm", "population": "adults",
                "status": "approved", "approved_on": "2021-07", "bib_key": "brand_label", "locator": "Indications",
                "source_url": "https://label.example.org/brandgam", "source_tier": "primary", "note": ""}
    reaction = {"rate_id": "cohortz_all", "study_id": "cohortz", "reaction": "Any infusion reaction", "population": "All recipients",
                "patients_with": 12, "patients_total": 40, "percent_patients": 30.0, "percent_patients_high": None,
                "infusions_with": 20, "infusions_total": 400, "percent_infusions": 5.0, "percent_infusions_high": None,
                "bib_key": "cohortz", "locator": "Table 2", "source_url": "https://journal.example.org/cohortz",
                "source_tier": "primary", "note": ""}
    return {"recommendations": pd.DataFrame([rec]), "approvals": pd.DataFrame([approval]),
            "infusion_reactions": pd.DataFrame([reaction])}


def test_recommendations_approvals_and_reaction_rates_are_evidence(tmp_path):
    from evidence.audit.match import _guidance_rows

    rows = {r.id: r for r in _guidance_rows(_guidance_tables(), {})}
    assert rows["guide_rec01"].domain == "treatment_position" and rows["guide_rec01"].figure == "conditional, grade 2C"
    assert rows["brand_fda_dm"].domain == "regulatory" and rows["brand_fda_dm"].figure == "approved 2021-07"
    assert rows["cohortz_all"].percent == 30.0 and rows["cohortz_all"].counts == (12, 40)
    ev = Evidence(root=tmp_path, rows=list(ROWS) + list(rows.values()), regimens=[],
                  bib=Bibliography(tmp_path / "none.bib", {}), documents=DOCUMENTS)
    ev.index = BM25Index(ev.rows)
    s = one(tmp_path, ev, "Polymyositis", "IVIG is recommended for polymyositis refractory to steroids.")
    assert s.outcome_domain == "treatment_position"
    assert s.judgement.evidence[0].id == "guide_rec01" and s.verdict == "supported"
    s = one(tmp_path, ev, "Side effects", "Infusion reactions with IVIG are rare.")
    assert "absolute_word" in s.judgement.flags and "30%" in s.judgement.reason


def test_facts_about_the_product_cross_subtypes_but_efficacy_does_not(tmp_path):
    dose = _row("trialx_r09", "loading dose 2 g/kg over 2 to 5 days dermatomyositis TRIALX", "dm", "dosing",
                study="trialx", label="TRIALX", outcome="Loading dose", figure="mean 2 g/kg", kind="descriptive")
    ev = _with_rows(tmp_path, dose)
    hosts = own_hosts(ev, "doc")
    assert [r.id for r in relevant_rows("The loading dose in polymyositis is 2 g/kg over 2 to 5 days.", "pm", "dosing", ev,
                                        "doc", hosts)] == ["trialx_r09"]
    assert relevant_rows("IVIG raises the total improvement score in polymyositis.", "pm", "composite", ev, "doc", hosts) == []


def test_the_rows_a_grading_rests_on_come_first(tmp_path, evidence):
    evidence.findings[("dm", "composite")] = Finding("dm", "composite", "moderate", ("trialx",), "one RCT", False,
                                                     ("trialx_r01",))
    rows = relevant_rows("Dermatomyositis total improvement score responders improve on IVIG.", "dm", "composite",
                         evidence, "doc", own_hosts(evidence, "doc"))
    assert rows[0].id == "trialx_r01"
    rows = relevant_rows("IVIG helps dermatomyositis.", "dm", "skin", evidence, "doc", own_hosts(evidence, "doc"))
    assert rows == []


def test_a_sentence_that_refers_back_is_looked_up_with_the_one_before(tmp_path):
    rate = _row("trialx_r10", "infusion rate started slowly then increased stepwise dermatomyositis TRIALX", "dm", "dosing",
                study="trialx", label="TRIALX", outcome="Infusion rate titration", figure="1 to 4 mg/kg/min",
                kind="descriptive", design="drug_label")
    ev = _with_rows(tmp_path, rate)
    statements = audit_text(tmp_path, ev, (
        "IVIG in dermatomyositis\nIVIG infusions for dermatomyositis begin at a slow infusion rate. "
        "They are then increased gradually to the full rate.\n"))
    s = statements["They are then increased gradually to the full rate."]
    assert s.outcome_domain == "dosing"
    assert s.judgement.evidence and s.judgement.evidence[0].id == "trialx_r10" and s.verdict == "supported"
    alone = audit_text(tmp_path, ev, "IVIG in dermatomyositis\nPatients are increased gradually to the full rate.\n")
    assert all(not x.judgement.evidence for x in alone.values())


def test_mechanism_is_weighed_only_against_tissue_rows(tmp_path):
    biopsy = _row("trialx_r11", "repeat muscle biopsy fibres inflammation cleared dermatomyositis TRIALX", "dm", "mechanism",
                  study="trialx", label="TRIALX", outcome="Repeat muscle biopsy: inflammation", figure="", kind="descriptive")
    ev = _with_rows(tmp_path, biopsy)
    s = one(tmp_path, ev, "How IVIG works", "IVIG reduces inflammation in the muscle fibres of dermatomyositis.")
    assert s.outcome_domain == "mechanism" and s.verdict == "partly_supported"
    assert "not how IVIG acts" in s.judgement.reason
    s = one(tmp_path, ev, "How IVIG works", "IVIG blocks harmful antibodies and calms the immune system in dermatomyositis.")
    assert s.verdict == "not_assessable" and "no study of how IVIG acts" in s.judgement.reason


def test_a_hedge_with_many_is_still_a_firm_claim_on_very_low_certainty(tmp_path, evidence):
    evidence.findings[("dm", "composite")] = Finding("dm", "composite", "very_low", ("trialx",), "one small series", False)
    s = one(tmp_path, evidence, "IVIG in dermatomyositis",
            "IVIG can raise the total improvement score of responders with dermatomyositis.")
    assert s.verdict == "supported"
    s = one(tmp_path, evidence, "IVIG in dermatomyositis",
            "IVIG can raise the total improvement score of many responders with dermatomyositis.")
    assert s.verdict == "partly_supported" and "stated firmly on very low certainty" in s.judgement.reason


def test_null_trials_of_a_subtype_the_sentence_leaves_out_do_not_count(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG and myositis",
            "IVIG improves the total improvement score of responders with dermatomyositis and polymyositis.")
    assert s.subtype == "myositis" and "null_trial" not in s.judgement.flags
    s = one(tmp_path, evidence, "IVIG and myositis", "IVIG improves the total improvement score of responders with myositis.")
    assert "null_trial" in s.judgement.flags and "ibm" in s.judgement.reason


def test_a_listed_item_no_row_mentions_is_flagged(tmp_path, evidence):
    s = one(tmp_path, evidence, "Side effects of IVIG in myositis",
            "Side effects of IVIG infusions include headache, aseptic meningitis and hair loss.")
    assert "listed_item_without_evidence" in s.judgement.flags and "'hair loss'" in s.judgement.reason
    assert s.verdict == "partly_supported"
    s = one(tmp_path, evidence, "Side effects of IVIG in myositis",
            "Side effects of IVIG infusions include headache and aseptic meningitis.")
    assert "listed_item_without_evidence" not in s.judgement.flags


# ------------------------------------------------------- studies named by author or journal, and carried


def _cohort_evidence(tmp_path):
    from dataclasses import replace

    names = ("galli", "2018", "clinical and experimental dermatology")
    rows = [
        replace(_row("galli_r01", "skin improved refractory cutaneous dermatomyositis retrospective", "dm", "skin",
                     percent=83.0, counts=(35, 42), study="galli", label="galli2018", outcome="Skin improved",
                     figure="ivig: 35/42, 83%", kind="arm_outcome", design="retrospective_cohort"), names=names),
        replace(_row("galli_r02", "skin improved skin disease alone refractory cutaneous dermatomyositis", "dm", "skin",
                     percent=87.0, counts=(13, 15), study="galli", label="galli2018", outcome="Skin improved, skin only",
                     figure="ivig: 13/15, 87%", kind="arm_outcome", design="retrospective_cohort"), names=names),
        _row("big_r01", "skin activity score CDASI dermatomyositis improved placebo trial BIGTRIAL", "dm", "skin",
             study="big", label="BIGTRIAL", outcome="CDASI change", figure="ivig: mean -9", kind="arm_outcome",
             design="rct_parallel"),
    ]
    ev = Evidence(root=tmp_path, rows=list(ROWS) + rows, regimens=[], bib=Bibliography(tmp_path / "none.bib", {}),
                  documents=DOCUMENTS)
    ev.index = BM25Index(ev.rows)
    ev.findings[("dm", "skin")] = Finding("dm", "skin", "low", ("big",), "one trial, post hoc", False, ("big_r01",))
    return ev


def test_a_study_named_by_its_journal_or_author_leads_the_evidence(tmp_path):
    ev = _cohort_evidence(tmp_path)
    s = one(tmp_path, ev, "Skin", "A retrospective study in Clinical and Experimental Dermatology found that IVIG "
                                  "improved refractory cutaneous dermatomyositis skin disease.")
    assert s.judgement.evidence[0].study == "galli"
    assert s.verdict == "supported"  # a study's own finding, reported as such
    s = one(tmp_path, ev, "Skin", "Galli and colleagues found skin disease improved with IVIG in dermatomyositis.")
    assert s.judgement.evidence[0].study == "galli"
    s = one(tmp_path, ev, "Skin", "Galli 2015 found skin disease improved with IVIG in dermatomyositis.")
    assert not s.judgement.evidence or s.judgement.evidence[0].study != "galli"  # another year: another paper


def test_the_named_study_carries_to_sentences_that_point_back(tmp_path):
    ev = _cohort_evidence(tmp_path)
    statements = audit_text(tmp_path, ev, (
        "Skin\nA study in Clinical and Experimental Dermatology looked at IVIG for cutaneous dermatomyositis. "
        "Of the 42 patients, skin disease improved in 83% overall and in 87% of those with skin disease alone.\n"))
    s = statements["Of the 42 patients, skin disease improved in 83% overall and in 87% of those with skin disease alone."]
    assert {r.study for r in s.judgement.evidence[:2]} == {"galli"}
    assert s.number_check == "match"  # each subgroup figure has its row
    assert s.verdict == "supported"


def test_a_firm_safety_claim_on_very_low_certainty_is_partly_supported(tmp_path, evidence):
    evidence.findings[("myositis", "safety")] = Finding("myositis", "safety", "very_low", ("cohort",), "cohorts", False)
    s = one(tmp_path, evidence, "Side effects of IVIG in myositis", "Headache after an IVIG infusion settles within a day.")
    assert s.verdict == "partly_supported" and "stated firmly on very low certainty" in s.judgement.reason
    s = one(tmp_path, evidence, "Side effects of IVIG in myositis", "Headache may follow an IVIG infusion.")
    assert s.verdict == "supported"
    s = one(tmp_path, evidence, "Side effects of IVIG in myositis", "Call your doctor if headache after an IVIG infusion is severe.")
    assert s.verdict == "supported"


def test_a_trial_described_by_design_and_size_is_the_named_study(tmp_path, evidence):
    from evidence.audit.judge import named_studies

    evidence.enrolment = {"trialx": (95, "rct_parallel", "dm"), "cohort": (100, "retrospective_cohort", "any_indication")}
    assert named_studies("A placebo-controlled trial of 95 patients with dermatomyositis tested IVIG.", evidence) == {"trialx"}
    assert named_studies("A retrospective review of 95 patients with dermatomyositis.", evidence) == frozenset()
    assert named_studies("A placebo-controlled trial of 40 patients.", evidence) == frozenset()


def test_an_exact_fraction_of_the_study_it_follows_is_checked_exactly(tmp_path, evidence):
    evidence.enrolment = {"trialx": (95, "rct_parallel", "dm")}
    statements = audit_text(tmp_path, evidence, (
        "IVIG in dermatomyositis\nA placebo-controlled trial of 95 patients with dermatomyositis tested IVIG. "
        "In that trial 40 of the 47 patients on IVIG reached a total improvement score response.\n"))
    s = statements["In that trial 40 of the 47 patients on IVIG reached a total improvement score response."]
    assert s.number_check == "mismatch" and s.verdict == "contradicted"  # 40/47 is 85%, the row gives 37/47 (79%)
    statements = audit_text(tmp_path, evidence, (
        "IVIG in dermatomyositis\nA placebo-controlled trial of 95 patients with dermatomyositis tested IVIG. "
        "In that trial 37 of the 47 patients on IVIG reached a total improvement score response.\n"))
    s = statements["In that trial 37 of the 47 patients on IVIG reached a total improvement score response."]
    assert s.number_check == "match" and s.verdict == "supported"


def test_a_duration_no_row_states_is_not_assessable(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG in dermatomyositis",
            "The total improvement score response to IVIG in dermatomyositis lasts 12 to 23 months.")
    assert "figure_without_source" in s.judgement.flags and s.verdict == "not_assessable"
    assert "12 to 23 months" in s.judgement.reason


def test_immune_mechanism_is_not_assessable_even_beside_biopsy_rows(tmp_path):
    biopsy = _row("trialx_r11", "repeat muscle biopsy fibres inflammation immune cells dermatomyositis TRIALX", "dm",
                  "mechanism", study="trialx", label="TRIALX", outcome="Repeat muscle biopsy: inflammation", kind="descriptive")
    ev = _with_rows(tmp_path, biopsy)
    s = one(tmp_path, ev, "How IVIG works", "IVIG calms the immune cells that inflame the muscle fibres in dermatomyositis.")
    assert s.verdict == "not_assessable" and "immune system" in s.judgement.reason


def test_an_excluded_subtype_is_not_the_document_subtype():
    from evidence.audit.tag import mentioned_subtypes

    assert mentioned_subtypes("IVIG for inflammatory myopathies (excluding inclusion body myositis)") == []
    assert mentioned_subtypes("IVIG in dermatomyositis, except for inclusion body myositis") == ["dm"]


def test_words_that_are_not_comparisons_are_not_flagged(tmp_path, evidence):
    for sentence in ("IVIG helps the immune system protect rather than harm the muscle in dermatomyositis.",
                     "Doctors use the total improvement score to better understand responders with dermatomyositis.",
                     "With IVIG, responders with dermatomyositis may see fewer skin symptoms on the total improvement score."):
        s = one(tmp_path, evidence, "IVIG in dermatomyositis", sentence)
        assert "comparison_without_evidence" not in s.judgement.flags, sentence
    s = one(tmp_path, evidence, "Products", "Some IVIG brands cause fewer headaches after infusion than other products.")
    assert "comparison_without_evidence" in s.judgement.flags


def test_a_negation_elsewhere_in_the_sentence_does_not_hide_a_comparison(tmp_path, evidence):
    s = one(tmp_path, evidence, "Products", "If other products aren't suitable, some IVIG brands give faster relief of headache.")
    assert "comparison_without_evidence" in s.judgement.flags
    s = one(tmp_path, evidence, "Products", "IVIG brands are not better than other products for headache after infusion.")
    assert "comparison_without_evidence" not in s.judgement.flags


def test_only_as_solely_is_not_an_absolute_claim(tmp_path, evidence):
    s = one(tmp_path, evidence, "Products", "Octagam is the only IVIG approved for dermatomyositis.")
    assert "absolute_word" in s.judgement.flags and "'only'" in s.judgement.reason
    s = one(tmp_path, evidence, "IVIG in dermatomyositis",
            "In TRIALX, 15 patients had skin disease only and reached a total improvement score response.")
    assert "'only'" not in s.judgement.reason


def test_a_course_within_a_regimens_days_matches():
    from evidence.audit.match import Regimen
    from evidence.audit.numbers import check_regimen, extract_quantities

    label = Regimen("label_dm", "dm", "label Table 1", dose=2.0, days=(2.0, 5.0))
    (q,) = [x for x in extract_quantities("given over 2 to 3 days") if x.kind == "days"]
    assert check_regimen(q, [label], "dm").status == "match"
    (q,) = [x for x in extract_quantities("given over 4 to 7 days") if x.kind == "days"]
    assert check_regimen(q, [label], "dm").status == "partial"


def test_warning_signs_are_not_held_to_the_base_item_by_item(tmp_path, evidence):
    s = one(tmp_path, evidence, "Side effects of IVIG in myositis",
            "Signs of aseptic meningitis after IVIG include headache, stiff neck and dislike of light.")
    assert "listed_item_without_evidence" not in s.judgement.flags


def test_a_mean_with_its_sd_is_a_figure_to_source():
    from evidence.audit.numbers import extract_quantities

    found = extract_quantities("IVIG began a mean of 671.6 (SD 1207.9) days after diagnosis.")
    assert [(q.kind, q.low) for q in found] == [("span", 671.6)]


def test_naming_two_subtypes_after_a_dm_sentence_is_about_the_family(tmp_path, evidence):
    statements = audit_text(tmp_path, evidence, (
        "Evidence\nIn one trial, 15 patients with dermatomyositis improved on IVIG.\n"
        "A review found IVIG effective in PM/DM.\nImprovement lasted for months after IVIG.\n"))
    assert statements["A review found IVIG effective in PM/DM."].subtype == "myositis"
    # the carried subtype ended with the sentence that named two
    assert statements["Improvement lasted for months after IVIG."].subtype == "myositis"


def test_a_subtype_named_as_an_example_does_not_narrow_the_claim(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG and myositis",
            "IVIG has been proven effective in several studies, including a large trial in dermatomyositis.")
    assert s.subtype == "myositis"


def test_safe_and_effective_is_judged_as_benefit_and_as_safety(tmp_path, evidence):
    # A general safety claim names no harm: it is held against the rows the safety grading rests on.
    evidence.findings[("myositis", "safety")] = Finding("myositis", "safety", "low", ("cohort",), "cohort rates", False,
                                                        ("cohort_ae01", "cohort_ae02"))
    path = tmp_path / "doc.txt"
    path.write_text("IVIG and myositis\nIVIG is a safe and effective treatment for myositis.\n", encoding="utf-8")
    statements = audit_document(path, evidence=evidence).statements
    assert [s.outcome_domain for s in statements] == ["composite", "safety"]
    safety = statements[1]
    assert "absolute_word" in safety.judgement.flags and "'safe' although adverse events occur" in safety.judgement.reason


def test_proven_for_the_family_where_one_subtype_has_moderate_certainty_is_partly_supported(tmp_path, evidence):
    # DM's composite finding is moderate, IBM's trials were null: true of DM, overstated for all myositis.
    s = one(tmp_path, evidence, "IVIG and myositis", "IVIG is proven to raise the total improvement score in myositis.")
    assert "absolute_word" in s.judgement.flags
    assert s.verdict == "partly_supported"


def test_a_descriptive_value_is_not_quoted_as_a_mean():
    from types import SimpleNamespace

    from evidence.audit.match import _figure
    blank = dict(events=None, total=None, percent=None, median=None, effect=None, p_text=None, p_value=None, arm_id=None)
    dose = SimpleNamespace(**blank, mean=2.0, unit="g/kg", measure="descriptive")
    score = SimpleNamespace(**blank, mean=67.0, unit="points", measure="mean")
    assert _figure(dose) == "2 g/kg"
    assert _figure(score) == "mean 67 points"


def test_how_a_harm_is_managed_needs_rows_on_its_management(tmp_path):
    premed = _row("label_r19", "premedication given before infusion in the label trial", "dm", "safety", counts=(10, 47),
                  study="label", label="LABEL", outcome="Premedication use", figure="10/47", kind="arm_outcome",
                  design="drug_label", tier="primary", url="https://label.example.org/")
    renal = _row("label_r13", "renal failure: ensure adequate hydration before infusion", "dm", "safety", study="label",
                 label="LABEL", outcome="Boxed warning: renal failure", figure="", kind="descriptive",
                 design="drug_label", tier="primary", url="https://label.example.org/")
    ev = _with_rows(tmp_path, premed, renal)
    # premedication against headache: the premedication row, not the headache rate nor the renal warning
    s = one(tmp_path, ev, "Side effects of IVIG", "Premedication is often given to prevent headache after IVIG.")
    assert [r.id for r in s.judgement.evidence] == ["label_r19"]
    # hydration against headache: the only hydration row is about the kidneys, so nothing speaks to it
    s = one(tmp_path, ev, "Side effects of IVIG", "IVIG headaches usually respond to hydration.")
    assert s.verdict == "not_assessable" and "prevented or managed" in s.judgement.reason
    # preventing the disease's complications is no harm management
    s = one(tmp_path, ev, "Treatment", "IVIG may be used to treat JDM effectively and to prevent its complications.")
    assert "prevented or managed" not in s.judgement.reason
    # how often a harm occurs is still held against its rate
    s = one(tmp_path, ev, "Side effects of IVIG", "Headache after an IVIG infusion is common.")
    assert s.judgement.evidence[0].id == "cohort_ae01"


def test_a_negated_benefit_is_still_about_the_treatment(tmp_path, evidence):
    s = one(tmp_path, evidence, "Inclusion body myositis", "No patient improved in muscle strength in inclusion body myositis.")
    assert "describes the disease" not in s.judgement.reason
    assert s.judgement.evidence and s.judgement.evidence[0].id == "ibmtrial_r01"


def test_a_dose_cap_in_grams_needs_a_row_that_gives_it():
    from evidence.audit.numbers import number_check
    sentence = "It is given at 2 g/kg, up to a maximum of 70 g, every 4 weeks."
    kinds = [q.kind for q in extract_quantities(sentence)]
    assert kinds == ["dose", "cap", "interval"]  # 70 g is a cap, not a dose per kilogram
    status, detail = number_check(sentence, "jdm", [], [])
    assert status == "partial" and "no row of the base gives this cap" in detail
    capped = _row("guide_r01", "maximum dose per course 70 g", "jdm", "dosing", study="guide", outcome="Maximum dose",
                  figure="70 g", kind="descriptive")
    assert "70 g: match" in number_check(sentence, "jdm", [capped], [])[1]


def test_a_table_row_is_one_statement_and_a_cookie_banner_none(tmp_path, evidence):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>IVIG for myositis</title></head><body>"
        "<div>We use cookies to improve your experience. Accept all cookies</div><h1>IVIG for myositis</h1>"
        "<table><tr><th>Side effect</th><th>How often</th></tr><tr><td>Aseptic meningitis after infusion</td>"
        "<td>Very rare</td></tr></table></body></html>", encoding="utf-8")
    result = audit_document(page, evidence=evidence)
    assert [s.sentence for s in result.statements] == ["Aseptic meningitis after infusion: Very rare."]
    assert all("cookies" not in s.sentence for s in result.statements)


def test_a_harm_figure_is_held_against_that_harm_not_one_named_in_passing(tmp_path, evidence):
    # meningitis first, headache only as its symptom: the meningitis rate is the one compared
    s = one(tmp_path, evidence, "Side effects of IVIG",
            "Aseptic meningitis, which causes severe headache, affects fewer than 1% of patients after an infusion.")
    assert s.judgement.evidence[0].id == "cohort_ae02" and s.number_check != "mismatch"
    s = one(tmp_path, evidence, "Side effects of IVIG", "Headaches occur in fewer than 5% of patients after an infusion.")
    assert s.judgement.evidence[0].id == "cohort_ae01" and s.verdict != "supported"  # 20% in the one cohort


def test_side_effects_in_general_called_rare_are_tested_against_any_rate(tmp_path, evidence):
    s = one(tmp_path, evidence, "Side effects of IVIG", "Side effects of an IVIG infusion are rare.")
    assert "absolute_word" in s.judgement.flags


def test_a_yearly_rate_is_not_a_prevalence(tmp_path, evidence):
    s = one(tmp_path, evidence, "Dermatomyositis", "Dermatomyositis affects about 1 in 100,000 people each year.")
    assert "incidence_vs_prevalence" not in s.judgement.flags


def test_a_population_rate_is_held_against_incidence_rows_per_million(tmp_path):
    registry = _row("epi_dm_inc", "incidence dermatomyositis registry adults", "dm", "epidemiology", study="registry",
                    label="REGISTRY", outcome="incidence adults", figure="9.6 per million per year", kind="descriptive",
                    rate=("incidence", 6.1, 13.2))
    ev = _with_rows(tmp_path, registry)
    right = one(tmp_path, ev, "Dermatomyositis", "Dermatomyositis affects about 1 in 100,000 people each year.")
    assert right.number_check == "match" and right.judgement.evidence[0].id == "epi_dm_inc"
    wrong = one(tmp_path, ev, "Dermatomyositis", "Dermatomyositis affects about 1 in 1,000 people each year.")
    assert wrong.verdict == "contradicted" and "76-fold higher" in wrong.judgement.reason  # 1000 vs 13.2 per million
    older = one(tmp_path, ev, "Dermatomyositis", "Dermatomyositis affects about 1 in 1,000 people over 70 each year.")
    assert older.number_check != "mismatch"  # no row for that age group


def test_what_ivig_is_approved_for_is_read_from_the_approvals(tmp_path):
    def approval(id_: str, label: str, subtype: str, klass: str, status: str, population: str) -> EvidenceRow:
        return EvidenceRow(id_, "approvals", f"{label} approval approved indication label", subtype, "regulatory",
                           f"{id_} label", study=id_, label=label, outcome=f"{subtype} indication",
                           figure=status, kind="approval", design="drug_label", approval=(klass, status, population, ""))
    ev = _with_rows(tmp_path, approval("ig_dm", "BrandIG", "dm", "ivig", "approved", "adults"),
                    approval("gel_dmpm", "OtherGel", "myositis", "other", "approved", ""))
    verdicts = audit_text(tmp_path, ev, (
        "IVIG and myositis\n"
        "IVIG is FDA-approved for adults with dermatomyositis.\n"
        "IVIG is approved for children with dermatomyositis.\n"
        "IVIG is the only FDA-approved treatment for dermatomyositis.\n"
        "IVIG is the only FDA-approved IVIG product for dermatomyositis.\n"
        "No IVIG product is approved for dermatomyositis.\n"
        "IVIG is FDA-approved for polymyositis.\n"
        "IVIG is FDA-approved for myositis.\n"))
    got = {k: v.verdict for k, v in verdicts.items()}
    assert list(got.values()) == ["supported", "contradicted", "contradicted", "supported", "contradicted", "contradicted",
                                  "partly_supported"]
    assert "OtherGel" in verdicts["IVIG is the only FDA-approved treatment for dermatomyositis."].judgement.reason


def test_a_benefit_asserted_with_no_study_behind_it_is_not_supported(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG and myositis", "IVIG improves survival in patients with myositis.")
    assert s.verdict == "not_supported" and "no study in the base shows this benefit" in s.judgement.reason
    s = one(tmp_path, evidence, "IVIG and myositis", "IVIG may possibly improve survival in patients with myositis.")
    assert s.verdict == "not_assessable"


def test_a_subtype_prevalence_above_the_whole_familys_is_a_mismatch():
    from evidence.audit.numbers import number_check
    family = _row("epi_iim_prev", "prevalence inflammatory myopathies", "myositis", "epidemiology", outcome="prevalence",
                  rate=("prevalence", 24.0, 338.0))
    status, detail = number_check("Dermatomyositis affects about 1 in 1,000 people.", "dm", [], [], [family])
    assert status == "mismatch" and "3-fold the prevalence of the inflammatory myopathies together" in detail
    status, _ = number_check("Dermatomyositis affects about 1 in 10,000 people.", "dm", [], [], [family])
    assert status == "nothing to compare"  # 100 per million is within what the family allows


def test_benefit_for_all_types_of_myositis_is_contradicted_by_one_subtypes_null_trials(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG and myositis", "A large trial proved that IVIG improves muscle strength in all types of myositis.")
    assert s.verdict == "contradicted" and "null_trial" in s.judgement.flags and "'proved'" in s.judgement.reason
    s = one(tmp_path, evidence, "IVIG and myositis", "IVIG improves muscle strength in myositis.")
    assert s.verdict == "partly_supported"  # the family as a whole: overstated, not contradicted


def test_a_sentence_about_a_named_study_takes_the_studys_subtype(tmp_path, evidence):
    s = one(tmp_path, evidence, "IVIG and myositis", "In the TRIALX trial, 37 of 47 patients on IVIG reached the total improvement score.")
    assert s.subtype == "dm"
    assert "subtype_generalised" not in s.judgement.flags and "null_trial" not in s.judgement.flags


def _rec(id_: str, recommendation: str, subtype: str) -> EvidenceRow:
    return EvidenceRow(id_, "recommendations", f"{recommendation} recommend guideline treatment option", subtype,
                       "treatment_position", f"{id_} Table 2", study=id_.split("_")[0], label=id_.split("_")[0].upper(),
                       outcome=recommendation, figure="recommended", kind="recommendation", design="guideline",
                       tier="primary", url="https://guideline.example.org/" + id_)


def test_where_a_statement_puts_ivig_in_the_sequence_is_held_against_the_recommendations(tmp_path):
    later = _rec("gl_rec01", "IVIG is recommended as second-line treatment for polymyositis that has not responded to steroids", "pm")
    ev = _with_rows(tmp_path, later)
    s = one(tmp_path, ev, "Polymyositis", "IVIG is a first-line treatment for polymyositis.")
    assert s.verdict == "not_supported" and "after first-line treatment fails" in s.judgement.reason
    assert s.judgement.evidence[0].id == "gl_rec01"
    # "when steroids fail" places IVIG later and is no negation of the claim
    s = one(tmp_path, ev, "Polymyositis", "IVIG is recommended when steroids fail to control polymyositis.")
    assert s.verdict == "supported" and s.judgement.evidence[0].id == "gl_rec01"
    # one recommendation for a subgroup puts it first-line: the blanket claim is partly supported
    first = _rec("gl2_rec01", "IVIG can be used first-line in elderly patients with polymyositis", "pm")
    ev = _with_rows(tmp_path, later, first)
    s = one(tmp_path, ev, "Polymyositis", "IVIG is a first-line treatment for polymyositis.")
    assert s.verdict == "partly_supported" and {r.id for r in s.judgement.evidence} == {"gl_rec01", "gl2_rec01"}
    # a recommendation against IVIG places it nowhere; another subtype's guidance does not count
    against = _rec("gl3_rec01", "IVIG is not recommended for inclusion body myositis refractory to treatment", "ibm")
    ev = _with_rows(tmp_path, against)
    s = one(tmp_path, ev, "Inclusion body myositis", "IVIG is a first-line treatment for inclusion body myositis.")
    assert "after first-line treatment fails" not in s.judgement.reason


def test_a_sentence_opening_with_while_it_refers_back(tmp_path):
    (tmp_path / "page.txt").write_text("Aseptic meningitis\nAseptic meningitis can follow an infusion of IVIG.\n"
                             "While it can sound alarming, it is treatable and usually resolves once IVIG is paused.\n")
    doc = read_document(tmp_path / "page.txt")
    kept = [c for c in candidates(doc)[0] if c.status == "kept"]
    second = next(c for c in kept if c.sentence.startswith("While"))
    assert second.context.startswith("Aseptic meningitis can follow") and second.outcome_domain == "safety"


def test_a_general_benefit_statement_leads_with_the_rows_the_grading_rests_on(tmp_path):
    graded = _row("trialx_r05", "skin CDASI dermatomyositis TRIALX", "dm", "skin", study="trialx", label="TRIALX",
                  outcome="CDASI change", figure="p <0.001", kind="between_arm", design="rct_parallel", tier="primary")
    wordy = _row("series_r01", "rash skin clears rash dermatomyositis rash series", "dm", "skin", study="series",
                 label="SERIES", outcome="rash cleared", figure="12/15", kind="arm_outcome", design="case_series", tier="primary",
                 percent=80.0, counts=(12, 15))
    ev = _with_rows(tmp_path, graded, wordy)
    ev.findings = {("dm", "skin"): Finding("dm", "skin", "low", ("trialx",), "one RCT", False, ("trialx_r05",))}
    s = one(tmp_path, ev, "Dermatomyositis", "IVIG clears the rash of dermatomyositis.")
    assert [r.id for r in s.judgement.evidence][:2] == ["trialx_r05", "series_r01"]
    # a statement with a figure keeps the rows its words match first, so the figure is held against them
    s = one(tmp_path, ev, "Dermatomyositis", "In one series the rash cleared in 12 of 15 patients with dermatomyositis.")
    assert s.judgement.evidence[0].id == "series_r01"


def test_how_response_is_measured_is_judged_against_the_trials_that_measured_it(tmp_path):
    strength = _row("trialx_r06", "manual muscle testing MMT-8 strength dermatomyositis TRIALX", "dm", "strength",
                    study="trialx", label="TRIALX", outcome="MMT-8 change", figure="p 0.01", kind="between_arm",
                    design="rct_parallel", tier="primary")
    ev = _with_rows(tmp_path, strength)
    s = one(tmp_path, ev, "Dermatomyositis", "Muscle strength in dermatomyositis is tracked with manual muscle testing.")
    assert s.verdict == "supported" and s.judgement.evidence[0].id == "trialx_r06"
    # the same sentence without a word of measuring describes the disease
    s = one(tmp_path, ev, "Dermatomyositis", "Muscle strength in dermatomyositis declines over months.")
    assert s.verdict == "not_assessable"


def test_a_disease_figure_the_base_lacks_is_not_assessable_and_cost_is_outside_the_base(tmp_path, evidence):
    s = one(tmp_path, evidence, "Polymyositis", "About 60% of people with polymyositis are women.")
    assert s.verdict == "not_assessable" and "figure_without_source" in s.judgement.flags
    s = one(tmp_path, evidence, "Dermatomyositis", "IVIG is a cost-effective choice for dermatomyositis.")
    assert s.verdict == "not_assessable" and "cost" in s.judgement.reason
    # a benefit stated beside the cost is still judged
    s = one(tmp_path, evidence, "Dermatomyositis",
            "IVIG is a clinically effective and cost-effective treatment for dermatomyositis, improving the total improvement score.")
    assert s.verdict != "not_assessable"


def test_a_statement_the_base_cannot_decide_is_offered_no_rows(tmp_path):
    # IVIG's action on immune signalling: the base holds no such study; a biopsy row sharing its words is no evidence
    biopsy = _row("trialx_r09", "immune cells muscle biopsy after IVIG dermatomyositis TRIALX", "dm", "mechanism",
                  study="trialx", label="TRIALX", outcome="immune cells on repeat biopsy", figure="fewer",
                  kind="descriptive", design="rct_parallel", tier="primary")
    ev = _with_rows(tmp_path, biopsy)
    s = one(tmp_path, ev, "How IVIG works", "IVIG adjusts how immune cells signal to each other in dermatomyositis.")
    assert s.verdict == "not_assessable" and s.judgement.evidence == [] and s.row()["evidence"] == ""


def _trial_rows() -> list[EvidenceRow]:
    kw = dict(study="trialz", label="TRIALZ", design="rct_parallel", tier="primary")
    return [
        _row("trialz_r01", "moderate response TIS 40 dermatomyositis TRIALZ", "dm", "composite", percent=68.0,
             outcome="TIS >= 40 (at least moderate improvement)", figure="ivig: 68%", kind="arm_outcome", **kw),
        _row("trialz_r02", "moderate response TIS 40 dermatomyositis TRIALZ", "dm", "composite", percent=23.0,
             outcome="TIS >= 40 (at least moderate improvement)", figure="placebo: 23%", kind="arm_outcome", **kw),
        _row("trialz_ae01", "thromboembolic events TRIALZ dermatomyositis IVIG", "dm", "safety", percent=6.3,
             counts=(6, 95), outcome="Thromboembolic events", figure="6/95", kind="adverse_event", **kw),
        _row("trialz_ae02", "thromboembolic events TRIALZ dermatomyositis", "dm", "safety", percent=5.3, counts=(5, 95),
             outcome="Thromboembolic events judged related", figure="5/95", kind="adverse_event", **kw),
        _row("trialz_ae03", "adverse events TRIALZ dermatomyositis IVIG", "dm", "safety", percent=88.4, counts=(84, 95),
             outcome="Any adverse event", figure="84/95", kind="adverse_event", **kw),
        _row("trialz_ae04", "adverse events TRIALZ dermatomyositis", "dm", "safety", percent=65.3, counts=(62, 95),
             outcome="Adverse event related to IVIG", figure="62/95", kind="adverse_event", **kw),
    ]


def test_both_arms_of_an_outcome_are_compared_and_an_exact_fraction_finds_its_row(tmp_path):
    ev = _with_rows(tmp_path, *_trial_rows())
    # the placebo arm's row is compared too, although only the IVIG arm shares most words
    s = one(tmp_path, ev, "TRIALZ", "In TRIALZ a moderate response was more frequent with IVIG (68.1% versus 22.9%).")
    assert s.number_check == "match"
    # "5 of the 95" is the related events' row exactly, not a wrong count of all events
    s = one(tmp_path, ev, "TRIALZ", "In TRIALZ, treatment-related thromboembolic events occurred in 5 of the 95 patients given IVIG.")
    assert s.number_check == "match" and s.judgement.evidence[0].id == "trialz_ae02" and s.verdict != "contradicted"


def test_a_figure_for_all_adverse_events_is_not_matched_with_related_ones(tmp_path):
    ev = _with_rows(tmp_path, *_trial_rows())
    s = one(tmp_path, ev, "TRIALZ", "In TRIALZ, 65.3% of participants on IVIG had adverse events.")
    assert s.number_check == "mismatch" and s.verdict == "contradicted" and "trialz_ae03" in s.number_detail


def test_a_claim_that_the_arms_were_similar_is_held_against_both_arms_counts(tmp_path):
    kw = dict(study="trialz", label="TRIALZ", design="rct_parallel", tier="primary", kind="adverse_event")
    rows = [
        _row("trialz_ae11", "adverse events TRIALZ dermatomyositis", "dm", "safety", percent=80.8, counts=(42, 52),
             outcome="Any TEAE", figure="trialz_ivig: 42/52 patients", **kw),
        _row("trialz_ae12", "adverse events TRIALZ dermatomyositis", "dm", "safety", percent=58.3, counts=(28, 48),
             outcome="Any TEAE", figure="trialz_placebo: 28/48 patients", **kw),
        _row("trialz_ae13", "serious adverse events TRIALZ dermatomyositis", "dm", "safety", percent=5.8, counts=(3, 52),
             outcome="Serious TEAE", figure="trialz_ivig: 3/52 patients", **kw),
        _row("trialz_ae14", "serious adverse events TRIALZ dermatomyositis", "dm", "safety", percent=4.2, counts=(2, 48),
             outcome="Serious TEAE", figure="trialz_placebo: 2/48 patients", **kw),
    ]
    ev = _with_rows(tmp_path, *rows)
    s = one(tmp_path, ev, "TRIALZ", "In TRIALZ, adverse events were similar with IVIG and placebo.")
    assert s.verdict == "contradicted" and "42/52 vs 28/48" in s.judgement.reason
    s = one(tmp_path, ev, "TRIALZ", "In TRIALZ, serious adverse events were similar with IVIG and placebo.")
    assert s.verdict == "supported" and "3/52 vs 2/48" in s.judgement.reason


def test_a_sentence_that_names_no_outcome_and_claims_no_benefit_is_not_assessable(tmp_path, evidence):
    s = one(tmp_path, evidence, "Dermatomyositis", "The doctor may order a saline drip before the IVIG for dermatomyositis.")
    assert s.verdict == "not_assessable" and s.judgement.evidence == []
    # a benefit, however vague, is judged
    s = one(tmp_path, evidence, "Dermatomyositis", "IVIG is a helpful treatment for dermatomyositis.")
    assert s.verdict != "not_assessable"


@pytest.mark.parametrize("sentence, domain", [
    ("Dermatomyositis can be treated with IVIG.", "treatment_position"),
    ("In this analysis, patients given IVIG had no higher rate of VTE.", "safety"),
])
def test_more_domain_examples(sentence, domain):
    assert tag_domain(sentence) == domain


def test_sentences_about_a_study_the_base_does_not_hold_are_not_assessable(tmp_path, evidence):
    statements = audit_text(tmp_path, evidence, (
        "A new safety study\n"
        "Researchers in Boston looked back at more than 400 patients with dermatomyositis given IVIG.\n"
        "In this retrospective analysis, the total improvement score of patients on IVIG rose.\n"
        "IVIG improves the total improvement score in dermatomyositis.\n"))
    later = statements["In this retrospective analysis, the total improvement score of patients on IVIG rose."]
    assert later.verdict == "not_assessable" and "does not hold" in later.judgement.reason
    general = statements["IVIG improves the total improvement score in dermatomyositis."]
    assert general.verdict != "not_assessable"  # a general claim is judged against the base again


def test_a_trial_described_by_design_and_week_is_the_base_study_with_results_that_week(tmp_path, evidence):
    evidence.enrolment = {"trialx": (95, "rct_parallel", "dm"), "other": (15, "rct_crossover", "dm")}
    evidence.timepoints = {"trialx": frozenset({16.0}), "other": frozenset({12.0})}
    from evidence.audit.judge import named_studies
    assert named_studies("A randomised placebo-controlled trial found that 16 weeks of IVIG helped DM.", evidence) == {"trialx"}
    assert named_studies("A randomised placebo-controlled trial found that 20 weeks of IVIG helped DM.", evidence) == set()


def test_a_harm_rate_is_held_against_every_studys_rate_of_that_harm(tmp_path):
    kw = dict(kind="adverse_event", tier="primary")
    rows = [
        _row("pool_r01", "aseptic meningitis pooled prevalence case series", "myositis", "safety", percent=0.6,
             study="pool", label="POOL", outcome="Aseptic meningitis prevalence (pooled)", figure="0.6%", **kw),
        _row("pool_r02", "recurrence aseptic meningitis re-exposure", "myositis", "safety", percent=11.0,
             study="pool", label="POOL", outcome="Recurrence of aseptic meningitis on re-exposure", figure="8/71", **kw),
        _row("pool_r03", "aseptic meningitis patients given IVIG onset within 3 days", "myositis", "safety",
             percent=90.0, study="pool", label="POOL", outcome="Aseptic meningitis onset and recovery", figure="90%", **kw),
        _row("pool_r04", "aseptic meningitis patients given IVIG linked by authors to rapid infusion", "myositis",
             "safety", percent=31.0, study="pool", label="POOL", outcome="Aseptic meningitis linked by authors to rapid infusion",
             figure="31%", **kw),
        _row("small_r01", "meningitis neuromuscular cohort", "any_indication", "safety", percent=11.1, counts=(6, 54),
             study="small", label="SMALL", outcome="Aseptic meningitis (per patient)", figure="6/54", **kw),
    ]
    ev = _with_rows(tmp_path, *rows)
    s = one(tmp_path, ev, "Side effects", "Aseptic meningitis affects fewer than 1% of patients given IVIG.")
    # the pooled rate agrees, a cohort's 6 of 54 does not; the re-exposure subgroup is no like row
    assert s.number_check == "partial" and "small_r01" in s.number_detail
    assert not {"pool_r02", "pool_r03", "pool_r04"} & set(re.findall(r"pool_r0\d", s.number_detail))


def test_a_figure_is_not_compared_with_an_unrelated_row_when_the_closest_row_is_narrower(tmp_path):
    related = _row("label_ae01", "adverse events related to study drug label", "dm", "safety", percent=65.3,
                   counts=(62, 95), study="label", label="LABEL", outcome="TEAE related to study drug",
                   figure="ivig: 62/95 patients", kind="adverse_event", tier="primary")
    unrelated = _row("report_r01", "adverse event reports renal failure over 65", "any_indication", "safety",
                     percent=64.8, counts=(35, 54), study="report", label="REPORT", outcome="Risk factor: age over 65",
                     figure="35/54", kind="arm_outcome", tier="primary")
    ev = _with_rows(tmp_path, related, unrelated)
    s = one(tmp_path, ev, "Safety", "Overall 65.3% of participants given IVIG had treatment-emergent adverse events.")
    assert "report_r01" not in s.number_detail and s.number_check != "match"


def test_use_in_a_situation_no_guidance_mentions_is_not_backed_by_that_guidance(tmp_path):
    rec = _rec("gl_rec01", "IVIG is recommended for polymyositis that has not responded to steroids", "pm")
    ev = _with_rows(tmp_path, rec)
    s = one(tmp_path, ev, "Polymyositis", "IVIG is an option to manage flares of polymyositis.")
    assert s.verdict == "not_assessable" and "flares" in s.judgement.reason
    s = one(tmp_path, ev, "Polymyositis", "IVIG can be used when steroids fail in polymyositis, or during pregnancy.")
    assert s.verdict == "partly_supported" and "pregnancy" in s.judgement.reason
    s = one(tmp_path, ev, "Polymyositis", "IVIG can be used when steroids fail in polymyositis.")
    assert s.verdict == "supported"


def test_infusion_rates_are_read_in_mg_or_ml_per_kg_and_minute(tmp_path):
    kw = dict(study="brandx_label", label="Brandx 10% USPI", design="drug_label", tier="primary", kind="descriptive")
    rows = [
        _row("brandx_r01", "dermatomyositis initial infusion rate Brandx label", "dm", "dosing", outcome="DM initial infusion rate",
             figure="brandx_dm_regimen: 1 mg/kg/min", **kw),
        _row("brandx_r02", "dermatomyositis maximum infusion rate Brandx label", "dm", "dosing",
             outcome="DM maximum maintenance infusion rate", figure="brandx_dm_regimen: 4 mg/kg/min", **kw),
    ]
    ev = _with_rows(tmp_path, *rows)
    q = extract_quantities("Start at 2.0 mL/kg/hour.")[0]
    assert q.kind == "infusion_rate" and abs(q.low - 2.0 / 60) < 1e-9
    s = one(tmp_path, ev, "Dermatomyositis", "In dermatomyositis the IVIG infusion rate starts at 1 mg/kg/min.")
    assert s.number_check == "match" and s.verdict == "supported"
    # another unit, or another product's rate: not stated in the base, so not compared
    s = one(tmp_path, ev, "Dermatomyositis", "In dermatomyositis the IVIG infusion rate starts at 2.0 mL/kg/hour.")
    assert s.number_check == "nothing to compare" and s.verdict == "not_assessable"
    # above the named product's highest rate: a mismatch
    s = one(tmp_path, ev, "Dermatomyositis", "In dermatomyositis the Brandx infusion rate may go up to 12 mg/kg/min.")
    assert s.number_check == "mismatch" and s.verdict == "contradicted"


def test_a_page_about_one_trial_lends_it_to_figures_that_name_no_study(tmp_path):
    ev = _with_rows(tmp_path, *_trial_rows())
    ev.enrolment = {"trialz": (95, "rct_parallel", "dm")}
    statements = audit_text(tmp_path, ev, "TRIALZ shows benefit of IVIG in dermatomyositis\n"
                                          "Overall 65.3% of participants on IVIG had adverse events.\n")
    s = statements["Overall 65.3% of participants on IVIG had adverse events."]
    # held against TRIALZ's any-adverse-event row (84/95), not its related-event row (62/95, 65.3%)
    assert s.number_check == "mismatch" and "trialz_ae03" in s.number_detail and "trialz_ae04" not in s.number_detail
    assert s.judgement.evidence[0].id == "trialz_ae03"


def _dm_approvals(approved_on: str = "") -> tuple[EvidenceRow, EvidenceRow]:
    """An IVIG product approved for adult DM, and another agent approved for DM."""
    ivig = EvidenceRow("brand_fda_dm", "approvals", "Brand approval approved indication label", "dm", "regulatory",
                       "label", label="Brand FDA", outcome="Dermatomyositis in adults", figure="approved 2021",
                       kind="approval", design="drug_label", approval=("ivig", "approved", "adults", approved_on))
    other = EvidenceRow("gel_fda_dm", "approvals", "Gel approval approved indication label", "dm", "regulatory",
                        "label", label="Gel FDA", outcome="Dermatomyositis", figure="approved 2019",
                        kind="approval", design="drug_label", approval=("other", "approved", "", ""))
    return ivig, other


def test_approved_only_recently_is_no_claim_of_the_only_approval(tmp_path):
    ev = _with_rows(tmp_path, *_dm_approvals())
    s = one(tmp_path, ev, "Dermatomyositis", "IVIG gained FDA approval for dermatomyositis only recently.")
    assert s.verdict == "supported"
    s = one(tmp_path, ev, "Dermatomyositis", "IVIG is the only FDA-approved treatment for dermatomyositis.")
    assert s.verdict == "contradicted"


def test_after_a_run_across_subtypes_an_unnamed_sentence_is_about_the_family(tmp_path, evidence):
    statements = audit_text(tmp_path, evidence, (
        "What IVIG does\nIVIG has helped dermatomyositis patients.\nPolymyositis patients have also gained strength on IVIG.\n"
        "Inclusion body myositis patients have seen little change on IVIG.\nAn IVIG infusion takes several hours.\n"))
    assert statements["An IVIG infusion takes several hours."].subtype == "myositis"


def test_little_benefit_matches_null_trials_and_a_benefit_asked_about_is_no_claim(tmp_path, evidence):
    s = one(tmp_path, evidence, "Inclusion body myositis",
            "Most patients with inclusion body myositis see only marginal improvement in muscle strength on IVIG.")
    assert s.verdict == "supported" and "null_trial" not in s.judgement.flags
    s = one(tmp_path, evidence, "Inclusion body myositis",
            "Trials in inclusion body myositis must run long enough to show whether IVIG improves muscle strength.")
    assert s.verdict != "contradicted"


def test_a_lowered_maintenance_dose_is_not_held_against_induction_regimens():
    from evidence.audit.match import Regimen
    from evidence.audit.numbers import number_check
    regimens = [Regimen("trial_ivig", "dm", "Table 1", dose=2.0, days=(2.0, 5.0), interval=4.0)]
    status, detail = number_check("The maintenance dose is lowered to 1 g/kg.", "dm", [], regimens)
    assert status == "nothing to compare" and "maintenance" in detail
    status, _ = number_check("IVIG is given at 1 g/kg per course.", "dm", [], regimens)
    assert status == "mismatch"


def test_research_needs_other_drugs_and_unheld_guidance_are_not_assessable(tmp_path, evidence):
    s = one(tmp_path, evidence, "Inclusion body myositis",
            "Trials in inclusion body myositis must be large and long to show a strength benefit of IVIG.")
    assert s.verdict == "not_assessable" and "research should do" in s.judgement.reason
    s = one(tmp_path, evidence, "Dermatomyositis", "Methotrexate improves the total improvement score in dermatomyositis.")
    assert s.verdict == "not_assessable" and "other treatments" in s.judgement.reason
    s = one(tmp_path, evidence, "Dermatomyositis",
            "NHS England commissioning policy allows IVIG for dermatomyositis with a low total improvement score.")
    assert s.verdict == "not_assessable" and "NHS England" in s.judgement.reason


def test_a_bullet_item_continues_its_lead_in(tmp_path):
    (tmp_path / "page.txt").write_text(
        "Who may benefit\nIVIG may be considered for patients who:\n"
        "- Have persistent muscle weakness despite trying corticosteroids or other immunosuppressive medications for months.\n"
        "- Cannot tolerate high-dose steroids because of other health conditions such as diabetes or osteoporosis.\n",
        encoding="utf-8")
    kept = [c for c in candidates(read_document(tmp_path / "page.txt"))[0] if c.status == "kept"]
    items = [c for c in kept if c.sentence.startswith(("Have", "Cannot"))]
    assert items and all(c.context.startswith("IVIG may be considered") for c in items)


def test_each_listed_harm_figure_is_held_against_its_own_harm(tmp_path):
    kw = dict(study="trialz", label="TRIALZ", kind="adverse_event", tier="primary", design="rct_parallel")
    rows = [
        _row("trialz_ae21", "headache related TRIALZ", "dm", "safety", percent=42.1, counts=(40, 95),
             outcome="Headache (drug-related)", figure="trialz_ivig: 40/95 patients", **kw),
        _row("trialz_ae22", "pyrexia fever related TRIALZ", "dm", "safety", percent=18.9, counts=(18, 95),
             outcome="Pyrexia (drug-related)", figure="trialz_ivig: 18/95 patients", **kw),
        _row("trialz_ae23", "nausea related TRIALZ", "dm", "safety", percent=15.8, counts=(15, 95),
             outcome="Nausea (drug-related)", figure="trialz_ivig: 15/95 patients", **kw),
    ]
    ev = _with_rows(tmp_path, *rows)
    s = one(tmp_path, ev, "Dermatomyositis",
            "On IVIG for dermatomyositis, headache affected 42%, pyrexia 19% and nausea 16% of patients.")
    assert s.number_check == "match" and [r.id for r in s.judgement.evidence] == ["trialz_ae21", "trialz_ae22", "trialz_ae23"]
    s = one(tmp_path, ev, "Dermatomyositis",
            "On IVIG for dermatomyositis, headache affected 42%, pyrexia 35% and nausea 16% of patients.")
    assert s.number_check != "match"


def test_usage_trends_and_product_facts_no_row_states_are_not_assessable(tmp_path, evidence):
    s = one(tmp_path, evidence, "Dermatomyositis", "IVIG is used more and more for refractory dermatomyositis.")
    assert s.verdict == "not_assessable" and "how often IVIG is used" in s.judgement.reason
    fact = EvidenceRow("brandx_iga", "products", "Brandx iga content IgA product brand", "any_indication", "product",
                       "label", study="brandx_label", label="Brandx", outcome="iga content", figure="trace IgA",
                       kind="product_fact")
    ev = _with_rows(tmp_path, fact)
    s = one(tmp_path, ev, "About IVIG", "Brandx IVIG is made of antibodies pooled from healthy donors.")
    assert s.verdict == "not_assessable" and "product fact" in s.judgement.reason
    s = one(tmp_path, ev, "About IVIG", "Brandx IVIG contains only trace amounts of IgA.")
    assert s.verdict != "not_assessable"


def test_a_page_reporting_a_cohort_the_base_lacks_keeps_its_figures_unjudged(tmp_path, evidence):
    statements = audit_text(tmp_path, evidence, (
        "IVIG in inflammatory myositis: experience in a tertiary centre\nMethods\n"
        "Twenty-three patients with dermatomyositis given IVIG were followed for a mean of 31 months.\nResults\n"
        "The total improvement score response was reached by 43% of patients with dermatomyositis on IVIG.\n"))
    s = statements["The total improvement score response was reached by 43% of patients with dermatomyositis on IVIG."]
    assert s.verdict == "not_assessable" and "does not hold" in s.judgement.reason


def test_raising_the_dose_is_not_supported_without_a_row_that_shows_it(tmp_path, evidence):
    s = one(tmp_path, evidence, "Dosing", "When IVIG does not control dermatomyositis, the usual practice is to raise the dose.")
    assert s.verdict == "not_supported" and "raised" in s.judgement.reason


def test_who_a_named_trial_enrolled_is_a_study_description_checked_against_that_trial(tmp_path):
    ev = _with_rows(tmp_path, *_trial_rows())
    ev.enrolment = {"trialz": (95, "rct_parallel", "dm")}
    assert tag_domain("The randomised placebo-controlled trial enrolled 95 adults with active dermatomyositis.") == "epidemiology"
    s = one(tmp_path, ev, "TRIALZ", "TRIALZ enrolled 95 adults with active dermatomyositis who were given IVIG or placebo.")
    assert s.outcome_domain == "epidemiology" and s.number_check == "match"
    # a share of women is compared only with a row on that characteristic; the trial has none
    s = one(tmp_path, ev, "TRIALZ", "In TRIALZ, 75% of the adults given IVIG were women.")
    assert s.number_check != "mismatch"


def test_a_claim_of_first_line_use_beside_later_uses_is_checked_for_its_first_line_part(tmp_path):
    later = _rec("gl_rec01", "IVIG is recommended as second-line treatment for polymyositis that has not responded to steroids", "pm")
    ev = _with_rows(tmp_path, later)
    s = one(tmp_path, ev, "Polymyositis", "In polymyositis IVIG can be given first-line, or added when steroids fail.")
    assert s.verdict == "not_supported"
    s = one(tmp_path, ev, "Polymyositis", "IVIG is used for polymyositis resistant to first-line steroids.")
    assert s.verdict == "supported"


def test_a_population_rate_is_epidemiology_and_an_infusion_rate_cap_is_found_in_any_row(tmp_path):
    assert tag_domain("Dermatomyositis affects about 10 in every 1 million people each year.") == "epidemiology"
    q = extract_quantities("Dermatomyositis affects about 10 in every 1 million people each year.")
    assert q and q[0].kind == "rate" and q[0].low == 10.0


def test_another_drugs_dose_is_no_ivig_figure(tmp_path):
    from evidence.audit.match import Regimen
    ev = _with_rows(tmp_path)
    ev.regimens = [Regimen("trial_ivig", "pm", "Table 1", dose=2.0)]
    s = one(tmp_path, ev, "Polymyositis", "A typical course of prednisolone is 1 mg/kg a day for polymyositis.")
    assert s.number_check == "nothing to compare" and s.verdict != "contradicted"
    s = one(tmp_path, ev, "Polymyositis", "IVIG for polymyositis is given at 1 g/kg per course.")
    assert s.number_check == "mismatch"


@pytest.mark.parametrize("sentence, domain", [
    ("IVIG can push blood pressure up during the infusion.", "safety"),
    ("IVIG can treat dermatomyositis.", "composite"),
])
def test_blood_pressure_is_a_harm_and_can_treat_is_a_benefit(sentence, domain):
    from evidence.audit.judge import EFFICACY_RE
    assert tag_domain(sentence) == domain
    assert domain == "safety" or EFFICACY_RE.search(sentence)


def test_a_benefit_claimed_for_listed_subtypes_gives_one_statement_per_subtype(tmp_path, evidence):
    path = tmp_path / "doc.txt"
    path.write_text("IVIG\nIVIG can treat muscle diseases such as dermatomyositis, inclusion body myositis and "
                    "juvenile dermatomyositis.\n", encoding="utf-8")
    statements = audit_document(path, evidence=evidence).statements
    assert sorted(s.subtype for s in statements) == ["dm", "ibm", "jdm"]
    ibm = next(s for s in statements if s.subtype == "ibm")
    assert "null_trial" in ibm.judgement.flags  # IBM's own null trial, not DM's positive one


def test_a_look_alike_registered_claim_does_not_override_a_rule_that_the_base_cannot_speak_to_it(tmp_path):
    claim = EvidenceRow("other_c02", "claims", "ivig used treat dermatomyositis", "dm", "treatment_position", "other_page",
                        study="other_page", outcome="IVIG is the third most used drug in treating dermatomyositis.",
                        kind="claim", figure="supported", label="Used widely.")
    ev = _with_rows(tmp_path, claim)
    s = one(tmp_path, ev, "Dermatomyositis", "IVIG is the third most used drug in treating dermatomyositis.")
    assert s.verdict == "not_assessable" and "other_c02" not in s.judgement.reason


def test_a_disease_called_rare_is_held_against_its_prevalence_rows(tmp_path):
    prevalence = _row("epi_dm_prev", "dermatomyositis prevalence per million", "dm", "epidemiology", outcome="prevalence",
                      kind="descriptive", rate=("prevalence", 10.0, 220.0), study="registry", label="REGISTRY")
    ev = _with_rows(tmp_path, prevalence)
    s = one(tmp_path, ev, "Dermatomyositis", "Dermatomyositis is a rare autoimmune disease.")
    assert s.verdict == "supported" and "500" in s.judgement.reason and s.judgement.evidence[0].id == "epi_dm_prev"
    common = _row("epi_dm_prev2", "dermatomyositis prevalence per million", "dm", "epidemiology", outcome="prevalence",
                  kind="descriptive", rate=("prevalence", 10.0, 900.0), study="registry2", label="REGISTRY2")
    ev = _with_rows(tmp_path, common)
    s = one(tmp_path, ev, "Dermatomyositis", "Dermatomyositis is a rare autoimmune disease.")
    assert s.verdict == "partly_supported"


def test_a_review_the_base_holds_is_named_by_its_design_and_size(tmp_path):
    review = _row("review_r01", "studies and patients included review", "myositis", "epidemiology", counts=(308,),
                  study="review", label="REVIEW", outcome="Studies and patients included", figure="308 patients",
                  kind="descriptive", design="systematic_review", tier="primary", url="https://journal.example.org/review")
    ev = _with_rows(tmp_path, review)
    ev.enrolment = {"review": (308, "systematic_review", "myositis")}
    s = one(tmp_path, ev, "Polymyositis and dermatomyositis",
            "A systematic review of 14 studies with 308 adults found IVIG helpful in PM/DM.")
    assert s.number_check == "match" and "review_r01" in s.number_detail
    assert "does not hold" not in s.judgement.reason
    ev.enrolment = {"review": (250, "systematic_review", "myositis")}  # a review of another size is not this one
    s = one(tmp_path, ev, "Polymyositis and dermatomyositis",
            "A systematic review of 14 studies with 308 adults found IVIG helpful in PM/DM.")
    assert "review_r01" not in s.number_detail, (s.verdict, s.judgement.reason, s.number_detail)


def test_a_review_without_arms_takes_its_size_from_its_population():
    from types import SimpleNamespace

    from evidence.audit.match import _enrolled
    review = SimpleNamespace(n_enrolled=float("nan"), design="meta_analysis",
                             population="29 studies of immunoglobulin, 576 patients (54 children)")
    assert _enrolled(review) == 576
    trial = SimpleNamespace(n_enrolled=95.0, design="rct_parallel", population="95 adults")
    assert _enrolled(trial) == 95
    assert _enrolled(SimpleNamespace(n_enrolled=None, design="case_series", population="12 patients")) == 0


def test_a_mean_with_its_sd_finds_the_row_that_prints_it(tmp_path):
    cycles = _row("trialx_r09", "ivig cycles before skin improvement dermatomyositis TRIALX", "dm", "time_to_response",
                  study="trialx", label="TRIALX", outcome="IVIG cycles before improvement", figure="ivig: mean 1.82 IVIG cycles",
                  kind="arm_outcome", design="rct_parallel", tier="primary", url="https://journal.example.org/trialx")
    ev = _with_rows(tmp_path, cycles)
    s = one(tmp_path, ev, "Dermatomyositis", "Skin improvement came after a mean of 1.82 (SD 1.38) IVIG cycles.")
    assert s.number_check == "match" and "trialx_r09" in s.number_detail
    s = one(tmp_path, ev, "Dermatomyositis", "Skin improvement came after a mean of 2.64 (SD 1.38) IVIG cycles.")
    assert s.number_check != "match" and s.verdict != "contradicted"


def test_steroids_first_is_held_against_guidance_that_keeps_ivig_for_later(tmp_path):
    later = _rec("gl_rec01", "IVIG is recommended as second-line treatment for polymyositis that has not responded to steroids", "pm")
    ev = _with_rows(tmp_path, later)
    for sentence in ("Corticosteroids are usually the first step in treating polymyositis.",
                     "Polymyositis is treated first with glucocorticoids."):
        s = one(tmp_path, ev, "Polymyositis", sentence)
        assert s.verdict == "supported" and s.judgement.evidence[0].id == "gl_rec01", sentence
        assert s.outcome_domain == "treatment_position"
    # a trial's background therapy is no claim of what comes first; without guidance the base cannot speak to it
    s = one(tmp_path, ev, "Polymyositis", "Patients stayed on a stable dose of standard therapy such as glucocorticoids.")
    assert "first-line treatment fails" not in s.judgement.reason
    s = one(tmp_path, _with_rows(tmp_path), "Polymyositis", "Corticosteroids are usually the first step in treating polymyositis.")
    assert s.verdict != "supported"


def test_an_incidence_given_as_a_prevalence_range_is_not_supported(tmp_path):
    registry = _row("epi_jdm_inc", "incidence juvenile dermatomyositis registry children", "jdm", "epidemiology",
                    study="registry", label="REGISTRY", outcome="incidence children", figure="3.2 per million per year",
                    kind="descriptive", rate=("incidence", 2.9, 3.4))
    ev = _with_rows(tmp_path, registry)
    s = one(tmp_path, ev, "Juvenile dermatomyositis", "The prevalence of JDM is estimated at 2-3 cases per million.")
    assert "incidence_vs_prevalence" in s.judgement.flags
    assert s.verdict == "not_supported" and s.judgement.evidence[0].id == "epi_jdm_inc"
    # a prevalence far above the yearly incidence may well be right: the base has no prevalence to judge it by
    s = one(tmp_path, ev, "Juvenile dermatomyositis", "The prevalence of JDM is estimated at 20-40 cases per million.")
    assert s.verdict != "not_supported"
    # a stated range meets the rows' span
    s = one(tmp_path, ev, "Juvenile dermatomyositis", "JDM affects 2-3 children per million each year.")
    assert s.number_check == "match"
    assert extract_quantities("2-3 cases per million")[0].high == 3.0


@pytest.mark.parametrize("text", [
    "Statin-triggered autoimmune myopathy can follow statin use.",
    "Patients with anti-HMGCR antibodies often respond to IVIG.",
    "Anti-SRP disease is more resistant to treatment.",
])
def test_imnm_is_named_by_its_antibodies_and_its_statin_trigger(text):
    from evidence.audit.tag import mentioned_subtypes
    assert mentioned_subtypes(text) == ["imnm"]


def test_a_mean_with_plus_minus_and_a_change_from_one_mean_to_another_find_their_rows(tmp_path):
    before = _row("case_r01", "creatine kinase before ivig case series imnm", "imnm", "enzymes", study="cases",
                  label="CASES", outcome="CK before IVIG", figure="ivig: mean 4919 IU/L", kind="arm_outcome")
    after = _row("case_r02", "creatine kinase after ivig case series imnm", "imnm", "enzymes", study="cases",
                 label="CASES", outcome="CK after IVIG", figure="ivig: mean 1125 IU/L", kind="arm_outcome")
    ev = _with_rows(tmp_path, before, after)
    s = one(tmp_path, ev, "Necrotising myopathy", "Before IVIG the mean creatine kinase was 4919±3523 IU/L.")
    assert s.number_check == "match" and s.judgement.evidence[0].id == "case_r01"
    s = one(tmp_path, ev, "Necrotising myopathy", "On IVIG creatine kinase fell from 4919 to 1125 IU/L.")
    assert s.number_check == "match" and {r.id for r in s.judgement.evidence[:2]} == {"case_r01", "case_r02"}
    s = one(tmp_path, ev, "Necrotising myopathy", "On IVIG creatine kinase fell from 4919 to 900 IU/L.")
    assert s.number_check != "match" and s.verdict != "contradicted"  # one mean unstated: not compared


@pytest.mark.parametrize("sentence, domain", [
    ("Patients with anti-HMGCR antibodies often respond well to IVIG.", "composite"),
    ("The usual treatment is high-dose corticosteroids, and IVIG is added early when disease is severe.",
     "treatment_position"),
    ("IVIG has been put forward as a possible treatment for JDM.", "treatment_position"),
    ("Not all patients respond well enough to standard treatment.", "treatment_position"),
    ("IVIG is usually given in a clinic through an intravenous line over several hours.", "dosing"),
    ("IVIG works by neutralising harmful antibodies.", "mechanism"),
])
def test_disease_antibodies_steroid_doses_and_proposed_treatments_are_tagged_by_what_they_claim(sentence, domain):
    assert tag_domain(sentence) == domain


def test_a_heading_put_as_a_question_asserts_nothing():
    from evidence.audit.tag import heading_asserts
    assert not heading_asserts("How IVIG Works for JDM")
    assert not heading_asserts("2. What Is IVIG Used For")
    assert heading_asserts("IVIG improves strength in dermatomyositis")


def test_a_dose_range_whose_lower_end_no_regimen_gave_is_partly_backed():
    from evidence.audit.match import Regimen
    from evidence.audit.numbers import check_regimen
    regimens = [Regimen("trial_ivig", "imnm", "Table 1", dose=2.0)]
    q = extract_quantities("The dose is 1-2 g/kg split over 2-5 days.")[0]
    check = check_regimen(q, regimens, "imnm")
    assert check.status == "partial" and "none gives 1 g/kg" in check.detail
    q = extract_quantities("The dose is 2 g/kg split over 2-5 days.")[0]
    assert check_regimen(q, regimens, "imnm").status == "match"
    q = extract_quantities("The dose is 1-2 g/kg split over 2-5 days.")[0]
    assert check_regimen(q, regimens + [Regimen("t2", "imnm", "Table 2", dose=1.0)], "imnm").status == "match"


def test_another_treatments_place_is_not_assessable_unless_it_says_steroids_come_first(tmp_path):
    later = _rec("gl_rec01", "IVIG is recommended as second-line treatment for polymyositis that has not responded to steroids", "pm")
    ev = _with_rows(tmp_path, later)
    s = one(tmp_path, ev, "Polymyositis", "Methotrexate or azathioprine are recommended when steroids fail in polymyositis.")
    assert s.verdict == "not_assessable" and not s.judgement.evidence
    s = one(tmp_path, ev, "Polymyositis", "Polymyositis is usually managed with drugs such as corticosteroids.")
    assert s.verdict == "supported"


def test_a_sentence_that_refers_back_keeps_its_own_disease_fact_domain(tmp_path):
    (tmp_path / "page.txt").write_text("Dermatomyositis\nIn some patients it involves internal organs such as the lungs.\n"
                                       "It affects both adults and children.\nThey are given into a vein.\n")
    kept = [c for c in candidates(read_document(tmp_path / "page.txt"))[0] if c.status == "kept"]
    by_text = {c.sentence: c for c in kept}
    assert by_text["It affects both adults and children."].outcome_domain == "epidemiology"
    assert tag_domain("Women are affected more often than men.") == "epidemiology"
    assert tag_domain("A trained nurse gives IVIG into a vein.") == "dosing"


def test_advice_on_managing_a_harm_is_partly_backed_until_a_row_measures_its_effect(tmp_path):
    premed = _row("label_r19", "premedication given before infusion in the label trial", "dm", "safety", counts=(10, 47),
                  study="label", label="LABEL", outcome="Premedication use", figure="10/47", kind="arm_outcome",
                  design="drug_label", tier="primary", url="https://label.example.org/")
    ev = _with_rows(tmp_path, premed)
    s = one(tmp_path, ev, "Side effects of IVIG", "Premedication helps prevent headache after IVIG.")
    assert s.verdict == "partly_supported" and "not a measured effect" in s.judgement.reason
    compared = _row("cohort_r07", "headache with and without premedication cohort", "dm", "safety", counts=(5, 40),
                    study="cohort2", label="COHORT2", outcome="Headache by premedication", figure="5/40 vs 12/40",
                    kind="between_arm", tier="primary", url="https://journal.example.org/cohort2")
    ev = _with_rows(tmp_path, premed, compared)
    s = one(tmp_path, ev, "Side effects of IVIG", "Premedication helps prevent headache after IVIG.")
    assert "not a measured effect" not in s.judgement.reason


@pytest.mark.parametrize("sentence, other", [
    ("Creatine kinase fell more after plasma exchange than after sham exchange.", True),
    ("Critically ill patients get methylprednisolone 1000 mg a day.", True),
    ("IVIG was added to methylprednisolone.", False),
])
def test_procedures_and_pulse_steroids_are_other_treatments(sentence, other):
    from evidence.audit.judge import about_other_treatment
    assert about_other_treatment(sentence) is other


def test_similar_arms_are_compared_only_on_rows_whose_counts_are_events_of_a_total(tmp_path):
    # a row may list only sizes (study enrolment, arm size): no risk difference can come of them
    sizes = _row("ibmx_r01", "strength ivig arm inclusion body myositis IBMX", "ibm", "strength", counts=(26, 12),
                 study="ibmx", label="IBMX", outcome="strength", figure="ivig: mean 4.2", kind="arm_outcome")
    control = _row("ibmx_r02", "strength placebo arm inclusion body myositis IBMX", "ibm", "strength", counts=(3, 12),
                   study="ibmx", label="IBMX", outcome="strength", figure="placebo: 3/12", kind="arm_outcome", percent=25.0)
    ev = _with_rows(tmp_path, sizes, control)
    s = one(tmp_path, ev, "Inclusion body myositis", "Strength was similar with IVIG and placebo in the IBMX trial.")
    assert "risk difference" not in s.judgement.reason


@pytest.mark.parametrize("text, course", [
    ("IVIG at 1 g/kg intravenously on each of two days every 4 weeks.", 2.0),
    ("IVIG 0.4 g/kg daily for 5 days.", 2.0),
    ("IVIG 2 g/kg over 2 to 5 days.", 2.0),
])
def test_a_daily_dose_times_its_days_is_the_course_dose(text, course):
    doses = [q for q in extract_quantities(text) if q.kind == "dose"]
    assert [q.low for q in doses] == [course]


def test_a_daily_dose_without_its_days_is_not_compared_with_course_doses():
    assert not [q for q in extract_quantities("The usual dose is 1 g/kg a day.") if q.kind == "dose"]


def test_guidance_of_a_clinic_the_base_does_not_hold_is_named():
    from evidence.audit.judge import _unheld_guidance
    ev = Evidence(root=Path("."), rows=list(ROWS), regimens=[], bib=Bibliography(Path("none.bib"), {}), documents=DOCUMENTS)
    assert _unheld_guidance("A Mayo Clinic expert consensus recommends IVIG monthly.", ev) == "Mayo Clinic"


def test_a_figure_said_to_come_from_several_studies_is_partly_backed_when_one_study_gives_it(tmp_path, evidence):
    s = one(tmp_path, evidence, "Dermatomyositis", "Several randomised trials show that 79% of patients on IVIG reach TIS >= 20.")
    assert s.number_check == "match"
    assert s.verdict == "partly_supported" and "one study" in s.judgement.reason and "TRIALX" in s.judgement.reason
    s = one(tmp_path, evidence, "Dermatomyositis", "A randomised trial showed that 79% of patients on IVIG reach TIS >= 20.")
    assert "one study" not in s.judgement.reason


def test_the_number_treated_given_as_the_number_who_improved_is_a_mismatch(tmp_path):
    major = _row("small_r04", "major improvement ivig arm SMALLTRIAL dermatomyositis", "dm", "composite",
                 counts=(9, 12, 15), percent=75.0, study="small", label="SMALLTRIAL", outcome="Major improvement",
                 figure="ivig: 9/12", kind="arm_outcome", design="rct_crossover")
    ev = _with_rows(tmp_path, major)
    ev.enrolment = {"small": (15, "rct_crossover", "dm")}
    s = one(tmp_path, ev, "Dermatomyositis",
            "In a placebo-controlled crossover trial of 15 patients with dermatomyositis, 12 improved on IVIG.")
    assert s.number_check == "mismatch" and "trial_total_for_arm" in s.judgement.flags
    assert s.verdict == "contradicted" and "9/12" in s.judgement.reason
    s = one(tmp_path, ev, "Dermatomyositis",
            "In a placebo-controlled crossover trial of 15 patients with dermatomyositis, 9 improved on IVIG.")
    assert s.number_check == "match" and s.verdict != "contradicted"


@pytest.mark.parametrize("sentence, partly", [
    ("IVIG has worked extremely well for patients with dermatomyositis.", True),
    ("IVIG has been life-changing for patients with dermatomyositis.", True),
    ("IVIG improves the total improvement score of patients with dermatomyositis.", False),
])
def test_an_intensified_benefit_says_more_than_moderate_evidence_shows(tmp_path, evidence, sentence, partly):
    s = one(tmp_path, evidence, "Dermatomyositis", sentence)
    assert (s.verdict == "partly_supported" and "says more than moderate certainty" in s.judgement.reason) is partly


def test_the_first_trial_claim_is_held_against_earlier_controlled_trials_of_the_subtype(tmp_path):
    early = _row("oldtrial_r01", "major improvement dermatomyositis OLDTRIAL crossover", "dm", "composite",
                 counts=(9, 12), percent=75.0, study="oldtrial", label="OLDTRIAL", outcome="Major improvement",
                 figure="ivig: 9/12", kind="arm_outcome", design="rct_crossover", names=("smith", "1993", "n engl j med"))
    new = [replace(r, names=("jones", "2022", "n engl j med")) if r.study == "trialx" else r for r in ROWS]
    ev = Evidence(root=tmp_path, rows=new + [early], regimens=[], bib=Bibliography(tmp_path / "none.bib", {}),
                  documents=DOCUMENTS)
    ev.index = BM25Index(ev.rows)
    s = one(tmp_path, ev, "Dermatomyositis", "TRIALX is the first study to confirm the worth of IVIG in dermatomyositis.")
    assert s.verdict == "contradicted" and "OLDTRIAL (1993)" in s.judgement.reason
    s = one(tmp_path, ev, "Dermatomyositis", "TRIALX is the first phase 3 trial of IVIG in dermatomyositis.")
    assert "came first" not in s.judgement.reason


def test_counts_of_events_find_the_harm_row_that_gives_them(tmp_path):
    related = _row("trialx_ae12", "treatment related adverse events TRIALX all ivig", "dm", "safety", counts=(62, 95),
                   study="trialx", label="TRIALX", outcome="TEAE related to study drug", figure="ivig: 62/95 patients, 282 events",
                   kind="adverse_event", tier="primary", url="https://journal.example.org/trialx")
    ev = _with_rows(tmp_path, related)
    s = one(tmp_path, ev, "Dermatomyositis", "In TRIALX the IVIG group had 282 treatment-related adverse events.")
    assert s.number_check == "match" and s.judgement.evidence[0].id == "trialx_ae12"
    assert [q.kind for q in extract_quantities("95 patients had 282 events")] == ["events", "count"]
    assert tag_domain("Nine serious events occurred.") == "safety"


@pytest.mark.parametrize("sentence, domain", [
    ("Although it is a rare disease, dermatomyositis brings progressive weakness and widespread rashes.", "epidemiology"),
    ("For many years dermatomyositis has been treated with steroids.", "treatment_position"),
])
def test_a_rare_disease_is_epidemiology_and_long_treated_with_places_a_treatment(sentence, domain):
    assert tag_domain(sentence) == domain


def test_doctors_more_inclined_to_offer_ivig_is_a_usage_trend(tmp_path, evidence):
    s = one(tmp_path, evidence, "Dermatomyositis", "Rheumatologists are now more inclined to offer IVIG in dermatomyositis.")
    assert s.verdict == "not_assessable" and "how often IVIG is used" in s.judgement.reason


@pytest.mark.parametrize("sentence", [
    "IVIG is used for autoimmune diseases such as lupus and myositis.",
    "His clinician judged IVIG an essential part of his treatment plan.",
    "With the evidence lacking, the use of these immunosuppressants is controversial.",
    "Inclusion body myositis usually resists every therapy.",
])
def test_what_a_treatment_is_used_for_is_its_place_in_treatment(sentence):
    assert tag_domain(sentence) == "treatment_position"


def test_a_general_statement_about_a_named_trial_leads_with_its_primary_end_point_not_a_subgroup(tmp_path):
    subgroup = _row("trialx_r34", "adults reached TIS response more often on ivig dermatomyositis TRIALX MSA-positive",
                    "dm", "composite", percent=83.0, study="trialx", label="TRIALX",
                    outcome="TIS response in MSA-positive patients", figure="ivig: 83%", kind="arm_outcome",
                    design="rct_parallel", tier="primary", url="https://journal.example.org/trialx")
    ev = _with_rows(tmp_path, subgroup)
    ev.findings = dict(FINDINGS)
    s = one(tmp_path, ev, "Dermatomyositis", "In TRIALX, adults with dermatomyositis reached a TIS response more often on IVIG.")
    assert s.judgement.evidence[0].id == "trialx_r01"
    s = one(tmp_path, ev, "Dermatomyositis", "In TRIALX, MSA-positive adults reached a TIS response more often on IVIG.")
    assert s.judgement.evidence[0].id == "trialx_r34"


def test_ultra_rare_needs_a_prevalence_not_a_yearly_incidence(tmp_path):
    incidence = _row("epi_jdm_inc", "incidence juvenile dermatomyositis registry children", "jdm", "epidemiology",
                     study="registry", label="REGISTRY", outcome="incidence children", figure="3.2 per million per year",
                     kind="descriptive", rate=("incidence", 2.9, 3.4))
    ev = _with_rows(tmp_path, incidence)
    s = one(tmp_path, ev, "Juvenile dermatomyositis", "Juvenile dermatomyositis is an ultra-rare disease.")
    assert s.verdict == "not_assessable" and "no prevalence" in s.judgement.reason
    s = one(tmp_path, ev, "Juvenile dermatomyositis", "Juvenile dermatomyositis is a rare disease.")
    assert s.verdict == "supported"


@pytest.mark.parametrize("sentence", [
    "Care rests on support, such as watching swallowing and breathing, structured exercise and help with mobility.",
    "Interferon beta-1a gave no benefit in a small trial.",
])
def test_supportive_care_and_other_agents_are_other_treatments(sentence):
    from evidence.audit.judge import about_other_treatment
    assert about_other_treatment(sentence)


def test_a_conceded_leading_clause_is_a_statement_of_its_own():
    from evidence.audit.tag import split_compound
    parts = split_compound("Although it is a rare disease, dermatomyositis can bring progressive weakness and rashes.")
    assert parts == ["It is a rare disease.", "Dermatomyositis can bring progressive weakness and rashes."]
    assert split_compound("Although rare, it happens.") == ["Although rare, it happens."]


def test_a_study_inferred_from_a_design_word_and_a_week_yields_to_the_study_named_before(tmp_path, evidence):
    evidence.enrolment = {"trialx": (95, "rct_parallel", "dm"), "ibmtrial": (20, "rct_crossover", "ibm")}
    evidence.timepoints = {"trialx": frozenset({16.0}), "ibmtrial": frozenset({24.0})}
    text = ("TRIALX in dermatomyositis\nIn TRIALX, 37 of 47 patients on IVIG reached TIS >= 20.\n"
            "After the double-blind period, patients continued on IVIG for a 24-week extension.\n")
    statements = audit_text(tmp_path, evidence, text)
    s = statements["After the double-blind period, patients continued on IVIG for a 24-week extension."]
    assert s.subtype == "dm" and not any(r.study == "ibmtrial" for r in s.judgement.evidence)


def test_a_trial_sentence_reporting_who_responded_is_about_the_outcome():
    assert tag_domain("In the phase 3 trial, 79% of patients on IVIG responded at week 16, against 44% on placebo.") == "composite"
    assert tag_domain("The phase 3 trial enrolled 95 adults with active dermatomyositis.") == "epidemiology"


def test_one_in_three_is_a_rounded_share_and_a_year_is_no_population():
    share = extract_quantities("About 1 in 3 patients get a headache.")
    assert [(q.kind, round(q.low, 1), q.op) for q in share] == [("percent", 33.3, "~")]
    assert not extract_quantities("Two were approved in 2021.") or all(q.kind != "rate" for q in extract_quantities(
        "2 in 2021"))
    assert [q.kind for q in extract_quantities("1 in 100,000 people each year")] == ["rate"]


def test_all_patients_should_receive_ivig_is_held_against_guidance_for_some(tmp_path):
    later = _rec("gl_rec01", "IVIG is recommended as second-line treatment for dermatomyositis that has not responded to steroids", "dm")
    ev = _with_rows(tmp_path, later)
    s = one(tmp_path, ev, "Dermatomyositis", "All patients with dermatomyositis should receive IVIG.")
    assert s.outcome_domain == "treatment_position"
    assert s.verdict == "not_supported" and s.judgement.evidence[0].id == "gl_rec01"
    s = one(tmp_path, ev, "Dermatomyositis", "IVIG is often used when corticosteroids and other immunosuppressants fail.")
    assert s.verdict == "supported"


@pytest.mark.parametrize("sentence", [
    "Some doctors think IVIG brings short-term improvement in inclusion body myositis.",
    "Early reports suggested IVIG helped in inclusion body myositis.",
])
def test_a_reported_opinion_is_not_assessable(tmp_path, evidence, sentence):
    s = one(tmp_path, evidence, "Inclusion body myositis", sentence)
    assert s.verdict == "not_assessable" and not s.judgement.evidence and "think or once suggested" in s.judgement.reason


def test_an_infection_passed_on_by_the_product_needs_a_row_on_transmission(tmp_path, evidence):
    s = one(tmp_path, evidence, "Side effects of IVIG", "Because IVIG is a blood product it carries a risk of infection.")
    assert s.verdict == "not_assessable" and "passed on" in s.judgement.reason
    screened = _row("label_r30", "donor screening and viral inactivation steps lower the risk of transmitting pathogens", "any_indication",
                    "safety", study="label", label="LABEL", outcome="Transmission of infectious agents", figure="",
                    kind="descriptive", design="drug_label", tier="primary", url="https://label.example.org/")
    s = one(tmp_path, _with_rows(tmp_path, screened), "Side effects of IVIG",
            "Because IVIG is a blood product it carries a risk of infection.")
    assert "passed on" not in s.judgement.reason


def test_a_body_is_held_by_its_own_name_not_a_substring_and_its_guidance_is_not_replaced(tmp_path):
    from evidence.audit.judge import _unheld_guidance
    share = _row("share_r01", "IVIG add-on for resistant juvenile dermatomyositis", "jdm", "treatment_position",
                 study="share2017jdm", label="SHARE 2017", outcome="IVIG for resistant JDM", kind="descriptive")
    almayouf = _row("almayouf2000jdm_r01", "juvenile dermatomyositis series", "jdm", "composite", study="almayouf2000jdm")
    ev = _with_rows(tmp_path, share, almayouf)
    assert _unheld_guidance("The SHARE guidelines recommend IVIG as an add-on.", ev) == ""
    assert _unheld_guidance("A Mayo Clinic consensus recommends IVIG monthly.", ev) == "Mayo Clinic"
    assert _unheld_guidance("UK Department of Health guidance recommends IVIG.", ev) == "Department of Health"
    later = _rec("gl_rec01", "IVIG is recommended as second-line treatment for dermatomyositis that has not responded to steroids", "dm")
    s = one(tmp_path, _with_rows(tmp_path, later), "Dermatomyositis",
            "UK Department of Health guidance recommends IVIG as an adjunct for dermatomyositis with marked weakness.")
    assert s.verdict == "not_assessable" and "Department of Health" in s.judgement.reason


def test_how_a_measure_is_scored_and_where_ivig_is_given_are_judged_for_what_the_base_holds(tmp_path, evidence):
    s = one(tmp_path, evidence, "Dermatomyositis", "The TIS runs from 0 to 100, higher scores meaning more improvement.")
    assert s.verdict == "not_assessable" and "how a measure is scored" in s.judgement.reason
    rate = _row("label_r08", "initial infusion rate mg/kg/min label dermatomyositis", "dm", "dosing", study="label",
                label="LABEL", outcome="DM initial infusion rate", figure="1 mg/kg/min", kind="descriptive",
                design="drug_label", tier="primary", url="https://label.example.org/")
    ev = _with_rows(tmp_path, rate)
    s = one(tmp_path, ev, "Dermatomyositis", "A trained nurse gives the IVIG infusion into a vein.")
    assert s.verdict == "not_assessable" and "where or by whom" in s.judgement.reason
    s = one(tmp_path, ev, "Dermatomyositis", "The IVIG infusion is given in a clinic at a slow rate over several hours.")
    assert s.outcome_domain == "dosing" and s.verdict == "partly_supported"


def test_a_firm_later_use_is_partly_backed_where_the_subtypes_guidance_is_only_conditional(tmp_path):
    weak = EvidenceRow("gl_rec05", "recommendations", "IVIG consider necrotising myopathy refractory guideline", "imnm",
                       "treatment_position", "gl Table 2", study="gl", label="GL", figure="conditional, grade Class IV",
                       outcome="Consider IVIG in necrotising myopathy that has not responded to steroids",
                       kind="recommendation", design="guideline", tier="primary", url="https://guideline.example.org/imnm")
    ev = _with_rows(tmp_path, weak)
    s = one(tmp_path, ev, "Necrotising myopathy", "When the first treatment has not worked, IVIG is added in necrotising myopathy.")
    assert s.verdict == "partly_supported" and "conditionally" in s.judgement.reason
    s = one(tmp_path, ev, "Necrotising myopathy", "IVIG may be considered when necrotising myopathy has not responded to steroids.")
    assert s.verdict == "supported"


def test_a_journal_citation_credited_to_the_wrong_authors_is_contradicted(tmp_path):
    from evidence.bib import Reference
    ref = Reference("smith1997ivig", "article", {"author": "Smith, A. and Jones, B.", "title": "IVIG in IBM: a controlled trial",
                                                   "journal": "Neurology", "year": "1997", "volume": "48", "pages": "712--716"})
    ev = Evidence(root=tmp_path, rows=list(ROWS), regimens=[], bib=Bibliography(tmp_path / "refs.bib", {ref.key: ref}),
                  documents=DOCUMENTS)
    ev.index = BM25Index(ev.rows)
    s = one(tmp_path, ev, "Inclusion body myositis",
            "The criteria are credited to Griggs, Askanas and colleagues (Neurology 1997;48:712-716).")
    assert s.verdict == "contradicted" and "Smith et al." in s.judgement.reason and "Griggs" in s.judgement.reason
    s = one(tmp_path, ev, "Inclusion body myositis", "The trial by Smith, Jones and colleagues (Neurology 1997;48:712-716) was null.")
    assert s.verdict != "contradicted"


def test_a_registered_claim_that_asserts_more_is_not_borrowed(tmp_path):
    claim = EvidenceRow("other_c01", "claims", "ivig safe effective adults dermatomyositis trialx", "dm", "composite", "other_page",
                        study="other_page", outcome="TRIALX shows IVIG is safe and effective in adults with dermatomyositis.",
                        kind="claim", figure="partly_supported", label="Effective; safety needs qualifying.")
    ev = _with_rows(tmp_path, claim)
    s = one(tmp_path, ev, "Dermatomyositis", "TRIALX shows IVIG is effective in adults with dermatomyositis.")
    assert "other_c01" not in s.judgement.reason


def test_a_byline_is_not_a_statement():
    from evidence.audit.tag import is_checkable
    assert not is_checkable("Bonit Gill DO and Mahum Mirza DO, first-year rheumatology fellows, Medical College of Wisconsin.")
    assert is_checkable("Dr Smith MD and Dr Jones PhD found that IVIG improved strength in dermatomyositis.")


def test_a_general_statement_leads_with_a_trials_contrast_not_a_change_within_its_ivig_arm(tmp_path):
    within = _row("ibmtrial_r00", "ivig change course muscle strength change inclusion body myositis IBMTRIAL sum change course",
                  "ibm", "strength",
                  study="ibmtrial", label="IBMTRIAL", outcome="MRC sum change", figure="ivig: mean 4.2",
                  kind="within_arm_change", design="rct_crossover", tier="primary", url="https://journal.example.org/ibm")
    claim = EvidenceRow("other_c05", "claims", "ivig change course muscle strength inclusion body myositis", "ibm", "strength",
                        "other_page", study="other_page", cites=("ibmtrial_r00",), kind="claim", figure="supported",
                        outcome="IVIG does not change the course of strength in IBM.", label="No change.")
    ev = _with_rows(tmp_path, within, claim)
    s = one(tmp_path, ev, "Inclusion body myositis", "IVIG did not change the course of muscle strength in inclusion body myositis.")
    assert s.judgement.evidence[0].id == "ibmtrial_r01"


def test_an_arms_later_lowered_dose_backs_a_maintenance_statement_only():
    from evidence.audit.match import Regimen
    from evidence.audit.numbers import number_check
    regimens = [Regimen("trial_ivig", "dm", "Table 1", dose=2.0, days=(2.0, 5.0), interval=4.0),
                Regimen("trial_ivig", "dm", "Table 1", dose=1.0, maintenance=True)]
    status, _ = number_check("Maintenance is 1 to 2 g/kg every 4 weeks.", "dm", [], regimens)
    assert status == "match"
    status, _ = number_check("IVIG is given at 1 g/kg per course.", "dm", [], regimens)
    assert status == "mismatch"  # the later dose is no like for a course dose


def test_the_later_dose_is_read_from_an_arms_label(tmp_path):
    import pandas as pd

    from evidence.audit.match import _regimens
    arms = pd.DataFrame([{"arm_id": "x_ivig", "study_id": "x", "label": "Brand: 2 g/kg load, then 1 g/kg twice",
                          "intervention": "ivig", "dose_g_per_kg": 2, "days_min": None, "days_max": None,
                          "interval_weeks": 3, "locator": "Abstract", "note": ""}])
    out = _regimens({"arms": arms}, {"x": ("dm", "")})
    assert [(r.dose, r.maintenance) for r in out] == [(2.0, False), (1.0, True)]


def test_a_products_concentration_is_no_figure():
    from evidence.audit.numbers import extract_quantities
    assert not extract_quantities("A 10% intravenous immune globulin was approved for dermatomyositis.")
    assert not extract_quantities("It is given as a 20% subcutaneous IgG.")
    assert [q.text for q in extract_quantities("10% of patients on IVIG had a headache.")] == ["10%"]


def test_no_approval_until_now_speaks_of_the_time_before_it(tmp_path):
    ev = _with_rows(tmp_path, *_dm_approvals("2021-06"))
    s = one(tmp_path, ev, "Dermatomyositis", "Until now, no IVIG product was approved for dermatomyositis.")
    assert s.verdict == "supported" and "2021-06" in s.judgement.reason
    s = one(tmp_path, ev, "Dermatomyositis", "Until now, patients had no approved treatment for dermatomyositis.")
    assert s.verdict == "partly_supported" and "gel_fda_dm" in [r.id for r in s.judgement.evidence]
    s = one(tmp_path, ev, "Dermatomyositis", "No IVIG product is approved for dermatomyositis.")
    assert s.verdict == "contradicted"


def test_a_forecast_is_not_assessable(tmp_path):
    ev = _with_rows(tmp_path, _dm_approvals("2021-06")[0])
    s = one(tmp_path, ev, "Dermatomyositis",
            "Analysts expect the IVIG approval to expand use in polymyositis and inclusion body myositis.")
    assert s.verdict == "not_assessable" and not s.judgement.evidence
