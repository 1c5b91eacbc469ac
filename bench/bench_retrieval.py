"""Retrieval benchmark on the golden set, with the naive baseline measured in the same run.

    python bench/bench_retrieval.py [--chunk-tokens 400 --overlap 60] [--no-baseline] [--json OUT]

Prints: full ingest time and chars/s, no-change re-ingest time, hit@5 and MRR
of our hybrid retriever and of the naive baseline (raw text,
RecursiveCharacterTextSplitter(500, 50), dense only, same embedder) on the
answerable golden items, by type, and retrieval latency p50/p95.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.api import ReportQA  # noqa: E402
from qa.evaluation.baseline import NaiveBaseline  # noqa: E402
from qa.evaluation.scoring import hit_rank, load_golden, percentile, retrieval_scores  # noqa: E402
from qa.ingest.pipeline import ingest  # noqa: E402
from qa.settings import Settings  # noqa: E402
from qa.store.embed import make_embedder  # noqa: E402


def by_type(items: list, ranks: list, k: int) -> dict[str, dict[str, float]]:
    groups: dict[str, list] = defaultdict(list)
    for item, rank in zip(items, ranks, strict=True):
        groups[item.type].append(rank)
    return {t: {**retrieval_scores(r, k), "n": len(r)} for t, r in sorted(groups.items())}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunk-tokens", type=int)
    ap.add_argument("--overlap", type=int)
    ap.add_argument("--index-dir", help="reuse this index folder (default: a fresh temp folder)")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("-k", type=int, default=5)
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    settings = Settings.load(
        index_dir=args.index_dir or tmp / "index",
        chunk_tokens=args.chunk_tokens,
        chunk_overlap_tokens=args.overlap,
        progress=False,
    )
    out: dict[str, Any] = {
        "chunk_tokens": settings.chunk_tokens,
        "overlap_tokens": settings.chunk_overlap_tokens,
    }
    report = ingest(settings)
    out["ingest_seconds"] = round(report.seconds, 2)
    out["ingest_chunks"] = report.chunks
    out["ingest_chars_per_s"] = round(report.chars / report.seconds) if report.embedded else None
    out["embedded"] = report.embedded
    again = ingest(settings)
    out["reingest_nochange_seconds"] = round(again.seconds, 2)
    print(
        f"ingest: {report.files} files, {report.chunks} chunks, {report.embedded} embedded, "
        f"{report.seconds:.1f} s ({report.chars} chars, {out['ingest_chars_per_s']} chars/s); "
        f"no-change re-ingest {again.seconds:.2f} s (embedded {again.embedded})"
    )

    items = [i for i in load_golden() if i.answerable]
    qa = ReportQA(settings, build_if_missing=False)
    qa.retrieve("预热 warm-up")
    ranks, latencies = [], []
    for item in items:
        t0 = time.perf_counter()
        passages = qa.retrieve(item.question, k=args.k)
        latencies.append((time.perf_counter() - t0) * 1000)
        ranks.append(hit_rank(passages, item))
    ours = retrieval_scores(ranks, args.k)
    out["ours"] = {**ours, "by_type": by_type(items, ranks, args.k)}
    out["latency_ms_p50"] = round(percentile(latencies, 50), 1)
    out["latency_ms_p95"] = round(percentile(latencies, 95), 1)
    out["misses"] = [i.id for i, r in zip(items, ranks, strict=True) if r is None]
    print(
        f"ours:     hit@{args.k} {ours[f'hit@{args.k}']:.3f}  MRR {ours['mrr']:.3f}  "
        f"({len(items)} answerable items); latency p50 {out['latency_ms_p50']} ms, "
        f"p95 {out['latency_ms_p95']} ms"
    )
    for t, s in out["ours"]["by_type"].items():
        print(f"  {t:18s} n={s['n']:3d} hit@{args.k} {s[f'hit@{args.k}']:.3f} MRR {s['mrr']:.3f}")
    print("  misses:", " ".join(out["misses"]))

    if not args.no_baseline:
        t0 = time.perf_counter()
        naive = NaiveBaseline(settings.seeds_dir, make_embedder(settings))
        build = time.perf_counter() - t0
        nranks = [hit_rank(naive.retrieve(i.question, args.k), i) for i in items]
        base = retrieval_scores(nranks, args.k)
        out["baseline"] = {**base, "chunks": naive.chunks, "build_seconds": round(build, 1)}
        out["baseline"]["by_type"] = by_type(items, nranks, args.k)
        print(
            f"baseline: hit@{args.k} {base[f'hit@{args.k}']:.3f}  MRR {base['mrr']:.3f}  "
            f"({naive.chunks} raw chunks, built in {build:.0f} s)"
        )
        print(f"gain:     hit@{args.k} +{ours[f'hit@{args.k}'] - base[f'hit@{args.k}']:.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
