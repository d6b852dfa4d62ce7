"""Build benchmark: prints figures, asserts nothing (run: .venv/bin/python benchmarks/bench_build.py).

All runs use a scratch copy of the project, so build/ in the working tree is untouched:
1. cold build (empty build/),
2. no-op rebuild,
3. rebuild after touching one data file (mtime only: the cache keys on content),
4. rebuild after editing one data file (content changes, so every notebook reruns),
5. a markdown-only edit (no kernel, exports kept, site re-rendered),
6. baseline: the same notebook runs one after another with
   `jupyter nbconvert --to notebook --execute` (templates parameterised first with papermill --prepare-only).
Targets (2 cores): no-op < 1 s, markdown-only edit starts no kernel, cold <= 0.6 x baseline.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from evidence import build
    from evidence.data import validate

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "project"
        work.mkdir()
        for name in ("data", "notebooks"):
            shutil.copytree(ROOT / name, work / name)
        shutil.copy(ROOT / "references.bib", work)
        evidence = [str(BIN / "evidence"), "build", "--root", str(work)]

        cold = timed(evidence, work)
        print(f"cold build (incl. exports):    {cold:6.1f} s", flush=True)
        noop = timed(evidence, work)
        print(f"no-op rebuild:                 {noop:6.2f} s   (target < 1 s)", flush=True)
        (work / "data" / "studies.csv").touch()
        touched = timed(evidence, work)
        print(f"after touching a data file:    {touched:6.2f} s   (content unchanged: nothing reruns)", flush=True)
        with (work / "data" / "arms.csv").open("a", encoding="utf-8") as fh:
            fh.write("\n")
        edited = timed(evidence, work)
        print(f"after editing a data file:     {edited:6.1f} s   (only the notebooks that read arms.csv rerun)", flush=True)
        import json as _json

        page = work / "notebooks" / "05_dosing.ipynb"
        nb = _json.loads(page.read_text(encoding="utf-8"))
        md = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
        md["source"] = ("".join(md["source"]) if isinstance(md["source"], list) else md["source"]) + "\n\nEdited prose."
        page.write_text(_json.dumps(nb), encoding="utf-8")
        start_md = time.perf_counter()
        proc = subprocess.run(evidence, cwd=work, capture_output=True, text=True)
        print(f"after a markdown-only edit:    {time.perf_counter() - start_md:6.1f} s   kernels started: "
              f"{proc.stdout.count('] ran ')}; exports {'kept' if 'exports: up to date' in proc.stdout else 'rewritten'} "
              "(site re-rendered)", flush=True)

        base = validate(work)
        prepared = work / "notebooks" / ".prepared"
        prepared.mkdir()
        (Path(tmp) / "out").mkdir()
        for job in build.jobs(work, base):
            target = prepared / f"{job.name}.ipynb"
            if job.parameters:
                args = [x for k, v in job.parameters.items() for x in ("-p", k, v)]
                subprocess.run([str(BIN / "papermill"), "--prepare-only", str(job.notebook), str(target), *args],
                               check=True, capture_output=True)
            else:
                shutil.copy(job.notebook, target)
        start = time.perf_counter()
        for nb in sorted(prepared.glob("*.ipynb")):
            subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--output",
                            str(Path(tmp) / "out" / nb.name), str(nb)], cwd=prepared, check=True, capture_output=True)
        baseline = time.perf_counter() - start
        runs = len(list(prepared.glob("*.ipynb")))

    print(f"baseline nbconvert, serial:    {baseline:6.1f} s   ({runs} notebook runs; notebooks only, no exports or site)")
    print(f"ratios: cold / baseline = {cold / baseline:.2f} (target <= 0.60; cold includes exports and the Sphinx site); "
          f"edited / baseline = {edited / baseline:.2f}")


if __name__ == "__main__":
    main()
