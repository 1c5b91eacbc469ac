"""Load on the web app through its public API (``/ask``), as real clients would.

    python bench/bench_ui.py                      # 20 users x 5 golden questions, extractive
    python bench/bench_ui.py --local              # plus 2 users x 2 questions on the local model
    python bench/bench_ui.py --users 8 --questions 3 --concurrency 2

Starts the app in this process on a free loopback port over ``settings.index_dir``
(``QA_INDEX_DIR``; built first if missing), then N ``gradio_client`` users, each in
its own thread with its own client, ask their questions one after another.

Checks:
* answered: every call returns an answer (no ``error``);
* not mixed up: each answer is the one for its own question: its
  ``standalone_question`` is the question sent and, for the extractive backend,
  text and citations equal those of the same question asked alone beforehand
  (for the local model, which is not replayed: every citation is among the passages
  retrieved for that question).

Prints p50/p95/max latency per call as seen by the client, throughput and wall time.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FALLBACK_QUESTIONS = [
    "2023年重庆地区生产总值是多少？",
    "2024年重庆地区生产总值增长的预期目标是多少？",
    "2022年重庆规模以上工业增加值增长多少？",
    "2024年重庆城镇新增就业多少人？",
    "2023年重庆一般公共预算收入是多少？",
    "2023年重庆居民人均可支配收入增长多少？",
    "2025年重庆经济增长的预期目标是多少？",
    "2023年重庆社会消费品零售总额是多少？",
]


@dataclass
class Call:
    user: int
    question: str
    seconds: float
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def golden_questions(limit: int | None = None) -> list[str]:
    """Answerable golden questions (unanswerable ones measure refusals, not load)."""
    path = ROOT / "qa" / "data" / "golden.jsonl"
    questions: list[str] = []
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("type") != "unanswerable" and row.get("question"):
                    questions.append(str(row["question"]))
    except (OSError, ValueError):
        questions = []
    if not questions:
        print(f"（未找到 {path}，改用内置问题）")
        questions = list(FALLBACK_QUESTIONS)
    return questions[:limit] if limit else questions


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(qa: Any, concurrency: int | None) -> tuple[Any, str]:
    from ui.app import build_app

    demo = build_app(qa, concurrency_limit=concurrency)
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    return demo, f"http://127.0.0.1:{port}/"


def run_users(url: str, plan: list[list[str]]) -> tuple[list[Call], float]:
    """Each user (thread, own client) asks its questions in order; all start together."""
    from gradio_client import Client

    barrier = threading.Barrier(len(plan))

    def user(i: int) -> list[Call]:
        client = Client(url, verbose=False)
        barrier.wait(timeout=120)
        calls = []
        for q in plan[i]:
            t0 = time.perf_counter()
            try:
                result = client.predict(q, "", "", "", api_name="/ask")
                calls.append(Call(i, q, time.perf_counter() - t0, result))
            except Exception as exc:  # counted as unanswered
                calls.append(Call(i, q, time.perf_counter() - t0, error=repr(exc)[:200]))
        return calls

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(plan)) as pool:
        calls = [c for batch in pool.map(user, range(len(plan))) for c in batch]
    return calls, time.perf_counter() - t0


def signature(result: dict[str, Any]) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    cites = tuple((c["doc"], c["section"], c["text"]) for c in result.get("citations", []))
    return result.get("text", ""), cites


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def report(name: str, calls: list[Call], wall: float, mixed: list[str]) -> bool:
    lat = [c.seconds for c in calls]
    errors = [c for c in calls if c.error or "error" in c.result]
    refused = sum(1 for c in calls if c.result.get("refused"))
    print(f"\n== {name} ==")
    print(f"calls {len(calls)}  answered {len(calls) - len(errors)}  refused {refused}")
    print(f"mixed up {len(mixed)}")
    if lat:
        print(
            f"latency p50 {percentile(lat, 50):.2f} s  p95 {percentile(lat, 95):.2f} s  "
            f"max {max(lat):.2f} s  mean {statistics.mean(lat):.2f} s"
        )
    print(f"wall {wall:.1f} s  throughput {len(calls) / wall:.2f} answers/s")
    for c in errors[:5]:
        print(f"  error [{c.question}]: {c.error or c.result.get('error')}")
    for m in mixed[:5]:
        print(f"  mixed: {m}")
    return not errors and not mixed


def bench_extractive(settings: Any, users: int, per_user: int, concurrency: int | None) -> bool:
    from qa.api import ReportQA

    qa = ReportQA(settings.replace(backend="extractive"))
    t0 = time.perf_counter()
    _ = qa.index
    print(f"index open in {time.perf_counter() - t0:.1f} s ({qa.index.size} passages)")
    pool = golden_questions()
    plan = [[pool[(u * per_user + j) % len(pool)] for j in range(per_user)] for u in range(users)]
    unique = list(dict.fromkeys(q for qs in plan for q in qs))
    t0 = time.perf_counter()
    alone = {}
    for q in unique:
        from ui.render import answer_to_dict

        alone[q] = signature(answer_to_dict(qa.ask(q)))
    seq = time.perf_counter() - t0
    print(
        f"reference: {len(unique)} questions asked alone in {seq:.1f} s "
        f"({seq / len(unique) * 1000:.0f} ms each, in-process)"
    )

    demo, url = start(qa, concurrency)
    try:
        from ui.app import concurrency_for

        limit = concurrency or concurrency_for(qa.settings)
        print(f"app {url}  concurrency limit {limit}  users {users} x {per_user} questions")
        calls, wall = run_users(url, plan)
    finally:
        demo.close()
    mixed = []
    for c in calls:
        if c.error or "error" in c.result:
            continue
        if c.result.get("standalone_question") != c.question:
            mixed.append(
                f"user {c.user} asked {c.question!r}, got one for "
                f"{c.result.get('standalone_question')!r}"
            )
        elif signature(c.result) != alone[c.question]:
            mixed.append(f"user {c.user}: answer to {c.question!r} differs from asking it alone")
    return report(f"extractive, {users} users x {per_user}", calls, wall, mixed)


def bench_local(settings: Any, users: int, per_user: int) -> bool:
    from qa.answer.candidates import retrieve_for
    from qa.answer.llm import llama_cpp_available, local_model_present
    from qa.api import ReportQA

    local = settings.replace(backend="local")
    if not (local_model_present(local) and llama_cpp_available()):
        print("\n== local model: skipped (model file or llama-cpp-python missing) ==")
        return True
    qa = ReportQA(local)
    t0 = time.perf_counter()
    qa.chat_model("local")
    print(f"\nlocal model loaded in {time.perf_counter() - t0:.1f} s")
    pool = golden_questions()
    plan = [[pool[(u * per_user + j) % len(pool)] for j in range(per_user)] for u in range(users)]
    demo, url = start(qa, None)
    try:
        calls, wall = run_users(url, plan)
    finally:
        demo.close()
    mixed = []
    for c in calls:
        if c.error or "error" in c.result:
            continue
        if c.result.get("standalone_question") != c.question:
            mixed.append(
                f"user {c.user}: got the answer for {c.result.get('standalone_question')!r}"
            )
            continue
        retrieved, _ = retrieve_for(qa, c.question, None)
        texts = {p.text for p in retrieved}
        if any(x["text"] not in texts for x in c.result.get("citations", [])):
            mixed.append(f"user {c.user}: a citation of {c.question!r} was not retrieved for it")
    fell_back = sum(1 for c in calls if "不可用" in str(c.result.get("backend", "")))
    ok = report(f"local model, {users} users x {per_user}", calls, wall, mixed)
    print(f"fell back to extractive: {fell_back}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--questions", type=int, default=5, help="questions per user")
    parser.add_argument("--concurrency", type=int, help="queue limit (default: by backend)")
    parser.add_argument("--local", action="store_true", help="also bench the local model")
    parser.add_argument("--local-users", type=int, default=2)
    parser.add_argument("--local-questions", type=int, default=2)
    parser.add_argument("--index-dir", help="index folder (default QA_INDEX_DIR or vectorstore/)")
    args = parser.parse_args(argv)

    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    from qa.settings import Settings

    settings = Settings.load(index_dir=args.index_dir, progress=False)
    ok = bench_extractive(settings, args.users, args.questions, args.concurrency)
    if args.local:
        ok = bench_local(settings, args.local_users, args.local_questions) and ok
    print("\nOK" if ok else "\nFAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
