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
