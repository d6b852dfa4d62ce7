"""`evidence build`: validate, execute notebooks (cached, in parallel), render the site, export.

- Each notebook (a template once per parameter value) runs through papermill in a
  process pool sized to the machine's cores.
- A run is skipped when its cache key is unchanged: the key hashes the notebook's
  code cells, its parameters, every data file, references.bib and the package source.
- A notebook that fails keeps its previous good output; the others still build and
  the command exits non-zero naming the notebook and the cell.
- Every file is written under a temporary name and moved into place.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .data import BIB_FILE, DATA_DIR, EvidenceBase, find_root, validate
from .errors import EvidenceError, Problem
from .exports import atomic_write

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


def _source_digest(root: Path) -> str:
    digest = hashlib.sha256()
    files = sorted((root / DATA_DIR).glob("*")) + [root / BIB_FILE] + sorted(Path(__file__).parent.glob("*.py"))
    for path in files:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(job: Job, shared: str) -> str:
    nb = nbformat.read(job.notebook, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type in ("code", "markdown"))
    payload = json.dumps({"code": code, "params": job.parameters, "shared": shared}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def clean_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop volatile metadata (papermill timings, execution stamps) for stable diffs."""
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for key in ("papermill", "execution", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
    return nb


def _execute(job: Job, root: Path, out_path: Path) -> tuple[bool, str]:
    import papermill as pm

    tmp = out_path.with_name(f".{out_path.name}.tmp.ipynb")
    try:
        pm.execute_notebook(str(job.notebook), str(tmp), parameters=job.parameters, kernel_name=KERNEL,
                            cwd=str(job.notebook.parent), progress_bar=False, log_output=False)
    except pm.PapermillExecutionError as exc:
        tmp.unlink(missing_ok=True)
        return False, f"{job.name}: cell {exc.exec_count} raised {exc.ename}: {exc.evalue}"
    except Exception as exc:  # a kernel that dies or a notebook that cannot be read
        tmp.unlink(missing_ok=True)
        return False, f"{job.name}: {type(exc).__name__}: {exc}"
    except BaseException:  # interrupted: leave nothing half-written behind
        tmp.unlink(missing_ok=True)
        raise
    nb = clean_notebook(nbformat.read(tmp, as_version=4))
    nbformat.write(nb, tmp)
    os.replace(tmp, out_path)
    return True, ""


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{css}</style></head><body><main>{body}</main></body></html>
"""
CSS = """body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0;background:#fafafa;color:#222}
main{max-width:1200px;margin:0 auto;padding:24px 32px;background:#fff}
table.evidence-table,table.dataframe{border-collapse:collapse;font-size:14px;margin:12px 0}
table.evidence-table td,table.evidence-table th,table.dataframe td,table.dataframe th{border:1px solid #ddd;padding:4px 8px;vertical-align:top;text-align:left}
figure.evidence-figure{margin:16px 0}figcaption,p.caption{font-size:14px;color:#444;max-width:900px}
svg{max-width:100%;height:auto}a{color:#0072B2}.repro{font-size:12px;color:#666}"""


def render_page(nb_path: Path, title: str) -> str:
    """A notebook as an HTML page without code cells, no external scripts or styles."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(nb_path, as_version=4))
    return PAGE.format(title=html.escape(title), css=CSS, body=body)


def _nb_title(nb_path: Path) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return nb_path.stem


def write_site(root: Path, executed: dict[str, Path], base: EvidenceBase) -> Path:
    """Render the executed notebooks into build/site (Sphinx + MyST-NB; see evidence.publish)."""
    from .publish import publish

    return publish(root, executed, base, root / BUILD_DIR / "site")


def write_exports(root: Path, base: EvidenceBase) -> Path:
    from . import charts, exports, tables, vocab

    out = root / BUILD_DIR / "exports"
    for figure in charts.all_figures(base):
        exports.write_chart(figure, out / "charts")
    sheets = {"Study characteristics": tables.study_characteristics(base)}
    for code in sorted(set(base.tables["certainty"]["subtype"])):
        sheets[f"SoF {vocab.SUBTYPE.label(code)}"[:31]] = tables.summary_of_findings(base, code)
    sheets["Adverse events"] = tables.adverse_event_table(base)
    for name, frame in sheets.items():
        exports.write_csv(frame, out / "tables" / f"{name.lower().replace(' ', '-')}.csv")
    exports.write_xlsx(sheets, out / "tables" / "evidence-tables.xlsx")
    for doc_id, title in zip(base.tables["documents"]["doc_id"], base.tables["documents"]["title"]):
        register = tables.claims_register(base, doc_id)
        audit = tables.reference_audit(base, doc_id)
        exports.write_csv(register, out / "audits" / f"claims-{doc_id}.csv")
        exports.write_csv(audit, out / "audits" / f"references-{doc_id}.csv")
        exports.write_xlsx({"Claims": register, "References": audit}, out / "audits" / f"audit-{doc_id}.xlsx")
        groups = {section: grp.drop(columns=["Section"]) for section, grp in register.groupby("Section", sort=False)}
        cites = []
        for ev in register["Evidence"]:
            cites += [c for c in tables.claim_citations(base, ev) if c not in cites]
        exports.write_docx(f"Claims audit: {title}", groups, out / "audits" / f"claims-{doc_id}.docx", references=cites)
        exports.write_docx(f"Reference audit: {title}", {"Reference list": audit}, out / "audits" / f"references-{doc_id}.docx")
    return out


def _remove_partial_files(build_dir: Path) -> None:
    """Temporary files left by an interrupted earlier run."""
    if build_dir.exists():
        for stale in build_dir.rglob(".*.tmp*"):
            stale.unlink(missing_ok=True)
        for stale in build_dir.rglob(".*.ipynb"):
            stale.unlink(missing_ok=True)


def run_build(root: Path | None = None, force: bool = False, update_notebooks: bool = False,
              only: list[str] | None = None, jobs_n: int | None = None, params: dict[str, str] | None = None, **kwargs) -> int:
    root = root or find_root()
    started = time.perf_counter()
    base = validate(root)
    _remove_partial_files(root / BUILD_DIR)
    selected = jobs(root, base, only, params)
    print(f"validated: {base.summary()}")
    executed_dir = root / BUILD_DIR / "executed"
    cache_dir = root / BUILD_DIR / ".cache"
    executed_dir.mkdir(parents=True, exist_ok=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    shared = _source_digest(root)
    todo, done = [], {}
    for job in selected:
        out = executed_dir / f"{job.name}.ipynb"
        key = cache_key(job, shared)
        stamp = cache_dir / f"{job.name}.key"
        if not force and out.exists() and stamp.exists() and stamp.read_text() == key:
            done[job.name] = out
        else:
            todo.append((job, out, key, stamp))
    print(f"notebooks: {len(done)} up to date, {len(todo)} to run")
    if only or params:  # the site still lists what earlier builds produced
        for job in jobs(root, base):
            previous = executed_dir / f"{job.name}.ipynb"
            if job.name not in done and previous.exists() and all(job.name != j.name for j, *_ in todo):
                done[job.name] = previous
    failures: list[str] = []
    workers = kwargs.get("jobs") or jobs_n or os.cpu_count() or 1
    # Processes, not threads: papermill changes the working directory while it starts a kernel,
    # and a process-wide chdir from two threads at once would leave the build in the wrong folder.
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(_execute, job, root, out): (job, out, key, stamp) for job, out, key, stamp in todo}
        for i, future in enumerate(as_completed(futures), start=1):
            job, out, key, stamp = futures[future]
            ok, message = future.result()
            if ok:
                atomic_write(stamp, lambda p, key=key: p.write_text(key))
                done[job.name] = out
                print(f"[{i}/{len(todo)}] ran {job.name}", flush=True)
            else:
                failures.append(message)
                print(f"[{i}/{len(todo)}] FAILED {message}", file=sys.stderr, flush=True)
                if out.exists():
                    done[job.name] = out
    if update_notebooks:
        for job in selected:
            if job.name in done and (not job.parameters or job.name == _default_name(job)):
                shutil.copyfile(done[job.name], job.notebook)
    outputs_key = hashlib.sha256(json.dumps([shared, sorted((n, (cache_dir / f"{n}.key").read_text()) for n in done
                                                             if (cache_dir / f"{n}.key").exists())]).encode()).hexdigest()
    outputs_stamp = cache_dir / "outputs.key"
    site = root / BUILD_DIR / "site"
    if force or failures or not (site / "index.html").exists() or not outputs_stamp.exists() or outputs_stamp.read_text() != outputs_key:
        write_exports(root, base)
        site = write_site(root, done, base)
        if not failures:
            atomic_write(outputs_stamp, lambda p: p.write_text(outputs_key))
    else:
        print("site and exports: up to date")
    print(f"site: {site / 'index.html'}; exports: {root / BUILD_DIR / 'exports'}; {time.perf_counter() - started:.1f}s")
    if failures:
        for message in failures:
            print(f"error: {message}", file=sys.stderr)
        return 1
    return 0


def _default_name(job: Job) -> str:
    nb = nbformat.read(job.notebook, as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            namespace: dict[str, str] = {}
            exec(cell.source, {}, namespace)  # the parameters cell holds plain assignments only
            return f"{job.notebook.stem}-{next(iter(namespace.values()))}"
    return job.name
