"""Forest plots laid out as RevMan draws them, built from `comparisons.comparable`.

One panel per outcome domain and effect measure: a row per study with each arm's
events/total (or mean, SD and n), the weight when pooled, the effect and its 95% CI as
text, and the interval drawn on the right (log scale for ratios). A pooled diamond with
tau², I², Q and its p value follows where `comparisons.pooled_groups` pooled two or more
studies, with a prediction interval where k >= 3. Intervals that run past the axis end in
an arrow; rows that cannot be estimated say why. With nothing to show, the figure says so.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from . import vocab
from .altair_import import alt
from .comparisons import comparable, pooled_groups, pooling_keys

RATIO_DOMAIN = (0.02, 50.0)
ROW_PX = 36
COLS = {"study": 0, "ivig": 292, "control": 437, "weight": 582, "effect": 640}
TABLE_WIDTH = 810
HEADER_TEXT = {"pct_point_diff": "Diff. (points)", "LSMD": "LSMD"}
PLOT_WIDTH = 300
MEASURE_TEXT = {"RR": "Risk ratio", "OR": "Odds ratio", "HR": "Hazard ratio", "MD": "Mean difference",
                "SMD": "Std. mean difference", "RD": "Risk difference", "pct_point_diff": "Difference (percentage points)",
                "LSMD": "LS mean difference"}


class SharedDataVConcat(alt.VConcatChart):
    """A vconcat of panels whose many layers share a few frames: each distinct frame is converted to
    inline values and hashed once, not once per layer (per-layer conversion was most of a forest plot's
    time at scale). The spec is the one altair writes: the same named datasets in the same order."""

    def to_dict(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if kwargs.get("context") is not None or alt.data_transformers.active != "default" or not alt.data_transformers.consolidate_datasets:
            return super().to_dict(*args, **kwargs)
        convert = alt.data_transformers.get()
        datasets: dict[str, Any] = {}
        named: dict[int, tuple[object, dict[str, str]]] = {}

        def once(data: object) -> dict[str, str]:
            hit = named.get(id(data))
            if hit is None:
                values = convert(data)["values"]
                name = alt.vegalite.v6.api._dataset_name(values)  # altair's own name for inline data
                datasets.setdefault(name, values)
                hit = named[id(data)] = (data, {"name": name})
            return dict(hit[1])

        alt.data_transformers.register(_SHARED, once)
        with alt.data_transformers.enable(_SHARED):
            return super().to_dict(*args, context={"datasets": datasets}, **kwargs)


_SHARED = "evidence-shared-frames"


def _fmt(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:.{digits}f}".replace("-", "−")


def _arm_text(row: dict[str, Any], arm: str) -> str:
    if row["data_type"] == "dichotomous":
        return f"{int(row[f'events_{arm}'])}/{int(row[f'total_{arm}'])}"
    if row["data_type"] == "continuous":
        mean, sd, n = row[f"mean_{arm}"], row[f"sd_{arm}"], row[f"n_{arm}"]
        text = _fmt(mean)
        if pd.notna(row.get(f"arm_low_{arm}")) and pd.isna(sd):
            return f"{text} [{_fmt(row[f'arm_low_{arm}'])}, {_fmt(row[f'arm_high_{arm}'])}]"
        if pd.notna(sd):
            text += f" ({_fmt(sd)})"
        if pd.notna(n):
            text += f", n={int(n)}"
        return text
    return ""


def _effect_text(measure: str | None, est, low, high) -> str:
    return f"{_fmt(est)} [{_fmt(low)}, {_fmt(high)}]"


def _label(base, study_id: str) -> str:
    from .charts import _study_label

    return _study_label(base, study_id)


def forest_rows(base, subtype: str | None = None, harm: bool = False, outcome: str | None = None,
                method: str = "REML") -> pd.DataFrame:
    """The rows a forest plot draws (and its CSV ships): study, pooled, heterogeneity and note rows per panel."""
    table = comparable(base)
    table = table[table["harm"] == harm]
    if subtype:
        table = table[table["subtype"] == subtype]
    if outcome:
        table = table[(table["outcome_domain"] == outcome) | (table["outcome"] == outcome)]
    table = table[table["data_type"].isin(["dichotomous", "continuous", "reported"])].reset_index(drop=True)
    pools = pooled_groups(table, method=method)
    out: list[dict] = []
    if table.empty:
        return pd.DataFrame(out)
    known = table["measure"].where(table["measure"].isin(list(MEASURE_TEXT)) & table["estimable"].astype(bool))
    first_known = known.groupby(table["outcome_domain"]).transform("first")
    table = table.assign(panel_measure=known.fillna(first_known).fillna("not estimable"))
    labels = {s: _label(base, s) for s in table["study_id"].unique()}
    keys = pooling_keys(table)
    for (domain, measure), group in table.groupby(["outcome_domain", "panel_measure"], sort=True):
        panel = f"{vocab.OUTCOME_DOMAIN.label(domain)} · {MEASURE_TEXT.get(measure, measure)}"
        ratio = measure in ("RR", "OR", "HR")
        notes: list[str] = []
        weights: dict[int, float] = {}
        group_pools = []
        group_keys = keys[group.index]
        for key, pooled in pools.items():
            members = group[[k == key for k in group_keys]]
            if len(members):
                group_pools.append((key, pooled, members))
                for idx, w in zip(members.index, pooled.weights):
                    weights[idx] = w
        for idx, r in zip(group.index, group.to_dict("records")):
            when = f", week {int(r['timepoint_weeks'])}" if pd.notna(r["timepoint_weeks"]) and "week" not in str(r["outcome"]) else ""
            row = {
                "panel": panel, "kind": "study", "ratio": ratio, "measure": measure,
                "study": labels[r["study_id"]], "outcome": f"{r['outcome']}{when}", "analysis": r["analysis"],
                "ivig": _arm_text(r, "ivig"), "control": _arm_text(r, "control"),
                "weight": f"{weights[idx]:.1f}%" if idx in weights else "",
                "weight_value": weights.get(idx),
                "estimate": r["estimate"] if r["estimable"] else None,
                "ci_low": r["ci_low"] if r["estimable"] else None, "ci_high": r["ci_high"] if r["estimable"] else None,
                "result_ids": r["result_ids"], "bib_key": r["bib_key"], "reason": r["reason"] or "",
            }
            if r["estimable"]:
                row["effect"] = _effect_text(measure, r["estimate"], r["ci_low"], r["ci_high"])
            else:
                notes.append(r["reason"])
                row["effect"] = f"Not estimable ({chr(96 + len(notes))})"
            out.append(row)
        for key, pooled, members in group_pools:
            back = pooled.exp() if ratio else {"estimate": pooled.estimate, "ci_low": pooled.ci_low, "ci_high": pooled.ci_high,
                                               "pi_low": pooled.pi_low, "pi_high": pooled.pi_high}
            design = key[-1]
            out.append({
                "panel": panel, "kind": "pooled", "ratio": ratio, "measure": measure,
                "study": f"Total ({design} RCTs, {pooled.method})" if design != "non-randomised" else f"Total (non-randomised, {pooled.method})",
                "outcome": "", "weight_value": 100.0,
                "ivig": str(int(members["total_ivig"].fillna(members["n_ivig"]).sum())) if members["data_type"].isin(["dichotomous", "continuous"]).all() else "",
                "control": str(int(members["total_control"].fillna(members["n_control"]).sum())) if members["data_type"].isin(["dichotomous", "continuous"]).all() else "",
                "weight": "100.0%", "estimate": back["estimate"], "ci_low": back["ci_low"], "ci_high": back["ci_high"],
                "effect": _effect_text(measure, back["estimate"], back["ci_low"], back["ci_high"]),
                "result_ids": ";".join(members["result_ids"]), "bib_key": "", "reason": "", "analysis": f"k = {pooled.k}",
            })
            het = (f"Heterogeneity: τ² = {pooled.tau2:.3f}; Q = {pooled.q:.2f}, df = {pooled.k - 1} "
                   f"(p = {pooled.q_p:.2f}); I² = {pooled.i2:.0f}%")
            out.append({"panel": panel, "kind": "heterogeneity", "ratio": ratio, "measure": measure, "study": het, "effect": "",
                        "tau2": pooled.tau2, "i2": pooled.i2, "q": pooled.q, "q_p": pooled.q_p, "reason": ""})
            if pooled.k >= 3:
                out.append({"panel": panel, "kind": "prediction", "ratio": ratio, "measure": measure,
                            "study": "Prediction interval (95%)", "estimate": None,
                            "ci_low": back["pi_low"], "ci_high": back["pi_high"],
                            "effect": f"[{_fmt(back['pi_low'])}, {_fmt(back['pi_high'])}]", "reason": ""})
        for i, note in enumerate(notes):
            out.append({"panel": panel, "kind": "note", "ratio": ratio, "measure": measure,
                        "study": f"({chr(97 + i)}) {note}", "effect": "", "reason": note})
    frame = pd.DataFrame(out)
    for col in ("outcome", "ivig", "control", "weight", "analysis", "result_ids", "bib_key"):
        if col in frame:
            frame[col] = frame[col].fillna("")
    return frame


def _axis_range(panel: pd.DataFrame, ratio: bool) -> tuple[float, float]:
    lows = panel["ci_low"].dropna().astype(float)
    highs = panel["ci_high"].dropna().astype(float)
    if ratio:
        return RATIO_DOMAIN
    if lows.empty:
        return (-1.0, 1.0)
    reach = max(abs(lows.min()), abs(highs.max()), 1e-9) * 1.1
    return (-reach, reach)


def _panel_chart(panel: pd.DataFrame, title: str, harm: bool) -> alt.HConcatChart:
    panel = panel.reset_index(drop=True)
    ratio = bool(panel["ratio"].iloc[0])
    measure = panel["measure"].iloc[0]
    header = {"kind": "header", "study": "Study", "outcome": "", "ivig": "IVIG", "control": "Comparator", "weight": "Weight",
              "effect": f"{HEADER_TEXT.get(measure, measure) if measure in MEASURE_TEXT else 'Effect'} [95% CI]"}
    if panel["measure"].iloc[0] == "not estimable":
        header["effect"] = "Effect"
    rows = pd.concat([pd.DataFrame([header]), panel], ignore_index=True)
    for col_name in ("ci_low", "ci_high", "estimate"):
        if col_name not in rows:
            rows[col_name] = None
    rows["y"] = range(len(rows))
    rows = rows.assign(line2=rows["outcome"].fillna("") + rows["analysis"].fillna("").map(lambda a: f" ({a})" if a and a != "parallel" else ""))
    lo, hi = _axis_range(panel, ratio)
    drawn = rows[rows["ci_low"].notna()] if "ci_low" in rows else rows.iloc[0:0]
    drawn = drawn.assign(
        lo_c=drawn["ci_low"].astype(float).clip(lower=lo, upper=hi), hi_c=drawn["ci_high"].astype(float).clip(lower=lo, upper=hi),
        clip_low=drawn["ci_low"].astype(float) < lo, clip_high=drawn["ci_high"].astype(float) > hi)
    height = ROW_PX * len(rows)
    y_scale = alt.Scale(domain=[len(rows) - 0.5, -0.5], nice=False, zero=False)
    y = alt.Y("y:Q", axis=None, scale=y_scale)
    text_base = alt.Chart(rows).encode(y=y)

    bold = alt.FieldOneOfPredicate(field="kind", oneOf=["header", "pooled"])

    def col(field: str, x: int, limit: int = 0) -> list[alt.Chart]:
        return [text_base.mark_text(align="left", baseline="middle", fontSize=12, limit=limit, fontWeight=weight).encode(
            x=alt.value(x), text=f"{field}:N").transform_filter(pred) for weight, pred in (("bold", bold), ("normal", {"not": bold}))]

    study_text = rows.assign(first=rows["study"].fillna(""))
    table = alt.layer(
        *[alt.Chart(study_text).mark_text(align="left", baseline=base_line, fontSize=12, limit=290, dy=dy, fontWeight=weight).encode(
            y=y, x=alt.value(COLS["study"]), text="first:N").transform_filter(pred)
          for weight, pred, base_line, dy in (("bold", bold, "middle", 0),
                                              ("normal", alt.FieldEqualPredicate(field="kind", equal="study"), "bottom", -1))],
        alt.Chart(study_text).mark_text(align="left", baseline="top", fontSize=10, limit=290, color="#555555", dy=2).encode(
            y=y, x=alt.value(COLS["study"]), text="line2:N").transform_filter(alt.FieldEqualPredicate(field="kind", equal="study")),
        alt.Chart(study_text).mark_text(align="left", baseline="middle", fontSize=11, color="#333333", fontStyle="italic",
                                        limit=TABLE_WIDTH + PLOT_WIDTH).encode(
            y=y, x=alt.value(COLS["study"]), text="first:N").transform_filter(
                alt.FieldOneOfPredicate(field="kind", oneOf=["heterogeneity", "note", "prediction"])),
        *col("ivig", COLS["ivig"], 140), *col("control", COLS["control"], 140), *col("weight", COLS["weight"]),
        *col("effect", COLS["effect"], 170),
    ).properties(width=TABLE_WIDTH, height=height)

    if measure == "not estimable":
        return alt.hconcat(table, spacing=6).properties(title=alt.Title(title, fontSize=15, anchor="start"))
    scale = alt.Scale(type="log", domain=[lo, hi], nice=False) if ratio else alt.Scale(domain=[lo, hi], nice=False, zero=False)
    null_value = 1.0 if ratio else 0.0
    if ratio:
        left, right = ("Favours IVIG", "Favours comparator") if harm else ("Favours comparator", "Favours IVIG")
    else:
        left, right = "Lower with IVIG", "Higher with IVIG"
    x_title = f"← {left}   |   {right} →"
    axis = alt.Axis(values=[0.02, 0.1, 0.5, 1, 2, 10, 50], format="~g", title=x_title, labelFontSize=11, titleFontSize=12, grid=False) if ratio else \
        alt.Axis(title=x_title, labelFontSize=11, titleFontSize=12, tickCount=5, grid=False)
    frame_rule = alt.Chart(pd.DataFrame({"x": [null_value]})).mark_rule(color="#555555").encode(x=alt.X("x:Q", scale=scale, axis=axis))
    layers = [frame_rule]
    studies = drawn[drawn["kind"] == "study"]
    if not studies.empty:
        layers.append(alt.Chart(studies).mark_rule(strokeWidth=1.6, color="#222222").encode(x=alt.X("lo_c:Q", scale=scale), x2="hi_c:Q", y=y))
        studies = studies.assign(box=studies["weight_value"].astype(float).map(lambda w: 40 + 2.6 * w if pd.notna(w) else 110.0)
                                 if "weight_value" in studies else 110.0)
        layers.append(alt.Chart(studies).mark_square(color=vocab.OKABE_ITO["blue"], opacity=1).encode(
            x=alt.X("estimate:Q", scale=scale), y=y, size=alt.Size("box:Q", scale=None, legend=None),
            tooltip=[alt.Tooltip("study:N", title="Study"), alt.Tooltip("outcome:N", title="Outcome"),
                     alt.Tooltip("ivig:N", title="IVIG"), alt.Tooltip("control:N", title="Comparator"),
                     alt.Tooltip("effect:N", title="Effect [95% CI]"), alt.Tooltip("analysis:N", title="Analysis")]))
        for flag, end, shape in (("clip_low", "lo_c", "triangle-left"), ("clip_high", "hi_c", "triangle-right")):
            clipped = studies[studies[flag]]
            if not clipped.empty:
                layers.append(alt.Chart(clipped).mark_point(shape=shape, filled=True, size=70, color="#222222").encode(
                    x=alt.X(f"{end}:Q", scale=scale), y=y))
    pooled = drawn[drawn["kind"] == "pooled"]
    if not pooled.empty:
        pts = []
        for _, p in pooled.iterrows():
            for x, half in ((p["lo_c"], 0.0), (min(max(p["estimate"], lo), hi), 0.38), (p["hi_c"], 0.0)):
                pts.append({"pool": p["study"], "x": x, "ylo": p["y"] - half, "yhi": p["y"] + half, "effect": p["effect"]})
        layers.append(alt.Chart(pd.DataFrame(pts)).mark_area(color="#222222", opacity=0.9).encode(
            x=alt.X("x:Q", scale=scale), y=alt.Y("ylo:Q", scale=y_scale, axis=None), y2="yhi:Q", detail="pool:N",
            tooltip=[alt.Tooltip("pool:N", title="Pooled"), alt.Tooltip("effect:N", title="Effect [95% CI]")]))
    prediction = drawn[drawn["kind"] == "prediction"]
    if not prediction.empty:
        layers.append(alt.Chart(prediction).mark_rule(strokeDash=[4, 3], strokeWidth=2, color="#222222").encode(
            x=alt.X("lo_c:Q", scale=scale), x2="hi_c:Q", y=y))
    plot = alt.layer(*layers).properties(width=PLOT_WIDTH, height=height)
    return alt.hconcat(table, plot, spacing=6).properties(title=alt.Title(title, fontSize=15, anchor="start"))


def no_data_chart(message: str, detail: list[str]) -> alt.Chart:
    lines = pd.DataFrame({"y": range(len(detail) + 1), "text": [message] + detail,
                          "kind": ["title"] + ["detail"] * len(detail)})
    title = alt.FieldEqualPredicate(field="kind", equal="title")
    base = alt.Chart(lines).encode(x=alt.value(10), y=alt.Y("y:O", axis=None), text="text:N", tooltip=[alt.Tooltip("text:N", title="Note")])
    return alt.layer(
        base.mark_text(align="left", baseline="middle", fontSize=18, fontWeight="bold").transform_filter(title),
        base.mark_text(align="left", baseline="middle", fontSize=13).transform_filter({"not": title}),
    ).properties(width=TABLE_WIDTH, height=28 * (len(detail) + 1))


def why_no_data(base, subtype: str | None, harm: bool) -> list[str]:
    """Plain reasons for an empty forest: which designs the subtype has, so the reader knows what exists."""
    studies = base.tables["studies"]
    if subtype:
        studies = studies[studies["subtype"] == subtype]
    primary = studies[studies["design"].isin(vocab.PRIMARY_STUDY_DESIGNS)]
    if primary.empty:
        return ["The evidence base holds no primary study for this scope."]
    counts = primary["design"].map(vocab.DESIGN.label).value_counts()
    listed = "; ".join(f"{label.lower()}: {n}" for label, n in counts.items())
    what = "harm" if harm else "benefit"
    return [f"Primary studies here: {listed}.",
            f"None reports a {what} outcome for an IVIG arm and a comparator arm with counts, means or a between-arm effect."] + (
                ["Trials of mixed PM/DM populations are shown with mixed myositis, not under one subtype."]
                if subtype in ("pm", "dm") and (base.tables["studies"]["subtype"] == "myositis").any() else [])


def build(base, subtype: str | None = None, harm: bool = False, outcome: str | None = None, method: str = "REML"):
    """(chart, rows frame, no_data) for `charts.forest_plot`."""
    rows = forest_rows(base, subtype, harm, outcome, method)
    scope = vocab.SUBTYPE.label(subtype) if subtype else "all subtypes"
    what = "harms" if harm else "benefits"
    title = alt.Title(f"IVIG vs comparator: {what}, {scope}",
                      subtitle="Per-study effects with 95% CI; pooled (random effects) only within one design, outcome domain, measure and comparator")
    if rows.empty:
        chart = no_data_chart(f"No comparative data for this {'subtype' if subtype else 'scope'}", why_no_data(base, subtype, harm))
        chart = chart.properties(title=title, description=f"No comparative {what} data for {scope}")
        return chart, pd.DataFrame([{"panel": "", "kind": "no data", "study": "; ".join(why_no_data(base, subtype, harm))}]), True
    panels = [_panel_chart(panel, name, harm) for name, panel in rows.groupby("panel", sort=False)]
    chart = SharedDataVConcat(vconcat=panels, spacing=22).properties(title=title, description=f"Forest plot of {what} for {scope}")
    return chart, rows, False
