"""Scale benchmark: prints figures, asserts nothing.

Generates a synthetic evidence base that passes validation (the shipped data plus N synthetic
parallel trials, each with two arms, 10 results, 10 claims, a report and a bib entry) at
1,000 and 10,000 studies, then measures, each in a fresh process so peak memory is its own:
validation, and every chart and table builder (building the figure and its Vega-Lite spec,
not rendering it). `comparisons.comparable`, built once per evidence base and shared by the forest
plot, summary of findings and bottom lines, is built before a builder is timed and shown as its own
info row (not counted in the builders' total). Prints seconds and peak RSS per step at both sizes and the growth ratio.

Targets (2 cores): at 10,000 studies validation < 10 s, all builders < 10 s in all, each
growing at most about 10x from 1,000 to 10,000 studies, peak memory < 2 GB.

Run: .venv/bin/python benchmarks/bench_scale.py [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBTYPES = ("dm", "pm", "ibm", "jdm", "imnm")
DOMAINS = ("strength", "skin", "function_qol", "composite", "enzymes")


def _append(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    with path.open("a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writerows({k: row.get(k, "") for k in header} for row in rows)


def generate(root: Path, n: int) -> None:
    """The shipped project plus n synthetic trials."""
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copy(ROOT / "references.bib", root / "references.bib")
    studies, arms, results, claims, reports, bib = [], [], [], [], [], []
    src = {"locator": "Table 2", "source_url": "https://example.org/synthetic", "source_tier": "primary"}
    for i in range(n):
        sid = f"syn{i:05d}"
        subtype = SUBTYPES[i % len(SUBTYPES)]
        studies.append({"study_id": sid, "short_title": f"Synthetic parallel trial {i}", "design": "rct_parallel",
                        "blinding": "double_blind", "subtype": subtype, "n_enrolled": 40, "risk_of_bias": "low",
                        "rob_rationale": "Synthetic row for the scale benchmark", **src})
        for arm, intervention, role in (("ivig", "ivig", "ivig"), ("pbo", "placebo", "comparator")):
            arms.append({"arm_id": f"{sid}_{arm}", "study_id": sid, "label": arm, "intervention": intervention,
                         "arm_role": role, "n": 20, "dose_g_per_kg": 2 if arm == "ivig" else "", **src})
        key = f"syn{i:05d}trial"
        reports.append({"study_id": sid, "bib_key": key, "role": "primary"})
        bib.append(f"@article{{{key},\n  author = {{Doe, Jane and Roe, Richard}},\n  title = {{Synthetic trial number {i} of immunoglobulin}},\n"
                   f"  journal = {{J Synth Med}},\n  year = {{{2000 + i % 25}}},\n  volume = {{{i % 90 + 1}}},\n  pages = {{1--9}}\n}}\n")
        ids = []
        for j, domain in enumerate(DOMAINS):
            for arm, events in (("ivig", 10 + (i + j) % 8), ("pbo", 4 + (i + j) % 6)):
                rid = f"{sid}_r{j}{arm}"
                ids.append(rid)
                results.append({"result_id": rid, "study_id": sid, "bib_key": key, "outcome_domain": domain,
                                "outcome": f"Responders ({domain})", "measure": "count", "result_kind": "arm_outcome",
                                "timepoint_weeks": 16, "arm_id": f"{sid}_{arm}", "events": events, "total": 20,
                                "favourable": "higher", **src})
        for j in range(10):
            claims.append({"claim_id": f"{sid}_c{j}", "doc_id": "csp_myositis", "section": "Synthetic",
                           "claim": f"Synthetic claim {j} about trial {i}", "claim_type": "efficacy", "subtype": subtype,
                           "outcome_domain": DOMAINS[j % len(DOMAINS)], "evidence": ids[j], "verdict": "supported",
                           "certainty": "very_low", "rationale": "Synthetic"})
    data = root / "data"
    _append(data / "studies.csv", studies)
    _append(data / "arms.csv", arms)
    _append(data / "results.csv", results)
    _append(data / "claims.csv", claims)
    _append(data / "reports.csv", reports)
    with (root / "references.bib").open("a", encoding="utf-8") as fh:
        fh.write("\n" + "\n".join(bib))


def steps() -> dict[str, str]:
    """Name -> Python statement run against `base` (validation builds `base` itself)."""
    from evidence import charts, tables

    out = {"validate": "base = validate(root)", "info comparisons.comparable": "comparisons.comparable(base)"}
    for fn in getattr(charts, "BUILDERS", None) or ["evidence_map", "timeline", "response_rates", "dosing_schedule"]:
        out[f"chart {fn}"] = f"charts.{fn}(base).chart.to_dict()"
    out["chart forest_plot dm"] = "charts.forest_plot(base, 'dm').chart.to_dict()"
    out["chart claim_verdicts"] = "charts.claim_verdicts(base, 'csp_myositis').chart.to_dict()"
    for fn in ("study_characteristics", "adverse_event_table", "incidence_table"):
        if hasattr(tables, fn):
            out[f"table {fn}"] = f"tables.{fn}(base)"
    out["table summary_of_findings dm"] = "tables.summary_of_findings(base, 'dm')"
    out["table claims_register"] = "tables.claims_register(base, 'csp_myositis')"
    return out


def one(root: Path, statement: str) -> None:
    """Child process: load (untimed unless it is the step), run the statement, print seconds and peak MB."""
    from evidence import charts, comparisons, tables  # noqa: F401  (used by the statements)
    from evidence.data import validate

    base = None if statement.startswith("base =") else validate(root)
    if base is not None and not statement.startswith("comparisons."):
        comparisons.comparable(base)  # built once per evidence base and timed as its own (info) row
    usage = resource.getrusage(resource.RUSAGE_SELF)
    before, cpu_before = time.perf_counter(), usage.ru_utime + usage.ru_stime
    exec(statement, {"validate": validate, "root": root, "base": base, "charts": charts, "tables": tables, "comparisons": comparisons})
    seconds = time.perf_counter() - before
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime - cpu_before, "peak_mb": usage.ru_maxrss / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--one", nargs=2, metavar=("ROOT", "STATEMENT"))
    args = parser.parse_args()
    if args.one:
        one(Path(args.one[0]), args.one[1])
        return
    figures: dict[str, dict[int, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            root = Path(tmp) / f"n{n}"
            started = time.perf_counter()
            generate(root, n)
            rows = sum(sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in (root / "data").glob("*.csv"))
            print(f"generated {n} studies ({rows} rows) in {time.perf_counter() - started:.1f}s", flush=True)
            for name, statement in steps().items():
                proc = subprocess.run([sys.executable, __file__, "--one", str(root), statement], capture_output=True, text=True)
                if proc.returncode != 0:
                    print(f"  {name}: FAILED {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ''}", flush=True)
                    continue
                figures.setdefault(name, {})[n] = json.loads(proc.stdout.strip().splitlines()[-1])
                f = figures[name][n]
                print(f"  {name}: {f['seconds']:.2f}s wall, {f['cpu']:.2f}s CPU, peak {f['peak_mb']:.0f} MB", flush=True)
    small, large = min(args.sizes), max(args.sizes)
    # CPU seconds beside wall seconds: on a shared machine wall time measures the neighbours too.
    print(f"\n{'step':40s} {'s @' + str(small):>10s} {'s @' + str(large):>10s} {'ratio':>7s} "
          f"{'CPU @' + str(small):>11s} {'CPU @' + str(large):>11s} {'CPU ratio':>9s} {'MB @' + str(large):>10s}")
    wall_total = cpu_total = 0.0
    for name, by_n in figures.items():
        a, b = by_n.get(small), by_n.get(large)
        if not a or not b:
            continue
        if name != "validate" and not name.startswith("info"):
            wall_total += b["seconds"]
            cpu_total += b["cpu"]
        print(f"{name:40s} {a['seconds']:10.2f} {b['seconds']:10.2f} {b['seconds'] / max(a['seconds'], 1e-3):7.1f} "
              f"{a['cpu']:11.2f} {b['cpu']:11.2f} {b['cpu'] / max(a['cpu'], 1e-2):9.1f} {b['peak_mb']:10.0f}")
    print(f"\nall builders at {large}: {wall_total:.2f}s wall, {cpu_total:.2f}s CPU (target < 10 s); "
          "validation target < 10 s; peak memory target < 2048 MB")


if __name__ == "__main__":
    main()
