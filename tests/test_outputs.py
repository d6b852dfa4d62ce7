"""Charts, tables, exports and the build's parameter handling, checked by behaviour."""

import pytest
from conftest import ROOT

from evidence import build, charts, exports, marks, tables
from evidence.data import validate
from evidence.errors import EvidenceError


@pytest.fixture(scope="module")
def base():
    return validate(ROOT)


def test_every_chart_has_title_axes_tooltips_caption_and_saves(base, tmp_path):
    figures = charts.all_figures(base)
    assert {"evidence-map", "timeline", "dosing-schedule", "forest-benefit-all"} <= {f.slug for f in figures}
    for fig in figures[:6]:
        spec = fig.chart.to_dict()
        text = str(spec)
        assert "title" in spec and "tooltip" in text and "description" in text, fig.slug
        assert "Sources:" in fig.caption, fig.slug
        assert fig.rows > 0, fig.slug
    written = exports.write_chart(figures[0], tmp_path)
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert written[1].read_text(encoding="utf-8").lstrip().startswith("<svg")
    page = written[2].read_text(encoding="utf-8")
    assert "<script src=" not in page and "cdn.jsdelivr" not in page


def test_forest_plot_uses_reported_proderm_counts(base):
    fig = charts.forest_plot(base, "dm")
    proderm = fig.data[(fig.data["ivig"] == "37/47") & (fig.data["control"] == "21/48")].iloc[0]
    assert proderm["estimate"] == pytest.approx((37 / 47) / (21 / 48))


def test_summary_of_findings_columns_follow_gradepro(base):
    sof = tables.summary_of_findings(base, "dm")
    assert list(sof.columns) == tables.SOF_COLUMNS
    assert sof["Certainty"].str.len().gt(0).all()


def test_html_tables_escape_text(base):
    frame = tables.claims_register(base, "csp_myositis").head(1).copy()
    frame.loc[0, "What the document claims (our words)"] = "<script>alert(1)</script>"
    html = tables.to_html(frame)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_xlsx_and_docx_read_back(base, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    register = tables.claims_register(base, "csp_polymyositis")
    xlsx = exports.write_xlsx({"Claims": register}, tmp_path / "claims.xlsx")
    ws = load_workbook(xlsx)["Claims"]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")  # row 1 says what the sheet is
    assert ws["A3"].value == register.iloc[0]["Claim"]
    verdict_col = list(register.columns).index("Verdict") + 1
    assert ws.cell(row=3, column=verdict_col).fill.fgColor.rgb.endswith(tuple(marks.tint(c) for c in exports.VERDICT_FILLS.values()))
    docx = exports.write_docx("Audit", {"All": register}, tmp_path / "claims.docx", references=["A ref."])
    doc = Document(docx)
    assert doc.tables[0].rows[1].cells[0].text == register.iloc[0]["Claim"]
    assert any(p.text == "1. A ref." for p in doc.paragraphs)


def test_unknown_parameter_value_fails_before_any_kernel(base):
    with pytest.raises(EvidenceError, match="not a value the data holds"):
        build.check_parameter(base, "subtype", "lupus")
    build.check_parameter(base, "doc_id", "csp_myositis")


def test_templates_expand_to_every_parameter_value(base):
    names = {j.name for j in build.jobs(ROOT, base)}
    for subtype in build.parameter_values(base)["subtype"]:
        assert f"03_by_subtype-{subtype}" in names
    for doc_id in base.tables["documents"]["doc_id"]:
        assert f"06_claims_audit-{doc_id}" in names


@pytest.mark.parametrize("template,param", [("03_by_subtype", "subtype"), ("06_claims_audit", "doc_id"), ("08_by_outcome", "domain")])
def test_every_template_runs_for_every_value(base, tmp_path, template, param):
    import papermill as pm

    for value in build.parameter_values(base)[param]:
        out = tmp_path / f"{template}-{value}.ipynb"
        pm.execute_notebook(str(ROOT / "notebooks" / f"{template}.ipynb"), str(out), parameters={param: value},
                            kernel_name="python3", cwd=str(ROOT / "notebooks"), progress_bar=False)
        assert out.stat().st_size > 1000


def test_html_tables_show_missing_values_as_empty_cells():
    import pandas as pd

    frame = pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "x": pd.array([0.5, None], dtype="Float64")})
    html = tables.to_html(frame)
    assert "NA" not in html and "nan" not in html


def test_incidence_table_computes_missing_percentages(base):
    table = tables.incidence_table(base)
    sekul = table[table["Events / total"] == "6 / 54"].iloc[0]
    assert sekul["%"] == "11.1"
