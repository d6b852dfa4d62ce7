"""Key figures pinned to the sources, so that a later edit that changes one fails loudly.

Each expected value was read on the page named in the row's source_url, at its locator.
"""

import pytest
from conftest import ROOT

from evidence.data import validate

PINNED = [
    ("proderm_r01", 37, 47, "ProDERM primary end point, IVIG arm (NEJM 2022, Abstract)"),
    ("proderm_r02", 21, 48, "ProDERM primary end point, placebo arm (NEJM 2022, Abstract)"),
    ("sekul1994_r01", 6, 54, "Sekul 1994 aseptic meningitis (Ann Intern Med, Abstract)"),
    ("cherin2002_r01", 25, 35, "Cherin 2002 short-term improvement (Arthritis Rheum, Abstract)"),
    ("dalakas1993_r04", 9, 12, "Dalakas 1993 major improvement on IVIG (NEJM, Abstract)"),
    ("almayouf2000jdm_r01", 12, 18, "Al-Mayouf 2000 improvement with steroid reduction (J Rheumatol, Abstract)"),
]


@pytest.fixture(scope="module")
def results():
    return validate(ROOT).tables["results"].set_index("result_id")


@pytest.mark.parametrize("result_id,events,total,where", PINNED)
def test_pinned_counts(results, result_id, events, total, where):
    row = results.loc[result_id]
    assert (row["events"], row["total"]) == (events, total), f"{result_id} no longer matches {where}"


def test_enrolment_pins():
    studies = validate(ROOT).tables["studies"].set_index("study_id")
    assert studies.at["proderm", "n_enrolled"] == 95, "ProDERM randomised 95 (NEJM 2022)"
    assert studies.at["dalakas1993", "n_enrolled"] == 15, "Dalakas 1993 enrolled 15 (NEJM, Abstract)"
    assert studies.at["dalakas1997ibm", "n_enrolled"] == 19, "Dalakas 1997 randomised 19 (Neurology, Abstract)"
    assert studies.at["lam2011jdm", "n_enrolled"] == 78, "Lam 2011: 78 patients (Ann Rheum Dis, Abstract)"


@pytest.fixture(scope="module")
def base():
    return validate(ROOT)


def test_facts_epidemiology_kept_apart(base):
    """Incidence and prevalence per subtype, pinned to the abstracts they were read in."""
    epi = base.tables["epidemiology"].set_index("epi_id")
    assert (epi.at["epi_dm_inc_us_commercial", "value"], epi.at["epi_pm_inc_us_commercial", "value"]) == (1.52, 2.46), "Smoyer-Tomic 2012 (PMC3480956, Abstract)"
    assert epi.at["epi_ibm_prev_meta", "value"] == 24.8 and epi.at["epi_ibm_prev_meta", "per"] == 1_000_000, "Callan 2017 sIBM 24.8/1,000,000"
    assert epi.at["epi_jdm_inc_us", "value"] == 3.2, "Mendez 2003 JDM 3.2 per million children"
    assert epi.at["epi_imnm_inc_olmsted", "value"] == 8.3, "IMNM Olmsted County 8.3 per million person-years"
    assert epi.at["epi_pmdm_prev_quebec", "value"] == 21.5, "Bernatsky 2009: 21.5/100,000"
    # A prevalence is never stored as an incidence and each subtype keeps its own rows.
    assert set(epi["measure"]) == {"incidence", "prevalence"}
    assert {"dm", "pm", "ibm", "jdm", "imnm"} <= set(epi["subtype"])


def test_facts_product_iga_and_sugar(base):
    prod = base.tables["products"].set_index("fact_id")
    assert prod.at["octagam10_iga", "value"] == 106, "Octagam 10% average IgA 106 ug/mL"
    assert prod.at["octagam10_sugar", "value"] == 90 and prod.at["octagam10_sugar", "value_text"] == "maltose"
    assert prod.at["privigen_iga", "value"] == 25 and prod.at["privigen_iga", "statistic"] == "maximum", "Privigen SmPC: at most 25 ug/mL"
    assert prod.at["gammagardliquid_iga", "value"] == 37


def test_facts_infusion_reactions_per_patient_and_per_infusion(base):
    ir = base.tables["infusion_reactions"].set_index("rate_id")
    assert (ir.at["kato2021_all", "percent_patients"], ir.at["kato2021_all", "percent_infusions"]) == (4.9, 2.5), "Kato 2021 Abstract"
    nm = ir.loc["kato2021_highdose_neuromuscular"]
    assert (nm["patients_with"], nm["patients_total"], nm["infusions_with"], nm["infusions_total"]) == (19, 71, 65, 1038), "Kato 2021 Table 4"
    am = ir.loc["bharath2015_aseptic_meningitis"]
    assert round(100 * am["patients_with"] / am["patients_total"], 2) == am["percent_patients"] == 0.60
    assert round(100 * am["infusions_with"] / am["infusions_total"], 3) == am["percent_infusions"] == 0.067


def test_facts_approvals_and_new_trials(base):
    ap = base.tables["approvals"].set_index("approval_id")
    assert ap.at["octagam10_fda_dm_date", "approved_on"] == "2021-07-15" and ap.at["octagam10_fda_dm_date", "status"] == "approved"
    assert ap.at["octagam10_fda_dm_label", "source_tier"] == "primary"
    assert ap.loc[ap["agent_class"] == "ivig"].query("subtype == 'myositis'")["status"].eq("not_approved").all()
    studies, arms = base.tables["studies"].set_index("study_id"), base.tables["arms"]
    assert studies.at["alkivia", "n_enrolled"] == 265, "ALKIVIA enrolment 265 (ClinicalTrials.gov record)"
    fcrn = arms[arms["intervention"] == "fcrn_blocker"]
    assert set(fcrn["study_id"]) == {"alkivia", "spirea"}
    # No result row for either trial: no registry page showed results.
    assert not base.tables["results"]["study_id"].isin(["alkivia", "spirea"]).any()
