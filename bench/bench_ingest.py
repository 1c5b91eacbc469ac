"""Full ingest time of the seeds from nothing (no embedding cache), beside a baseline
(another checkout of the code, e.g. the previous main) measured in the same run.

    python bench/bench_ingest.py [--baseline DIR] [--rounds 2] [--seeds-dir DIR]

Each run is ``python -m qa.cli ingest`` in a process of its own (``PYTHONPATH`` = that
code) into a new, empty index folder, as a user's first ingest; its time is the
ingest's own ``用时``. The codes take turns (ABAB...) so that drift of this shared
machine falls on both. Prints per code the median and every run, the ratio to the
baseline, and ends with ``INGEST {json}``. Compare figures within one run only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from bench_scale import ingest_seconds

ROOT = Path(__file__).resolve().parents[1]


def full_ingest(code: Path, seeds: Path) -> float:
    """One full ingest by ``code`` into a fresh folder (``bench_scale.ingest_seconds``:
    its own process, the embedded store, only these ``QA_*`` settings)."""
    with tempfile.TemporaryDirectory(prefix="qa-bench-ingest-") as tmp:
        index = str(Path(tmp) / "index")
        spec = {"seeds": str(seeds), "index": index, "port": None, "collection": "reports"}
        return ingest_seconds(code, spec)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", type=Path, help="another checkout to time beside this one")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seeds-dir", type=Path, default=ROOT / "seeds")
    args = ap.parse_args()

    codes = {"ours": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    times: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(args.rounds):
        for name, code in codes.items():
            times[name].append(full_ingest(code, args.seeds_dir.resolve()))
            print(f"{name}: {times[name][-1]:.1f} s", flush=True)
    out = {name: {"p50_s": statistics.median(t), "runs": t} for name, t in times.items()}
    for name, figures in out.items():
        print(f"{name:9s} full ingest p50 {figures['p50_s']:.1f} s  runs {figures['runs']}")
    if "baseline" in out:
        ratio = out["ours"]["p50_s"] / out["baseline"]["p50_s"]
        out["ratio"] = {"p50": round(ratio, 3)}
        print(f"ratio ours/baseline: {ratio:.3f}")
    print("INGEST " + json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
