"""The build keeps the last good output of a notebook that fails, and says which cell."""

import nbformat
import pytest
from conftest import light_site

from evidence import build


def _notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)


@pytest.fixture
def small_project(project, monkeypatch):
    (project / "notebooks").mkdir()
    _notebook(project / "notebooks" / "90_good.ipynb", ["print('good')"])
    _notebook(project / "notebooks" / "91_flaky.ipynb", ["x = 1", "print('first version')"])
    monkeypatch.setattr(build, "write_exports", lambda root, base, out=None: None)
    monkeypatch.setattr(build, "write_site", light_site)
    return project


def test_failed_notebook_keeps_previous_output_and_names_cell(small_project, capsys):
    assert build.run_build(root=small_project, jobs_n=2) == 0
    kept = small_project / "build" / "executed" / "91_flaky.ipynb"
    assert "first version" in kept.read_text(encoding="utf-8")

    _notebook(small_project / "notebooks" / "91_flaky.ipynb", ["x = 1", "raise ValueError('broken on purpose')"])
    assert build.run_build(root=small_project, jobs_n=2) == 1
    err = capsys.readouterr().err
    assert "91_flaky" in err and "cell 2" in err and "ValueError" in err
    assert "first version" in kept.read_text(encoding="utf-8")
    assert (small_project / "build" / "site" / "91_flaky.html").exists()
    assert not list((small_project / "build").rglob(".*.tmp*"))


def test_unchanged_inputs_skip_execution(small_project, capsys):
    assert build.run_build(root=small_project, jobs_n=2) == 0
    capsys.readouterr()
    assert build.run_build(root=small_project, jobs_n=2) == 0
    out = capsys.readouterr().out
    assert "up to date" in out and "ran " not in out


def test_param_narrows_templates_and_rejects_unknown_values(project):
    from evidence.data import validate
    from evidence.errors import EvidenceError

    base = validate(project)
    (project / "notebooks").mkdir()
    _notebook(project / "notebooks" / "03_by_subtype.ipynb", ["subtype = 'dm'"])
    names = [j.name for j in build.jobs(project, base, params={"subtype": "ibm"})]
    assert names == ["03_by_subtype-ibm"]
    with pytest.raises(EvidenceError, match="not a value the data holds"):
        build.jobs(project, base, params={"subtype": "lupus"})


def test_cli_param_errors_are_messages_not_tracebacks(project):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "evidence.cli", "build", "--root", str(project), "--param", "doc_id=nope"],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "'nope' is not a value the data holds" in proc.stderr
    assert not (project / "build" / "executed").exists() or not list((project / "build" / "executed").iterdir())


def test_build_leaves_the_working_directory_alone(small_project):
    import os

    before = os.getcwd()
    assert build.run_build(root=small_project, jobs_n=2, force=True) == 0
    assert os.getcwd() == before


def test_charts_import_skips_the_iri_grammar_but_still_checks_uris():
    """Kernels import altair through evidence.charts; the schema's uri formats stay checked."""
    import subprocess
    import sys

    code = ("import sys\nfrom evidence import charts\nimport jsonschema\n"
            "print('rfc3987_syntax' in sys.modules, 'uri' in jsonschema.FormatChecker().checkers,"
            " 'uri-reference' in jsonschema.FormatChecker().checkers)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "True"]


def test_a_clean_build_logs_no_error_line(small_project, capfd):
    # Kernels write to the build's own stderr; jupyter_client's interrupt before shutdown made an
    # idle kernel log "ERROR | KeyboardInterrupt caught in kernel".
    for i in range(4):
        _notebook(small_project / "notebooks" / f"9{i + 2}_more.ipynb", [f"print({i})"])
    assert build.run_build(root=small_project, jobs_n=2) == 0
    out, err = capfd.readouterr()
    assert "ERROR" not in out + err and "KeyboardInterrupt" not in out + err
