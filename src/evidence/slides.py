"""Slide decks for educators (python-pptx): one per subtype and an overview.

Each content slide states its point as the headline (a takeaway computed from the data, so
it changes when the data do), shows the chart as wide as the slide allows, names its sources
on the slide, and carries speaker notes with the key numbers, their GRADE certainty and the
AMA references. 16:9; headline 30 pt, body 20 pt and more, source 14 pt: legible from the
back of a lecture hall.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import charts, exports, marks, tables, vocab
from .comparisons import contrasts
from .data import EvidenceBase, split_ids

SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
FONT = "Arial"


@dataclass
class Slide:
    """What one slide says: headline, chart (or bullet lines), source line, notes."""

    headline: str
    figure: charts.Figure | None = None
    lines: list[str] = field(default_factory=list)
    source: str = ""
    notes: list[str] = field(default_factory=list)


def _pct(events: float, total: float) -> str:
    return f"{100 * events / total:.0f}%" if total else "n/a"


def _frame(figure: charts.Figure) -> pd.DataFrame:
    data = getattr(figure.chart, "data", None)
    return data if isinstance(data, pd.DataFrame) else pd.DataFrame()


def _studies(base: EvidenceBase, subtype: str | None) -> pd.DataFrame:
    studies = base.tables["studies"]
    studies = studies[studies["design"].isin(vocab.PRIMARY_STUDY_DESIGNS)]
    if subtype:
        return studies[studies["subtype"] == subtype]
    return studies[studies["subtype"] != "any_indication"]


def _certainty_lines(base: EvidenceBase, subtype: str) -> list[str]:
    """'Outcome: RR ... ; N (k studies); ⊕⊕⊕◯ Moderate' for each summary-of-findings row."""
    sof = tables.summary_of_findings(base, subtype)
    cols = {c.lower(): c for c in sof.columns}
    out = []
    for _, row in sof.iterrows():
        parts = [str(row[c]) for key, c in cols.items() if key.startswith(("relative", "participants")) and str(row[c])]
        cert = next((row[c] for key, c in cols.items() if "certainty" in key), "")
        out.append(f"{row[cols.get('outcome', sof.columns[0])]}: {'; '.join(parts)}; certainty {marks.certainty_mark(str(cert))}")
    return out


def _references(base: EvidenceBase, keys: list[str]) -> list[str]:
    return [f"{i}. {base.bib.ama(k)}" for i, k in enumerate(dict.fromkeys(k for k in keys if k in base.bib), start=1)]


def _bottom_line(base: EvidenceBase, subtype: str | None) -> Slide:
    cert = base.tables["certainty"]
    if subtype:
        rows = cert[cert["subtype"] == subtype].copy()
        order = {c: i for i, c in enumerate(vocab.CERTAINTY.codes)}
        rows["rank"] = rows["certainty"].map(order)
        best = rows.sort_values("rank").head(3)
        lines = [f"{vocab.OUTCOME_DOMAIN.label(r.outcome_domain)}: {marks.certainty_mark(r.certainty)}" for r in best.itertuples()]
        worst = rows.sort_values("rank").tail(1)
        headline = (f"{vocab.SUBTYPE.label(subtype)}: the firmest evidence is {vocab.CERTAINTY.label(best.iloc[0]['certainty']).lower()} "
                    f"certainty ({vocab.OUTCOME_DOMAIN.label(best.iloc[0]['outcome_domain'])})") if len(best) else \
            f"{vocab.SUBTYPE.label(subtype)}: no outcome has been rated"
        if len(rows) > 3 and len(worst):
            lines.append(f"{len(rows)} outcomes rated; {int((rows['certainty'] == 'very_low').sum())} at very low certainty")
        notes = _certainty_lines(base, subtype)
        keys = [k for s in rows["studies"] for sid in split_ids(s) for k in base.tables["reports"].loc[base.tables["reports"]["study_id"] == sid, "bib_key"].head(1)]
    else:
        lines, notes, keys = [], [], []
        for code in [c for c in vocab.SUBTYPE.codes if c in set(cert["subtype"])]:
            rows = cert[cert["subtype"] == code]
            top = min(rows["certainty"], key=vocab.CERTAINTY.codes.index)
            n = len(_studies(base, code))
            lines.append(f"{vocab.SUBTYPE.label(code)}: {n} {'study' if n == 1 else 'studies'}, best certainty {marks.certainty_mark(top)}")
            notes += [f"{vocab.SUBTYPE.label(code)}: {line}" for line in _certainty_lines(base, code)]
        best = cert.assign(rank=cert["certainty"].map(vocab.CERTAINTY.codes.index)).sort_values("rank").iloc[0]
        headline = (f"Only {vocab.SUBTYPE.label(best['subtype']).lower()} reaches {vocab.CERTAINTY.label(best['certainty']).lower()} certainty; "
                    "the rest is low or very low") if (cert["certainty"] == best["certainty"]).groupby(cert["subtype"]).any().sum() == 1 \
            else f"Best certainty across subtypes: {vocab.CERTAINTY.label(best['certainty']).lower()}"
    return Slide(headline, lines=lines, source="Source: GRADE ratings in data/certainty.csv of this evidence base.",
                 notes=notes + ["References:"] + _references(base, keys))


def _map_slide(base: EvidenceBase, subtype: str | None) -> Slide:
    figure = charts.evidence_map(base)
    studies = _studies(base, subtype)
    n, people = len(studies), int(studies["n_enrolled"].fillna(0).sum())
    rcts = int(studies["design"].isin(["rct_parallel", "rct_crossover"]).sum())
    where = vocab.SUBTYPE.label(subtype) if subtype else "All myositis subtypes"
    headline = f"{where}: {n} {'study' if n == 1 else 'studies'}, {people} participants, {rcts} randomised"
    notes = [f"Studies: {', '.join(str(s) for s in studies['study_id'])}.",
             "Counts are enrolled participants; any-indication safety cohorts are not counted as myositis evidence."]
    return Slide(headline, figure, source=exports.source_line(figure), notes=notes + ["References:"] + _references(base, figure.sources))


def _forest_slide(base: EvidenceBase, subtype: str | None) -> Slide:
    figure = charts.forest_plot(base, subtype)
    table = contrasts(base)
    if not table.empty:
        table = table[~table["harm"]]
        if subtype:
            table = table[table["subtype"] == subtype]
    if table.empty or not figure.rows:
        return Slide(f"{vocab.SUBTYPE.label(subtype) if subtype else 'Myositis'}: no study reports comparable counts for a forest plot",
                     lines=["Outcomes here come from single-arm or within-group reports only."], source="Source: data/results.csv.")
    table = table.assign(n=table["total_ivig"] + table["total_control"]).sort_values("n", ascending=False)
    top = table.iloc[0]
    headline = (f"{top['outcome']}: RR {top['rr']:.2f} (95% CI {top['rr_low']:.2f} to {top['rr_high']:.2f}), "
                f"{int(top['events_ivig'])}/{int(top['total_ivig'])} vs {int(top['events_control'])}/{int(top['total_control'])}")
    cert = base.tables["certainty"]
    notes = []
    for r in table.itertuples():
        level = cert[(cert["subtype"] == r.subtype) & (cert["outcome_domain"] == r.outcome_domain)]["certainty"]
        notes.append(f"{r.study_id}, {r.outcome}: RR {r.rr:.2f} ({r.rr_low:.2f} to {r.rr_high:.2f}); IVIG {int(r.events_ivig)}/{int(r.total_ivig)}, "
                     f"comparator {int(r.events_control)}/{int(r.total_control)}; certainty {marks.certainty_mark(level.iloc[0]) if len(level) else 'not rated'}")
    return Slide(headline, figure, source=exports.source_line(figure), notes=notes + ["References:"] + _references(base, figure.sources))


def _response_slide(base: EvidenceBase, subtype: str | None) -> Slide:
    figure = charts.response_rates(base, subtype)
    frame = _frame(figure)
    ivig = frame[frame["arm"] == "IVIG"] if len(frame) else frame
    if not len(ivig):
        return Slide("No study reports responders by arm here", source="Source: data/results.csv.")
    lo, hi = ivig["percent"].min(), ivig["percent"].max()
    headline = f"Responders on IVIG: {lo:.0f}% to {hi:.0f}% across {len(ivig)} study outcomes (definitions differ)"
    notes = [f"{r.row}: {r.arm} {r.counts} ({r.percent:.0f}%)" for r in frame.itertuples()]
    return Slide(headline, figure, source=exports.source_line(figure), notes=notes + ["References:"] + _references(base, figure.sources))


def _safety_slide(base: EvidenceBase, subtype: str | None) -> Slide:
    aes = base.tables["adverse_events"].dropna(subset=["arm_id", "patients", "n_at_risk"])
    studies = _studies(base, subtype)["study_id"] if subtype else base.tables["studies"]["study_id"]
    at_risk = aes[aes["study_id"].isin(set(studies))].groupby("study_id")["n_at_risk"].max()
    candidates = list(at_risk.sort_values(ascending=False).index)  # the largest safety population first
    figure = None
    for study in candidates:
        fig = charts.adverse_events(base, study, True)
        if fig.rows:
            figure = fig
            break
    if figure is None:
        figure = charts.forest_plot(base, subtype, harm=True)
        if not figure.rows:
            return Slide("No adverse-event counts by arm for this subtype", source="Source: data/adverse_events.csv.")
        return Slide("Harms: risk ratios of adverse events, IVIG vs comparator", figure, source=exports.source_line(figure),
                     notes=["References:"] + _references(base, figure.sources))
    frame = _frame(figure)
    wide = frame.pivot_table(index="event", columns="arm_kind", values="counts", aggfunc="first")
    wide = wide[sorted(wide.columns, key=lambda k: (k != "IVIG", str(k)))]
    event = frame.sort_values("percent", ascending=False).iloc[0]["event"]
    row = wide.loc[event]
    headline = f"{event}: " + " vs ".join(f"{v} on {k}" for k, v in row.dropna().items())
    notes = [f"{e}: " + "; ".join(f"{k} {v}" for k, v in r.dropna().items()) for e, r in wide.iterrows()]
    return Slide(headline, figure, source=exports.source_line(figure), notes=notes + ["References:"] + _references(base, figure.sources))


def deck_slides(base: EvidenceBase, subtype: str | None) -> list[Slide]:
    """The content slides of one deck, in order."""
    return [_bottom_line(base, subtype), _map_slide(base, subtype), _forest_slide(base, subtype),
            _response_slide(base, subtype), _safety_slide(base, subtype)]


def short_source(text: str, limit: int = 150) -> str:
    """One line of sources for the slide; the full list is in the speaker notes."""
    if len(text) <= limit:
        return text
    head, _, rest = text.partition(": ")
    names = [n.strip().rstrip(".") for n in rest.split(";")]
    shown: list[str] = []
    for name in names:
        if len(head) + sum(len(n) + 2 for n in shown + [name]) > limit - 40:
            break
        shown.append(name)
    return f"{head}: {'; '.join(shown)} and {len(names) - len(shown)} more (all in the speaker notes)."


def _textbox(slide, left, top, width, height, text: str, size: int, bold: bool = False, colour: str = "222222"):
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    lines = text if isinstance(text, list) else [text]
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = FONT
        run.font.color.rgb = RGBColor.from_string(colour)
    return box


SLIDE_CONFIG = {"axis": {"labelFontSize": 20, "titleFontSize": 22}, "legend": {"labelFontSize": 20, "titleFontSize": 20},
                "header": {"labelFontSize": 20, "titleFontSize": 20}, "title": {"fontSize": 28, "subtitleFontSize": 20},
                "text": {"fontSize": 18}}


def _chart_png(figure: charts.Figure, cache: dict[str, bytes] | None = None) -> bytes:
    """The chart at 2x with type scaled up for projection; the slide prints the source line itself.
    `cache` (slug -> PNG) lets the decks share a chart they all show, such as the evidence map."""
    import vl_convert as vlc

    if cache is not None and figure.slug in cache:
        return cache[figure.slug]
    spec = figure.chart.to_dict()
    config = dict(spec.get("config", {}))
    for key, values in SLIDE_CONFIG.items():
        config[key] = {**config.get(key, {}), **values}
    spec["config"] = config
    width, height = spec.get("width"), spec.get("height")
    if isinstance(width, int | float) and isinstance(height, int | float) and height < 0.45 * width:
        spec["height"] = round(0.45 * width)  # a short, wide plot (a forest of two rows) gets room on a 16:9 slide
    png = vlc.vegalite_to_png(spec, scale=2)
    if cache is not None:
        cache[figure.slug] = png
    return png


def write_deck(base: EvidenceBase, subtype: str | None, path: Path, cache: dict[str, bytes] | None = None) -> Path:
    """Title slide plus the content slides, 16:9, each with headline, chart, source and notes."""
    from PIL import Image
    from pptx import Presentation
    from pptx.util import Inches

    def write(tmp: Path) -> None:
        prs = Presentation()
        prs.slide_width, prs.slide_height = Inches(SLIDE_W_IN), Inches(SLIDE_H_IN)
        blank = prs.slide_layouts[6]
        where = vocab.SUBTYPE.label(subtype) if subtype else "myositis"
        title = prs.slides.add_slide(blank)
        _textbox(title, 0.8, 2.3, 11.7, 1.5, f"IVIG in {where}: what the evidence shows", 40, bold=True)
        studies = _studies(base, subtype)
        _textbox(title, 0.8, 3.9, 11.7, 1.2, f"{len(studies)} studies, {int(studies['n_enrolled'].fillna(0).sum())} participants; "
                 "every number traced to its source in the evidence base", 22, colour="444444")
        title.notes_slide.notes_text_frame.text = "Deck built from the evidence base; each slide's notes list its numbers, certainty and references."
        for content in deck_slides(base, subtype):
            slide = prs.slides.add_slide(blank)
            _textbox(slide, 0.4, 0.2, 12.5, 1.1, content.headline, 28, bold=True)
            if content.figure is not None:
                png = _chart_png(content.figure, cache)
                w, h = Image.open(io.BytesIO(png)).size
                max_w, max_h = 12.5, 5.5
                scale = min(max_w / w, max_h / h)
                pic_w, pic_h = w * scale, h * scale
                slide.shapes.add_picture(io.BytesIO(png), Inches((SLIDE_W_IN - pic_w) / 2), Inches(1.35), Inches(pic_w), Inches(pic_h))
            elif content.lines:
                _textbox(slide, 0.8, 1.6, 11.7, 5.0, content.lines, 24)
            _textbox(slide, 0.4, 6.95, 12.5, 0.5, short_source(content.source), 14, colour="555555")
            notes = content.notes or (["Certainty of the evidence for this subtype:"] + _certainty_lines(base, subtype) if subtype else [])
            slide.notes_slide.notes_text_frame.text = "\n".join([content.headline] + notes)
        prs.core_properties.created = prs.core_properties.modified = exports._FIXED_TIME
        prs.save(tmp)

    return exports.atomic_write(path, write)


def deck_subtypes(base: EvidenceBase) -> list[str]:
    """Subtypes with GRADE ratings get a deck; any-indication safety cohorts do not."""
    rated = set(base.tables["certainty"]["subtype"])
    return [c for c in vocab.SUBTYPE.codes if c in rated and c != "any_indication"]


def write_decks(base: EvidenceBase, folder: Path) -> list[Path]:
    cache: dict[str, bytes] = {}
    paths = [write_deck(base, None, folder / "overview.pptx", cache)]
    for code in deck_subtypes(base):
        paths.append(write_deck(base, code, folder / f"{code}.pptx", cache))
    return paths
