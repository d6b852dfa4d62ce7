"""Tables for notebooks and exports: each a DataFrame with display labels.

`to_html` escapes every cell, so text that comes from data (claims, titles,
rationales) can never inject markup into a page.
"""

from __future__ import annotations

import pandas as pd

from . import sof, vocab
from .data import EvidenceBase, split_ids
from .summaries import NoData, study_label


def _fmt_num(value) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{value:g}"


def regimen_text(arm: pd.Series) -> str:
    """'2 g/kg over 2-5 days every 4 weeks' from an arm row."""
    if pd.isna(arm["dose_g_per_kg"]):
        return str(arm["label"])
    text = f"{arm['dose_g_per_kg']:g} g/kg"
    if pd.notna(arm["days_min"]):
        days = f"{arm['days_min']}" if arm["days_min"] == arm["days_max"] or pd.isna(arm["days_max"]) else f"{arm['days_min']}-{arm['days_max']}"
        text += f" over {days} days"
    if pd.notna(arm["interval_weeks"]):
        text += f" every {arm['interval_weeks']:g} weeks"
    return text


def study_characteristics(base: EvidenceBase, subtype: str | None = None, primary_only: bool = True) -> pd.DataFrame:
    """Design, size, subtype, regimen, duration and risk of bias per study."""
    studies = base.tables["studies"]
    if primary_only:
        studies = studies[studies["design"].isin(vocab.PRIMARY_STUDY_DESIGNS)]
    if subtype:
        studies = studies[studies["subtype"] == subtype]
    arms = base.tables["arms"]
    ivig = arms[arms["intervention"].isin(["ivig", "ivig_plus_prednisone"])].drop_duplicates("study_id")
    regimens = {arm["study_id"]: regimen_text(arm) for arm in ivig.to_dict("records")}
    rows = []
    for s in studies.to_dict("records"):
        regimen = regimens.get(s["study_id"], "")
        rows.append({
            "Study": study_label(base, s["study_id"]),
            "Design": vocab.DESIGN.label(s["design"]),
            "Blinding": vocab.BLINDING.label(s["blinding"]),
            "Subtype": vocab.SUBTYPE.label(s["subtype"]),
            "N": "" if pd.isna(s["n_enrolled"]) else int(s["n_enrolled"]),
            "IVIG regimen": regimen,
            "Comparator": s["comparator"] if isinstance(s["comparator"], str) else "",
            "Duration (weeks)": _fmt_num(s["duration_weeks"]),
            "Risk of bias": vocab.RISK_OF_BIAS.label(s["risk_of_bias"]),
            "Why": s["rob_rationale"],
        })
    return pd.DataFrame(rows)


SOF_COLUMNS = sof.COLUMNS


def summary_of_findings(base: EvidenceBase, subtype: str) -> pd.DataFrame:
    """GRADEpro-style summary of findings for one subtype: one row per outcome (see `sof`)."""
    return sof.summary_of_findings(base, subtype)


def adverse_event_table(base: EvidenceBase, study_id: str | None = None) -> pd.DataFrame:
    aes = base.tables["adverse_events"]
    if study_id:
        aes = aes[aes["study_id"] == study_id]
    arms = base.tables["arms"].set_index("arm_id")
    return pd.DataFrame({
        "Study": aes["study_id"],
        "Arm": [arms.at[a, "label"] if isinstance(a, str) and a in arms.index else "" for a in aes["arm_id"]],
        "Period": aes["period"].fillna(""),
        "Event": aes["event"],
        "Patients": aes["patients"].astype("object").where(aes["patients"].notna(), ""),
        "Episodes": aes["events"].astype("object").where(aes["events"].notna(), ""),
        "At risk": aes["n_at_risk"].astype("object").where(aes["n_at_risk"].notna(), ""),
        "Serious": aes["serious"].map({True: "yes", False: "no"}).fillna(""),
        "Where": aes["locator"],
    }).reset_index(drop=True)


def claims_register(base: EvidenceBase, doc_id: str) -> pd.DataFrame:
    claims = base.tables["claims"]
    claims = claims[claims["doc_id"] == doc_id]
    return pd.DataFrame({
        "Claim": claims["claim_id"],
        "Section": claims["section"],
        "What the document claims (our words)": claims["claim"],
        "Type": claims["claim_type"].map(vocab.CLAIM_TYPE.label),
        "Subtype": claims["subtype"].map(vocab.SUBTYPE.label),
        "Outcome": claims["outcome_domain"].map(vocab.OUTCOME_DOMAIN.label),
        "Verdict": claims["verdict"].map(vocab.VERDICT.label),
        "Certainty": claims["certainty"].map(lambda c: vocab.CERTAINTY.label(c) if isinstance(c, str) else ""),
        "Rationale": claims["rationale"],
        "Evidence": claims["evidence"].fillna(""),
    }).reset_index(drop=True)


def claim_citations(base: EvidenceBase, evidence: str) -> list[str]:
    """AMA references behind a claim's evidence ids (results, adverse events or studies)."""
    res = base.tables["results"].set_index("result_id")
    aes = base.tables["adverse_events"].set_index("ae_id")
    reports = base.tables["reports"]
    keys: list[str] = []
    for ev in split_ids(evidence):
        if ev in res.index:
            keys.append(res.at[ev, "bib_key"])
        else:
            study = aes.at[ev, "study_id"] if ev in aes.index else ev
            rep = reports[reports["study_id"] == study]
            if len(rep):
                prim = rep[rep["role"] == "primary"]
                keys.append((prim if len(prim) else rep).iloc[0]["bib_key"])
    return [base.bib.ama(k) for k in dict.fromkeys(keys) if k in base.bib]


def reference_audit(base: EvidenceBase, doc_id: str) -> pd.DataFrame:
    refs = base.tables["document_references"]
    refs = refs[refs["doc_id"] == doc_id]
    frame = pd.DataFrame({
        "#": refs["position"],
        "As cited": refs["cited_authors"].fillna("") + " (" + refs["cited_year"].astype("object").fillna("").astype(str) + "). " + refs["cited_title"].fillna(""),
        "Link": refs["cited_link"].fillna(""),
        "Verified entry": [base.bib.ama(k) if isinstance(k, str) and k in base.bib else "" for k in refs["bib_key"]],
        "Link points to": refs["link_target"].fillna(""),
        "Discrepancies": refs["discrepancies"].fillna(""),
        "Status": refs["status"].map(vocab.REFERENCE_STATUS.label),
    }).reset_index(drop=True)
    if frame.empty:
        frame.attrs["empty_reason"] = "This document gives no reference list, so there is nothing to check entry by entry."
    return frame


def incidence_table(base: EvidenceBase, domain: str = "safety") -> pd.DataFrame:
    """Incidence figures (events / total) of one outcome domain, with the percentage as printed or computed."""
    res = base.tables["results"]
    rows = res[(res["outcome_domain"] == domain) & res["events"].notna() & res["total"].notna() & (res["total"] > 0)]
    computed = (100 * rows["events"] / rows["total"]).astype(float).round(1)
    return pd.DataFrame({
        "Study": rows["study_id"],
        "Outcome": rows["outcome"],
        "Events / total": rows["events"].astype(int).astype(str) + " / " + rows["total"].astype(int).astype(str),
        "%": rows["percent"].astype(float).where(rows["percent"].notna(), computed).map(lambda v: f"{v:g}"),
        "Where": rows["locator"],
    }).reset_index(drop=True)


def to_html(frame: pd.DataFrame) -> str:
    """Escaped HTML table (never trusts cell text); missing values show as empty cells."""
    shown = frame.astype(object).where(frame.notna(), "")
    return shown.to_html(index=False, escape=True, na_rep="", classes="evidence-table", border=0)


class Table:
    """A DataFrame with a caption that renders escaped in notebooks."""

    def __init__(self, slug: str, frame: pd.DataFrame, caption: str):
        self.slug, self.frame, self.caption = slug, frame, caption

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        import html

        if self.frame.empty:  # an explicit no-data panel with its reason, never a bare header row
            reason = self.frame.attrs.get("empty_reason") or "The evidence base holds no rows for this table."
            return NoData("No rows to show", reason)._repr_mimebundle_()
        return {
            "text/html": f"<div class='evidence-table-wrap'>{to_html(self.frame)}<p class='caption'>{html.escape(self.caption)}</p></div>",
            "text/plain": f"Table '{self.slug}': {len(self.frame)} rows x {len(self.frame.columns)} columns. {self.caption}",
        }
