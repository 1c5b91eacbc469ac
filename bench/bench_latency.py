"""Answer time and time to first token with the local model, beside a baseline (another
checkout of the code, e.g. the previous main) measured in the same run.

    python bench/bench_latency.py --index-dir DIR [--baseline DIR]
        [--golden qa/data/golden.jsonl ...] [--split dev] [--every 3] [--blocks 4]

Questions: every ``--every``-th item of the golden files (of ``--split`` when given);
a dialogue item's earlier turns are asked first in the same conversation, as ``qa eval``
does, and only its last turn is timed. Each code answers in a child process
(``PYTHONPATH`` = that code) that loads the model and answers one warm-up question
before timing. The questions are cut into ``--blocks`` blocks, and the two codes take
turns block by block (ABBA...), so that drift of this shared machine falls on both.

Prints per code: answer p50/p90 and first-token p50 in seconds, with the ratio to the
baseline, and ends with ``LATENCY {json}``. Compare figures within one run only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The child: one process per (code, block), answering with that code's ReportQA.
CHILD = r"""
import json, sys, time
from qa.api import ReportQA
from qa.settings import Settings

items = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
qa = ReportQA(Settings.load(index_dir=sys.argv[2], progress=False))
qa.ask("2023年重庆地区生产总值是多少？", backend="local")  # loads the model and the index
for item in items:
    history = []
    for turn in item.get("turns", []):
        history.append((turn, qa.ask(turn, history=list(history), backend="local").text))
    answer = qa.ask(item["question"], history=history, backend="local")
    print(json.dumps({"id": item["id"], "seconds": answer.seconds,
                      "first_token": answer.first_token_seconds, "refused": answer.refused}),
          flush=True)
"""


def _items(paths: list[Path], split: str | None, every: int) -> list[dict[str, object]]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if split is None or item.get("split") == split:
                    rows.append(item)
    return rows[::every]


def _run(
    code: Path, block: list[dict[str, object]], index_dir: str
) -> list[dict[str, float | None]]:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        f.write("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in block))
    env = {**os.environ, "PYTHONPATH": str(code)}
    # The child runs from a neutral folder, so that ``qa`` is imported from ``code``.
    out = subprocess.run(
        [sys.executable, "-c", CHILD, f.name, index_dir],
        env=env,
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(f.name).unlink()
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def _summary(rows: list[dict[str, float | None]]) -> dict[str, float]:
    seconds = sorted(float(r["seconds"] or 0.0) for r in rows)
    firsts = [float(f) for r in rows if (f := r["first_token"]) is not None]
    return {
        "n": len(rows),
        "answer_p50": statistics.median(seconds),
        "answer_p90": seconds[int(0.9 * (len(seconds) - 1))],
        "first_token_p50": statistics.median(firsts) if firsts else float("nan"),
        "first_token_n": len(firsts),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index-dir", required=True)
    ap.add_argument("--baseline", type=Path, help="another checkout of the code")
    ap.add_argument("--golden", type=Path, nargs="+", default=[ROOT / "qa/data/golden.jsonl"])
    ap.add_argument("--split", default=None)
    ap.add_argument("--every", type=int, default=3)
    ap.add_argument("--blocks", type=int, default=4)
    args = ap.parse_args()

    items = _items(args.golden, args.split, args.every)
    codes = {"current": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    rows: dict[str, list[dict[str, float | None]]] = {name: [] for name in codes}
    size = -(-len(items) // args.blocks)
    for b in range(args.blocks):
        block = items[b * size : (b + 1) * size]
        order = list(codes) if b % 2 == 0 else list(reversed(codes))
        for name in order:
            if block:
                rows[name] += _run(codes[name], block, args.index_dir)
                print(f"block {b + 1}/{args.blocks} {name}: {len(rows[name])} answered", flush=True)

    result = {name: _summary(r) for name, r in rows.items()}
    print(f"\n{'code':10} {'n':>4} {'answer p50':>11} {'p90':>7} {'first token p50':>16}")
    for name, s in result.items():
        print(
            f"{name:10} {s['n']:>4} {s['answer_p50']:>10.2f}s {s['answer_p90']:>6.2f}s "
            f"{s['first_token_p50']:>15.2f}s"
        )
    ratio: dict[str, float] = {}
    if "baseline" in result:
        base, cur = result["baseline"], result["current"]
        ratio = {k: cur[k] / base[k] for k in ("answer_p50", "answer_p90", "first_token_p50")}
        print("ratio current/baseline: " + ", ".join(f"{k} {v:.2f}" for k, v in ratio.items()))
    print("LATENCY " + json.dumps({"codes": result, "ratio": ratio}))


if __name__ == "__main__":
    main()
