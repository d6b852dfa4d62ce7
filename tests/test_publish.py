"""Outputs that render anywhere and text from data that stays text on the site."""

from markdown_it import MarkdownIt

from evidence import charts, publish, summaries
from evidence.data import load
from evidence.notebook import Markdown, md_escape


def test_chart_outputs_are_images_not_html_and_stable():
    base = load()
    bundle = charts.timeline(base)._repr_mimebundle_()
    assert "text/html" not in bundle
    assert bundle["image/svg+xml"].lstrip().startswith("<svg")
    assert bundle["image/png"].startswith("iVBORw0KGgo")  # base64 of the PNG signature
    assert bundle == charts.timeline(base)._repr_mimebundle_()


def test_text_from_data_never_becomes_markup_or_a_role():
    hostile = "<script>alert(1)</script> {cite}`x` [link](javascript:alert(1)) ```{raw} html"
    rendered = MarkdownIt("commonmark").render(md_escape(hostile))
    assert "<script>" not in rendered and "<a " not in rendered and "<code>" not in rendered
    assert "&lt;script&gt;" in rendered
    bundle = Markdown(hostile, keys=["aggarwal2022proderm"])._repr_mimebundle_()
    assert bundle["text/markdown"].endswith("{cite:p}`aggarwal2022proderm`")
    assert "<script>" not in bundle["text/html"]


def test_page_titles_name_the_subtype_outcome_or_document():
    base = load()
    assert publish.page_title("03_by_subtype-ibm", base, "x") == "IVIG in inclusion body myositis"
    assert publish.page_title("08_by_outcome-swallowing", base, "x") == "Swallowing across subtypes"
    assert publish.page_title("06_claims_audit-csp_myositis", base, "x").startswith("Claims audit: ")
    assert publish.page_title("01_overview", base, "Overview") == "Overview"


def test_bottom_line_counts_come_from_the_data():
    base = load()
    lines = summaries.bottom_lines(base)
    assert len(lines) == len(base.tables["certainty"])
    dm = lines[(lines["subtype"] == "dm") & lines["Outcome"].str.startswith("Clinical response: TIS of at least 20")].iloc[0]
    # ProDERM primary end point (Aggarwal 2022, NEJM abstract): 37/47 on IVIG vs 21/48 on placebo
    assert dm["What the evidence shows"].startswith("37/47 with IVIG vs 21/48 with placebo, RR 1.80 (1.26 to 2.56)")
    assert dm["Key study"] == "ProDERM"
    # each rated outcome speaks of its own rows: no two lines of one subtype repeat the same answer
    # unless they rest on the same rows
    crossover = lines[(lines["subtype"] == "dm") & lines["Outcome"].str.contains("crossover") & (lines["outcome_domain"] == "composite")].iloc[0]
    assert crossover["What the evidence shows"].startswith("9/12, 0/11") and crossover["Certainty"] == "Very low"


def test_provenance_marks_secondary_figures_and_links_only_web_pages():
    base = load()
    prov = summaries.provenance(base, "dm")
    html = prov._repr_mimebundle_()["text/html"]
    secondary = (prov.frame["source_tier"] == "secondary").sum()
    assert secondary and html.count(summaries.SECONDARY_MARK + "</td>") == secondary
    assert "javascript:" not in html
    assert len(prov.frame) == len(prov.frame.dropna(subset=["locator"]))


def test_outcome_without_comparison_gets_an_explicit_panel():
    base = load()
    assert not summaries.has_contrasts(base, "lung")
    panel = summaries.no_comparison(base, "lung")._repr_mimebundle_()
    assert "No comparison to plot" in panel["text/html"] and panel["text/markdown"].startswith("```{admonition}")
    assert summaries.has_contrasts(base, "composite")
