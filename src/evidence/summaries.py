"""Bottom lines, page summaries and figure provenance, computed from the data.

Every number a reader sees in narrative text comes from here (never typed into a
notebook), so a data change cannot leave a stale sentence behind. Provenance tables
say, for each figure on a page, where it stands in its source (locator), which page
it was read on and how close to the original that page is (tier); secondary-tier
figures carry a visible dagger.
"""

from __future__ import annotations

import dataclasses
import html

import pandas as pd

from . import vocab
from .comparisons import contrasts
from .data import EvidenceBase, split_ids

SECONDARY_MARK = "†"
MIRROR_MARK = "‡"
NON_EVIDENCE_SUBTYPES = ("any_indication",)
NON_OUTCOME_DOMAINS = ("dosing", "mechanism", "epidemiology", "regulatory", "product")


def _lower_first(text: str) -> str:
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def subtype_title(code: str) -> str:
    """'IVIG in inclusion body myositis' (the page title of a subtype)."""
    label = vocab.SUBTYPE.label(code)
    if code == "myositis":
        return "IVIG in myositis in general"
    return f"IVIG in {label[0].lower() + label[1:] if not label[:2].isupper() else label}"


def outcome_title(code: str) -> str:
    return f"{vocab.OUTCOME_DOMAIN.label(code)} across subtypes"


def subtype_page(code: str) -> str:
    return f"03_by_subtype-{code}"


def outcome_page(code: str) -> str:
    return f"08_by_outcome-{code}"


def summary_labels(base: EvidenceBase) -> dict[str, str]:
    """Every study's label for tables and bottom lines (acronym; else its first report's 'Aggarwal et al
    2022'; else its short title), built once per evidence base: a per-call lookup made tables quadratic."""
    cached = base.__dict__.get("_summary_labels")
    if cached is not None:
        return cached
    first_key: dict[str, str] = {}
    for sid, key in zip(base.tables["reports"]["study_id"], base.tables["reports"]["bib_key"]):
        if key in base.bib:
            first_key.setdefault(sid, key)
    studies = base.tables["studies"]
    labels: dict[str, str] = {}
    for sid, acronym, title in zip(studies["study_id"], studies["acronym"], studies["short_title"]):
        key = first_key.get(sid)
        if isinstance(acronym, str) and acronym:
            labels[sid] = acronym
        elif key is not None and base.bib[key].has_authors:
            labels[sid] = base.bib.short(key)
        else:
            title = str(title)
            labels[sid] = title if len(title) <= 44 else title[:42].rsplit(" ", 1)[0] + "…"
    base.__dict__["_summary_labels"] = labels
    return labels


def study_label(base: EvidenceBase, study_id: str) -> str:
    """A study's label (see `summary_labels`); the id itself when no study has it."""
    return summary_labels(base).get(study_id, study_id)


def _n(value) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def key_study(base: EvidenceBase, study_ids: list[str]) -> str | None:
    """The study a reader should look at first: controlled before uncontrolled, then the largest."""
    studies = base.tables["studies"].set_index("study_id")
    ids = [s for s in study_ids if s in studies.index and studies.at[s, "design"] in vocab.PRIMARY_STUDY_DESIGNS]
    if not ids:
        return None
    return max(ids, key=lambda s: (studies.at[s, "design"] in vocab.CONTROLLED_DESIGNS, _n(studies.at[s, "n_enrolled"])))


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def answer_line(base: EvidenceBase, subtype: str, domain: str, table: pd.DataFrame | None = None) -> str:
    """One line of what the evidence shows for one subtype and outcome, from counts or reported contrasts."""
    table = contrasts(base) if table is None else table
    if not table.empty:
        rows = table[(table["subtype"] == subtype) & (table["outcome_domain"] == domain)].dropna(subset=["rr"])
        if len(rows):
            r = rows.assign(size=rows["total_ivig"] + rows["total_control"]).sort_values("size", ascending=False).iloc[0]
            comparator = vocab.INTERVENTION.label(r["comparator"]).lower() if r["comparator"] in vocab.INTERVENTION else "comparator"
            more = f" (and {len(rows) - 1} more contrast{'s' if len(rows) > 2 else ''})" if len(rows) > 1 else ""
            return (f"{r['outcome']}: {r['events_ivig']}/{r['total_ivig']} with IVIG vs {r['events_control']}/{r['total_control']} "
                    f"with {comparator}, RR {_fmt(r['rr'])} ({_fmt(r['rr_low'])} to {_fmt(r['rr_high'])}){more}")
    res = base.tables["results"].merge(base.tables["studies"][["study_id", "subtype"]], on="study_id")
    res = res[(res["subtype"] == subtype) & (res["outcome_domain"] == domain)]
    between = res[(res["result_kind"] == "between_arm") & (res["effect"].notna() | res["p_value"].notna() | res["p_text"].notna())]
    if len(between):
        sizes = base.tables["studies"].set_index("study_id")["n_enrolled"]
        b = between.assign(_n=between["study_id"].map(sizes).fillna(0)).sort_values("_n", ascending=False, kind="stable").iloc[0]
        parts = []
        if pd.notna(b["effect"]):
            ci = f" ({b['ci_low']:g} to {b['ci_high']:g})" if pd.notna(b["ci_low"]) and pd.notna(b["ci_high"]) else ""
            kind = str(b["effect_type"]).replace("_", " ") if isinstance(b["effect_type"], str) and b["effect_type"] != "other" else "difference"
            parts.append(f"{kind} {b['effect']:g}{ci}")
        if isinstance(b["p_text"], str) and b["p_text"]:
            p_text = {"NS": "not significant", "significant": "reported as significant"}.get(b["p_text"], f"p {b['p_text']}")
            parts.append(p_text)
        elif pd.notna(b["p_value"]):
            parts.append(f"p = {b['p_value']:g}")
        return f"{b['outcome']}: {', '.join(parts)} ({study_label(base, b['study_id'])}; between-arm test, no counts)"
    if res.empty:
        return f"No {vocab.SUBTYPE.label(subtype).lower()} study reports it; rated from studies of other groups"
    studies = res["study_id"].nunique()
    return (f"{len(res)} reported figure{'s' if len(res) != 1 else ''} from {studies} stud{'ies' if studies != 1 else 'y'}, "
            "none of them an IVIG-versus-control count")


def outcome_answer(base: EvidenceBase, rated: pd.Series, table: pd.DataFrame) -> str:
    """What the evidence shows for one rated outcome, from the rows that rating rests on
    (its result ids); the domain's line when those rows hold no comparison."""
    ids = set(split_ids(rated.get("result_ids"))) if "result_ids" in rated else set()
    if ids and not table.empty:
        own = table[table["result_ids"].map(lambda r: bool(ids & set(split_ids(r))))]
        if len(own):
            r = own.iloc[0]
            comparator = vocab.INTERVENTION.label(r["comparator"]).lower() if r["comparator"] in vocab.INTERVENTION else "comparator"
            return (f"{r['events_ivig']}/{r['total_ivig']} with IVIG vs {r['events_control']}/{r['total_control']} with {comparator}, "
                    f"RR {_fmt(r['rr'])} ({_fmt(r['rr_low'])} to {_fmt(r['rr_high'])}) ({study_label(base, r['study_id'])})")
        res = base.tables["results"]
        own = res[res["result_id"].isin(ids)]
        between = own[(own["result_kind"].isin(["between_arm", "pooled_estimate"])) & own["effect"].notna()]
        if len(between):
            b = between.iloc[0]
            code = b["effect_type"] if isinstance(b["effect_type"], str) else "other"
            kind = {"RR": "RR", "OR": "OR", "HR": "HR", "MD": "mean difference", "RD": "risk difference"}.get(
                code, vocab.EFFECT_TYPE.label(code).lower() if code in vocab.EFFECT_TYPE and code != "other" else "effect")
            ci = f" ({b['ci_low']:g} to {b['ci_high']:g})" if pd.notna(b["ci_low"]) and pd.notna(b["ci_high"]) else ""
            return f"{kind[:1].upper() + kind[1:]} {b['effect']:g}{ci} ({study_label(base, b['study_id'])}, as reported)"
        counts = own[own["events"].notna() & own["total"].notna()]
        if len(counts):
            parts = [f"{int(r.events)}/{int(r.total)}" for r in counts.head(3).itertuples()]
            return (f"{', '.join(parts)} ({study_label(base, counts.iloc[0]['study_id'])}; "
                    f"{'no control group' if len(counts) < 2 else 'counts as reported, no comparison computed'})")
    return answer_line(base, rated["subtype"], rated["outcome_domain"], table)


def bottom_lines(base: EvidenceBase) -> pd.DataFrame:
    """One row per rated subtype and outcome: answer, certainty, key study, page."""
    cert = base.tables["certainty"]
    table = contrasts(base)
    rows = []
    for _, c in cert.iterrows():
        ids = split_ids(c["studies"])
        key = key_study(base, ids)
        label = c["outcome"] if "outcome" in c and isinstance(c["outcome"], str) and c["outcome"] else vocab.OUTCOME_DOMAIN.label(c["outcome_domain"])
        rows.append({
            "subtype": c["subtype"], "outcome_domain": c["outcome_domain"],
            "Subtype": vocab.SUBTYPE.label(c["subtype"]),
            "Outcome": label,
            "What the evidence shows": outcome_answer(base, c, table),
            "Certainty": vocab.CERTAINTY.label(c["certainty"]),
            "certainty_code": c["certainty"],
            "Key study": study_label(base, key) if key else "",
            "page": subtype_page(c["subtype"]),
        })
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["_s"] = frame["subtype"].map(vocab.SUBTYPE.order)
    frame["_o"] = frame["outcome_domain"].map(vocab.OUTCOME_DOMAIN.order)
    return frame.sort_values(["_s", "_o"]).drop(columns=["_s", "_o"]).reset_index(drop=True)


def _primary_studies(base: EvidenceBase) -> pd.DataFrame:
    studies = base.tables["studies"]
    return studies[studies["design"].isin(vocab.PRIMARY_STUDY_DESIGNS)]


def subtype_summary(base: EvidenceBase, subtype: str) -> str:
    """'4 primary studies with 150 participants, 2 of them randomised; certainty ...' for one subtype."""
    studies = _primary_studies(base)
    studies = studies[studies["subtype"] == subtype]
    controlled = studies["design"].isin(vocab.CONTROLLED_DESIGNS).sum()
    people = int(studies["n_enrolled"].fillna(0).sum())
    cert = base.tables["certainty"]
    cert = cert[cert["subtype"] == subtype]
    compare = "none of them compares" if controlled == 0 else f"{controlled} of them compare{'s' if controlled == 1 else ''}"
    text = (f"The evidence base holds {len(studies)} primary stud{'ies' if len(studies) != 1 else 'y'} of {vocab.SUBTYPE.label(subtype).lower()} "
            f"with {people} participants in all; {compare} IVIG with a control group.")
    if len(cert):
        counts = cert["certainty"].value_counts()
        parts = [f"{counts[c]} {vocab.CERTAINTY.label(c).lower()}" for c in vocab.CERTAINTY.codes if c in counts]
        text += f" Certainty was rated for {len(cert)} outcome{'s' if len(cert) != 1 else ''}: {', '.join(parts)}."
    return text


def outcome_summary(base: EvidenceBase, domain: str) -> str:
    """How many studies and subtypes report one outcome domain, and how many compare arms."""
    res = base.tables["results"].merge(_primary_studies(base)[["study_id", "subtype", "design"]], on="study_id")
    res = res[(res["outcome_domain"] == domain) & ~res["subtype"].isin(NON_EVIDENCE_SUBTYPES)]
    table = contrasts(base)
    k = 0 if table.empty else int(table[table["outcome_domain"] == domain]["study_id"].nunique())
    subtypes = [vocab.SUBTYPE.label(s).lower() for s in vocab.SUBTYPE.codes if s in set(res["subtype"])]
    name = _lower_first(vocab.OUTCOME_DOMAIN.label(domain))
    if res.empty:
        return f"No primary study of a myositis subtype in the evidence base reports {name}."
    n = res["study_id"].nunique()
    counts = "none of them gives" if k == 0 else f"{k} of them give{'s' if k == 1 else ''}"
    return (f"{n} primary stud{'ies' if n != 1 else 'y'} report{'s' if n == 1 else ''} {name} ({len(res)} figures) "
            f"in {', '.join(subtypes)}; {counts} counts for an IVIG arm and a control arm.")


def restrict(base: EvidenceBase, domain: str) -> EvidenceBase:
    """A view of the evidence base whose results hold one outcome domain only (for per-outcome charts)."""
    tables = dict(base.tables)
    tables["results"] = base.tables["results"][base.tables["results"]["outcome_domain"] == domain]
    return dataclasses.replace(base, tables=tables)


def has_contrasts(base: EvidenceBase, domain: str | None = None, subtype: str | None = None, harm: bool | None = None) -> bool:
    """Whether any IVIG-versus-control count pair exists for an outcome domain and/or subtype (a forest plot has rows)."""
    table = contrasts(base)
    if table.empty:
        return False
    keep = table["rr"].notna()
    if domain:
        keep &= table["outcome_domain"] == domain
    if subtype:
        keep &= table["subtype"] == subtype
    if harm is not None:
        keep &= table["harm"] == harm
    return bool(keep.any())


def outcome_studies(base: EvidenceBase, domain: str) -> pd.DataFrame:
    """Primary studies reporting one outcome domain, by subtype."""
    res = base.tables["results"]
    ids = set(res.loc[res["outcome_domain"] == domain, "study_id"])
    studies = _primary_studies(base)
    studies = studies[studies["study_id"].isin(ids) & ~studies["subtype"].isin(NON_EVIDENCE_SUBTYPES)].copy()
    studies["_o"] = studies["subtype"].map(vocab.SUBTYPE.order)
    studies = studies.sort_values(["_o", "study_id"])
    return pd.DataFrame({
        "Subtype": studies["subtype"].map(vocab.SUBTYPE.label),
        "Study": [study_label(base, s) for s in studies["study_id"]],
        "Design": studies["design"].map(vocab.DESIGN.label),
        "N": studies["n_enrolled"].map(lambda v: "" if pd.isna(v) else int(v)),
        "Figures for this outcome": [int((res["study_id"].eq(s) & res["outcome_domain"].eq(domain)).sum()) for s in studies["study_id"]],
        "Risk of bias": studies["risk_of_bias"].map(lambda c: vocab.RISK_OF_BIAS.label(c) if isinstance(c, str) else ""),
    }).reset_index(drop=True)


def outcome_certainty(base: EvidenceBase, domain: str) -> pd.DataFrame:
    cert = base.tables["certainty"]
    cert = cert[cert["outcome_domain"] == domain].copy()
    cert["_o"] = cert["subtype"].map(vocab.SUBTYPE.order)
    cert = cert.sort_values("_o")
    frame = pd.DataFrame({
        "Subtype": cert["subtype"].map(vocab.SUBTYPE.label),
        "Certainty": cert["certainty"].map(vocab.CERTAINTY.label),
        "What the evidence shows": [answer_line(base, s, domain) for s in cert["subtype"]],
        "Why this rating": cert["reasons"],
    }).reset_index(drop=True)
    if frame.empty:
        frame.attrs["empty_reason"] = (f"No subtype has a certainty rating for {vocab.OUTCOME_DOMAIN.label(domain).lower()} "
                                       "in data/certainty.csv yet; the studies below are what the base holds.")
    return frame


def outcome_claims(base: EvidenceBase, domain: str) -> pd.DataFrame:
    """Claims of every audited document about one outcome domain, with verdicts."""
    claims = base.tables["claims"]
    claims = claims[claims["outcome_domain"] == domain]
    titles = base.tables["documents"].set_index("doc_id")["title"]
    return pd.DataFrame({
        "Document": claims["doc_id"].map(titles),
        "Claim": claims["claim_id"],
        "What the document claims (our words)": claims["claim"],
        "Subtype": claims["subtype"].map(vocab.SUBTYPE.label),
        "Verdict": claims["verdict"].map(vocab.VERDICT.label),
        "Rationale": claims["rationale"],
    }).reset_index(drop=True)


def domains_with_data(base: EvidenceBase) -> list[str]:
    """Clinical outcome domains with a certainty rating or a result of a primary study, in vocabulary order
    (dosing, mechanism, epidemiology, regulatory and product facts answer no question of benefit or harm)."""
    res = base.tables["results"]
    primary = set(_primary_studies(base)["study_id"])
    present = set(base.tables["certainty"]["outcome_domain"]) | set(res.loc[res["study_id"].isin(primary), "outcome_domain"])
    return [c for c in vocab.OUTCOME_DOMAIN.codes if c in present and c not in NON_OUTCOME_DOMAINS]


@dataclasses.dataclass
class Provenance:
    """Where each figure on a page was read: locator, page, tier. Renders escaped, with safe links only."""

    frame: pd.DataFrame
    caption: str = ""

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in ["Figure", "Study", "Value", "Where in the source", "Source page", "Tier"])
        body = []
        for _, r in self.frame.iterrows():
            url = str(r["source_url"] or "")
            link = (f"<a href=\"{html.escape(url, quote=True)}\" rel=\"noreferrer\">{html.escape(url.split('//', 1)[-1].split('/', 1)[0])}</a>"
                    if url.startswith(("https://", "http://")) else html.escape(url))
            mark = {"secondary": SECONDARY_MARK, "mirror": MIRROR_MARK}.get(r["source_tier"], "")
            cls = f" class=\"tier-{html.escape(str(r['source_tier']))}\"" if r["source_tier"] else ""
            tier = vocab.SOURCE_TIER.label(r["source_tier"]) if r["source_tier"] in vocab.SOURCE_TIER else str(r["source_tier"])
            body.append(f"<tr{cls}><td>{html.escape(str(r['result_id']))}{mark}</td><td>{html.escape(str(r['study']))}</td>"
                        f"<td>{html.escape(str(r['value']))}</td><td>{html.escape(str(r['locator']))}</td><td>{link}</td>"
                        f"<td title=\"{html.escape(tier, quote=True)}\">{html.escape(str(r['source_tier']))}</td></tr>")
        note = (f"<p class='caption'>{html.escape(self.caption)} {SECONDARY_MARK} read on a secondary page; "
                f"{MIRROR_MARK} read on a mirror of the primary record.</p>")
        table = f"<table class='evidence-table provenance'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        secondary = int((self.frame["source_tier"] == "secondary").sum())
        summary = f"{len(self.frame)} figures, {secondary} of them from secondary pages: show where each was read"
        return {"text/html": f"<details class='provenance'><summary>{html.escape(summary)}</summary>"
                             f"<div class='evidence-table-wrap'>{table}{note}</div></details>",
                "text/plain": f"Provenance of {len(self.frame)} figures. {self.caption}"}


def _value(r: pd.Series) -> str:
    if pd.notna(r["events"]) and pd.notna(r["total"]):
        return f"{int(r['events'])}/{int(r['total'])}" + (f" ({r['percent']:g}%)" if pd.notna(r["percent"]) else "")
    # A descriptive fact (a label's dose, a trial's total of cycles) sits in the value column: it is no mean.
    mean = "{:g}" if r.get("measure") == "descriptive" else "mean {:g}"
    for col, fmt in (("effect", "{:g}"), ("mean", mean), ("median", "median {:g}"), ("percent", "{:g}%")):
        if pd.notna(r[col]):
            text = fmt.format(r[col])
            if col == "effect" and pd.notna(r["ci_low"]) and pd.notna(r["ci_high"]):
                text += f" ({r['ci_low']:g} to {r['ci_high']:g})"
            return text
    return str(r["p_text"]) if isinstance(r["p_text"], str) else ""


def provenance(base: EvidenceBase, subtype: str | None = None, domain: str | None = None, caption: str = "") -> Provenance:
    """Every result row of a subtype and/or outcome domain with its locator, page and tier."""
    res = base.tables["results"].merge(base.tables["studies"][["study_id", "subtype"]], on="study_id")
    if subtype:
        res = res[res["subtype"] == subtype]
    else:
        res = res[~res["subtype"].isin(NON_EVIDENCE_SUBTYPES)]
    if domain:
        res = res[res["outcome_domain"] == domain]
    res = res[res["result_kind"] != "baseline"]
    frame = pd.DataFrame({
        "result_id": res["result_id"],
        "study": [study_label(base, s) for s in res["study_id"]],
        "value": [_value(r) for _, r in res.iterrows()],
        "locator": res["locator"].fillna(""),
        "source_url": res["source_url"].fillna(""),
        "source_tier": res["source_tier"].fillna(""),
    })
    secondary = int((frame["source_tier"] == "secondary").sum())
    text = caption or f"{len(frame)} figures; {secondary} of them read on a secondary page."
    return Provenance(frame.reset_index(drop=True), text)


@dataclasses.dataclass
class NoData:
    """An explicit panel where a chart would stand but the data hold nothing to plot."""

    title: str
    text: str

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        from .notebook import md_escape

        return {"text/html": f"<div class='nodata'><strong>{html.escape(self.title)}</strong><p>{html.escape(self.text)}</p></div>",
                "text/markdown": f"```{{admonition}} {md_escape(self.title)}\n:class: nodata\n\n{md_escape(self.text)}\n```\n",
                "text/plain": f"{self.title}. {self.text}"}


def no_comparison(base: EvidenceBase, domain: str | None = None, subtype: str | None = None) -> NoData:
    """Why there is no forest plot for an outcome or a subtype: what the data hold instead."""
    res = base.tables["results"].merge(_primary_studies(base)[["study_id", "subtype"]], on="study_id")
    res = res[~res["subtype"].isin(NON_EVIDENCE_SUBTYPES)]
    if domain:
        res = res[res["outcome_domain"] == domain]
    if subtype:
        res = res[res["subtype"] == subtype]
    kinds = res["result_kind"].value_counts()
    held = "; ".join(f"{_lower_first(vocab.RESULT_KIND.label(k))} ({n} figure{'s' if n != 1 else ''})"
                     for k, n in kinds.items() if k in vocab.RESULT_KIND)
    scope = "this outcome" if domain else "a benefit outcome of this subtype"
    text = (f"No study in the evidence base gives counts for {scope} in an IVIG arm and a control arm, so no risk ratio can be drawn. "
            + (f"What the data hold instead: {held}; see the tables above and the figures listed below." if held
               else "No primary study reports this outcome."))
    return NoData("No comparison to plot", text)


def timeline_summary(base: EvidenceBase) -> str:
    """When the randomised trials appeared, from the years of their primary reports."""
    studies = _primary_studies(base)
    studies = studies[~studies["subtype"].isin(NON_EVIDENCE_SUBTYPES)]
    reports = base.tables["reports"]
    primary = reports[reports["role"] == "primary"].drop_duplicates("study_id").set_index("study_id")["bib_key"]
    trials = []
    for _, s in studies[studies["design"].isin(vocab.CONTROLLED_DESIGNS)].iterrows():
        key = primary.get(s["study_id"])
        year = base.bib[key].get("year") if key in base.bib else ""
        if year.isdigit():
            trials.append((int(year), study_label(base, s["study_id"]), _n(s["n_enrolled"])))
    trials.sort()
    if not trials:
        return "No randomised trial is in the evidence base."
    listed = "; ".join(f"{label if str(year) in label else f'{label} {year}'} ({n} participants)" for year, label, n in trials)
    others = len(studies) - len(trials)
    return (f"{len(trials)} randomised trials, by year of their main report: {listed}. "
            f"The other {others} primary studies of a myositis subtype are uncontrolled or observational.")
