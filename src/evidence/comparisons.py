"""What is comparable: one function decides it for tables, charts and the audit.

A comparison is an IVIG arm against a comparator arm of one study (`arms.arm_role`),
for one outcome at one timepoint, built from result rows of the same kind
(`results.result_kind`): two `arm_outcome` rows (counts or means), two
`within_arm_change` rows, or one reported `between_arm` effect. First-period adverse
event counts of the two arms compare the same way. Nothing here reads labels or ids for
meaning; the outcome of two arms is the same when its label is the same.

Crossover trials (design `rct_crossover`) are analysed as paired where the data allow;
when the two arms' totals add up to no more than the patients enrolled they are read as the
randomised first-period groups (a parallel comparison); when they add up to more, each
patient sits in both arms and the counts cannot be analysed as independent groups, so the
row is shown as not estimable with that reason. Crossover and parallel designs never pool.
"""

from __future__ import annotations

import math

import pandas as pd

from . import stats
from .data import EvidenceBase

HARM_DOMAINS = {"safety"}
RATIO_MEASURES = {"RR", "OR", "HR"}
REPORTED_EFFECTS = {"RR", "OR", "HR", "RD", "MD", "LSMD", "pct_point_diff"}
PLACEBO = {"placebo", "placebo_plus_prednisone"}

COLUMNS = [
    "study_id", "subtype", "design", "design_family", "outcome_domain", "outcome", "timepoint_weeks", "harm",
    "data_type", "measure", "analysis", "estimable", "reason", "comparator", "comparator_family",
    "events_ivig", "total_ivig", "events_control", "total_control",
    "mean_ivig", "sd_ivig", "n_ivig", "mean_control", "sd_control", "n_control", "unit",
    "estimate", "ci_low", "ci_high", "yi", "vi", "rd", "rd_low", "rd_high", "p_value",
    "participants", "result_ids", "bib_key", "result_kind",
]

EXTRA = ["smd", "smd_vi", "arm_low_ivig", "arm_high_ivig", "arm_low_control", "arm_high_control"]


def design_family(design: str) -> str:
    """Designs that may pool together: parallel RCTs, crossover RCTs, or non-randomised."""
    if design == "rct_parallel":
        return "parallel"
    if design == "rct_crossover":
        return "crossover"
    return "non-randomised"


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _base_row(study: pd.Series, first: pd.Series, comparator: str) -> dict:
    row = {c: None for c in COLUMNS}
    row.update({
        "study_id": study["study_id"], "subtype": study["subtype"], "design": study["design"],
        "design_family": design_family(study["design"]), "outcome_domain": first["outcome_domain"],
        "outcome": first["outcome"], "timepoint_weeks": _num(first.get("timepoint_weeks")),
        "comparator": comparator, "comparator_family": "placebo" if comparator in PLACEBO else "active or usual care",
        "bib_key": first.get("bib_key"), "unit": first.get("unit") if isinstance(first.get("unit"), str) else None,
        "p_value": _num(first.get("p_value")), "estimable": False, "reason": "", "result_kind": first.get("result_kind"),
    })
    favourable = first.get("favourable")
    row["harm"] = bool(favourable == "lower" or (not isinstance(favourable, str) and first["outcome_domain"] in HARM_DOMAINS))
    return row


def _crossover_reading(study: pd.Series, total_t: float | None, total_c: float | None) -> tuple[str, str]:
    """(analysis, reason) for a crossover comparison of two arm rows; reason empty when analysable."""
    enrolled = _num(study["n_enrolled"])
    if total_t is None or total_c is None or enrolled is None:
        return "as reported", "crossover: arm sizes or enrolment not reported, so periods cannot be told apart"
    if total_t + total_c <= enrolled:
        return "first period", ""
    return ("as reported", f"crossover: arms of {int(total_t)} and {int(total_c)} exceed the {int(enrolled)} enrolled, "
            "so patients are counted in both arms; per-patient (paired) results are not reported")


def _dichotomous(row: dict, t_events: float, t_total: float, c_events: float, c_total: float) -> dict:
    row.update({"data_type": "dichotomous", "measure": "RR", "events_ivig": int(t_events), "total_ivig": int(t_total),
                "events_control": int(c_events), "total_control": int(c_total)})
    if row["reason"]:
        return row
    rr = stats.risk_ratio(int(t_events), int(t_total), int(c_events), int(c_total))
    rd = stats.risk_difference(int(t_events), int(t_total), int(c_events), int(c_total))
    row.update({"rd": rd.estimate, "rd_low": rd.ci_low, "rd_high": rd.ci_high})
    if rr is None:
        row["reason"] = "no events in either arm: a risk ratio is not estimable"
        return row
    row.update({"estimable": True, "estimate": rr.estimate, "ci_low": rr.ci_low, "ci_high": rr.ci_high, "yi": rr.yi, "vi": rr.vi})
    return row


def _continuous(row: dict, t: pd.Series, c: pd.Series, n_t: float | None, n_c: float | None) -> dict:
    row.update({"data_type": "continuous", "measure": "MD",
                "mean_ivig": _num(t["mean"]), "sd_ivig": _num(t["sd"]), "n_ivig": n_t,
                "mean_control": _num(c["mean"]), "sd_control": _num(c["sd"]), "n_control": n_c})
    if row["reason"]:
        return row
    if None not in (row["sd_ivig"], row["sd_control"], row["n_ivig"], row["n_control"]):
        md = stats.mean_difference(row["mean_ivig"], row["sd_ivig"], int(row["n_ivig"]),
                                   row["mean_control"], row["sd_control"], int(row["n_control"]))
        smd = stats.standardised_mean_difference(row["mean_ivig"], row["sd_ivig"], int(row["n_ivig"]),
                                                 row["mean_control"], row["sd_control"], int(row["n_control"]))
        row.update({"estimable": True, "estimate": md.estimate, "ci_low": md.ci_low, "ci_high": md.ci_high, "yi": md.yi, "vi": md.vi,
                    "smd": smd.estimate, "smd_vi": smd.vi})
        return row
    bounds = [_num(t["ci_low"]), _num(t["ci_high"]), _num(c["ci_low"]), _num(c["ci_high"])]
    if None not in bounds:
        md = stats.mean_difference_from_cis(row["mean_ivig"], bounds[0], bounds[1], row["mean_control"], bounds[2], bounds[3])
        row.update({"estimable": True, "estimate": md.estimate, "ci_low": md.ci_low, "ci_high": md.ci_high, "yi": md.yi, "vi": md.vi,
                    "analysis": row["analysis"] + "; SEs from each arm's 95% CI",
                    "arm_low_ivig": bounds[0], "arm_high_ivig": bounds[1], "arm_low_control": bounds[2], "arm_high_control": bounds[3]})
        return row
    row["reason"] = "means reported without SD, SE or CI: no interval can be computed"
    return row


def _reported(row: dict, r: pd.Series) -> dict:
    effect_type = r.get("effect_type")
    row.update({"data_type": "reported", "measure": effect_type if isinstance(effect_type, str) else None, "analysis": "as reported"})
    est, low, high = _num(r.get("effect")), _num(r.get("ci_low")), _num(r.get("ci_high"))
    if effect_type in REPORTED_EFFECTS and None not in (est, low, high):
        row.update({"estimable": True, "estimate": est, "ci_low": low, "ci_high": high})
        if effect_type in RATIO_MEASURES and low > 0:
            row.update({"yi": math.log(est), "vi": stats.se_from_ci(math.log(low), math.log(high)) ** 2})
        elif effect_type not in RATIO_MEASURES:
            row.update({"yi": est, "vi": stats.se_from_ci(low, high) ** 2})
        return row
    p = _num(r.get("p_value"))
    if isinstance(r.get("p_text"), str):
        p_text = f"p {r['p_text']}" if r["p_text"][:1] in "<>=0123456789" else str(r["p_text"])
    else:
        p_text = f"p = {p:g}" if p is not None else ""
    row["reason"] = "between-arm result reported without an estimate and 95% CI" + (f"; reported as {p_text}" if p_text else "")
    return row


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with pandas' missing values turned into None (cheap to group and read); the
    missing values are replaced column-wise, since a per-cell check was most of `comparable`'s time."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _pairs(rows: list[dict], key, role) -> list[tuple[dict, dict]]:
    """(IVIG row, comparator row) for every key with exactly one of each, in key order."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    out = []
    for k in sorted(groups, key=lambda k: tuple("" if v is None else str(v) for v in k)):
        treated = [r for r in groups[k] if role(r) == "ivig"]
        control = [r for r in groups[k] if role(r) == "comparator"]
        if len(treated) == 1 and len(control) == 1:
            out.append((treated[0], control[0]))
    return out


def comparable(base: EvidenceBase) -> pd.DataFrame:
    """Every IVIG-vs-comparator comparison the evidence base holds, estimable or not (with the reason).
    Built once per evidence base and linear in its rows; callers get a copy."""
    cached = base.__dict__.get("_comparable")
    if cached is None:
        cached = _comparable(base)
        base.__dict__["_comparable"] = cached
    return cached.copy()


def _comparable(base: EvidenceBase) -> pd.DataFrame:
    res, arms, studies = base.tables["results"], base.tables["arms"], base.tables["studies"]
    roles = dict(zip(arms["arm_id"], arms["arm_role"]))
    interventions = dict(zip(arms["arm_id"], arms["intervention"]))
    arm_n = {a: (None if pd.isna(n) else n) for a, n in zip(arms["arm_id"], arms["n"])}
    study_rows = {s["study_id"]: s for s in _records(studies)}
    report_keys = _report_keys(base)
    rows: list[dict] = []
    paired_ids: set[tuple] = set()

    arm_level = res[res["result_kind"].isin(["arm_outcome", "within_arm_change"]) & res["arm_id"].map(roles).isin(["ivig", "comparator"])]
    arm_rows = _records(arm_level)
    for r in arm_rows:
        r["tp"] = r["timepoint_weeks"] if r["timepoint_weeks"] is not None else -1
    for t, c in _pairs(arm_rows, lambda r: (r["study_id"], r["outcome"], r["tp"], r["result_kind"]), lambda r: roles.get(r["arm_id"])):
        study_id, outcome, tp = t["study_id"], t["outcome"], t["tp"]
        study = study_rows[study_id]
        row = _base_row(study, t, interventions.get(c["arm_id"]))
        row["result_ids"] = f"{t['result_id']};{c['result_id']}"
        total_t = _num(t["total"]) if t["total"] is not None else _num(arm_n.get(t["arm_id"]))
        total_c = _num(c["total"]) if c["total"] is not None else _num(arm_n.get(c["arm_id"]))
        row["analysis"], row["reason"] = ("parallel", "")
        if study["design"] == "rct_crossover":
            row["analysis"], row["reason"] = _crossover_reading(study, total_t, total_c)
        elif study["design"] not in ("rct_parallel",):
            row["analysis"] = "non-randomised groups"
        if t["events"] is not None and c["events"] is not None and total_t and total_c:
            row = _dichotomous(row, t["events"], total_t, c["events"], total_c)
        elif t["mean"] is not None and c["mean"] is not None:
            row = _continuous(row, t, c, total_t, total_c)
        else:
            row.update({"data_type": "descriptive", "reason": row["reason"] or "arms reported as percentages or text only, without counts or means"})
        row["participants"] = _participants(study, total_t, total_c)
        rows.append(row)
        if row["estimable"]:
            paired_ids.add((study_id, outcome, tp))

    estimable_keys = {(x["study_id"], x["outcome_domain"], x["timepoint_weeks"] if x["timepoint_weeks"] is not None else -1)
                      for x in rows if x["estimable"]}
    for r in _records(res[res["result_kind"] == "between_arm"]):
        study = study_rows[r["study_id"]]
        if roles.get(r["arm_id"]) != "ivig" or roles.get(r["comparator_arm_id"]) != "comparator":
            continue
        tp = r["timepoint_weeks"] if r["timepoint_weeks"] is not None else -1
        if (r["study_id"], r["outcome"], tp) in paired_ids:
            continue
        row = _reported(_base_row(study, r, interventions.get(r["comparator_arm_id"])), r)
        if not row["estimable"] and (r["study_id"], r["outcome_domain"], tp) in estimable_keys:
            continue
        row["result_ids"] = r["result_id"]
        row["participants"] = _participants(study, _num(arm_n.get(r["arm_id"])), _num(arm_n.get(r["comparator_arm_id"])))
        if study["design"] == "rct_crossover" and row["estimable"]:
            row["analysis"] = "as reported by the trial (crossover)"
        rows.append(row)

    for r in _records(res[(res["result_kind"] == "pooled_estimate") & res["effect_type"].isin(REPORTED_EFFECTS)]):
        row = _reported(_base_row(study_rows[r["study_id"]], r, None), r)
        row.update({"result_ids": r["result_id"], "analysis": "as reported: a review's estimate", "comparator_family": None,
                    "participants": int(r["total"]) if r["total"] is not None else None})
        rows.append(row)

    reported = {(x["study_id"], x["outcome_domain"], x["timepoint_weeks"]) for x in rows if x["data_type"] == "reported" and x["estimable"]}
    rows = [x for x in rows if not (x["data_type"] == "descriptive" and (x["study_id"], x["outcome_domain"], x["timepoint_weeks"]) in reported)]
    seen = {(x["study_id"], x["events_ivig"], x["total_ivig"], x["events_control"], x["total_control"]) for x in rows}
    rows += [x for x in _adverse_event_rows(base, roles, interventions, study_rows, report_keys)
             if (x["study_id"], x["events_ivig"], x["total_ivig"], x["events_control"], x["total_control"]) not in seen]
    frame = pd.DataFrame(rows)
    for extra in EXTRA:
        if extra not in frame:
            frame[extra] = None
    return frame[COLUMNS + EXTRA] if not frame.empty else pd.DataFrame(columns=COLUMNS + EXTRA)


def _participants(study: pd.Series, total_t: float | None, total_c: float | None) -> int | None:
    """Patients behind a comparison: the arm totals, capped at enrolment (a crossover counts a patient once)."""
    if total_t is None or total_c is None:
        return None
    total = int(total_t + total_c)
    enrolled = _num(study["n_enrolled"])
    return min(total, int(enrolled)) if enrolled is not None else total


def _adverse_event_rows(base: EvidenceBase, roles: dict, interventions: dict, study_rows: dict, report_keys: dict) -> list[dict]:
    """Harms counted per arm in the same period: patients with the event over patients at risk."""
    aes = base.tables["adverse_events"]
    aes = aes[aes["arm_id"].map(roles).isin(["ivig", "comparator"]) & aes["patients"].notna() & aes["n_at_risk"].notna()]
    out = []
    for t, c in _pairs(_records(aes), lambda r: (r["study_id"], r["event"], r["period"] or ""), lambda r: roles.get(r["arm_id"])):
        study_id, period = t["study_id"], t["period"] or ""
        study = study_rows[study_id]
        first = {"outcome_domain": "safety", "outcome": t["event"] + (f", {period}" if period else ""),
                 "timepoint_weeks": None, "bib_key": None, "unit": None, "p_value": None, "favourable": "lower"}
        row = _base_row(study, first, interventions.get(c["arm_id"]))
        row["bib_key"] = report_keys.get(study_id)
        row["result_ids"] = f"{t['ae_id']};{c['ae_id']}"
        row["analysis"], row["reason"] = "parallel", ""
        if study["design"] == "rct_crossover":
            row["analysis"], row["reason"] = _crossover_reading(study, _num(t["n_at_risk"]), _num(c["n_at_risk"]))
        row = _dichotomous(row, t["patients"], t["n_at_risk"], c["patients"], c["n_at_risk"])
        row["participants"] = _participants(study, _num(t["n_at_risk"]), _num(c["n_at_risk"]))
        out.append(row)
    return out


def _report_keys(base: EvidenceBase) -> dict[str, str]:
    """Each study's primary report (else its first report)."""
    out: dict[str, str] = {}
    for sid, key, role in zip(base.tables["reports"]["study_id"], base.tables["reports"]["bib_key"], base.tables["reports"]["role"]):
        if role == "primary" or sid not in out:
            if role == "primary" and sid in out and out.get(f"__{sid}"):
                continue
            out[sid] = key
            if role == "primary":
                out[f"__{sid}"] = key
    return {k: v for k, v in out.items() if not k.startswith("__")}


def _report_key(base: EvidenceBase, study_id: str) -> str | None:
    return _report_keys(base).get(study_id)


def pooling_key(row: pd.Series) -> tuple:
    """Rows pool only when subtype, outcome domain, harm, measure, comparator family and design family agree."""
    return (row["subtype"], row["outcome_domain"], bool(row["harm"]), row["measure"], row["comparator_family"], row["design_family"])


def pooling_keys(table: pd.DataFrame) -> pd.Series:
    """`pooling_key` of every row, read column-wise (a row-wise apply was most of a forest plot's time)."""
    return pd.Series(list(zip(table["subtype"], table["outcome_domain"], (bool(h) for h in table["harm"]), table["measure"],
                              table["comparator_family"], table["design_family"])), index=table.index, dtype=object)


def pooled_groups(table: pd.DataFrame, method: stats.Method = "REML") -> dict[tuple, stats.Pooled]:
    """Random-effects pools of estimable rows that share a pooling key, one row per study, k >= 2.

    A group where one study contributes two rows is not pooled (it would count patients twice).
    Parallel and crossover trials carry different design families and never meet here.
    """
    out: dict[tuple, stats.Pooled] = {}
    usable = table[table["estimable"].astype(bool) & table["yi"].notna() & table["vi"].notna()]
    usable = usable[~usable["analysis"].astype(str).str.startswith("as reported")] if "analysis" in usable else usable
    if usable.empty:
        return out
    keys = pooling_keys(usable)
    for key, group in usable.groupby(keys):
        if len(group) >= 2 and group["study_id"].is_unique:
            out[key] = stats.pool(group["yi"].astype(float).tolist(), group["vi"].astype(float).tolist(), method=method)
    return out


def contrasts(base: EvidenceBase) -> pd.DataFrame:
    """The estimable IVIG-vs-comparator risk ratios of `comparable` (one row per study and
    outcome), with the columns bottom lines and slides quote: rr, rr_low, rr_high and the counts."""
    cached = base.__dict__.get("_contrasts")
    if cached is not None:
        return cached
    table = comparable(base)
    table = table[(table["data_type"] == "dichotomous") & table["estimable"].astype(bool) & (table["measure"] == "RR")]
    table = table.rename(columns={"estimate": "rr", "ci_low": "rr_low", "ci_high": "rr_high"}).reset_index(drop=True)
    for col in ("events_ivig", "total_ivig", "events_control", "total_control"):
        table[col] = table[col].astype("Int64")
    base.__dict__["_contrasts"] = table
    return table
