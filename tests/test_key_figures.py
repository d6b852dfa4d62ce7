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


def test_imnm_mammen_ivig_alone_figures(results):
    """Mammen & Tiniakou 2015 (NEJM letter, PMC4629845): CK 4919±3523 -> 1125±1101 IU/L, abduction 3.5 -> 6.2 kg."""
    before, after = results.loc["mammen2015imnm_r01"], results.loc["mammen2015imnm_r02"]
    assert (before["mean"], before["sd"], after["mean"], after["sd"]) == (4919, 3523, 1125, 1101)
    assert (results.at["mammen2015imnm_r03", "mean"], results.at["mammen2015imnm_r04", "mean"]) == (3.5, 6.2)
    assert before["source_tier"] == "primary" and "PMC4629845" in before["source_url"]
    studies = validate(ROOT).tables["studies"].set_index("study_id")
    assert studies.at["mammen2015imnm", "n_enrolled"] == 3 and studies.at["mammen2015imnm", "subtype"] == "imnm"


def test_imnm_meyer_induction_figures(results):
    """Meyer 2020 (Arthritis Res Ther, Abstract): 14/55 steroid-free remissions (25%), 4/41 triple-induction failures, OR 0.92 (0.85-0.97)."""
    free, fail, delay = (results.loc[f"meyer2020imnm_r0{i}"] for i in (1, 2, 3))
    assert (free["events"], free["total"], round(100 * free["events"] / free["total"])) == (14, 55, 25)
    assert (fail["events"], fail["total"], fail["favourable"]) == (4, 41, "lower")
    assert (delay["effect_type"], delay["effect"], delay["ci_low"], delay["ci_high"], delay["p_value"]) == ("OR", 0.92, 0.85, 0.97, 0.015)


def test_ild_huapaya_lung_function_figures(results):
    """Huapaya 2019 (Respir Med, Abstract): FVC% up >10% in 7/17, DLCO% and TLC% in 5/17, side effects in 9 (53%)."""
    assert (results.at["huapaya2019ild_r01", "events"], results.at["huapaya2019ild_r01", "total"]) == (7, 17)
    assert (results.at["huapaya2019ild_r02", "events"], results.at["huapaya2019ild_r02", "total"]) == (5, 17)
    base = validate(ROOT)
    ae = base.tables["adverse_events"].set_index("ae_id").loc["huapaya2019ild_ae01"]
    assert (ae["patients"], ae["n_at_risk"], round(100 * ae["patients"] / ae["n_at_risk"])) == (9, 17, 53)
    assert base.tables["studies"].set_index("study_id").at["huapaya2019ild", "context"] == "ild"


def test_dysphagia_marie_oesophageal_figures(results):
    """Marie 2010 (Arthritis Care Res, PubMed abstract): 73 patients (39 PM, 34 DM); 60 (82.2%) resumed oral feeding; 8 died."""
    resolved, deaths = results.loc["marie2010dysphagia_r01"], results.loc["marie2010dysphagia_r03"]
    assert (resolved["events"], resolved["total"], resolved["percent"]) == (60, 73, 82.2)
    assert resolved["outcome_domain"] == "swallowing" and resolved["source_tier"] == "primary"
    assert (deaths["events"], deaths["total"], deaths["outcome_domain"], deaths["favourable"]) == (8, 73, "survival", "lower")
    study = validate(ROOT).tables["studies"].set_index("study_id").loc["marie2010dysphagia"]
    assert (study["n_enrolled"], study["context"]) == (73, "dysphagia")


def test_dysphagia_giannini_regimen_figures(results):
    """Giannini 2021 (Rheumatology, abstract): 18 of 154 IIM patients; IVIG 2 g/kg in 1 day, monthly x3; 12 reached 52 weeks."""
    arm = validate(ROOT).tables["arms"].set_index("arm_id").loc["giannini2021dysphagia_ivig"]
    assert (arm["dose_g_per_kg"], arm["days_min"], arm["days_max"], arm["n_courses"], arm["n"]) == (2, 1, 1, 3, 18)
    assert (results.at["giannini2021dysphagia_r05", "events"], results.at["giannini2021dysphagia_r05", "total"]) == (18, 154)
    assert results.at["giannini2021dysphagia_r02", "total"] == 12


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
def _skinscig_rows(table):
    frame = validate(ROOT).tables[table]
    key = {"results": "result_id", "adverse_events": "ae_id", "studies": "study_id"}[table]
    return frame.set_index(key)


def test_skinscig_skin_bounfour_major_response():
    """Bounfour 2014 (JEADV, PubMed abstract 23906502): 19 of 27 (70%) major responses; 10 relapses = 10/19."""
    results = _skinscig_rows("results")
    assert (results.at["bounfour2014_r01", "events"], results.at["bounfour2014_r01", "total"]) == (19, 27)
    assert results.at["bounfour2014_r01", "percent"] == 70
    assert (results.at["bounfour2014_r04", "events"], results.at["bounfour2014_r04", "total"]) == (10, 19)


def test_skinscig_skin_galimberti_counts_fit_printed_percentages():
    """Galimberti 2018 (PubMed 29856076) prints 83%, 87% and 81% of 42, 15 and 27; the stored counts must round to them and add up."""
    results = _skinscig_rows("results")
    rows = results.loc[["galimberti2018_r01", "galimberti2018_r02", "galimberti2018_r03"]]
    for printed, (_, row) in zip((83, 87, 81), rows.iterrows()):
        assert round(100 * row["events"] / row["total"]) == printed
    assert rows["total"].tolist() == [42, 15, 27]
    assert rows["events"].iloc[1] + rows["events"].iloc[2] == rows["events"].iloc[0]


def test_skinscig_scig_case_series_sizes_and_route():
    """Danieli 2011 treated 7 (PubMed 20858553) and Danieli 2014 switched 8 (Clin Rheumatol page); their arms are SCIg, not IVIG."""
    studies = _skinscig_rows("studies")
    assert studies.at["danieli2011scig", "n_enrolled"] == 7
    assert studies.at["danieli2014scig", "n_enrolled"] == 8
    arms = validate(ROOT).tables["arms"].set_index("arm_id")
    assert set(arms.loc[["danieli2011scig_scig", "danieli2014scig_scig20", "reclaiim_scig"], "intervention"]) == {"scig"}
    results = _skinscig_rows("results")
    assert (results.at["danieli2014scig_r01", "events"], results.at["danieli2014scig_r01", "total"]) == (4, 8)


def test_skinscig_scig_reclaiim_has_no_results_rows():
    """No readable page shows RECLAIIM results (NCT04044690): the base must hold its design only, not invented outcomes."""
    results = validate(ROOT).tables["results"]
    assert not (results["study_id"] == "reclaiim").any()
    assert _skinscig_rows("studies").at["reclaiim", "blinding"] == "double_blind"


def test_skinscig_jdm_safety_manlhiot_per_patient_and_per_infusion():
    """Manlhiot 2008 (Pediatrics, PubMed 18299304): 25 of 38 children and 92 of 1056 infusions had an adverse event."""
    ae = _skinscig_rows("adverse_events").loc["manlhiot2008jdm_ae01"]
    assert (ae["patients"], ae["n_at_risk"], ae["events"], ae["infusions"]) == (25, 38, 92, 1056)
    results = _skinscig_rows("results")
    assert (results.at["manlhiot2008jdm_r03", "percent"], results.at["manlhiot2008jdm_r04", "percent"]) == (15.0, 8.0)


def test_skinscig_safety_pavenski_haemolysis_per_infusion():
    """Pavenski 2021 (Transfusion, PubMed 33433931): haemolysis in 32 of 99 infusions, grade 2 or more in 19 of 99."""
    ae = _skinscig_rows("adverse_events")
    assert (ae.at["pavenski2021_ae01", "events"], ae.at["pavenski2021_ae01", "infusions"]) == (32, 99)
    assert (ae.at["pavenski2021_ae02", "events"], ae.at["pavenski2021_ae02", "infusions"]) == (19, 99)
    assert _skinscig_rows("studies").at["pavenski2021", "n_enrolled"] == 78


def test_musthave_aan2012_levels_for_the_myopathies():
    """AAN 2012 (Neurology 78:1009, abstract): nonresponsive adult DM Level C; IBM and PM Level U."""
    recs = validate(ROOT).tables["recommendations"].set_index("rec_id")
    got = {r: (recs.at[r, "subtype"], recs.at[r, "stance"], recs.at[r, "grade"])
           for r in ("aan2012_rec01", "aan2012_rec02", "aan2012_rec03")}
    assert got == {
        "aan2012_rec01": ("dm", "conditional", "Level C"),
        "aan2012_rec02": ("ibm", "insufficient_evidence", "Level U"),
        "aan2012_rec03": ("pm", "insufficient_evidence", "Level U"),
    }


def test_musthave_ma2023_ivig_to_scig_switch_figures():
    """PubMed 37796840 abstract: 20 patients switched; 78.9% preferred SCIG; 3 flares, 5 escalated, 4 de-escalated."""
    import pandas as pd

    tables = validate(ROOT).tables
    assert tables["studies"].set_index("study_id").at["ma2023scig", "n_enrolled"] == 20
    res = tables["results"].set_index("result_id")
    assert res.at["ma2023scig_r01", "percent"] == 78.9
    assert pd.isna(res.at["ma2023scig_r01", "events"]), "the abstract prints 78.9% without a count"
    counts = {r: (res.at[r, "events"], res.at[r, "total"]) for r in ("ma2023scig_r04", "ma2023scig_r05", "ma2023scig_r06")}
    assert counts == {"ma2023scig_r04": (3, 20), "ma2023scig_r05": (5, 20), "ma2023scig_r06": (4, 20)}


def test_musthave_danieli2022_scig_is_subcutaneous_and_unquantified():
    """Front Immunol 2022 (doi 10.3389/fimmu.2021.805705): 20% SCIg (Hizentra); the abstract gives no figures."""
    tables = validate(ROOT).tables
    arm = tables["arms"].set_index("arm_id").loc["danieli2022scig_scig"]
    assert (arm["intervention"], arm["product"]) == ("scig", "Hizentra 20% (CSL Behring)")
    res = tables["results"][tables["results"]["study_id"] == "danieli2022scig"]
    assert len(res) == 4 and set(res["measure"]) == {"descriptive"} and res["events"].isna().all()


def _guide2_recs():
    return validate(ROOT).tables["recommendations"].set_index("rec_id")


def test_guide2_bsr2022_ivig_statements_are_conditional_and_ungraded():
    """BSR 2022 (keac115) as restated on drlex.ai: IVIG 'should be considered' for refractory muscle and skin
    disease and 'is to be considered' for resistant dysphagia; none of those pages prints the guideline's grade."""
    recs = _guide2_recs()
    got = {r: (recs.at[r, "context"], recs.at[r, "stance"], recs.at[r, "source_tier"])
           for r in ("bsr2022_rec01", "bsr2022_rec02", "bsr2022_rec03")}
    assert got == {
        "bsr2022_rec01": ("refractory", "conditional", "secondary"),
        "bsr2022_rec02": ("skin_predominant", "conditional", "secondary"),
        "bsr2022_rec03": ("dysphagia", "conditional", "secondary"),
    }
    assert recs.loc[["bsr2022_rec01", "bsr2022_rec02", "bsr2022_rec03"], "grade"].isna().all()


def test_guide2_acrchest2023_ivig_is_a_myositis_ild_progression_option():
    """ACR/CHEST 2023 SARD-ILD treatment guideline (Arthritis Care Res 2024;76(8):1051-1069), Figure 4: IVIG is
    listed for myositis-ILD progressing despite first-line treatment, with no strength printed beside it."""
    tables = validate(ROOT).tables
    study = tables["studies"].set_index("study_id").loc["acrchest2023_ild"]
    assert (study["design"], study["context"]) == ("consensus", "ild")
    rec = _guide2_recs().loc["acrchest2023_rec01"]
    assert (rec["subtype"], rec["context"], rec["stance"]) == ("myositis", "ild", "conditional")
    assert rec["locator"].startswith("Figure 4") and _guide2_isna(rec["grade"])


def _guide2_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_guide2_erseular2025_ivig_is_a_next_step_option_in_iim_ild():
    """ERS/EULAR CTD-ILD guideline (DOI 10.1183/13993003.02533-2024): 25 PICO and 28 narrative questions; for
    IIM-ILD not at goal on immunosuppression, IVIG is among the agents to add or switch to (no grade shown)."""
    tables = validate(ROOT).tables
    study = tables["studies"].set_index("study_id").loc["erseular2025_ctdild"]
    assert "25 PICO" in study["rob_rationale"] and "28 narrative" in study["rob_rationale"]
    rec = _guide2_recs().loc["erseular2025_rec01"]
    assert (rec["subtype"], rec["context"], rec["stance"], rec["source_tier"]) == ("myositis", "ild", "conditional", "secondary")
    assert _guide2_isna(rec["grade"])
