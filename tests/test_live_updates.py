"""Stateless app instances on one Chroma server, with real processes on loopback.

Two reader processes (``ReportQA``, as ``qa ui`` holds one) ask every 100 ms while a
``qa ingest`` process updates one report: no question fails or comes back empty, each
sees the old or the new version of the report, and both follow the new one within
their refresh interval, without a restart. A Chroma server restarted under a running
app gives a clear Chinese error naming host and port, and answers resume by themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import DOC_004
from test_server import (
    GDP_Q,
    HOST,
    MARKER,
    NEW_PARAGRAPH,
    chroma_run,
    free_port,
    server_settings,
)

from qa.api import ReportQA
from qa.ingest.pipeline import ingest
from qa.settings import PROJECT_ROOT, Settings
from qa.store.index import IndexError_

pytestmark = pytest.mark.slow

REFRESH = 1.0  # the readers' QA_REFRESH_SECONDS
FOLLOW_MARGIN = 15.0  # seconds beyond REFRESH for a question and reopening the index
READER = """
import json, sys, time
from qa.api import ReportQA
from qa.settings import Settings
qa = ReportQA(Settings.load(), build_if_missing=False)
out, stop = open(sys.argv[1], "a"), sys.argv[2]
import os
while not os.path.exists(stop):
    rec = {"t": time.time()}
    try:
        answer = qa.ask(sys.argv[3], backend="extractive")
        found = qa.retrieve(sys.argv[4], k=5)
        rec.update(text=answer.text, refused=answer.refused,
                   new=any(sys.argv[4] in p.text for p in found), n=len(found),
                   gen=qa.index.manifest.generation)
    except Exception as exc:
        rec["error"] = f"{type(exc).__name__}: {exc}"
    out.write(json.dumps(rec, ensure_ascii=False) + "\\n")
    out.flush()
    time.sleep(0.1)
"""


def _env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "QA_SEEDS_DIR": str(settings.seeds_dir),
        "QA_INDEX_DIR": str(settings.index_dir),
        "QA_CHROMA_HOST": HOST,
        "QA_CHROMA_PORT": str(settings.chroma_port),
        "QA_COLLECTION": settings.collection,
        "QA_REFRESH_SECONDS": str(REFRESH),
        "QA_PROGRESS": "0",
    }


def _records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_two_app_processes_follow_an_ingest_without_an_error(
    seed_index: tuple[Settings, Any], tmp_path: Path
) -> None:
    port = free_port()
    with chroma_run(tmp_path / "chroma", port):
        settings = server_settings(seed_index, tmp_path, port, "live")
        ingest(settings)
        env, stop = _env(settings), tmp_path / "stop"
        logs = [tmp_path / f"reader{i}.jsonl" for i in (1, 2)]
        readers = [
            subprocess.Popen(
                [sys.executable, "-c", READER, str(log), str(stop), GDP_Q, MARKER],
                cwd=PROJECT_ROOT,
                env=env,
                stderr=(tmp_path / f"{log.stem}.err").open("wb"),
            )
            for log in logs
        ]
        try:
            deadline = time.monotonic() + 120
            while not all(_records(log) for log in logs):
                assert time.monotonic() < deadline, "the readers did not start"
                assert all(r.poll() is None for r in readers), "a reader died"
                time.sleep(0.2)
            path = settings.seeds_dir / DOC_004
            path.write_text(path.read_text(encoding="utf-8") + NEW_PARAGRAPH, encoding="utf-8")
            done = subprocess.run(
                [sys.executable, "-m", "qa.cli", "ingest"],
                cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr[-2000:]
            finished = time.time()
            deadline = time.monotonic() + 60
            while not all(any(r.get("gen") == 2 for r in _records(log)) for log in logs):
                assert time.monotonic() < deadline, "a reader did not follow the update"
                time.sleep(0.2)
            time.sleep(1.0)  # a few more questions on the new generation
        finally:
            stop.touch()
            for r in readers:
                r.wait(timeout=30)
        for log in logs:
            records = _records(log)
            assert len(records) >= 10, log
            assert not [r for r in records if "error" in r], [r for r in records if "error" in r]
            for r in records:
                assert r["text"] and not r["refused"] and "30145.79" in r["text"] and r["n"]
                assert r["new"] == (r["gen"] == 2), r  # old or new version, never a mix
            assert any(r["gen"] == 1 for r in records), log  # it was there before the update
            # Followed within one refresh interval, one question and the reopening of the
            # index (well under a second alone; the bound leaves room for a loaded CI box).
            first_new = min(r["t"] for r in records if r["gen"] == 2)
            assert first_new - finished < REFRESH + FOLLOW_MARGIN, (first_new - finished, log)
            assert all(r["new"] and r["gen"] == 2 for r in records if r["t"] > first_new), log


def test_a_restarted_chroma_server_is_reported_then_answers_resume(
    seed_index: tuple[Settings, Any], tmp_path: Path
) -> None:
    port = free_port()
    with chroma_run(tmp_path / "chroma", port):
        settings = server_settings(seed_index, tmp_path, port, "restart")
        ingest(settings)
        qa = ReportQA(settings, build_if_missing=False)
        assert "30145.79" in qa.ask(GDP_Q, backend="extractive").text
    # The server is down: a clear error naming it, quickly, for every question.
    for _ in range(2):
        started = time.perf_counter()
        with pytest.raises(IndexError_, match=rf"无法连接 Chroma 服务器 {HOST}:{port}"):
            qa.ask(GDP_Q, backend="extractive")
        assert time.perf_counter() - started < 15
    # Back on the same port and data: the same ReportQA answers again, no restart.
    with chroma_run(tmp_path / "chroma", port):
        answer = qa.ask(GDP_Q, backend="extractive")
        assert not answer.refused and "30145.79" in answer.text
