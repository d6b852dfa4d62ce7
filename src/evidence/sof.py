"""GRADE summary of findings, shaped as GRADEpro shapes it, one row per outcome.

The outcomes, their certainty and the reason for each GRADE domain rated down live in
`data/certainty.csv`; the effects come from `comparisons.comparable`, found through the
result ids each outcome row names. Absolute effects per 1,000 follow GRADEpro: the
comparator risk is the comparator arm's observed risk, and the risk with IVIG is that risk
times the RR (and times each bound of its CI). Reasons print as lettered footnotes.
"""

from __future__ import annotations

import pandas as pd

from . import stats, vocab
from .comparisons import comparable
from .data import EvidenceBase, split_ids

COLUMNS = ["Outcome", "Risk with comparator", "Risk with IVIG", "Relative effect (95% CI)",
           "Participants (studies)", "Certainty", "Comments"]
DOMAINS = [("risk_of_bias", "Risk of bias"), ("inconsistency", "Inconsistency"), ("indirectness", "Indirectness"),
           ("imprecision", "Imprecision"), ("publication_bias", "Publication bias")]


class CertaintyDataError(ValueError):
    """A certainty row that names an id the evidence base does not hold."""


def _studies_text(n_participants: int | None, k: int, crossover: bool, enrolled_only: bool = False) -> str:
    """'95 (1 study)'; '65 enrolled (3 studies)' when no comparison says how many patients the outcome covers."""
    studies = f"{k} {'study' if k == 1 else 'studies'}"
    if n_participants is None:
        return f"({studies})"
    return f"{n_participants}{' enrolled' if enrolled_only else ''} ({studies}" + (", crossover" if crossover else "") + ")"


def _per_1000(x: float) -> str:
    return f"{x:.0f} per 1,000"


def _positions_by_result(comps: pd.DataFrame, wanted: set[str]) -> dict[str, list[int]]:
    """Result id (of those wanted) -> positions of the comparisons built from it, read in one pass per
    table (a scan of every comparison for each outcome row grew with the evidence base)."""
    out: dict[str, list[int]] = {}
    for i, ids in enumerate(comps["result_ids"]):
        for rid in set(str(ids).split(";")) & wanted:
            out.setdefault(rid, []).append(i)
    return out


def _row_effects(row: pd.Series, comps: pd.DataFrame, results: pd.DataFrame, by_result: dict[str, list[int]]) -> dict[str, str]:
    """The effect cells of one outcome from the comparisons its result ids reach (in table order)."""
    ids = set(split_ids(row["result_ids"])) if isinstance(row["result_ids"], str) else set()
    hits = comps.iloc[sorted({i for rid in ids for i in by_result.get(rid, [])})] if ids else comps.iloc[0:0]
    estimable = hits[hits["estimable"].astype(bool)]
    empty = {"Risk with comparator": "—", "Risk with IVIG": "—"}  # a dash: nothing to estimate, not a gap
    if estimable.empty:
        reason = "; ".join(dict.fromkeys(r for r in hits["reason"] if r)) or "no IVIG-vs-comparator data in the evidence base"
        n = hits["participants"].dropna()
        return {**empty, "Relative effect (95% CI)": "not estimable", "_participants": int(n.max()) if len(n) else None,
                "_k": hits["study_id"].nunique(), "_note": f"No comparative estimate: {reason}.",
                "_crossover": bool((hits["design"] == "rct_crossover").any())}
    c = estimable.iloc[0]
    out = {"_participants": int(c["participants"]) if pd.notna(c["participants"]) else None, "_k": 1,
           "_crossover": c["design"] == "rct_crossover", "_note": ""}
    if c["data_type"] == "dichotomous":
        acr = c["events_control"] / c["total_control"]
        absolute = stats.absolute_from_ratio(acr, c["estimate"], c["ci_low"], c["ci_high"])
        treated = f"{absolute.treated_per_1000:,.0f} per 1,000 ({absolute.treated_low:,.0f} to {absolute.treated_high:,.0f})"
        if c["events_control"] == 0:
            treated = (f"{1000 * c['events_ivig'] / c['total_ivig']:,.0f} per 1,000 (risk difference {1000 * c['rd']:.0f} more per 1,000, "
                       f"{1000 * c['rd_low']:.0f} to {1000 * c['rd_high']:.0f})")
        out.update({"Risk with comparator": _per_1000(absolute.comparator_per_1000), "Risk with IVIG": treated,
                    "Relative effect (95% CI)": f"RR {c['estimate']:.2f} ({c['ci_low']:.2f} to {c['ci_high']:.2f})"})
    elif c["measure"] == "pct_point_diff":
        arm_rows = results[results["result_id"].isin(ids) & results["percent"].notna() & results["comparator_arm_id"].isna()]
        comparator_ids = _comparator_ids(ids, results)
        control = [p for rid, p in zip(arm_rows["result_id"], arm_rows["percent"]) if rid in comparator_ids]
        out["Relative effect (95% CI)"] = "not reported"
        if control:
            absolute = stats.absolute_from_difference(control[0] / 100, c["estimate"] / 100, c["ci_low"] / 100, c["ci_high"] / 100)
            out.update({"Risk with comparator": _per_1000(absolute.comparator_per_1000),
                        "Risk with IVIG": f"{absolute.treated_per_1000:.0f} per 1,000 ({absolute.treated_low:.0f} to {absolute.treated_high:.0f})"})
        out["_note"] = f"Risk difference {c['estimate']:g} percentage points ({c['ci_low']:g} to {c['ci_high']:g}) as reported."
    else:
        def side(x: float) -> str:
            return f"{abs(x):.2f} {'lower' if x < 0 else 'higher'}"
        out.update({"Risk with comparator": "", "Risk with IVIG":
                    f"{c['measure']} {side(c['estimate'])} ({side(c['ci_low'])} to {side(c['ci_high'])})",
                    "Relative effect (95% CI)": "—"})
        if pd.notna(c["mean_control"]):
            change = "mean change" if c["result_kind"] == "within_arm_change" else "mean"
            out["Risk with comparator"] = f"{change} {c['mean_control']:.2f}"
        if str(c["analysis"]).startswith("as reported"):
            out["_note"] = "Estimate as reported" + (" by a review." if "review" in str(c["analysis"]) else ".")
    return out


def _comparator_ids(ids: set[str], results: pd.DataFrame) -> set[str]:
    arms_of = results.set_index("result_id")["arm_id"]
    comparator_arms = set(results.loc[results["result_id"].isin(ids), "comparator_arm_id"].dropna())
    return {rid for rid in ids if rid in arms_of.index and arms_of[rid] in comparator_arms}


def _enrolled(base: EvidenceBase, study_ids: list[str]) -> int | None:
    """Patients enrolled in the primary studies an outcome rests on (reviews and labels re-count them)."""
    studies = base.tables["studies"]
    rows = studies[studies["study_id"].isin(study_ids) & studies["design"].isin(vocab.PRIMARY_STUDY_DESIGNS)]
    n = rows["n_enrolled"].dropna()
    return int(n.sum()) if len(n) == len(rows) and len(rows) else None


def check_ids(base: EvidenceBase) -> None:
    """Every id in certainty.result_ids names a result or adverse-event row; else one line naming the row."""
    known = set(base.tables["results"]["result_id"]) | set(base.tables["adverse_events"]["ae_id"])
    for i, row in base.tables["certainty"].iterrows():
        for rid in split_ids(row["result_ids"]) if isinstance(row["result_ids"], str) else []:
            if rid not in known:
                raise CertaintyDataError(f"data/certainty.csv row {i + 2}, field result_ids: '{rid}' is not a result or adverse-event id")


def summary_of_findings(base: EvidenceBase, subtype: str) -> pd.DataFrame:
    """One row per outcome (benefits, then harms) with GRADEpro's columns; footnotes in `frame.attrs['footnotes']`."""
    check_ids(base)
    cert = base.tables["certainty"]
    cert = cert[cert["subtype"] == subtype].copy()
    cert["_order"] = cert["effect"].map({"benefit": 0, "harm": 1})
    cert = cert.sort_values(["_order"], kind="stable")
    comps = comparable(base)
    results = base.tables["results"]
    by_result = _positions_by_result(comps, {rid for ids in cert["result_ids"] if isinstance(ids, str) for rid in split_ids(ids)})
    footnotes: dict[str, str] = {}
    rows = []
    for _, row in cert.iterrows():
        effects = _row_effects(row, comps, results, by_result)
        letters = []
        notes = []
        for field, name in DOMAINS:
            text = row[field]
            if isinstance(text, str) and text.strip():
                note = f"{name}. {text.strip().rstrip('.')}."
                letter = footnotes.setdefault(note, chr(97 + len(footnotes)))
                letters.append(letter)
                notes.append(f"{letter}. {note}")
        k_data = len(split_ids(row["studies"]))
        participants = effects["_participants"] or _enrolled(base, split_ids(row["studies"]))
        outcome = row["outcome"] + (" (harm)" if row["effect"] == "harm" else "")
        comments = " ".join(x for x in [effects["_note"], row["reasons"] if isinstance(row["reasons"], str) else "", *notes] if x)
        rows.append({
            "Outcome": outcome,
            "Risk with comparator": effects["Risk with comparator"],
            "Risk with IVIG": effects["Risk with IVIG"],
            "Relative effect (95% CI)": effects["Relative effect (95% CI)"],
            "Participants (studies)": _studies_text(participants, max(effects["_k"], 1) if effects["_participants"] else k_data, effects["_crossover"],
                                                    enrolled_only=not effects["_participants"]),
            "Certainty": vocab.CERTAINTY.label(row["certainty"]) + (f" ({', '.join(letters)})" if letters else ""),
            "Comments": comments,
        })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame.attrs["footnotes"] = [f"{letter}. {text}" for text, letter in footnotes.items()]
    if frame.empty:
        frame.attrs["empty_reason"] = (
            f"No outcome of {vocab.SUBTYPE.label(subtype).lower()} has a certainty rating in data/certainty.csv yet, "
            "so there is no summary of findings; the studies and figures below are all the base holds.")
    return frame
