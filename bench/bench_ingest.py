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
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SECONDS = re.compile(r"用时 ([\d.]+) 秒")


def ingest_seconds(code: Path, seeds: Path) -> float:
    """One full ingest by ``code`` into a fresh folder; its reported seconds."""
    with tempfile.TemporaryDirectory(prefix="qa-bench-ingest-") as tmp:
        env = {**os.environ, "PYTHONPATH": str(code), "QA_PROGRESS": "0"}
        cmd = [sys.executable, "-m", "qa.cli", "--seeds-dir", str(seeds)]
        cmd += ["--index-dir", str(Path(tmp) / "index"), "ingest"]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    found = _SECONDS.findall(out)
    if not found:
        raise RuntimeError(f"no ingest time in the output of {code}: {out[-300:]}")
    return float(found[-1])


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
            times[name].append(ingest_seconds(code, args.seeds_dir))
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
