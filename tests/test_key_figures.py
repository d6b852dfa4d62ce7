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
