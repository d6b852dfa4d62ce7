"""Effect sizes with 95% confidence intervals, and random-effects pooling.

Conventions, stated once:
- Ratio measures (RR, OR) are computed and pooled on the log scale and reported
  back-transformed.
- Zero cells follow RevMan: when one arm has no events (or all events), 0.5 is added
  to every cell of that study's 2x2 table; a study with no events in either arm (or
  all events in both) is not estimable for a ratio and contributes nothing.
- Risk differences use the Wald interval, as drug labels report it.
- The between-study variance tau^2 comes from maintained libraries: statsmodels
  (DerSimonian-Laird) and PyMARE (REML and ML likelihood estimators). I^2 follows
  Higgins & Thompson as metafor computes it, tau^2 / (tau^2 + typical within-study
  variance), so it matches metafor for every estimator.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats as sps

Z95 = float(sps.norm.ppf(0.975))
Method = Literal["REML", "DL", "ML"]


@dataclass(frozen=True)
class Effect:
    """One effect estimate. For RR/OR, yi and vi are on the log scale."""

    measure: str
    estimate: float
    ci_low: float
    ci_high: float
    yi: float
    vi: float
    corrected: bool = False

    @property
    def se(self) -> float:
        return math.sqrt(self.vi)


def _check_counts(events: int, total: int, arm: str) -> None:
    if total <= 0:
        raise ValueError(f"{arm}: total must be positive (got {total})")
    if events < 0 or events > total:
        raise ValueError(f"{arm}: events must lie between 0 and total (got {events}/{total})")


def _cells(events_t: int, total_t: int, events_c: int, total_c: int) -> tuple[float, float, float, float, bool] | None:
    _check_counts(events_t, total_t, "treatment arm")
    _check_counts(events_c, total_c, "comparator arm")
    a, b, c, d = events_t, total_t - events_t, events_c, total_c - events_c
    if (a == 0 and c == 0) or (b == 0 and d == 0):
        return None
    if 0 in (a, b, c, d):
        return a + 0.5, b + 0.5, c + 0.5, d + 0.5, True
    return float(a), float(b), float(c), float(d), False


def _ratio(measure: str, yi: float, vi: float, corrected: bool) -> Effect:
    half = Z95 * math.sqrt(vi)
    return Effect(measure, math.exp(yi), math.exp(yi - half), math.exp(yi + half), yi, vi, corrected)


def risk_ratio(events_t: int, total_t: int, events_c: int, total_c: int) -> Effect | None:
    """Risk ratio, treatment vs comparator; None when not estimable (no events in either arm)."""
    cells = _cells(events_t, total_t, events_c, total_c)
    if cells is None:
        return None
    a, b, c, d, corrected = cells
    yi = math.log((a / (a + b)) / (c / (c + d)))
    vi = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    return _ratio("RR", yi, vi, corrected)


def odds_ratio(events_t: int, total_t: int, events_c: int, total_c: int) -> Effect | None:
    """Odds ratio, treatment vs comparator; None when not estimable."""
    cells = _cells(events_t, total_t, events_c, total_c)
    if cells is None:
        return None
    a, b, c, d, corrected = cells
    yi = math.log((a * d) / (b * c))
    vi = 1 / a + 1 / b + 1 / c + 1 / d
    return _ratio("OR", yi, vi, corrected)


def risk_difference(events_t: int, total_t: int, events_c: int, total_c: int) -> Effect:
    """Risk difference (proportion, not percent) with a Wald interval."""
    _check_counts(events_t, total_t, "treatment arm")
    _check_counts(events_c, total_c, "comparator arm")
    p1, p2 = events_t / total_t, events_c / total_c
    yi = p1 - p2
    vi = p1 * (1 - p1) / total_t + p2 * (1 - p2) / total_c
    half = Z95 * math.sqrt(vi)
    return Effect("RD", yi, yi - half, yi + half, yi, vi)


def mean_difference(mean_t: float, sd_t: float, n_t: int, mean_c: float, sd_c: float, n_c: int) -> Effect:
    """Mean difference, treatment minus comparator, with a normal-approximation interval."""
    if n_t <= 0 or n_c <= 0:
        raise ValueError("group sizes must be positive")
    if sd_t < 0 or sd_c < 0:
        raise ValueError("standard deviations cannot be negative")
    yi = mean_t - mean_c
    vi = sd_t**2 / n_t + sd_c**2 / n_c
    half = Z95 * math.sqrt(vi)
    return Effect("MD", yi, yi - half, yi + half, yi, vi)


@dataclass(frozen=True)
class Pooled:
    """A random-effects summary on the analysis scale (log scale for ratios)."""

    method: str
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    tau2: float
    i2: float
    q: float
    q_p: float
    pi_low: float
    pi_high: float
    hartung_knapp: bool
    weights: tuple[float, ...]

    def exp(self) -> dict[str, float]:
        """Estimate, CI and prediction interval back-transformed (for RR/OR)."""
        return {
            "estimate": math.exp(self.estimate),
            "ci_low": math.exp(self.ci_low),
            "ci_high": math.exp(self.ci_high),
            "pi_low": math.exp(self.pi_low),
            "pi_high": math.exp(self.pi_high),
        }


def _tau2(yi: np.ndarray, vi: np.ndarray, method: str) -> float:
    if method == "DL":
        from statsmodels.stats.meta_analysis import combine_effects

        return max(0.0, float(combine_effects(yi, vi, method_re="dl").tau2))
    if method in ("REML", "ML"):
        from pymare import Dataset
        from pymare.estimators import VarianceBasedLikelihoodEstimator

        estimator = VarianceBasedLikelihoodEstimator(method=method)
        estimator.fit_dataset(Dataset(y=yi, v=vi))
        return max(0.0, float(np.ravel(estimator.summary().tau2)[0]))
    raise ValueError(f"unknown method '{method}': use REML, DL or ML")


def pool(yi: Sequence[float], vi: Sequence[float], method: Method = "REML", hartung_knapp: bool = False) -> Pooled:
    """Random-effects pooling of effects yi with sampling variances vi.

    Returns the summary with its 95% CI (z-based, or Hartung-Knapp with t on k-1 df),
    tau^2, I^2 (percent), Cochran's Q and a 95% prediction interval computed as
    metafor does (z, or t on k-1 df with Hartung-Knapp).
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    if y.shape != v.shape or y.ndim != 1:
        raise ValueError("yi and vi must be one-dimensional and of equal length")
    k = len(y)
    if k < 2:
        raise ValueError("pooling needs at least two studies")
    if np.any(v <= 0) or not np.all(np.isfinite(y)):
        raise ValueError("variances must be positive and effects finite")
    w_fe = 1 / v
    mu_fe = float(np.sum(w_fe * y) / np.sum(w_fe))
    q = float(np.sum(w_fe * (y - mu_fe) ** 2))
    q_p = float(sps.chi2.sf(q, k - 1))
    tau2 = _tau2(y, v, method)
    w = 1 / (v + tau2)
    mu = float(np.sum(w * y) / np.sum(w))
    se = math.sqrt(1 / np.sum(w))
    if hartung_knapp:
        se = math.sqrt(float(np.sum(w * (y - mu) ** 2)) / ((k - 1) * float(np.sum(w))))
        crit = float(sps.t.ppf(0.975, k - 1))
    else:
        crit = Z95
    typical_v = (k - 1) * np.sum(w_fe) / (np.sum(w_fe) ** 2 - np.sum(w_fe**2))
    i2 = 100 * tau2 / (tau2 + typical_v)
    pi_half = crit * math.sqrt(se**2 + tau2)
    return Pooled(
        method=method,
        k=k,
        estimate=mu,
        se=se,
        ci_low=mu - crit * se,
        ci_high=mu + crit * se,
        tau2=tau2,
        i2=float(i2),
        q=q,
        q_p=q_p,
        pi_low=mu - pi_half,
        pi_high=mu + pi_half,
        hartung_knapp=hartung_knapp,
        weights=tuple(float(x) for x in 100 * w / np.sum(w)),
    )


def _hedges_j(df: float) -> float:
    """Small-sample correction J = 1 - 3 / (4 df - 1) (Hedges 1981; as RevMan and Borenstein et al. use it)."""
    return 1 - 3 / (4 * df - 1)


def standardised_mean_difference(mean_t: float, sd_t: float, n_t: int, mean_c: float, sd_c: float, n_c: int) -> Effect:
    """Hedges' g, treatment minus comparator, in units of the pooled SD.

    Used where studies measure one outcome on different scales (MMT-8, MRC sum, QMT).
    Variance J^2 * ((n_t + n_c) / (n_t n_c) + d^2 / (2 (n_t + n_c))), as in Borenstein et al. 2009, ch. 4.
    """
    if n_t < 2 or n_c < 2:
        raise ValueError("each group needs at least two participants for a standard deviation")
    if sd_t <= 0 or sd_c <= 0:
        raise ValueError("standard deviations must be positive")
    df = n_t + n_c - 2
    sp = math.sqrt(((n_t - 1) * sd_t**2 + (n_c - 1) * sd_c**2) / df)
    d = (mean_t - mean_c) / sp
    vd = (n_t + n_c) / (n_t * n_c) + d**2 / (2 * (n_t + n_c))
    j = _hedges_j(df)
    yi, vi = j * d, j**2 * vd
    half = Z95 * math.sqrt(vi)
    return Effect("SMD", yi, yi - half, yi + half, yi, vi)


def se_from_ci(ci_low: float, ci_high: float) -> float:
    """Standard error behind a symmetric 95% CI (Cochrane Handbook 6.5.2.2, normal approximation)."""
    if not ci_high > ci_low:
        raise ValueError(f"confidence interval must have its upper bound above its lower bound (got {ci_low} to {ci_high})")
    return (ci_high - ci_low) / (2 * Z95)


def mean_difference_from_cis(mean_t: float, low_t: float, high_t: float,
                             mean_c: float, low_c: float, high_c: float) -> Effect:
    """MD of two independent arms' means (or mean changes) each reported with its own 95% CI.

    The arms' SEs come back from their CIs and add in quadrature; used where a trial prints
    each arm's change with a CI but no between-arm interval.
    """
    se_t, se_c = se_from_ci(low_t, high_t), se_from_ci(low_c, high_c)
    yi, vi = mean_t - mean_c, se_t**2 + se_c**2
    half = Z95 * math.sqrt(vi)
    return Effect("MD", yi, yi - half, yi + half, yi, vi)


def paired_mean_difference(mean_diff: float, sd_diff: float, n: int) -> Effect:
    """MD of a crossover trial from the within-patient differences (IVIG period minus comparator period).

    This is the paired analysis the Cochrane Handbook (23.2.6) asks for: SE = SD_diff / sqrt(n).
    """
    if n < 2:
        raise ValueError("a paired analysis needs at least two patients")
    if sd_diff <= 0:
        raise ValueError("the SD of the differences must be positive")
    vi = sd_diff**2 / n
    half = Z95 * math.sqrt(vi)
    return Effect("MD", mean_diff, mean_diff - half, mean_diff + half, mean_diff, vi)


def paired_standardised_mean_difference(mean_diff: float, sd_diff: float, n: int, r: float) -> Effect:
    """SMD of a paired (crossover) comparison in units of the within-group SD.

    S_within = S_diff / sqrt(2 (1 - r)); d = mean_diff / S_within;
    V_d = (1/n + d^2 / (2n)) * 2 (1 - r)  (Borenstein et al. 2009, ch. 4, matched groups).
    Returned uncorrected (d), as that worked example gives it.
    """
    if not -1 < r < 1:
        raise ValueError("the within-patient correlation must lie strictly between -1 and 1")
    if n < 2 or sd_diff <= 0:
        raise ValueError("a paired analysis needs n >= 2 and a positive SD of the differences")
    s_within = sd_diff / math.sqrt(2 * (1 - r))
    d = mean_diff / s_within
    vi = (1 / n + d**2 / (2 * n)) * 2 * (1 - r)
    half = Z95 * math.sqrt(vi)
    return Effect("SMD", d, d - half, d + half, d, vi)


@dataclass(frozen=True)
class Absolute:
    """GRADEpro's absolute effect per 1,000: comparator risk, risk with treatment and its CI."""

    comparator_per_1000: float
    treated_per_1000: float
    treated_low: float
    treated_high: float

    @property
    def difference(self) -> tuple[float, float, float]:
        """Per 1,000 more (positive) or fewer (negative), with its CI."""
        base = self.comparator_per_1000
        return self.treated_per_1000 - base, self.treated_low - base, self.treated_high - base


def absolute_from_ratio(comparator_risk: float, rr: float, rr_low: float, rr_high: float) -> Absolute:
    """Risk with treatment = comparator risk x RR (and x each CI bound), per 1,000, as GRADEpro computes it.

    Capped at 1,000 per 1,000: a ratio cannot push a risk above certainty.
    """
    if not 0 <= comparator_risk <= 1:
        raise ValueError(f"comparator risk must be a proportion between 0 and 1 (got {comparator_risk})")
    if min(rr, rr_low, rr_high) < 0 or not rr_low <= rr <= rr_high:
        raise ValueError("the risk ratio must lie inside its confidence interval and be non-negative")
    acr = 1000 * comparator_risk
    return Absolute(acr, min(1000.0, acr * rr), min(1000.0, acr * rr_low), min(1000.0, acr * rr_high))


def absolute_from_difference(comparator_risk: float, rd: float, rd_low: float, rd_high: float) -> Absolute:
    """Risk with treatment from a reported risk difference (proportions), per 1,000, bounded to 0-1,000."""
    if not 0 <= comparator_risk <= 1:
        raise ValueError(f"comparator risk must be a proportion between 0 and 1 (got {comparator_risk})")
    acr = 1000 * comparator_risk

    def clip(x: float) -> float:
        return max(0.0, min(1000.0, x))
    return Absolute(acr, clip(acr + 1000 * rd), clip(acr + 1000 * rd_low), clip(acr + 1000 * rd_high))
