"""Builds are exclusive, crash-clean and reproducible.

- a second build while one runs stops at once with a message naming the lock;
- after `kill -9` of a build, none of its workers or kernels is left running, and the next
  build gives the same bytes as a clean build;
- two builds of the same input write identical executed notebooks and Office files;
- a markdown-only edit is merged without starting a kernel; a data edit reruns only the
  notebooks that read the edited table; a package-version change reruns everything.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import light_site

from evidence import build


def _notebook(path: Path, cells: list[tuple[str, str]], parameters: str | None = None) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    out = []
    if parameters:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        out.append(cell)
    for kind, src in cells:
        out.append(nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src))
    for i, cell in enumerate(out):
        cell.id = f"c{i}"
    nb.cells = out
    nbformat.write(nb, path)


READS = {
    "90_reads_arms": "from evidence.notebook import setup\nnb = setup()\nprint(len(nb.base.tables['arms']))\nnb.footer()",
    "91_reads_claims": "from evidence.notebook import setup\nnb = setup()\nprint(len(nb.base.tables['claims']))\nnb.footer()",
}


@pytest.fixture
def small_project(project, monkeypatch):
    nbdir = project / "notebooks"
    nbdir.mkdir()
    for name, code in READS.items():
        _notebook(nbdir / f"{name}.ipynb", [("md", f"# {name}"), ("code", code)])
    monkeypatch.setattr(build, "write_exports", lambda root, base, out=None: None)
    monkeypatch.setattr(build, "write_site", light_site)
    return project


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".cache" not in p.parts and p.name != ".lock"}


def _ran(out: str) -> set[str]:
    return {line.split("ran ", 1)[1].split(" in ")[0] for line in out.splitlines() if "] ran " in line}


def _retitle(project, heading: str) -> None:
    """A markdown-only edit: the arms notebook's first (markdown) cell gets a new heading."""
    path = project / "notebooks" / "90_reads_arms.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"][0]["source"] = heading
    path.write_text(json.dumps(nb), encoding="utf-8")


def test_markdown_edit_merges_without_a_kernel_and_data_edit_reruns_only_readers(small_project, capsys):
    assert build.run_build(root=small_project, jobs_n=2) == 0
    assert _ran(capsys.readouterr().out) == set(READS)

    _retitle(small_project, "# A new title for the arms notebook")
    assert build.run_build(root=small_project, jobs_n=2) == 0
    out = capsys.readouterr().out
    assert _ran(out) == set() and "1 with markdown merged" in out
    executed = (small_project / "build" / "executed" / "90_reads_arms.ipynb").read_text(encoding="utf-8")
    assert "A new title for the arms notebook" in executed

    claims = small_project / "data" / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8").replace("IVIG", "IVIg", 1), encoding="utf-8")
    assert build.run_build(root=small_project, jobs_n=2) == 0
    assert _ran(capsys.readouterr().out) == {"91_reads_claims"}

    os.utime(small_project / "data" / "arms.csv")  # touched, not changed
    assert build.run_build(root=small_project, jobs_n=2) == 0
    assert _ran(capsys.readouterr().out) == set()


def test_package_versions_are_in_the_key(small_project, capsys, monkeypatch):
    assert build.run_build(root=small_project, jobs_n=2) == 0
    capsys.readouterr()
    monkeypatch.setattr(build, "installed_versions", lambda: "pandas-99.0.dist-info")
    assert build.run_build(root=small_project, jobs_n=2) == 0
    assert _ran(capsys.readouterr().out) == set(READS)


def test_failed_run_publishes_the_kept_output_with_a_stale_banner(small_project):
    assert build.run_build(root=small_project, jobs_n=2) == 0
    _notebook(small_project / "notebooks" / "91_reads_claims.ipynb", [("md", "# 91"), ("code", "x = 1"), ("code", "raise ValueError('broken')")])
    assert build.run_build(root=small_project, jobs_n=2) == 1
    page = (small_project / "build" / "site" / "91_reads_claims.html").read_text(encoding="utf-8")
    assert "Stale:" in page and "failed at cell 2" in page
    kept = (small_project / "build" / "executed" / "91_reads_claims.ipynb").read_text(encoding="utf-8")
    assert "Stale:" not in kept


def test_two_builds_write_identical_bytes(small_project, tmp_path):
    _notebook(small_project / "notebooks" / "92_template.ipynb", [("md", "# T"), ("code", "print(subtype)")], parameters="subtype = 'dm'")
    monkeypatch_templates = dict(build.TEMPLATES, template="subtype")
    build.TEMPLATES.clear()
    build.TEMPLATES.update(monkeypatch_templates)
    try:
        assert build.run_build(root=small_project, jobs_n=2) == 0
        first = _digests(small_project / "build" / "executed")
        assert build.run_build(root=small_project, jobs_n=2, force=True) == 0
        assert _digests(small_project / "build" / "executed") == first
        assert any(name.startswith("92_template-") for name in first)
    finally:
        build.TEMPLATES.pop("template", None)


def test_office_files_do_not_depend_on_the_clock(tmp_path):
    import pandas as pd

    from evidence import exports

    frame = pd.DataFrame({"A": ["x", "=1+1"], "B": [1, 2]})
    first = exports.write_xlsx({"S": frame}, tmp_path / "a.xlsx").read_bytes()
    docx = exports.write_docx("T", {"S": frame}, tmp_path / "a.docx").read_bytes()
    time.sleep(1.1)
    assert exports.write_xlsx({"S": frame}, tmp_path / "b.xlsx").read_bytes() == first
    assert exports.write_docx("T", {"S": frame}, tmp_path / "b.docx").read_bytes() == docx


def _tree(pid: int) -> list[int]:
    """Every descendant of pid (children, their children...), read from ps."""
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,args="], capture_output=True, text=True).stdout
    children: dict[int, list[tuple[int, str]]] = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2:
            children.setdefault(int(parts[1]), []).append((int(parts[0]), parts[2] if len(parts) > 2 else ""))
    found, todo = [], [pid]
    while todo:
        for child, _ in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _is_kernel(pid: int) -> bool:
    try:
        return "ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="ignore")
    except OSError:
        return False


def test_kill_minus_9_leaves_nothing_running_and_rebuild_matches_clean(small_project):
    slow = "import time\ntime.sleep(30)\nprint('done')"
    _notebook(small_project / "notebooks" / "93_slow.ipynb", [("md", "# slow"), ("code", slow)])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-m", "evidence.cli", "build", "--root", str(small_project), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
    deadline = time.time() + 120
    tree: list[int] = []
    while time.time() < deadline:
        tree = _tree(proc.pid)  # only this build's workers and kernels, not other tests' kernels
        if any(_is_kernel(p) for p in tree):
            break
        time.sleep(0.2)
    assert any(_is_kernel(p) for p in tree), "no kernel started"
    time.sleep(1.0)
    tree = _tree(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    time.sleep(3)
    alive = []
    for p in tree:
        try:
            if "zombie" not in Path(f"/proc/{p}/status").read_text().lower():
                alive.append(p)
        except OSError:
            pass
    assert alive == [], f"still running after kill -9: {alive}"

    (small_project / "notebooks" / "93_slow.ipynb").unlink()
    assert build.run_build(root=small_project, jobs_n=2) == 0
    after_crash = _digests(small_project / "build")
    clean = small_project.parent / (small_project.name + "-clean")
    import shutil

    shutil.copytree(small_project, clean, ignore=shutil.ignore_patterns("build"))
    assert build.run_build(root=clean, jobs_n=2) == 0
    assert _digests(clean / "build") == after_crash


def test_second_build_is_refused_while_one_runs(small_project):
    import fcntl

    lock_dir = small_project / "build"
    lock_dir.mkdir()
    with open(lock_dir / ".lock", "w") as held:
        held.write("12345")
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = subprocess.run([sys.executable, "-m", "evidence.cli", "build", "--root", str(small_project)],
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "another build is running (pid 12345)" in proc.stderr


def _counting_exports(calls: list[str], fail: bool = False):
    """A write_exports stand-in that writes one file per call (and can fail half-way)."""
    def write(root: Path, base, out: Path | None = None) -> Path:
        calls.append(str(out))
        out = out or root / "build" / "exports"
        (out / "charts").mkdir(parents=True, exist_ok=True)
        (out / "charts" / "a.svg").write_text(f"version {len(calls)}", encoding="utf-8")
        if fail:
            raise RuntimeError("renderer broke on purpose")
        return out
    return write


def test_markdown_edit_rewrites_the_site_but_not_the_exports(small_project, capsys, monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(build, "write_exports", _counting_exports(calls))
    assert build.run_build(root=small_project, jobs_n=2) == 0
    assert len(calls) == 1
    capsys.readouterr()

    _retitle(small_project, "# Arms, retitled")
    assert build.run_build(root=small_project, jobs_n=2) == 0
    out = capsys.readouterr().out
    assert _ran(out) == set() and len(calls) == 1
    assert "exports: up to date" in out and "writing site" in out
    assert "Arms, retitled" in (small_project / "build" / "site" / "90_reads_arms.html").read_text(encoding="utf-8")

    claims = small_project / "data" / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8").replace("IVIG", "IVIg", 1), encoding="utf-8")
    assert build.run_build(root=small_project, jobs_n=2) == 0
    assert len(calls) == 2  # a data edit redoes the exports


def test_failed_export_keeps_the_previous_exports_whole(small_project, capsys, monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(build, "write_exports", _counting_exports(calls))
    assert build.run_build(root=small_project, jobs_n=2) == 0
    exported = small_project / "build" / "exports" / "charts" / "a.svg"
    assert exported.read_text(encoding="utf-8") == "version 1"
    site_before = _digests(small_project / "build" / "site")
    capsys.readouterr()

    monkeypatch.setattr(build, "write_exports", _counting_exports(calls, fail=True))
    claims = small_project / "data" / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8").replace("IVIG", "IVIg", 1), encoding="utf-8")
    assert build.run_build(root=small_project, jobs_n=2) == 1
    err = capsys.readouterr().err
    assert "renderer broke on purpose" in err and "previous exports are kept" in err
    assert exported.read_text(encoding="utf-8") == "version 1"
    assert _digests(small_project / "build" / "site") == site_before
    assert [p.name for p in (small_project / "build").iterdir() if p.name.startswith(".exports")] == []

    monkeypatch.setattr(build, "write_exports", _counting_exports(calls))
    assert build.run_build(root=small_project, jobs_n=2) == 0  # the failed export is retried
    assert exported.read_text(encoding="utf-8") == "version 3"
