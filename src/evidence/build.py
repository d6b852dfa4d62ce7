"""`evidence build`: validate, execute notebooks (cached, in parallel), render the site, export.

- One build at a time: a lock file in build/ makes a second build stop with a message.
- Each notebook (a template once per parameter value) runs through papermill in a process
  pool; workers and kernels die with the build (parent-death signal plus a watchdog), so a
  killed build leaves nothing running that could still replace files.
- A run is skipped when its key is unchanged: the key hashes the notebook's code cells, its
  parameters, the package source, the installed package versions, and the data files the
  notebook read on its last run (recorded by the notebook's footer). An edit to markdown
  alone is merged into the kept output without starting a kernel.
- A no-op rebuild compares one digest of every input with the last good build's and stops
  there, before importing pandas or nbformat.
- A notebook that fails keeps its previous good output, published with a "stale" banner; the
  command exits non-zero naming the notebook and the cell.
- Every file is written under a temporary name and moved into place; identical inputs give
  identical bytes (fixed cell ids, fixed document timestamps).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import atomic_write
from .errors import EvidenceError, Problem
from .locking import build_lock
from .paths import BIB_FILE, DATA_DIR, find_root

if TYPE_CHECKING:
    from .data import EvidenceBase

NOTEBOOK_DIR = "notebooks"
BUILD_DIR = "build"
TEMPLATES = {"by_subtype": "subtype", "claims_audit": "doc_id", "by_outcome": "domain"}
KERNEL = "python3"


@dataclass
class Job:
    notebook: Path
    name: str
    parameters: dict[str, str] = field(default_factory=dict)


def parameter_values(base: EvidenceBase) -> dict[str, list[str]]:
    """Values each template parameter may take, from the data."""
    subtypes = sorted(set(base.tables["studies"]["subtype"]) - {"myositis", "any_indication"})
    from .summaries import domains_with_data

    return {"subtype": subtypes, "doc_id": sorted(base.tables["documents"]["doc_id"]), "domain": domains_with_data(base)}


def check_parameter(base: EvidenceBase, name: str, value: str) -> None:
    """Reject a parameter value the data does not hold, before any kernel starts."""
    allowed = parameter_values(base).get(name)
    if allowed is None:
        raise EvidenceError([Problem(file="command line", message=f"unknown parameter '{name}'")])
    if value not in allowed:
        raise EvidenceError([Problem(file="command line", field=name,
                                     message=f"'{value}' is not a value the data holds; choose one of: {', '.join(allowed)}")])


def jobs(root: Path, base: EvidenceBase, only: list[str] | None = None, params: dict[str, str] | None = None) -> list[Job]:
    """Every notebook run; `params` (checked against the data) narrows templates to one value each."""
    values = parameter_values(base)
    for name, value in (params or {}).items():
        check_parameter(base, name, value)
        values[name] = [value]
    out: list[Job] = []
    for nb in sorted((root / NOTEBOOK_DIR).glob("*.ipynb")):
        stem = nb.stem.split("_", 1)[1] if nb.stem[:2].isdigit() else nb.stem
        if only and nb.stem not in only and stem not in only:
            continue
        param = TEMPLATES.get(stem)
        if param:
            out += [Job(nb, f"{nb.stem}-{v}", {param: v}) for v in values[param]]
        else:
            out.append(Job(nb, nb.stem))
    return out


def _file_list_digest(root: Path, rels: list[str]) -> str:
    digest = hashlib.sha256()
    for rel in sorted(set(rels)):
        path = root / rel
        digest.update(rel.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def data_files(root: Path) -> list[str]:
    """Every input a notebook may read: the tables, their descriptor and the bibliography."""
    return [f"{DATA_DIR}/{p.name}" for p in sorted((root / DATA_DIR).glob("*")) if p.is_file()] + [BIB_FILE]


def package_digest() -> str:
    """The package's own source and templates: a code change reruns every notebook."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(here.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(here)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def installed_versions() -> str:
    """Every installed distribution and version, read from the dist-info folder names (cheap)."""
    import site
    import sysconfig

    folders = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    names: list[str] = []
    for folder in sorted(folders):
        try:
            names += [n for n in os.listdir(folder) if n.endswith(".dist-info")]
        except OSError:
            continue
    return hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()


def _read_json_notebook(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise EvidenceError([Problem(file=str(path), message=f"not a readable notebook: {exc}")]) from None


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def notebook_texts(path: Path) -> tuple[str, str]:
    """(code, markdown) of a notebook, read as plain JSON: no nbformat import on the fast path."""
    nb = _read_json_notebook(path)
    code = "\n\0".join(_source(c) for c in nb.get("cells", []) if c.get("cell_type") == "code")
    markdown = "\n\0".join(f"{c.get('id', '')}\0{_source(c)}" for c in nb.get("cells", []) if c.get("cell_type") == "markdown")
    return code, markdown


def cache_key(job: Job, shared: str, deps_digest: str = "") -> str:
    """What decides whether a notebook's kernel must run again (markdown is not part of it)."""
    code, _ = notebook_texts(job.notebook)
    payload = json.dumps({"code": code, "params": job.parameters, "shared": shared, "deps": deps_digest}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def clean_notebook(nb: dict) -> dict:
    """Drop volatile metadata (papermill timings, execution stamps) and fix cell ids, so that
    two runs of the same input write the same bytes."""
    nb.get("metadata", {}).pop("papermill", None)
    nb.get("metadata", {}).pop("widgets", None)
    seen: set[str] = set()
    for i, cell in enumerate(nb.get("cells", [])):
        meta = cell.get("metadata", {})
        for key in ("papermill", "execution", "collapsed", "scrolled"):
            meta.pop(key, None)
        if "injected-parameters" in meta.get("tags", []):
            cell["id"] = "injected-parameters"
        elif not cell.get("id") or cell["id"] in seen:
            cell["id"] = f"cell-{i}"
        seen.add(cell["id"])
    return nb


def _ipc_kernel_manager():
    """A kernel manager that talks to its kernel over local sockets (no TCP, so no unencrypted
    ports and no warning) and starts the kernel so that it dies with its worker."""
    import tempfile

    from jupyter_client.manager import AsyncKernelManager, KernelManager

    from .locking import die_with_parent

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.transport = "ipc"
            self.ip = str(Path(tempfile.mkdtemp(prefix="evidence-kernel-")) / "k")

        async def _launch_kernel(self, kernel_cmd, **kw):  # type: ignore[override]
            kw["preexec_fn"] = die_with_parent
            return await KernelManager._async_launch_kernel(self, kernel_cmd, **kw)

        async def _async_interrupt_kernel(self) -> None:  # type: ignore[override]
            # jupyter_client interrupts the kernel before asking it to shut down; an idle kernel then
            # logs "ERROR | KeyboardInterrupt caught in kernel". The notebook has finished by then.
            if getattr(self, "shutting_down", False):
                return
            await super()._async_interrupt_kernel()

        async def cleanup_resources(self, restart: bool = False) -> None:  # type: ignore[override]
            await super().cleanup_resources(restart=restart)
            if not restart:
                shutil.rmtree(Path(self.ip).parent, ignore_errors=True)

    return IPCKernelManager


@dataclass
class Outcome:
    ok: bool
    message: str = ""
    seconds: float = 0.0
    cell: int | None = None


def _execute(job: Job, root: Path, out_path: Path, deps_path: Path) -> Outcome:
    import logging

    import nbformat
    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    tmp = out_path.with_name(f".{out_path.name}.tmp.ipynb")
    deps_path.unlink(missing_ok=True)
    os.environ["EVIDENCE_DEPS_FILE"] = str(deps_path)
    started = time.perf_counter()
    try:
        pm.execute_notebook(str(job.notebook), str(tmp), parameters=job.parameters, kernel_name=KERNEL,
                            cwd=str(job.notebook.parent), progress_bar=False, log_output=False,
                            request_save_on_cell_execute=False, kernel_manager_class=_ipc_kernel_manager())
    except pm.PapermillExecutionError as exc:
        tmp.unlink(missing_ok=True)
        return Outcome(False, f"{job.name}: cell {exc.exec_count} raised {exc.ename}: {exc.evalue}",
                       time.perf_counter() - started, exc.exec_count)
    except Exception as exc:  # a kernel that dies or a notebook that cannot be read
        tmp.unlink(missing_ok=True)
        return Outcome(False, f"{job.name}: {type(exc).__name__}: {exc}", time.perf_counter() - started)
    except BaseException:  # interrupted: leave nothing half-written behind
        tmp.unlink(missing_ok=True)
        raise
    nb = clean_notebook(nbformat.read(tmp, as_version=4))
    nbformat.write(nb, tmp)
    os.replace(tmp, out_path)
    return Outcome(True, "", time.perf_counter() - started)


def merge_markdown(source: Path, executed: Path) -> bool:
    """Copy the source notebook's markdown cells into the kept output, matched by cell id.
    Returns False when the cells no longer line up (then the notebook must run again)."""
    src = _read_json_notebook(source)
    out = _read_json_notebook(executed)
    by_id = {c.get("id"): c for c in out.get("cells", [])}
    for cell in src.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        target = by_id.get(cell.get("id"))
        if target is None or target.get("cell_type") != "markdown":
            return False
        target["source"] = cell["source"]
    atomic_write(executed, lambda p: p.write_text(json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"))
    return True


def write_site(root: Path, executed: dict[str, Path], base: EvidenceBase) -> Path:
    """Render the executed notebooks into build/site (Sphinx + MyST-NB; see evidence.publish)."""
    from .publish import publish

    return publish(root, executed, base, root / BUILD_DIR / "site")


def write_exports(root: Path, base: EvidenceBase, out: Path | None = None) -> Path:
    """Charts (PNG/SVG with source line, slide PNGs, HTML), tables (CSV, XLSX), audits (CSV, XLSX,
    DOCX), summary-of-findings DOCX per subtype, and slide decks, into `out` (default build/exports)."""
    from . import charts, documents, exports, slides, tables, vocab

    out = out or root / BUILD_DIR / "exports"
    for figure in charts.all_figures(base):
        exports.write_chart(figure, out / "charts")
        charts.write_data(figure, out / "charts")
    sheets = {"Study characteristics": tables.study_characteristics(base)}
    about = {"Study characteristics": "Study characteristics: design, size, regimen, risk of bias. Data: data/studies.csv, data/arms.csv."}
    subtypes = sorted(set(base.tables["certainty"]["subtype"]))
    for code in subtypes:
        name = f"SoF {vocab.SUBTYPE.label(code)}"[:31]
        sheets[name] = tables.summary_of_findings(base, code)
        about[name] = (f"Summary of findings, IVIG for {vocab.SUBTYPE.label(code)}. Data: data/results.csv (counts), "
                       "data/certainty.csv (GRADE ratings and reasons).")
    sheets["Adverse events"] = tables.adverse_event_table(base)
    about["Adverse events"] = "Adverse events by study and arm. Data: data/adverse_events.csv, data/arms.csv."
    for name, frame in sheets.items():
        exports.write_csv(frame, out / "tables" / f"{name.lower().replace(' ', '-')}.csv")
    exports.write_xlsx(sheets, out / "tables" / "evidence-tables.xlsx", about)
    for code in subtypes:
        documents.summary_of_findings_docx(base, code, out / "tables" / f"summary-of-findings-{code}.docx")
    for doc_id, title in zip(base.tables["documents"]["doc_id"], base.tables["documents"]["title"]):
        register = tables.claims_register(base, doc_id)
        audit = tables.reference_audit(base, doc_id)
        exports.write_csv(register, out / "audits" / f"claims-{doc_id}.csv")
        exports.write_csv(audit, out / "audits" / f"references-{doc_id}.csv")
        shown = register.assign(Evidence=register["Evidence"].str.replace(";", "; ", regex=False))
        exports.write_xlsx({"Claims": shown, "References": audit}, out / "audits" / f"audit-{doc_id}.xlsx", {
            "Claims": f"Claims register of '{title}': each claim in our words, verdict, certainty, rationale. Data: data/claims.csv.",
            "References": f"Reference list of '{title}' checked entry by entry. Data: data/document_references.csv, references.bib.",
        })
        documents.claims_register_docx(base, doc_id, out / "audits" / f"claims-{doc_id}.docx")
        documents.reference_audit_docx(base, doc_id, out / "audits" / f"references-{doc_id}.docx")
    slides.write_decks(base, out / "slides")
    return out


EXPORTS_STAGING = ".exports-staging"


def _exports_key(shared: str, root: Path) -> str:
    """What the exports depend on: the data, the bibliography, the package and installed versions;
    not the notebooks (a markdown or notebook-code edit leaves them as they are)."""
    return hashlib.sha256(json.dumps(["exports", shared, _file_list_digest(root, data_files(root))]).encode()).hexdigest()


def _site_key(shared: str, exports_key: str, published: dict[str, str]) -> str:
    """What the site depends on: every published page's run key and markdown, and the exports it
    copies in (whose key covers the data the landing page is generated from)."""
    return hashlib.sha256(json.dumps(["site", shared, exports_key, sorted(published.items())]).encode()).hexdigest()


def _stage_exports(root: Path, base: EvidenceBase, staging: Path) -> Path:
    """Write every export into a staging folder (run in a thread beside the kernels)."""
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    write_exports(root, base, staging)
    return staging


def _swap_in(staging: Path, target: Path) -> None:
    """Replace `target` by the staged folder: readers see all old files or all new ones."""
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def _remove_partial_files(build_dir: Path) -> None:
    """Temporary files left by an interrupted earlier run."""
    shutil.rmtree(build_dir / EXPORTS_STAGING, ignore_errors=True)
    if build_dir.exists():
        for old in build_dir.glob(".exports-old-*"):
            shutil.rmtree(old, ignore_errors=True)
        for stale in build_dir.rglob(".*.tmp*"):
            stale.unlink(missing_ok=True)
        for stale in build_dir.rglob(".*.ipynb"):
            stale.unlink(missing_ok=True)


STATE_FILE = "state.json"


def inputs_digest(root: Path) -> str:
    """One digest of everything a build reads: data, bib, notebooks, package source, installed versions."""
    notebooks = [f"{NOTEBOOK_DIR}/{p.name}" for p in sorted((root / NOTEBOOK_DIR).glob("*.ipynb"))]
    return hashlib.sha256("\0".join([_file_list_digest(root, data_files(root) + notebooks), package_digest(),
                                     installed_versions()]).encode()).hexdigest()


def _read_state(cache_dir: Path) -> dict:
    try:
        return json.loads((cache_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _stamp_path(cache_dir: Path, job: Job) -> Path:
    return cache_dir / f"{job.name}.key"


def _read_stamp(path: Path) -> dict:
    try:
        stamp = json.loads(path.read_text(encoding="utf-8"))
        return stamp if isinstance(stamp, dict) else {}
    except (OSError, ValueError):
        return {}


def _deps_digest(root: Path, cache_dir: Path, job: Job) -> str:
    """Digest of the data files this notebook read on its last good run (all of them if unknown)."""
    try:
        rels = json.loads((cache_dir / f"{job.name}.deps.json").read_text(encoding="utf-8"))
        rels = [r for r in rels if isinstance(r, str)]
    except (OSError, ValueError, TypeError):
        rels = data_files(root)
    return _file_list_digest(root, rels or data_files(root))


def _stale_copy(cache_dir: Path, job: Job, kept: Path, stale: dict) -> Path:
    """The kept output with a banner saying it is stale, for publication (the kept file stays clean)."""
    nb = _read_json_notebook(kept)
    where = f"cell {stale['cell']}" if stale.get("cell") else "start-up"
    banner = {"cell_type": "markdown", "id": "stale-banner", "metadata": {"tags": ["stale-banner"]},
              "source": f"> **Stale:** the last run of this page failed at {where} on {stale['date']}; "
                        "what follows is the previous good output."}
    cells = nb.get("cells", [])
    insert_at = next((i + 1 for i, c in enumerate(cells) if c.get("cell_type") == "markdown" and _source(c).startswith("# ")), 0)
    nb["cells"] = cells[:insert_at] + [banner] + cells[insert_at:]
    out = cache_dir / "stale" / f"{job.name}.ipynb"
    atomic_write(out, lambda p: p.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"))
    return out


def _eta(remaining: list[Job], durations: dict[str, float], workers: int) -> str:
    known = [durations.get(j.name) for j in remaining]
    if not remaining or any(d is None for d in known):
        return ""
    return f"; about {sum(known) / max(1, min(workers, len(remaining))):.0f} s left"


def run_build(root: Path | None = None, force: bool = False, update_notebooks: bool = False,
              only: list[str] | None = None, jobs_n: int | None = None, params: dict[str, str] | None = None, **kwargs) -> int:
    root = root or find_root()
    build_dir = root / BUILD_DIR
    with build_lock(build_dir):
        return _run_locked(root, force, update_notebooks, only, kwargs.get("jobs") or jobs_n, params)


def _run_locked(root: Path, force: bool, update_notebooks: bool, only: list[str] | None,
                jobs_n: int | None, params: dict[str, str] | None) -> int:
    started = time.perf_counter()
    build_dir = root / BUILD_DIR
    cache_dir = build_dir / ".cache"
    _remove_partial_files(build_dir)
    digest = inputs_digest(root)
    plain = not (force or update_notebooks or only or params)
    if plain and _read_state(cache_dir).get("inputs") == digest and (build_dir / "site" / "index.html").exists():
        print(f"up to date: nothing changed since the last good build ({time.perf_counter() - started:.2f}s)")
        return 0

    from .data import validate

    base = validate(root)
    selected = jobs(root, base, only, params)
    print(f"validated: {base.summary()}")
    executed_dir = build_dir / "executed"
    executed_dir.mkdir(parents=True, exist_ok=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    shared = hashlib.sha256((package_digest() + installed_versions()).encode()).hexdigest()
    todo: list[tuple[Job, Path, str, Path]] = []
    done: dict[str, Path] = {}
    merged = 0
    for job in selected:
        out = executed_dir / f"{job.name}.ipynb"
        key = cache_key(job, shared, _deps_digest(root, cache_dir, job))
        stamp_path = _stamp_path(cache_dir, job)
        stamp = _read_stamp(stamp_path)
        _, markdown = notebook_texts(job.notebook)
        md_key = hashlib.sha256(markdown.encode()).hexdigest()
        if not force and out.exists() and stamp.get("key") == key:
            if stamp.get("markdown") != md_key:
                if not merge_markdown(job.notebook, out):
                    todo.append((job, out, key, stamp_path))
                    continue
                merged += 1
                atomic_write(stamp_path, lambda p, key=key, md=md_key: p.write_text(json.dumps({"key": key, "markdown": md})))
            done[job.name] = out
        else:
            todo.append((job, out, key, stamp_path))
    print(f"notebooks: {len(done)} up to date ({merged} with markdown merged, no kernel), {len(todo)} to run", flush=True)
    if only or params:  # the site still lists what earlier builds produced
        for job in jobs(root, base):
            previous = executed_dir / f"{job.name}.ipynb"
            if job.name not in done and previous.exists() and all(job.name != j.name for j, *_ in todo):
                done[job.name] = previous
    failures: list[str] = []
    stale_pages: dict[str, Path] = {}
    durations_path = cache_dir / "durations.json"
    try:
        durations = json.loads(durations_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        durations = {}
    workers = max(1, jobs_n or os.cpu_count() or 1)
    exports_key = _exports_key(shared, root)
    exports_stamp = cache_dir / "exports.key"
    exports_dir = build_dir / "exports"
    redo_exports = force or not exports_dir.is_dir() or not exports_stamp.exists() or exports_stamp.read_text() != exports_key
    exporter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence-exports")
    staged: Future[Path] | None = None

    def start_exports() -> None:
        nonlocal staged
        if redo_exports and staged is None:
            print("writing exports (beside the notebooks)", flush=True)
            staged = exporter.submit(_stage_exports, root, base, build_dir / EXPORTS_STAGING)

    if todo:
        # Processes, not threads: papermill changes the working directory while it starts a kernel.
        with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init, initargs=(os.getpid(),)) as pool:
            futures = {pool.submit(_execute, job, root, out, cache_dir / f"{job.name}.deps.tmp"): (job, out, key, stamp)
                       for job, out, key, stamp in todo}
            start_exports()  # only now: the workers are forked before the export thread exists
            remaining = [job for job, *_ in todo]
            print(f"running: {', '.join(j.name for j in remaining[:workers])}{_eta(remaining, durations, workers)}", flush=True)
            for i, future in enumerate(as_completed(futures), start=1):
                job, out, key, stamp = futures[future]
                outcome: Outcome = future.result()
                remaining.remove(job)
                durations[job.name] = round(outcome.seconds, 1)
                stale_file = cache_dir / f"{job.name}.stale.json"
                if outcome.ok:
                    deps_tmp = cache_dir / f"{job.name}.deps.tmp"
                    if deps_tmp.exists():
                        os.replace(deps_tmp, cache_dir / f"{job.name}.deps.json")
                    new_key = cache_key(job, shared, _deps_digest(root, cache_dir, job))
                    _, markdown = notebook_texts(job.notebook)
                    md_key = hashlib.sha256(markdown.encode()).hexdigest()
                    atomic_write(stamp, lambda p, k=new_key, md=md_key: p.write_text(json.dumps({"key": k, "markdown": md})))
                    stale_file.unlink(missing_ok=True)
                    done[job.name] = out
                    status = f"ran {job.name} in {outcome.seconds:.1f}s"
                else:
                    failures.append(outcome.message)
                    status = f"FAILED {outcome.message}"
                    if out.exists():
                        info = {"cell": outcome.cell, "date": time.strftime("%Y-%m-%d")}
                        atomic_write(stale_file, lambda p, info=info: p.write_text(json.dumps(info)))
                        done[job.name] = out
                running = ", ".join(j.name for j in remaining[:workers])
                print(f"[{i}/{len(todo)}] {status}" + (f"; running: {running}{_eta(remaining, durations, workers)}" if running else ""),
                      file=sys.stderr if not outcome.ok else sys.stdout, flush=True)
        atomic_write(durations_path, lambda p: p.write_text(json.dumps(durations, sort_keys=True)))
    start_exports()
    exports_failed = False
    if staged is not None:
        try:
            _swap_in(staged.result(), exports_dir)
            if not failures:
                atomic_write(exports_stamp, lambda p: p.write_text(exports_key))
        except Exception as exc:  # the previous exports stay as they were
            shutil.rmtree(build_dir / EXPORTS_STAGING, ignore_errors=True)
            exports_stamp.unlink(missing_ok=True)
            exports_failed = True
            failures.append(f"exports: {type(exc).__name__}: {exc}; the previous exports are kept")
        finally:
            exporter.shutdown()
    else:
        exporter.shutdown()
    for name, path in list(done.items()):
        stale_file = cache_dir / f"{name}.stale.json"
        if stale_file.exists():
            try:
                info = json.loads(stale_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                info = {"cell": None, "date": "an earlier build"}
            job = next((j for j in jobs(root, base) if j.name == name), None)
            if job is not None:
                stale_pages[name] = _stale_copy(cache_dir, job, path, info)
    if update_notebooks:
        for job in selected:
            if job.name in done and (not job.parameters or job.name == _default_name(job)):
                shutil.copyfile(done[job.name], job.notebook)
    published = {**done, **stale_pages}
    site_key = _site_key(shared, exports_key, {n: json.dumps(_read_stamp(_stamp_path(cache_dir, Job(p, n))), sort_keys=True)
                                               + (" stale" if n in stale_pages else "") for n, p in published.items()})
    site_stamp = cache_dir / "site.key"
    site = build_dir / "site"
    if not redo_exports:
        print("exports: up to date")
    if exports_failed:
        print("site: not rewritten (the exports it copies in failed)", file=sys.stderr)
    elif (force or failures or stale_pages or not (site / "index.html").exists() or not site_stamp.exists()
            or site_stamp.read_text() != site_key):
        print("writing site", flush=True)
        site = write_site(root, published, base)
        if not failures:
            atomic_write(site_stamp, lambda p: p.write_text(site_key))
    else:
        print("site: up to date")
    if not failures and not stale_pages and plain:
        atomic_write(cache_dir / STATE_FILE, lambda p: p.write_text(json.dumps({"inputs": inputs_digest(root)})))
    elif failures:
        (cache_dir / STATE_FILE).unlink(missing_ok=True)
    print(f"site: {site / 'index.html'}; exports: {build_dir / 'exports'}; {time.perf_counter() - started:.1f}s")
    if failures:
        for message in failures:
            print(f"error: {message}", file=sys.stderr)
        return 1
    return 0


def _worker_init(parent_pid: int) -> None:
    from .locking import worker_init

    worker_init(parent_pid)


def _default_name(job: Job) -> str:
    nb = _read_json_notebook(job.notebook)
    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            namespace: dict[str, str] = {}
            exec(_source(cell), {}, namespace)  # the parameters cell holds plain assignments only
            return f"{job.notebook.stem}-{next(iter(namespace.values()))}"
    return job.name
