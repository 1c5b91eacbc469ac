"""Keyword search engines side by side on the same token lists: rank-bm25 (the old main,
a Python pass over every chunk per query token), bm25s (``qa.store.keyword.KeywordIndex``,
the product's sparse-matrix BM25) and SQLite FTS5 (inverted index, incremental,
transactional, ``bm25()`` ranking).

    python bench/bench_keyword.py [--sizes 1,10,100] [--questions N]
                                  [--engines rank-bm25,bm25s,fts5] [--skip-rank-bm25-above N]

Per size and engine, each in a fresh forked child: chunks, build s, ``mem_mb`` (the built
structure: current RSS from /proc/self/statm after minus before the build, each after
``gc.collect()`` and glibc ``malloc_trim``), query p50/p95 ms over golden questions after
a warm-up, unfiltered, with ``{"year": 2023}`` (``_filtered``) and ``{"doc": <first
seed>}`` (``_doc``), and at 1x the agreement with rank-bm25 (share of questions with the
same top-30 positions in order, mean overlap@30); then the p50 speed-up over rank-bm25 in
the same run and a last line ``KEYWORD {json}``. Query tokens are made as retrieval makes
them, once, untimed. Filters are part of the search: a mask from value -> positions
columns (as ``IndexHandle.mask``) for rank-bm25 and bm25s, ``AND year = ?`` for FTS5.

FTS5: in-memory ``fts5(tokens, doc/year/kind UNINDEXED, tokenize='ascii')``, inserts in one
transaction plus ``optimize``. Each distinct jieba token becomes a synthetic term ``t<n>``,
so it is exactly one FTS token whatever it holds (jieba keeps ``+#&_-.%`` inside tokens,
which unicode61 would split). A query ORs its distinct quoted terms, ``ORDER BY bm25(t)
LIMIT 30``, score ``-bm25``. FTS5's bm25 fixes k1 = 1.2 (1.5 elsewhere) and floors idf at
1e-6; a ``WHERE`` on an UNINDEXED column is checked per matching row.

Caveats: sizes above 1x repeat the 1x chunks with docs renamed ``<seed>_xNN.txt``: exact
duplicates, the worst case for ties (agreement is measured at 1x only). Compare timings
only within one run, on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import multiprocessing
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import bm25s  # noqa: F401  (loaded before any memory is measured)
import numpy as np
from rank_bm25 import BM25Okapi

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.answer.retrieve import QUERY_STOP, expand_query  # noqa: E402
from qa.evaluation.scoring import load_golden, mean, percentile  # noqa: E402
from qa.ingest.corpus import load_corpus  # noqa: E402
from qa.ingest.documents import to_documents  # noqa: E402
from qa.settings import Settings  # noqa: E402
from qa.store.keyword import KeywordIndex, Tokenizer  # noqa: E402
from qa.text.script import normal_form  # noqa: E402

SEEDS = ROOT / "seeds"
K = 30
FIELDS = ("doc", "year", "kind")
Hits = list[tuple[int, float]]
Filters = dict[str, Any]
Corpus = tuple[list[list[str]], list[dict[str, Any]]]
Cases = dict[str, Filters | None]  # label ("", "_filtered", "_doc") -> filters
Tops = list[list[int]]  # per question, the top-k positions
CORPUS: Corpus = ([], [])  # the current size's corpus, inherited by the forked children


class Engine(Protocol):
    def build(self, docs: list[list[str]], metas: list[dict[str, Any]]) -> None: ...
    def search(self, tokens: Sequence[str], k: int, filters: Filters | None) -> Hits: ...


class Columns:
    """Per-field metadata value -> chunk positions, read once; masks as ``IndexHandle``."""

    def __init__(self, metas: list[dict[str, Any]]) -> None:
        self.size = len(metas)
        groups: dict[str, dict[Any, list[int]]] = {f: {} for f in FIELDS}
        for i, m in enumerate(metas):
            for f in FIELDS:
                groups[f].setdefault(m.get(f), []).append(i)
        self.cols = {f: {v: np.array(p) for v, p in g.items()} for f, g in groups.items()}

    def mask(self, filters: Filters | None) -> np.ndarray | None:
        if not filters:
            return None
        keep = np.ones(self.size, dtype=bool)
        for key, value in filters.items():
            hit = np.zeros(self.size, dtype=bool)
            if value in self.cols[key]:
                hit[self.cols[key][value]] = True
            keep &= hit
        return keep


class RankBM25:
    def build(self, docs: list[list[str]], metas: list[dict[str, Any]]) -> None:
        self.bm25 = BM25Okapi(docs)
        self.columns = Columns(metas)

    def search(self, tokens: Sequence[str], k: int, filters: Filters | None) -> Hits:
        scores = np.asarray(self.bm25.get_scores(list(dict.fromkeys(tokens))), dtype=float)
        mask = self.columns.mask(filters)
        if mask is not None:
            scores[~mask] = 0.0
        top = np.argsort(-scores)[:k]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


class Bm25s:
    def build(self, docs: list[list[str]], metas: list[dict[str, Any]]) -> None:
        self.index = KeywordIndex(docs)
        self.columns = Columns(metas)

    def search(self, tokens: Sequence[str], k: int, filters: Filters | None) -> Hits:
        return self.index.search(tokens, k, self.columns.mask(filters))


class Fts5:
    def build(self, docs: list[list[str]], metas: list[dict[str, Any]]) -> None:
        self.vocab: dict[str, str] = {}
        self.db = sqlite3.connect(":memory:")
        unindexed = ", ".join(f"{f} UNINDEXED" for f in FIELDS)
        self.db.execute(f"CREATE VIRTUAL TABLE t USING fts5(tokens, {unindexed}, tokenize='ascii')")
        rows = (
            (i, self._text(d), *(m.get(f) for f in FIELDS))
            for i, (d, m) in enumerate(zip(docs, metas, strict=True))
        )
        with self.db:
            self.db.executemany(
                f"INSERT INTO t(rowid, tokens, {', '.join(FIELDS)}) VALUES (?,?,?,?,?)", rows
            )
        self.db.execute("INSERT INTO t(t) VALUES ('optimize')")

    def _text(self, tokens: list[str]) -> str:
        """The chunk as synthetic terms: jieba token -> ``t<n>``, one FTS token each."""
        return " ".join(self.vocab.setdefault(t, f"t{len(self.vocab)}") for t in tokens)

    def search(self, tokens: Sequence[str], k: int, filters: Filters | None) -> Hits:
        terms = [f'"{self.vocab[t]}"' for t in dict.fromkeys(tokens) if t in self.vocab]
        if not terms:
            return []
        filters = filters or {}
        if not set(filters) <= set(FIELDS):
            raise ValueError(f"filters on {sorted(filters)}; only {FIELDS} are stored")
        where = "".join(f" AND {key} = ?" for key in filters)
        sql = f"SELECT rowid, -bm25(t) FROM t WHERE t MATCH ?{where} ORDER BY bm25(t) LIMIT ?"
        rows = self.db.execute(sql, (" OR ".join(terms), *filters.values(), k))
        return [(int(r), float(s)) for r, s in rows if s > 0]


ENGINES: dict[str, Callable[[], Engine]] = {"rank-bm25": RankBM25, "bm25s": Bm25s, "fts5": Fts5}


def check_fts5() -> None:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE x USING fts5(a)")
    except sqlite3.OperationalError as e:
        sys.exit(f"SQLite {sqlite3.sqlite_version} has no FTS5 ({e}); leave fts5 out of --engines")


def base_corpus(tokenizer: Tokenizer) -> Corpus:
    """The seed reports' chunks as ingest makes them: token lists and doc/year/kind."""
    sources, _ = load_corpus([SEEDS])
    settings = Settings.load()
    docs, metas = [], []
    for source in sources:
        for d in to_documents(source, settings, tokenizer):
            docs.append(d.metadata["tokens"].split())
            metas.append({f: d.metadata[f] for f in FIELDS if f in d.metadata})
    return docs, metas


def scaled(base: Corpus, times: int) -> Corpus:
    """``times`` copies of the chunks; copy k's docs renamed ``<stem>_xKK<suffix>``."""
    docs, metas = [], []
    for k in range(times):
        for d, m in zip(*base, strict=True):
            docs.append(d)
            name = Path(m["doc"])
            metas.append(m if k == 0 else {**m, "doc": f"{name.stem}_x{k:02d}{name.suffix}"})
    return docs, metas


def query_tokens(tokenizer: Tokenizer, n: int | None) -> list[list[str]]:
    """Tokens of ``n`` golden questions picked evenly (all by default), as retrieval's."""
    items = load_golden()
    picked = items[:: max(1, len(items) // n)][:n] if n else items
    texts = [expand_query(normal_form(i.question)).lower() for i in picked]
    return [[t for t in tokenizer.tokens(x) if t not in QUERY_STOP] for x in texts]


def rss_mb() -> float:
    """Current RSS after a collection and glibc's ``malloc_trim`` (freed heap handed back)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed(
    engine: Engine, queries: list[list[str]], filters: Filters | None
) -> tuple[list[float], Tops]:
    """Per-question ms (after a warm-up) and top positions; checks each hit's filters."""
    engine.search(queries[0], K, filters)  # warm-up
    ms, tops = [], []
    for q in queries:
        t0 = time.perf_counter()
        hits = engine.search(q, K, filters)
        ms.append((time.perf_counter() - t0) * 1000)
        tops.append([p for p, _ in hits])
        if filters and any(CORPUS[1][p].get(f) != v for p, _ in hits for f, v in filters.items()):
            raise RuntimeError(f"{type(engine).__name__}: a hit outside the filter {filters}")
    return ms, tops


def run(name: str, queries: list[list[str]], cases: Cases) -> dict[str, Any]:
    """Build one engine over ``CORPUS`` and time it; in a forked child process."""
    docs, metas = CORPUS
    engine = ENGINES[name]()
    rss0, t0 = rss_mb(), time.perf_counter()
    engine.build(docs, metas)
    build_s = time.perf_counter() - t0
    out: dict[str, Any] = {"chunks": len(docs), "build_s": build_s, "mem_mb": rss_mb() - rss0}
    tops: dict[str, Tops] = {}
    for label, filters in cases.items():
        ms, tops[label] = timed(engine, queries, filters)
        out[f"p50{label}_ms"], out[f"p95{label}_ms"] = percentile(ms, 50), percentile(ms, 95)
    out["tops"] = tops
    return out


def in_child(name: str, queries: list[list[str]], cases: Cases) -> dict[str, Any]:
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(run, (name, queries, cases))


def agreement(base: Tops, other: Tops) -> tuple[float, float]:
    """Share of questions with the same top-k positions in order, and mean overlap@k."""
    pairs = list(zip(base, other, strict=True))
    overlap = [len(set(a) & set(b)) / max(len(a), len(b), 1) for a, b in pairs]
    return mean([float(a == b) for a, b in pairs]), mean(overlap)


def add_agreement(results: dict[str, dict[str, Any]]) -> None:
    if "rank-bm25" not in results:
        return
    base = results["rank-bm25"]["tops"]
    for r in results.values():
        r["agree_top30"], r["overlap30"] = agreement(base[""], r["tops"][""])
        r["overlap30_filtered"] = agreement(base["_filtered"], r["tops"]["_filtered"])[1]


COLUMNS = "chunks build_s mem_mb p50_ms p95_ms p50_filtered_ms p95_filtered_ms p50_doc_ms"
COLUMNS += " p95_doc_ms agree_top30 overlap30 overlap30_filtered"


def print_size(size: int, results: dict[str, dict[str, Any]]) -> None:
    print(f"\n{size}x  " + "  ".join(f"{c:>9}" for c in ["engine", *COLUMNS.split()]))
    for name, r in results.items():
        cells = [f"{r[c]:9.3f}" if c in r else f"{'-':>9}" for c in COLUMNS.split()]
        print(f"{size}x  {name:>9}  " + "  ".join(cells))
    if "rank-bm25" not in results:
        print(f"{size}x  speed-up vs rank-bm25: rank-bm25 not run at this size")
        return
    base = results["rank-bm25"]
    for name, r in ((n, r) for n, r in results.items() if n != "rank-bm25"):
        up = [base[f"p50{c}_ms"] / r[f"p50{c}_ms"] for c in ("", "_filtered", "_doc")]
        print(f"{size}x  {name} p50 speed-up vs rank-bm25 (same run): {up[0]:.1f}x", end="")
        print(f" (year filter {up[1]:.1f}x, doc filter {up[2]:.1f}x)")


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,10,100", help="corpus multiples, e.g. 1,10,100")
    ap.add_argument("--questions", type=int, default=None, help="golden questions (default: all)")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated")
    ap.add_argument(
        "--skip-rank-bm25-above", type=int, default=None, metavar="N", help="no rank-bm25 above Nx"
    )
    return ap.parse_args()


def main() -> int:
    global CORPUS
    args = parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = [e for e in args.engines.split(",") if e]
    if unknown := set(engines) - set(ENGINES):
        sys.exit(f"unknown engines {sorted(unknown)}; choose from {list(ENGINES)}")
    if "fts5" in engines:
        check_fts5()
    tokenizer = Tokenizer()
    t0 = time.perf_counter()
    base = base_corpus(tokenizer)
    queries = query_tokens(tokenizer, args.questions)
    for e in engines:  # first-use costs (lazy imports, caches) stay out of the children's figures
        ENGINES[e]().build(*base)
    took = time.perf_counter() - t0
    print(f"1x: {len(base[0])} chunks ({took:.1f}s); {len(queries)} questions; top-{K}")
    print(f"SQLite {sqlite3.sqlite_version}; mem_mb = RSS delta of the build in a fresh child")
    doc = base[1][0]["doc"]
    cases: Cases = {"": None, "_filtered": {"year": 2023}, "_doc": {"doc": doc}}
    print(f"filters: _filtered = year 2023, _doc = doc {doc}")
    report: dict[str, dict[str, dict[str, float]]] = {e: {} for e in engines}
    for size in sizes:
        CORPUS = scaled(base, size)
        skip = args.skip_rank_bm25_above
        here = [e for e in engines if not (e == "rank-bm25" and skip is not None and size > skip)]
        if len(here) < len(engines):
            print(f"\n{size}x  rank-bm25 skipped (--skip-rank-bm25-above {skip})")
        results = {e: in_child(e, queries, cases) for e in here}
        if size == 1:
            add_agreement(results)
        print_size(size, results)
        for e, r in results.items():
            report[e][str(size)] = {k: round(float(v), 4) for k, v in r.items() if k != "tops"}
    print("KEYWORD " + json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
