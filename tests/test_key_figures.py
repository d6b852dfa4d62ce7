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
