"""Would a sentence-embedding model help the auditor? Prints figures, asserts nothing.

Compares, on the claims register (data/claims.csv), three ways of ranking the base's rows for a
claim: BM25 over folded words (what the auditor uses), cosine similarity of all-MiniLM-L6-v2
sentence embeddings, and their sum after scaling each to [0, 1]. Rows are restricted as the
auditor restricts them (same outcome domain; the claim's subtype, a mixed population, or any
subtype for product facts and harms). For each claim that cites rows it reports:

- top-1 cited: the best-ranked row is one the register cites;
- cited in top 3: at least one of the three best rows is cited;

and, for verdicts, the share of claims whose nearest claim of another document (same outcome
domain) carries the same verdict, by word overlap (TF-IDF) and by embedding.

The model is not a project dependency: install `sentence-transformers` (with a CPU build of
torch) and point --model at an extracted all-MiniLM-L6-v2 folder to run this.

Run: python benchmarks/bench_embedding.py --model /path/to/all-MiniLM-L6-v2
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from evidence.audit import load_evidence, tokens
from evidence.audit.judge import SUBTYPE_FREE_DOMAINS
from evidence.data import find_root, split_ids


def _fits(row_subtype: str, row_domain: str, subtype: str) -> bool:
    return (subtype == "myositis" or row_subtype in (subtype, "myositis", "any_indication")
            or row_domain in SUBTYPE_FREE_DOMAINS)


def _scaled(x: np.ndarray) -> np.ndarray:
    span = x.max() - x.min()
    return (x - x.min()) / span if span > 0 else np.zeros_like(x)


def _tfidf(texts: list[list[str]]) -> list[dict[str, float]]:
    df = Counter(w for t in texts for w in set(t))
    idf = {w: math.log(len(texts) / df[w]) for w in df}
    out = []
    for t in texts:
        v = {w: idf[w] for w in set(t)}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        out.append({w: x / norm for w, x in v.items()})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="folder of an extracted sentence-transformers model")
    args = parser.parse_args(argv)
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        print("sentence-transformers is not installed; see the module docstring", file=sys.stderr)
        return 1
    root = find_root(Path(__file__).resolve().parent)
    evidence = load_evidence(root)
    rows = [r for r in evidence.rows if r.table != "claims"]
    claims = pd.read_csv(root / "data" / "claims.csv")
    start = time.perf_counter()
    model = SentenceTransformer(args.model, device="cpu")
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    row_vecs = model.encode([f"{r.label} {r.outcome} {r.text}" for r in rows], normalize_embeddings=True, batch_size=64)
    claim_vecs = model.encode(list(claims["claim"]), normalize_embeddings=True, batch_size=64)
    encoded = time.perf_counter() - start
    index = evidence.index
    assert index is not None
    position = {r.id: i for i, r in enumerate(index.rows)}
    bm_rows = np.array([position[r.id] for r in rows])
    tallies = {name: [0, 0] for name in ("bm25", "embedding", "hybrid")}
    n = 0
    for k, c in enumerate(claims.itertuples()):
        cited = set(split_ids(c.evidence)) if isinstance(c.evidence, str) else set()
        keep = np.array([r.domain == c.outcome_domain and _fits(r.subtype, r.domain, c.subtype) for r in rows])
        if not cited or not keep.any() or not cited & {r.id for r, ok in zip(rows, keep) if ok}:
            continue
        n += 1
        bm = index.scores(list(set(tokens(c.claim))))[bm_rows]
        emb = row_vecs @ claim_vecs[k]
        for name, score in (("bm25", bm), ("embedding", emb), ("hybrid", _scaled(bm) + _scaled(emb))):
            score = np.where(keep, score, -np.inf)
            best = [rows[i].id for i in np.argsort(-score, kind="stable")[:3]]
            tallies[name][0] += best[0] in cited
            tallies[name][1] += bool(cited & set(best))
    print(f"model load {loaded:.1f} s; encoding {len(rows)} rows and {len(claims)} claims {encoded:.1f} s (CPU)")
    print(f"claims citing rows the ranking can reach: {n}")
    for name, (top1, top3) in tallies.items():
        print(f"  {name:10} top-1 cited {100 * top1 / n:.0f}%   cited in top 3 {100 * top3 / n:.0f}%")
    words = _tfidf([tokens(t) for t in claims["claim"]])
    docs, domains, verdicts = list(claims["doc_id"]), list(claims["outcome_domain"]), list(claims["verdict"])
    agree = {"tf-idf": 0, "embedding": 0}
    for i in range(len(claims)):
        others = [j for j in range(len(claims)) if docs[j] != docs[i] and domains[j] == domains[i]]
        if not others:
            continue
        by_words = max(others, key=lambda j: sum(x * words[j].get(w, 0.0) for w, x in words[i].items()))
        by_meaning = max(others, key=lambda j: float(claim_vecs[i] @ claim_vecs[j]))
        agree["tf-idf"] += verdicts[by_words] == verdicts[i]
        agree["embedding"] += verdicts[by_meaning] == verdicts[i]
    total = len(claims)
    print("nearest claim of another document, same outcome domain, same verdict:")
    for name, hits in agree.items():
        print(f"  {name:10} {100 * hits / total:.0f}% of {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
