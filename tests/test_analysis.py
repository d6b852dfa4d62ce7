"""Comparisons, continuous and crossover effects, forest plots and the summary of findings."""

import json
import math

import pandas as pd
import pytest
from conftest import ROOT

from evidence import charts, comparisons, forest, sof, stats, tables, vocab
from evidence.data import validate


@pytest.fixture(scope="module")
def base():
    return validate(ROOT)


def test_smd_matches_borenstein_worked_example():
    # Borenstein, Hedges, Higgins & Rothstein, Introduction to Meta-Analysis (2009), ch. 4:
    # means 103 vs 100, SDs 5.5 and 4.5, n 50 each -> d 0.5970 (V 0.0418), J 0.9923, g 0.5924 (V 0.0411).
    g = stats.standardised_mean_difference(103, 5.5, 50, 100, 4.5, 50)
    assert round(g.estimate, 4) == 0.5924
    assert round(g.vi, 4) == 0.0411


def test_paired_crossover_smd_matches_borenstein_matched_groups_example():
    # Same chapter, matched groups: mean difference 3, S_diff 5.5, n 50, r 0.7 -> d 0.4225, SE 0.1143.
    d = stats.paired_standardised_mean_difference(3, 5.5, 50, 0.7)
    assert round(d.estimate, 4) == 0.4225
    assert round(d.se, 4) == 0.1143


def test_paired_md_of_a_crossover_is_narrower_than_treating_periods_as_groups():
    # Hand computed: 10 patients, mean within-patient difference 4, SD of differences 3 -> SE 3/sqrt(10).
    paired = stats.paired_mean_difference(4, 3, 10)
    assert paired.se == pytest.approx(3 / math.sqrt(10))
    assert paired.ci_low == pytest.approx(4 - 1.959964 * 0.948683, abs=1e-4)
    unpaired = stats.mean_difference(14, 5, 10, 10, 5, 10)  # same means as two groups of the same 10 patients
    assert paired.se < unpaired.se


def test_gradepro_absolute_effect_by_hand():
    # Comparator risk 21/48 = 0.4375, RR 1.80 (1.26 to 2.56): 437.5 x 1.80 = 787.5, x 1.26 = 551.25, x 2.56 = 1120 -> capped 1,000.
    a = stats.absolute_from_ratio(21 / 48, 1.80, 1.26, 2.56)
    assert a.comparator_per_1000 == pytest.approx(437.5)
    assert a.treated_per_1000 == pytest.approx(787.5)
    assert a.treated_low == pytest.approx(551.25)
    assert a.treated_high == 1000.0
    assert a.difference[0] == pytest.approx(350.0)
    with pytest.raises(ValueError, match="inside its confidence interval"):
        stats.absolute_from_ratio(0.2, 3.0, 1.0, 2.0)


def test_dalakas_1993_crossover_is_not_analysed_as_independent_arms(base):
    table = comparisons.comparable(base)
    row = table[(table["study_id"] == "dalakas1993") & (table["data_type"] == "dichotomous")].iloc[0]
    assert not row["estimable"] and pd.isna(row["estimate"])  # not RR 17.5 from 9/12 vs 0/11
    assert "both arms" in row["reason"] and row["participants"] == 15


def test_crossover_groups_that_add_up_to_enrolment_are_read_as_first_period(base):
    table = comparisons.comparable(base)
    row = table[(table["study_id"] == "dalakas1997ibm") & (table["data_type"] == "continuous")].iloc[0]
    assert row["analysis"] == "first period"
    assert not row["estimable"] and "without SD" in row["reason"]


def test_cdasi_md_from_each_arms_ci(base):
    table = comparisons.comparable(base)
    row = table[(table["study_id"] == "proderm") & (table["outcome_domain"] == "skin") & table["estimable"]].iloc[0]
    se = math.hypot((-6.19 + 12.52) / (2 * 1.959964), (0.99 + 3.32) / (2 * 1.959964))
    assert row["estimate"] == pytest.approx(-9.36 + 1.16)
    assert row["ci_low"] == pytest.approx(-8.2 - 1.959964 * se, abs=1e-3)


def _two_trials(design_b: str = "rct_parallel") -> pd.DataFrame:
    rows = []
    for sid, (a, n1, c, n2), design in (("a", (20, 40, 10, 40), "rct_parallel"), ("b", (15, 30, 9, 31), design_b),
                                       ("c", (8, 20, 4, 20), "rct_parallel")):
        rr = stats.risk_ratio(a, n1, c, n2)
        rows.append({"study_id": sid, "subtype": "dm", "outcome_domain": "composite", "harm": False, "measure": "RR",
                     "comparator_family": "placebo", "design_family": comparisons.design_family(design), "estimable": True,
                     "analysis": "parallel", "yi": rr.yi, "vi": rr.vi})
    return pd.DataFrame(rows)


def test_pooling_never_mixes_crossover_with_parallel_and_drops_no_study():
    table = _two_trials()
    (key, pooled), = comparisons.pooled_groups(table, method="DL").items()
    assert pooled.k == 3
    direct = stats.pool(table["yi"].tolist(), table["vi"].tolist(), method="DL")
    assert pooled.estimate == pytest.approx(direct.estimate)
    dropped = stats.pool(table["yi"].tolist()[:2], table["vi"].tolist()[:2], method="DL")
    assert pooled.estimate != pytest.approx(dropped.estimate)
    mixed = comparisons.pooled_groups(_two_trials("rct_crossover"), method="DL")
    assert all(p.k == 2 for p in mixed.values()) and all(k[-1] == "parallel" for k in mixed)


def test_pooling_method_changes_the_answer():
    yi, vi = [0.1, 0.9, -0.4], [0.04, 0.05, 0.06]
    assert stats.pool(yi, vi, method="DL").tau2 != pytest.approx(stats.pool(yi, vi, method="REML").tau2)


def test_forest_rows_carry_arm_data_and_clipped_arrows(base):
    rows = forest.forest_rows(base, None, harm=True)
    teae = rows[(rows["kind"] == "study") & (rows["ivig"] == "30/52")].iloc[0]
    assert teae["control"] == "11/48" and teae["effect"] == "2.52 [1.43, 4.45]"
    spec = json.dumps(charts.forest_plot(base, harm=True).chart.to_dict())
    assert "triangle-right" in spec  # 6.47 [0.34, 122.13] runs past the axis


def test_every_subtype_page_has_rows_or_an_explicit_no_data_panel(base):
    for code in ("dm", "pm", "ibm", "jdm", "myositis"):
        fig = charts.forest_plot(base, code)
        assert fig.rows > 0 or (fig.no_data and "No comparative data" in json.dumps(fig.chart.to_dict())), code
        assert fig.data is not None and len(fig.data) > 0


def test_every_figure_renders_round_trips_and_has_data(base):
    import altair as alt
    import vl_convert as vlc

    for fig in charts.all_figures(base):
        spec = fig.chart.to_dict()
        assert vlc.vegalite_to_svg(spec).lstrip().startswith("<svg"), fig.slug
        kind = next((k for k in ("vconcat", "hconcat", "layer") if k in spec), "mark")
        cls = {"vconcat": alt.VConcatChart, "hconcat": alt.HConcatChart, "layer": alt.LayerChart, "mark": alt.Chart}[kind]
        assert cls.from_dict(spec).to_dict() == spec, fig.slug
        assert fig.rows > 0 or fig.no_data, fig.slug
        assert not fig.table().empty, fig.slug


def test_sof_one_row_per_outcome_with_its_own_certainty(base):
    frame = tables.summary_of_findings(base, "dm")
    cert = base.tables["certainty"]
    assert len(frame) == (cert["subtype"] == "dm").sum()
    tis = frame[frame["Outcome"].str.startswith("Clinical response: TIS of at least 20")].iloc[0]
    assert tis["Risk with comparator"] == "438 per 1,000"      # 21/48
    assert tis["Risk with IVIG"] == "787 per 1,000 (553 to 1,000)"  # 437.5 x RR 1.80 (1.26 to 2.56)
    cross = frame[frame["Outcome"].str.contains("crossover") & frame["Outcome"].str.startswith("Major")].iloc[0]
    assert cross["Certainty"].startswith("Very low") and cross["Relative effect (95% CI)"] == "not estimable"
    assert cross["Risk with comparator"] == cross["Risk with IVIG"] == "—"  # a dash, not an empty cell
    proderm_reasons = cert.loc[cert["outcome_id"] == "dm_tis20", "imprecision"].iloc[0]
    assert proderm_reasons not in cross["Comments"]
    harm = frame[frame["Outcome"].str.startswith("Treatment-related")].iloc[0]
    assert harm["Risk with comparator"] == "229 per 1,000" and harm["Relative effect (95% CI)"].startswith("RR 2.52")


def test_swapping_sof_risk_columns_is_caught(base):
    frame = tables.summary_of_findings(base, "dm")
    swapped = frame.rename(columns={"Risk with comparator": "Risk with IVIG", "Risk with IVIG": "Risk with comparator"})
    row = swapped[swapped["Outcome"].str.startswith("Clinical response: TIS of at least 20")].iloc[0]
    assert row["Risk with comparator"] != "438 per 1,000"
    assert list(frame.columns) == sof.COLUMNS and list(swapped.columns) != sof.COLUMNS


def test_certainty_rows_name_known_ids_and_every_downgrade_has_a_reason(base):
    sof.check_ids(base)
    cert = base.tables["certainty"]
    domains = [d for d, _ in sof.DOMAINS]
    for _, row in cert.iterrows():
        reasons = [row[d] for d in domains if isinstance(row[d], str) and row[d].strip()]
        if row["certainty"] != "high":
            assert reasons, row["outcome_id"]
        assert all(r.startswith(("Serious:", "Very serious:")) for r in reasons), row["outcome_id"]


def test_unknown_result_id_in_certainty_is_one_line_naming_the_row(base):
    import copy

    broken = copy.copy(base)
    broken.tables = dict(base.tables)
    cert = base.tables["certainty"].copy()
    cert.loc[cert.index[0], "result_ids"] = "nope_r99"
    broken.tables["certainty"] = cert
    with pytest.raises(sof.CertaintyDataError, match=r"certainty.csv row 2, field result_ids: 'nope_r99'"):
        sof.check_ids(broken)


def test_figure_data_ships_as_formula_safe_csv(base, tmp_path):
    fig = charts.forest_plot(base, "dm")
    fig.data.loc[fig.data.index[0], "study"] = "=HYPERLINK(1)"
    path = charts.write_data(fig, tmp_path)
    assert path.name == "forest-benefit-dm.csv"
    back = pd.read_csv(path)
    assert back.loc[0, "study"] == "'=HYPERLINK(1)" and len(back) == len(fig.data)


def _synthetic_three_trials(base, counts=((37, 47, 21, 48), (20, 40, 10, 40), (8, 20, 6, 21))):
    real = comparisons.comparable(base)
    template = real[(real["study_id"] == "proderm") & real["outcome"].str.startswith("TIS >= 20")].iloc[0]
    rows = []
    for sid, (a, n1, c, n2) in zip(["proderm", "dalakas2001ibm", "walter2000ibm"], counts):
        rr = stats.risk_ratio(a, n1, c, n2)
        row = template.copy()
        row.update({"study_id": sid, "events_ivig": a, "total_ivig": n1, "events_control": c, "total_control": n2,
                    "estimate": rr.estimate, "ci_low": rr.ci_low, "ci_high": rr.ci_high, "yi": rr.yi, "vi": rr.vi, "result_ids": sid})
        rows.append(row)
    return pd.DataFrame(rows)


def test_pooled_forest_draws_diamond_heterogeneity_and_prediction_interval(base, monkeypatch):
    fake = _synthetic_three_trials(base)
    monkeypatch.setattr(forest, "comparable", lambda b: fake)
    rows = forest.forest_rows(base, "dm")
    pooled = rows[rows["kind"] == "pooled"].iloc[0]
    direct = stats.pool(fake["yi"].tolist(), fake["vi"].tolist(), method="REML")
    assert pooled["estimate"] == pytest.approx(math.exp(direct.estimate))
    assert "REML" in pooled["study"]
    weights = rows.loc[rows["kind"] == "study", "weight"].str.rstrip("%").astype(float)
    assert weights.sum() == pytest.approx(100, abs=0.2) and weights.iloc[0] > weights.iloc[2]
    assert rows["kind"].tolist().count("prediction") == 1
    het = rows.loc[rows["kind"] == "heterogeneity", "study"].iloc[0]
    assert f"Q = {direct.q:.2f}" in het and "I² =" in het and "τ² =" in het
    spec = json.dumps(charts.forest_plot(base, "dm").chart.to_dict())
    assert '"area"' in spec  # the diamond
    dl = forest.forest_rows(base, "dm", method="DL")
    assert dl.loc[dl["kind"] == "pooled", "study"].iloc[0] != pooled["study"]
    monkeypatch.setattr(forest, "comparable", lambda b: fake.iloc[:2])
    two = forest.forest_rows(base, "dm")
    assert "prediction" not in two["kind"].tolist()
    assert two.loc[two["kind"] == "pooled", "estimate"].iloc[0] != pytest.approx(pooled["estimate"])


def _label_base(tmp_path):
    """Four studies: one with an acronym, two whose first reports share author and year, one titled only."""
    from evidence.bib import Bibliography, Reference
    from evidence.data import EvidenceBase

    refs = {k: Reference(k, "article", {"title": f"Trial {k}", "year": "2020"}, raw_author=a)
            for k, a in (("a1", "Doe, Jane and Roe, Richard"), ("b1", "Doe, Jane and Poe, Edgar"), ("b2", "Smith, Ann"),
                         ("c1", "Doe, Jane"))}
    studies = pd.DataFrame({"study_id": ["acro", "twin1", "twin2", "untitled"],
                            "acronym": ["ACRO", None, None, None],
                            "short_title": ["x", "y", "z", "A very long synthetic title that runs past forty-four characters"]})
    reports = pd.DataFrame({"study_id": ["acro", "twin1", "twin2", "twin2"], "bib_key": ["c1", "a1", "b1", "b2"],
                            "role": ["primary", "primary", "secondary", "primary"]})
    return EvidenceBase(tmp_path, {"studies": studies, "reports": reports}, Bibliography(tmp_path / "x.bib", refs))


def test_summary_labels_keep_the_per_study_rules(tmp_path):
    from evidence import summaries

    base = _label_base(tmp_path)
    labels = summaries.summary_labels(base)
    assert labels["acro"] == "ACRO"
    # The first report listed names the study, whatever its role; two studies with the same first
    # author and year keep the same label (nothing merges or renames them).
    assert labels["twin1"] == labels["twin2"] == "Doe et al 2020"
    assert labels["untitled"] == "A very long synthetic title that runs…"  # cut at 42, then at a space
    assert summaries.study_label(base, "twin2") == "Doe et al 2020"
    assert summaries.study_label(base, "nowhere") == "nowhere"
    assert summaries.summary_labels(base) is labels


def test_author_names_follow_a_changed_author_string():
    from evidence.bib import Reference

    ref = Reference("k", "article", {"title": "T", "year": "2001"}, raw_author="Doe, Jane and {Centers for A and B}")
    assert ref.authors == ["Doe, Jane", "Centers for A and B"]
    ref.raw_author = "Roe, Richard"
    assert ref.authors == ["Roe, Richard"]
    assert ref.first_author_surname == "Roe"


def test_short_label_follows_a_changed_reference():
    from evidence.bib import Bibliography, Reference

    ref = Reference("k", "article", {"title": "T", "year": "2001"}, raw_author="Doe, Jane and Roe, Richard")
    bib = Bibliography(ROOT / "none.bib", {"k": ref})
    assert bib.short("k") == "Doe et al 2001"
    ref.fields["year"] = "2002"
    ref.raw_author = "Roe, Richard"
    assert bib.short("k") == "Roe 2002"


def test_forest_spec_is_the_one_altair_writes(base):
    import altair as alt

    chart, _, no_data = forest.build(base, "dm")
    assert not no_data and isinstance(chart, forest.SharedDataVConcat)
    plain = alt.VConcatChart(**chart._kwds)
    assert type(plain) is alt.VConcatChart
    ours, theirs = chart.to_dict(), plain.to_dict()
    assert json.dumps(ours) == json.dumps(theirs)
    assert len(ours["datasets"]) > 1


def test_a_subtype_without_graded_outcomes_gets_a_no_data_panel_not_a_bare_table(base):
    graded = set(base.tables["certainty"]["subtype"])
    missing = next(code for code in vocab.SUBTYPE.codes if code not in graded and code != "any_indication")
    table = tables.Table("sof", tables.summary_of_findings(base, missing), "caption")
    shown = table._repr_mimebundle_()["text/html"]
    assert "nodata" in shown and "certainty rating" in shown and "<table" not in shown


def test_a_document_without_a_reference_list_says_so():
    from evidence.data import load

    base = load(ROOT)
    listed = set(base.tables["document_references"]["doc_id"])
    bare = next(d for d in base.tables["documents"]["doc_id"] if d not in listed)
    shown = tables.Table("refs", tables.reference_audit(base, bare), "caption")._repr_mimebundle_()["text/html"]
    assert "no reference list" in shown and "<table" not in shown
