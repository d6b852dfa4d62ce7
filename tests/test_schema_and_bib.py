import json
import re

from conftest import ROOT

from evidence import bib, schema, vocab
from evidence.data import validate


def test_committed_datapackage_is_generated_from_schema():
    committed = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert committed == schema.datapackage(), "run `evidence schema` after editing src/evidence/schema.py"


def test_enumerations_come_from_vocab():
    fields = {f["name"]: f for r in schema.datapackage()["resources"] for f in r["schema"]["fields"]}
    assert fields["verdict"]["constraints"]["enum"] == ["supported", "partly_supported", "not_supported", "contradicted", "not_assessable"]
    assert fields["certainty"]["constraints"]["enum"] == ["high", "moderate", "low", "very_low"]
    assert fields["subtype"]["constraints"]["enum"] == vocab.SUBTYPE.codes


def test_frictionless_agrees_the_package_is_valid():
    from frictionless import Package, system

    with system.use_context(trusted=True):
        report = Package(str(ROOT / "data" / "datapackage.json")).validate()
    errors = [e.message for task in report.tasks for e in task.errors][:5]
    assert report.valid, errors


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {re.split(r"[<>=!\[ ]", d)[0].lower() for d in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    listed = {re.split(r"[<>=!\[ ]", line.strip()[2:])[0].lower() for line in env.splitlines() if line.strip().startswith("- ") and not line.strip().startswith("- pip")}
    assert wanted <= listed, f"missing from environment.yml: {sorted(wanted - listed)}"


def test_ama_format_of_a_verified_article():
    base = validate(ROOT)
    text = base.bib.ama("aggarwal2022proderm")
    assert text.startswith("Aggarwal R, Charles-Schoeman C, Schessl J, et al.")
    assert "N Engl J Med" in text or "New England Journal of Medicine" in text
    assert "2022;387(14):1264-1278" in text


def test_plain_strips_latex_for_display_only():
    assert bib.plain(r"Vencovsk{\'y}") == "Vencovský"
    assert bib.plain(r"Arthritis Research \& Therapy") == "Arthritis Research & Therapy"


def test_corporate_author_stays_whole_and_dotless_i_decodes(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text("""@article{cdc1999renal,
  author = {{Centers for Disease Control and Prevention}},
  title = {Renal failure report},
  journal = {MMWR},
  year = {1999}
}
@article{bayir2023headache,
  author = {Has{\\i}rc{\\i} Bay{\\i}r, Buse and Doe, Jane},
  title = {Headache},
  journal = {J},
  year = {2023}
}
""", encoding="utf-8")
    refs = bib.load_bibliography(path)
    assert refs.short("cdc1999renal") == "Centers for Disease Control and Prevention 1999"
    assert refs.ama("cdc1999renal").startswith("Centers for Disease Control and Prevention. Renal failure report.")
    assert refs.ama("bayir2023headache").startswith("Has\u0131rc\u0131 Bay\u0131r B, Doe J.")
