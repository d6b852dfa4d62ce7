"""The build keeps the last good output of a notebook that fails, and says which cell."""

import nbformat
import pytest

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
    monkeypatch.setattr(build, "write_exports", lambda root, base: None)
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
    assert "2 up to date, 0 to run" in capsys.readouterr().out
