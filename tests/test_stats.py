"""Statistics checked against independently published values, not our own output.

BCG vaccine trials (Colditz 1994; metafor's dat.bcg), 2x2 counts as printed in
metafor's documentation of dat.bcg.
- DL, log RR and log OR: metafor's test file test_misc_metan_vs_rma.uni_with_dat.bcg.r,
  whose values agree with Stata's metan.
- REML, log RR: I^2 = 92.22139% from the `performance` R package's test of
  model_performance.rma on dat.bcg; tau^2 0.3132 and estimate -0.7145 as metafor prints.
- ML, log OR: van Houwelingen et al. 2002 (Stat Med), pp. 597-599, replicated in
  metafor's test_analysis_example_vanhouwelingen2002.r: OR 0.476 [0.336, 0.675],
  tau^2 0.302; Knapp-Hartung CI [0.318, 0.714]; prediction interval [-1.875, 0.391].
"""

import math

import pytest

from evidence import stats

TPOS = [4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27]
TNEG = [119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886]
CPOS = [11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29]
CNEG = [128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825]


def _effects(fn):
    out = [fn(a, a + b, c, c + d) for a, b, c, d in zip(TPOS, TNEG, CPOS, CNEG)]
    return [e.yi for e in out], [e.vi for e in out]


def test_dl_log_rr_matches_metafor_and_metan():
    res = stats.pool(*_effects(stats.risk_ratio), method="DL")
    assert res.estimate == pytest.approx(-0.7141, abs=5e-4)
    assert res.ci_low == pytest.approx(-1.0644, abs=5e-4)
    assert res.ci_high == pytest.approx(-0.3638, abs=5e-4)
    assert res.tau2 == pytest.approx(0.3088, abs=5e-4)
    assert res.i2 == pytest.approx(92.1173, abs=5e-3)
    assert res.q == pytest.approx(152.2330, abs=5e-3)
    assert res.exp()["estimate"] == pytest.approx(0.4896, abs=5e-4)


def test_dl_log_or_matches_metafor_and_metan():
    res = stats.pool(*_effects(stats.odds_ratio), method="DL")
    assert res.estimate == pytest.approx(-0.7474, abs=5e-4)
    assert res.tau2 == pytest.approx(0.3663, abs=5e-4)
    assert res.i2 == pytest.approx(92.6455, abs=5e-3)
    assert res.exp()["ci_low"] == pytest.approx(0.3249, abs=5e-4)
    assert res.exp()["ci_high"] == pytest.approx(0.6903, abs=5e-4)


def test_reml_log_rr_matches_published_values():
    res = stats.pool(*_effects(stats.risk_ratio), method="REML")
    assert res.i2 == pytest.approx(92.22139, abs=5e-3)
    assert res.tau2 == pytest.approx(0.3132, abs=5e-4)
    assert res.estimate == pytest.approx(-0.7145, abs=5e-4)
    assert res.se == pytest.approx(0.1798, abs=5e-4)


def test_ml_log_or_matches_van_houwelingen_2002():
    yi, vi = _effects(stats.odds_ratio)
    res = stats.pool(yi, vi, method="ML")
    back = res.exp()
    assert back["estimate"] == pytest.approx(0.476, abs=5e-4)
    assert back["ci_low"] == pytest.approx(0.336, abs=5e-4)
    assert back["ci_high"] == pytest.approx(0.675, abs=5e-4)
    assert res.tau2 == pytest.approx(0.302, abs=5e-4)
    assert res.pi_low == pytest.approx(-1.875, abs=5e-4)
    assert res.pi_high == pytest.approx(0.391, abs=5e-4)
    hk = stats.pool(yi, vi, method="ML", hartung_knapp=True).exp()
    assert hk["ci_low"] == pytest.approx(0.318, abs=5e-4)
    assert hk["ci_high"] == pytest.approx(0.714, abs=5e-4)


def test_zero_cell_adds_half_and_double_zero_is_not_estimable():
    rr = stats.risk_ratio(0, 10, 3, 10)
    assert rr.corrected
    assert rr.estimate == pytest.approx((0.5 / 11) / (3.5 / 11))
    assert stats.risk_ratio(0, 10, 0, 12) is None
    assert stats.odds_ratio(10, 10, 12, 12) is None


def test_risk_difference_wald_interval_by_hand():
    rd = stats.risk_difference(30, 47, 10, 48)
    p1, p2 = 30 / 47, 10 / 48
    se = math.sqrt(p1 * (1 - p1) / 47 + p2 * (1 - p2) / 48)
    assert rd.estimate == pytest.approx(p1 - p2)
    assert rd.ci_low == pytest.approx(p1 - p2 - 1.959964 * se, abs=1e-6)


def test_mean_difference_and_bad_input():
    md = stats.mean_difference(10.0, 2.0, 20, 8.0, 2.0, 20)
    assert md.estimate == 2.0
    assert md.ci_high - md.ci_low == pytest.approx(2 * 1.959964 * math.sqrt(0.4), abs=1e-5)
    with pytest.raises(ValueError, match="events must lie"):
        stats.risk_ratio(11, 10, 1, 10)
    with pytest.raises(ValueError, match="at least two"):
        stats.pool([0.1], [0.01])


def test_pooling_only_within_subtype_outcome_and_comparator():
    import pandas as pd

    from evidence.comparisons import pooled_groups

    rr1, rr2, rr3 = stats.risk_ratio(20, 40, 10, 40), stats.risk_ratio(15, 30, 9, 31), stats.risk_ratio(5, 20, 4, 20)
    common = {"outcome_domain": "composite", "harm": False, "measure": "RR", "design_family": "parallel", "estimable": True,
              "analysis": "parallel"}
    table = pd.DataFrame([
        {**common, "study_id": "a", "subtype": "dm", "comparator_family": "placebo", "yi": rr1.yi, "vi": rr1.vi},
        {**common, "study_id": "b", "subtype": "dm", "comparator_family": "placebo", "yi": rr2.yi, "vi": rr2.vi},
        {**common, "study_id": "c", "subtype": "dm", "comparator_family": "active or usual care", "yi": rr3.yi, "vi": rr3.vi},
        {**common, "study_id": "d", "subtype": "pm", "comparator_family": "placebo", "yi": rr3.yi, "vi": rr3.vi},
    ])
    groups = pooled_groups(table, method="DL")
    key = ("dm", "composite", False, "RR", "placebo", "parallel")
    assert list(groups) == [key]
    direct = stats.pool([rr1.yi, rr2.yi], [rr1.vi, rr2.vi], method="DL")
    assert groups[key].estimate == pytest.approx(direct.estimate)
    assert groups[key].k == 2
