"""One Altair theme and one builder per chart.

Every builder takes the validated evidence base and returns a `Figure`: the chart,
a slug for file names, and a caption that names its sources in short AMA form.
Colours come from `vocab` (Okabe-Ito, colour-blind-safe); sizes are set for slides.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import vocab
from .altair_import import alt
from .cells import safe_frame
from .data import EvidenceBase

FONT = "DejaVu Sans"
WIDTH = 640


def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": 360},
            "title": {"fontSize": 22, "anchor": "start", "subtitleFontSize": 15, "subtitleColor": "#444444", "offset": 12},
            "axis": {"labelFontSize": 14, "titleFontSize": 16, "labelLimit": 360, "gridColor": "#e6e6e6"},
            "legend": {"labelFontSize": 14, "titleFontSize": 15, "labelLimit": 360, "orient": "bottom", "direction": "vertical"},
            "header": {"labelFontSize": 15, "titleFontSize": 16},
            "range": {"category": vocab.SUBTYPE.colours},
            "text": {"fontSize": 14},
        }
    }


alt.theme.register("evidence", enable=True)(_theme)
# The evidence base grows with every study; inline data beyond altair's default 5,000-row guard is
# expected (charts aggregate before plotting), so the guard is lifted rather than hit at scale.
alt.data_transformers.disable_max_rows()


@dataclass
class Figure:
    """A chart with its export name, caption and the bib keys it draws on."""

    slug: str
    chart: alt.TopLevelMixin
    caption: str
    sources: list[str] = field(default_factory=list)
    rows: int = 0
    data: pd.DataFrame | None = None
    no_data: bool = False

    def table(self) -> pd.DataFrame:
        """The figure's data as a table to ship beside it: `data` when set, else the chart's inline data."""
        if self.data is not None:
            return self.data
        inline = getattr(self.chart, "data", None)
        return inline if isinstance(inline, pd.DataFrame) else pd.DataFrame()

    def svg(self) -> str:
        import vl_convert as vlc

        return vlc.vegalite_to_svg(self.chart.to_dict())

    def png(self, scale: float = 1.0) -> bytes:
        import vl_convert as vlc

        return vlc.vegalite_to_png(self.chart.to_dict(), scale=scale)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """SVG and PNG image data (no HTML): JupyterLab, VS Code and GitHub render them without trusting the
        notebook, and both are byte-for-byte stable for nbval. The caption is a separate output (Session.show).
        Vega runs once: the PNG is rasterised from the SVG (the same bytes vl-convert's own PNG gives)."""
        import base64

        import vl_convert as vlc

        svg = self.svg()
        png = vlc.svg_to_png(svg, scale=1.0)
        return {"image/svg+xml": svg, "image/png": base64.b64encode(png).decode("ascii"),
                "text/plain": f"Figure '{self.slug}' ({self.rows} data rows). {self.caption}"}


TIER_MARKS = {"secondary": "†", "mirror": "‡"}


def _tier_note(tiers: pd.Series) -> str:
    """' † read on a secondary page.' when any figure of a chart was (its printed count carries the mark)."""
    marks = [f"{m} read on a {t} page" if t == "secondary" else f"{m} read on a mirror of the primary record"
             for t, m in TIER_MARKS.items() if (tiers == t).any()]
    return (" " + "; ".join(marks) + ".") if marks else ""


def write_data(figure: Figure, folder: Path) -> Path:
    """Write the figure's data as `<slug>.csv` beside its chart files (cells formula-safe, written atomically)."""
    from .exports import atomic_write

    frame = safe_frame(figure.table())
    return atomic_write(Path(folder) / f"{figure.slug}.csv", lambda p: frame.to_csv(p, index=False))


def _sources_caption(base: EvidenceBase, keys: list[str], lead: str) -> str:
    seen = [k for k in dict.fromkeys(keys) if k in base.bib]
    names = "; ".join(base.bib.short(k) for k in seen)
    return f"{lead} Sources: {names}." if names else lead


def _primary_bib(base: EvidenceBase) -> dict[str, str]:
    """Each study's main paper, by report role; built once per evidence base."""
    cached = base.__dict__.get("_primary_bib")
    if cached is not None:
        return cached
    reports = base.tables["reports"]
    out: dict[str, str] = {}
    for role in ("primary", "label", "review", "safety", "post_hoc", "extension", "secondary"):
        for sid, key in zip(reports.loc[reports["role"] == role, "study_id"], reports.loc[reports["role"] == role, "bib_key"]):
            out.setdefault(sid, key)
    base.__dict__["_primary_bib"] = out
    return out


def _year(base: EvidenceBase, key: str | None) -> int | None:
    if not key or key not in base.bib:
        return None
    year = base.bib[key].get("year")
    return int(year) if year.isdigit() else None


def study_labels(base: EvidenceBase) -> dict[str, str]:
    """Every study's display label, built once per evidence base (a per-call lookup rebuild made
    chart builders quadratic in the number of studies)."""
    cached = base.__dict__.get("_study_labels")
    if cached is not None:
        return cached
    primary = _primary_bib(base)
    studies = base.tables["studies"]
    labels: dict[str, str] = {}
    for sid, acronym, title in zip(studies["study_id"], studies["acronym"], studies["short_title"]):
        key = primary.get(sid)
        if key in base.bib and base.bib[key].has_authors:
            short = base.bib.short(key)
        else:
            title = str(title)
            year = base.bib[key].get("year") if key in base.bib else ""
            short = (title[:38].rsplit(" ", 1)[0] + "…" if len(title) > 40 else title) + (f" {year}" if year else "")
        labels[sid] = f"{acronym} ({short})" if isinstance(acronym, str) and acronym else short
    base.__dict__["_study_labels"] = labels
    return labels


def _study_label(base: EvidenceBase, study_id: str) -> str:
    """'ProDERM (Aggarwal et al 2022)', 'Cherin et al 2002', or the study's own title when no author was verified."""
    return study_labels(base).get(study_id, study_id)


def evidence_map(base: EvidenceBase) -> Figure:
    """Subtype x outcome domain: bubble area = participants, colour = best design."""
    studies = base.tables["studies"]
    res = base.tables["results"].merge(studies[["study_id", "subtype", "design", "n_enrolled"]], on="study_id")
    res = res[res["design"].isin(vocab.PRIMARY_STUDY_DESIGNS)]
    rows = []
    for (subtype, domain), group in res.groupby(["subtype", "outcome_domain"]):
        per_study = group.drop_duplicates("study_id")
        controlled = per_study["design"].isin(vocab.CONTROLLED_DESIGNS).any()
        rows.append({
            "subtype": vocab.SUBTYPE.label(subtype),
            "domain": vocab.OUTCOME_DOMAIN.label(domain),
            "studies": int(per_study["study_id"].nunique()),
            "participants": int(per_study["n_enrolled"].fillna(0).sum()),
            "best_design": "Randomised controlled" if controlled else "Uncontrolled or observational",
            "study_list": ", ".join(_study_label(base, s) for s in sorted(per_study["study_id"])),
        })
    frame = pd.DataFrame(rows)
    chart = (
        alt.Chart(frame, title=alt.Title("Where the IVIG evidence is", subtitle="Bubble area: participants in studies reporting the outcome (symlog scale)"))
        .mark_circle(opacity=0.85, stroke="#333333", strokeWidth=0.5)
        .encode(
            x=alt.X("subtype:N", title="Subtype", sort=[t.label for t in vocab.SUBTYPE], axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("domain:N", title="Outcome domain", sort=[t.label for t in vocab.OUTCOME_DOMAIN], axis=alt.Axis(titlePadding=24)),
            size=alt.Size("participants:Q", title="Participants", scale=alt.Scale(type="symlog", range=[40, 1600]),
                          legend=alt.Legend(values=[10, 100, 1000, 10000])),
            color=alt.Color("best_design:N", title="Best design", scale=alt.Scale(
                domain=["Randomised controlled", "Uncontrolled or observational"],
                range=[vocab.OKABE_ITO["blue"], vocab.OKABE_ITO["orange"]])),
            tooltip=[alt.Tooltip("subtype:N", title="Subtype"), alt.Tooltip("domain:N", title="Outcome"),
                     alt.Tooltip("studies:Q", title="Studies"), alt.Tooltip("participants:Q", title="Participants"),
                     alt.Tooltip("study_list:N", title="Which")],
        )
        .properties(width=560, height=520, description="Bubble chart of IVIG studies by myositis subtype and outcome domain")
    )
    primary = _primary_bib(base)
    keys = [primary.get(s) for s in res["study_id"].unique()]
    caption = _sources_caption(base, [k for k in keys if k], "Evidence map of primary studies in the evidence base (reviews and labels excluded).")
    return Figure("evidence-map", chart, caption, [k for k in keys if k], len(frame))


def timeline(base: EvidenceBase) -> Figure:
    """Studies by publication year, design and size."""
    studies = base.tables["studies"]
    prim = _primary_bib(base)
    labels = study_labels(base)
    frame = studies[studies["design"].isin(vocab.PRIMARY_STUDY_DESIGNS)].copy()
    frame["year"] = [_year(base, prim.get(s)) for s in frame["study_id"]]
    frame = frame.dropna(subset=["year"])
    frame = frame.assign(
        design_label=frame["design"].map(vocab.DESIGN.label),
        subtype_label=frame["subtype"].map(vocab.SUBTYPE.label),
        label=[labels.get(s, s) for s in frame["study_id"]],
        n=frame["n_enrolled"].fillna(0).astype(int),
    )[["study_id", "year", "design_label", "subtype_label", "label", "n"]]
    chart = (
        alt.Chart(frame, title=alt.Title("Studies of IVIG in myositis over time", subtitle="Point area: participants enrolled (symlog scale)"))
        .mark_point(filled=True, opacity=0.85)
        .encode(
            x=alt.X("year:Q", title="Publication year", scale=alt.Scale(zero=False), axis=alt.Axis(format="d")),
            y=alt.Y("design_label:N", title="Design", sort=[t.label for t in vocab.DESIGN]),
            size=alt.Size("n:Q", title="Participants", scale=alt.Scale(type="symlog", range=[40, 1200]), legend=alt.Legend(values=[10, 100, 1000, 10000])),
            color=alt.Color("subtype_label:N", title="Subtype", scale=alt.Scale(
                domain=vocab.SUBTYPE.labels, range=vocab.SUBTYPE.colours)),
            tooltip=[alt.Tooltip("label:N", title="Study"), alt.Tooltip("year:Q", title="Year"),
                     alt.Tooltip("design_label:N", title="Design"), alt.Tooltip("n:Q", title="Participants")],
        )
        .properties(width=WIDTH, height=380, description="Timeline of IVIG studies in myositis by year and design")
    )
    keys = [prim[s] for s in frame["study_id"] if s in prim]
    return Figure("timeline", chart, _sources_caption(base, keys, "Primary studies by year of their main report."), keys, len(frame))


def forest_plot(base: EvidenceBase, subtype: str | None = None, harm: bool = False, outcome: str | None = None,
                method: str = "REML") -> Figure:
    """RevMan-style forest plot of IVIG vs comparator (see `forest`); an explicit panel when nothing compares."""
    from . import forest

    chart, rows, no_data = forest.build(base, subtype, harm, outcome, method)
    keys = [k for k in rows.get("bib_key", pd.Series(dtype=object)).dropna() if k]
    studies = int((rows["kind"] == "study").sum()) if "kind" in rows else 0
    lead = ("No IVIG-vs-comparator comparison in the evidence base for this scope." if no_data else
            f"{studies} comparisons. Risk ratios from reported counts (0.5 added to every cell when one arm has no events, "
            "RevMan's convention); mean differences from reported means and SDs, or from each arm's 95% CI; reported effects "
            "as printed. Crossover counts that pool both periods are not analysed as independent groups.")
    slug = f"forest-{'harms' if harm else 'benefit'}-{subtype or 'all'}" + (f"-{outcome}" if outcome else "")
    figure = Figure(slug, chart, _sources_caption(base, keys, lead), keys, studies, data=rows)
    figure.no_data = no_data
    return figure


def _grouped_bars(frame: pd.DataFrame, title: str, subtitle: str, x: alt.X, colour: alt.Color,
                  tooltip: list[alt.Tooltip], width: int, label_limit: int, step: int, description: str,
                  arm_order: list[str]) -> alt.FacetChart:
    """Horizontal bars, one row per study or event, one bar per arm it reports, counts printed at the
    bar end (so a 0/11 arm is visible as text even when its bar has no length).

    Each row is its own facet with its own arm scale: a row reporting one arm is one bar tall and
    its label sits level with that bar (a shared offset scale leaves gaps that put one study's
    bars beside the next study's label)."""
    base = alt.Chart(frame).encode(y=alt.Y("arm:N", sort=arm_order, axis=None, title=None), x=x, tooltip=tooltip)
    bars = base.mark_bar().encode(color=colour)
    labels = base.mark_text(align="left", dx=4, fontSize=12, color="#333333").encode(text="counts:N")
    header = alt.Header(title=None, labelAngle=0, labelAlign="left", labelAnchor="middle", labelOrient="left",
                        labelBaseline="middle", labelLimit=label_limit, labelFontSize=14, labelPadding=8)
    return (alt.layer(bars, labels).properties(width=width, height=alt.Step(step))
            .facet(row=alt.Row("row:N", header=header, title=None), spacing=6)
            .resolve_scale(y="independent")
            .properties(title=alt.Title(title, subtitle=subtitle), description=description))


def response_rates(base: EvidenceBase, subtype: str | None = None) -> Figure:
    """Share of patients responding, by arm, for each study reporting responders."""
    res = base.tables["results"].merge(base.tables["studies"][["study_id", "subtype"]], on="study_id")
    arms = base.tables["arms"][["arm_id", "label", "intervention", "arm_role"]]
    res = res[(res["measure"] == "count") & res["arm_id"].notna() & res["total"].notna()
              & ~res["outcome_domain"].isin(["safety", "epidemiology", "dosing", "regulatory", "product"])
              & ~res["outcome"].str.contains("baseline|share of arm", case=False)
              & res["favourable"].isin(["higher"]).where(res["favourable"].notna(), True)]
    if subtype:
        res = res[res["subtype"] == subtype]
    res = res.merge(arms, on="arm_id")
    kinds = {"ivig": "IVIG", "comparator": "Comparator"}
    labels = study_labels(base)
    frame = pd.DataFrame({
        "study": [labels.get(s, s) for s in res["study_id"]],
        "outcome": res["outcome"].str.slice(0, 60),
        "arm": res["arm_role"].map(lambda c: kinds.get(c, "Other group")),
        "arm_label": res["label"],
        "percent": (100 * res["events"] / res["total"]).round(1).astype(float),
        "counts": res["events"].astype(int).astype(str) + "/" + res["total"].astype(int).astype(str)
        + res["source_tier"].map(lambda t: " " + TIER_MARKS.get(t, "") if t in TIER_MARKS else ""),
        "where": res["locator"].fillna(""),
        "tier": res["source_tier"].map(lambda t: vocab.SOURCE_TIER.label(t) if t in vocab.SOURCE_TIER else ""),
        "page": res["source_url"].fillna(""),
    })
    frame["row"] = frame["study"] + ": " + frame["outcome"]
    chart = _grouped_bars(
        frame,
        f"Responders by arm{': ' + vocab.SUBTYPE.label(subtype) if subtype else ''}",
        "Percent of the arm meeting each study's own response definition",
        alt.X("percent:Q", title="Patients responding (%)", scale=alt.Scale(domain=[0, 100])),
        alt.Color("arm:N", title="Arm", scale=alt.Scale(domain=["IVIG", "Comparator", "Other group"],
                                                        range=[vocab.OKABE_ITO["blue"], vocab.OKABE_ITO["orange"], vocab.OKABE_ITO["grey"]])),
        [alt.Tooltip("row:N", title="Study and outcome"), alt.Tooltip("arm_label:N", title="Arm"),
         alt.Tooltip("counts:N", title="Responders"), alt.Tooltip("percent:Q", title="%"),
         alt.Tooltip("where:N", title="Where in the source"), alt.Tooltip("tier:N", title="Source tier"),
         alt.Tooltip("page:N", title="Read on")],
        WIDTH - 120, 520, 18, "Bar chart of responder percentages by arm", ["IVIG", "Comparator", "Other group"],
    )
    caption = _sources_caption(base, res["bib_key"].tolist(), "Definitions of response differ between studies; compare arms within a study, not across studies."
                               + _tier_note(res["source_tier"]))
    return Figure(f"response-rates-{subtype or 'all'}", chart, caption, res["bib_key"].tolist(), len(frame))


def adverse_events(base: EvidenceBase, study_id: str = "proderm", comparative: bool = True) -> Figure:
    """Patients with each adverse event, percent of the arm.

    comparative=True keeps events reported for two or more arms in the same period (the
    randomised comparison); False keeps events reported for one arm only (pooled or
    open-label exposure), so the two kinds are never read side by side as a contrast.
    """
    aes = base.tables["adverse_events"]
    aes = aes[(aes["study_id"] == study_id) & aes["patients"].notna() & aes["n_at_risk"].notna() & aes["arm_id"].notna()]
    aes = aes.assign(period=aes["period"].fillna("study period"))
    arms_per_group = aes.groupby(["event", "period"])["arm_id"].transform("nunique")
    aes = aes[arms_per_group >= 2] if comparative else aes[arms_per_group == 1]
    arms = base.tables["arms"].set_index("arm_id")
    kind = {a: ("IVIG" if arms.at[a, "intervention"] in ("ivig", "ivig_plus_prednisone") else "Comparator") if a in arms.index else "Other"
            for a in aes["arm_id"]}
    frame = pd.DataFrame({
        "event": aes["event"].str.slice(0, 60),
        "arm": [f"{kind[a]}: {arms.at[a, 'label']}" if a in arms.index else a for a in aes["arm_id"]],
        "arm_kind": [kind[a] for a in aes["arm_id"]],
        "period": aes["period"],
        "percent": (100 * aes["patients"] / aes["n_at_risk"]).round(1).astype(float),
        "counts": aes["patients"].astype(int).astype(str) + "/" + aes["n_at_risk"].astype(int).astype(str),
        "serious": aes["serious"].map({True: "serious", False: "not serious"}).fillna("not stated"),
        "where": aes["locator"].fillna(""),
        "tier": aes["source_tier"].map(lambda t: vocab.SOURCE_TIER.label(t) if t in vocab.SOURCE_TIER else ""),
        "page": aes["source_url"].fillna(""),
    })
    frame["counts"] = frame["counts"] + aes["source_tier"].map(lambda t: " " + TIER_MARKS[t] if t in TIER_MARKS else "").values
    periods = frame["period"].nunique()
    frame["row"] = frame["event"] if periods <= 1 else frame["event"] + " (" + frame["period"].str.slice(0, 24) + ")"
    arm_domain = sorted(frame["arm"].unique(), key=lambda a: (not a.startswith("IVIG"), a))
    palette = [vocab.OKABE_ITO["blue"], vocab.OKABE_ITO["sky"]] if not comparative else [vocab.OKABE_ITO["blue"], vocab.OKABE_ITO["orange"]]
    span = frame["period"].iloc[0] if periods == 1 and len(frame) else "several periods"
    chart = _grouped_bars(
        frame,
        f"Adverse events{' by arm' if comparative else ', single-arm exposure'}: {_study_label(base, study_id)}",
        f"Percent of patients with at least one event; {span}",
        alt.X("percent:Q", title="Patients with the event (%)"),
        alt.Color("arm:N", title="Arm", scale=alt.Scale(domain=arm_domain, range=(palette * 3)[: len(arm_domain)]),
                  legend=alt.Legend(labelLimit=520)),
        [alt.Tooltip("row:N", title="Event"), alt.Tooltip("arm:N", title="Arm"), alt.Tooltip("period:N", title="Period"),
         alt.Tooltip("counts:N", title="Patients"), alt.Tooltip("serious:N", title="Seriousness"),
         alt.Tooltip("where:N", title="Where in the source"), alt.Tooltip("tier:N", title="Source tier"),
         alt.Tooltip("page:N", title="Read on")],
        WIDTH - 160, 480, 16, "Bar chart of adverse events by arm", arm_domain,
    )
    reports = base.tables["reports"]
    keys = reports[(reports["study_id"] == study_id) & reports["role"].isin(["primary", "safety", "label"])]["bib_key"].tolist()
    lead = ("Randomised comparison: events reported for each arm in the same period." if comparative
            else "Events reported for one group only (pooled or open-label exposure): no comparator, so no contrast can be read.")
    slug = f"adverse-events-{study_id}" + ("" if comparative else "-single-arm")
    return Figure(slug, chart, _sources_caption(base, keys, lead + _tier_note(aes["source_tier"])), keys, len(frame))


def dosing_schedule(base: EvidenceBase, weeks: int = 12) -> Figure:
    """Infusion courses over the first weeks: trials, the label and each document."""
    arms = base.tables["arms"]
    studies = base.tables["studies"].set_index("study_id")
    ivig = arms[arms["intervention"].isin(["ivig", "ivig_plus_prednisone"]) & arms["dose_g_per_kg"].notna() & arms["interval_weeks"].notna()]
    ivig = ivig[~ivig["arm_id"].str.contains("_ext_|_all$", regex=True)]
    regimens = []
    for _, a in ivig.iterrows():
        kind = "Drug label" if studies.at[a["study_id"], "design"] == "drug_label" else "Trial or study"
        regimens.append((f"{_study_label(base, a['study_id'])}", kind, a["dose_g_per_kg"], a["days_min"], a["days_max"], a["interval_weeks"], a["interval_weeks"]))
    docs = base.tables["documents"].set_index("doc_id")
    for _, d in base.tables["document_regimens"].iterrows():
        if pd.isna(d["interval_weeks_min"]) and pd.isna(d["days_min"]):
            continue
        regimens.append((f"{docs.at[d['doc_id'], 'title']} ({d['phase'].replace('_', ' ')}, {d['claim_id']})", "Document under audit", d["dose_g_per_kg"],
                         d["days_min"], d["days_max"], d["interval_weeks_min"], d["interval_weeks_max"]))
    rows = []
    for label, kind, dose, dmin, dmax, imin, imax in regimens:
        days = int(dmax) if pd.notna(dmax) else (int(dmin) if pd.notna(dmin) else 1)
        interval = float(imin) if pd.notna(imin) else float(weeks)
        spread = f"{int(dmin)}-{int(dmax)} days" if pd.notna(dmin) and pd.notna(dmax) and dmin != dmax else f"{days} day(s)"
        every = f"every {imin:g}-{imax:g} weeks" if pd.notna(imin) and pd.notna(imax) and imin != imax else (f"every {interval:g} weeks" if pd.notna(imin) else "single course")
        dose_text = f"{dose:g} g/kg" if pd.notna(dose) else "dose not stated"
        start = 0.0
        while start < weeks:
            rows.append({"regimen": label, "source": kind, "start": start, "end": start + days / 7,
                         "detail": f"{dose_text} over {spread}, {every}"})
            start += interval
    frame = pd.DataFrame(rows)
    chart = (
        alt.Chart(frame, title=alt.Title(f"IVIG courses in the first {weeks} weeks", subtitle="Bar length: days one course is spread over (longest stated)"))
        .mark_bar(height=14)
        .encode(
            y=alt.Y("regimen:N", title=None, axis=alt.Axis(labelLimit=420)),
            x=alt.X("start:Q", title="Weeks from first infusion", scale=alt.Scale(domain=[0, weeks])),
            x2="end:Q",
            color=alt.Color("source:N", title="Stated by", scale=alt.Scale(domain=["Trial or study", "Drug label", "Document under audit"],
                            range=[vocab.OKABE_ITO["blue"], vocab.OKABE_ITO["black"], vocab.OKABE_ITO["vermillion"]])),
            tooltip=[alt.Tooltip("regimen:N", title="Regimen"), alt.Tooltip("detail:N", title="Schedule"), alt.Tooltip("source:N", title="Stated by")],
        )
        .properties(width=WIDTH, height=alt.Step(26), description="Timeline of IVIG infusion courses by regimen")
    )
    primary = _primary_bib(base)
    keys = [primary.get(s) for s in ivig["study_id"]]
    keys = [k for k in keys if k] + base.tables["documents"]["bib_key"].tolist()
    return Figure("dosing-schedule", chart, _sources_caption(base, keys, "Regimens as stated in trial reports, the octagam 10% label and the audited documents."), keys, len(frame))


def claim_verdicts(base: EvidenceBase, doc_id: str) -> Figure:
    """Count of a document's claims by subtype and outcome domain, coloured by verdict."""
    claims = base.tables["claims"]
    claims = claims[claims["doc_id"] == doc_id]
    frame = pd.DataFrame({
        "topic": claims["subtype"].map(vocab.SUBTYPE.label) + " · " + claims["outcome_domain"].map(vocab.OUTCOME_DOMAIN.label),
        "verdict": claims["verdict"].map(vocab.VERDICT.label),
        "claim_id": claims["claim_id"],
    })
    counted = frame.groupby(["topic", "verdict"], as_index=False).agg(claims=("claim_id", "count"), ids=("claim_id", ", ".join))
    counted["verdict_order"] = counted["verdict"].map({t.label: t.order for t in vocab.VERDICT})
    title = base.tables["documents"].set_index("doc_id").at[doc_id, "title"]
    chart = (
        # A long document title wraps onto lines of at most 70 characters: one long line would widen the
        # chart and shrink it to fit the page.
        alt.Chart(counted, title=alt.Title(textwrap.wrap(f"Verdicts on the claims of '{title}'", 70),
                                           subtitle="Claims by subtype and outcome domain"))
        .mark_bar()
        .encode(
            y=alt.Y("topic:N", title=None, axis=alt.Axis(labelLimit=520)),
            x=alt.X("claims:Q", title="Number of claims", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("verdict:N", title="Verdict", scale=alt.Scale(domain=vocab.VERDICT.labels, range=vocab.VERDICT.colours)),
            order=alt.Order("verdict_order:Q"),
            tooltip=[alt.Tooltip("topic:N", title="Topic"), alt.Tooltip("verdict:N", title="Verdict"),
                     alt.Tooltip("claims:Q", title="Claims"), alt.Tooltip("ids:N", title="Claim ids")],
        )
        .properties(width=WIDTH - 120, height=alt.Step(22), description=f"Stacked bars of claim verdicts for {title}")
    )
    keys = [base.tables["documents"].set_index("doc_id").at[doc_id, "bib_key"]]
    caption = _sources_caption(base, keys, f"{len(claims)} claims registered and judged against the evidence base.")
    return Figure(f"claims-{doc_id}", chart, caption, keys, len(counted))


def all_figures(base: EvidenceBase) -> list[Figure]:
    """Every chart the project exports, for the build and for tests."""
    figures = [evidence_map(base), timeline(base), forest_plot(base), forest_plot(base, harm=True), response_rates(base), dosing_schedule(base)]
    present = set(base.tables["studies"]["subtype"])
    for code in vocab.SUBTYPE.codes:
        if code in present and code not in ("myositis", "any_indication"):
            figures.append(response_rates(base, code))
        if code in present and code != "any_indication":
            figures.append(forest_plot(base, code))
    studies_with_ae = base.tables["adverse_events"].dropna(subset=["arm_id", "patients", "n_at_risk"])["study_id"].unique()
    for study in sorted(studies_with_ae):
        for comparative in (True, False):
            figure = adverse_events(base, study, comparative)
            if figure.rows:
                figures.append(figure)
    figures += [claim_verdicts(base, d) for d in base.tables["documents"]["doc_id"]]
    return figures


__all__ = ["Figure", "write_data", "evidence_map", "timeline", "forest_plot", "response_rates", "adverse_events", "dosing_schedule",
           "claim_verdicts", "all_figures"]
