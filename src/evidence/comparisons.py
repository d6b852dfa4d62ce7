"""Pair per-arm results into IVIG-vs-comparator contrasts, and pool where comparable.

A contrast is two per-arm count rows of one study, same outcome and timepoint, one arm
IVIG and the other a comparator. Outcome labels are compared after dropping any
parenthetical that names the arm, so "Improved (IVIG)" pairs with "Improved (placebo)".
"""

from __future__ import annotations

import re

import pandas as pd

from . import stats
from .data import EvidenceBase

IVIG_INTERVENTIONS = {"ivig", "ivig_plus_prednisone"}
CONTROL_INTERVENTIONS = {"placebo", "placebo_plus_prednisone", "standard_care"}
HARM_DOMAINS = {"safety"}


def outcome_label(label: str) -> str:
    """Outcome label without arm-naming parentheticals ("Improved (IVIG)" -> "Improved")."""
    text = re.sub(r"\((?:[^)]*\b(?:ivig|placebo|controls?|both periods)\b[^)]*)\)", "", label, flags=re.I)
    return re.sub(r"\s+", " ", text).strip()


def outcome_key(label: str) -> str:
    """The label used to pair arms: outcome_label, lower-cased."""
    return outcome_label(label).lower()


def contrasts(base: EvidenceBase) -> pd.DataFrame:
    """Every IVIG-vs-comparator pair of count results, with RR and RD (95% CI)."""
    res, arms, studies = base.tables["results"], base.tables["arms"], base.tables["studies"]
    counts = res[(res["measure"] == "count") & res["arm_id"].notna() & res["events"].notna() & res["total"].notna()]
    counts = counts.merge(arms[["arm_id", "intervention", "label"]], on="arm_id", how="left")
    counts = counts.assign(key=counts["outcome"].map(outcome_key), tp=counts["timepoint_weeks"].fillna(-1))
    # Baseline descriptors (timepoint 0, "baseline ...", "... share of arm") are not outcomes.
    counts = counts[(counts["tp"] != 0) & ~counts["key"].str.contains(r"baseline|share of arm", regex=True)]
    # Categories of a distribution (e.g. "no change") are not contrasts with a direction.
    counts = counts[counts["favourable"].fillna("") != "neither"]
    rows = []
    for (study_id, _key, tp), group in counts.groupby(["study_id", "key", "tp"], sort=True):
        treated = group[group["intervention"].isin(IVIG_INTERVENTIONS)]
        control = group[group["intervention"].isin(CONTROL_INTERVENTIONS)]
        if len(treated) != 1 or len(control) != 1:
            continue
        t, c = treated.iloc[0], control.iloc[0]
        rr = stats.risk_ratio(int(t["events"]), int(t["total"]), int(c["events"]), int(c["total"]))
        rd = stats.risk_difference(int(t["events"]), int(t["total"]), int(c["events"]), int(c["total"]))
        study = studies.set_index("study_id").loc[study_id]
        rows.append({
            "study_id": study_id,
            "subtype": study["subtype"],
            "design": study["design"],
            "outcome_domain": t["outcome_domain"],
            "outcome": outcome_label(t["outcome"]),
            "timepoint_weeks": None if tp < 0 else tp,
            "bib_key": t["bib_key"],
            "result_ids": f"{t['result_id']};{c['result_id']}",
            "events_ivig": int(t["events"]), "total_ivig": int(t["total"]),
            "events_control": int(c["events"]), "total_control": int(c["total"]),
            "comparator": c["intervention"],
            "rr": rr.estimate if rr else None, "rr_low": rr.ci_low if rr else None, "rr_high": rr.ci_high if rr else None,
            "yi": rr.yi if rr else None, "vi": rr.vi if rr else None,
            "rd": rd.estimate, "rd_low": rd.ci_low, "rd_high": rd.ci_high,
            "harm": t["favourable"] == "lower" or (pd.isna(t["favourable"]) and t["outcome_domain"] in HARM_DOMAINS),
        })
    return pd.DataFrame(rows)


def pooled_groups(table: pd.DataFrame, method: stats.Method = "REML") -> dict[tuple, stats.Pooled]:
    """Pool only contrasts that share subtype, outcome, comparator and design family."""
    out: dict[tuple, stats.Pooled] = {}
    usable = table.dropna(subset=["yi"])
    usable = usable.assign(outcome=usable["outcome"].str.lower())
    for key, group in usable.groupby(["subtype", "outcome", "comparator"]):
        if group["study_id"].nunique() >= 2:
            out[key] = stats.pool(group["yi"].tolist(), group["vi"].tolist(), method=method)
    return out
