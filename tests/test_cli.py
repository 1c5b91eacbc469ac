"""The ``qa`` command as users run it: exit codes, messages, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DOC_000, DOC_001, DOC_004, copy_seeds

from qa.cli import EXIT_USAGE, main
from qa.settings import PROJECT_ROOT, Settings

QA = str(Path(sys.executable).parent / "qa")


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [QA, *args], capture_output=True, text=True, timeout=timeout, cwd=PROJECT_ROOT
    )


def test_help_is_fast() -> None:
    _run("--help")  # warm the file cache
    started = time.perf_counter()
    proc = _run("--help")
    elapsed = time.perf_counter() - started
    assert proc.returncode == 0
    assert "重庆政府报告问答" in proc.stdout
    for command in ("ingest", "search", "ask", "chat", "ui"):
        assert command in proc.stdout
    assert elapsed < 2, f"qa --help took {elapsed:.2f} s"


def test_subcommand_is_required() -> None:
    proc = _run()
    assert proc.returncode == EXIT_USAGE and "usage" in proc.stderr.lower()


@pytest.mark.parametrize("question", ["", "   ", "\t\n"])
def test_empty_question_exits_2_with_a_chinese_message(tmp_path: Path, question: str) -> None:
    proc = _run("--index-dir", str(tmp_path / "index"), "search", question)
    assert proc.returncode == EXIT_USAGE
    assert "问题不能为空" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "index").exists()  # refused before any index is opened or built


def test_missing_seeds_folder_exits_1_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-reports"
    proc = _run("--index-dir", str(tmp_path / "index"), "--seeds-dir", str(missing), "ingest")
    assert proc.returncode == 1
    assert str(missing) in proc.stderr and "找不到报告文件夹" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_index_search_with_no_reports_exits_1(tmp_path: Path) -> None:
    empty = tmp_path / "reports"
    empty.mkdir()
    code = main(["--index-dir", str(tmp_path / "ix"), "--seeds-dir", str(empty), "search", "GDP"])
    assert code == 1


def test_unavailable_embedder_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_seeds(tmp_path / "seeds", (DOC_004,))
    argv = ["--index-dir", str(tmp_path / "ix"), "--seeds-dir", str(tmp_path / "seeds"),
            "--embedder", str(tmp_path / "no-model-here"), "ingest", "--no-progress"]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：无法加载嵌入模型") and "QA_EMBEDDER" in err


@pytest.mark.slow
def test_ingest_prints_a_summary_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds = copy_seeds(tmp_path / "seeds", (DOC_004,))
    (seeds / "notes.pdf").write_bytes(b"%PDF-1.7")
    base = ["--index-dir", str(tmp_path / "ix"), "--seeds-dir", str(seeds)]
    assert main([*base, "ingest", "--no-progress"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("完成：1 个文件，")
    assert "个段落" in lines[0] and "索引第 1 代" in lines[0]
    assert lines[1].startswith("跳过 ") and "notes.pdf" in lines[1]
    # Nothing changed: nothing newly embedded.
    assert main([*base, "ingest", "--no-progress"]) == 0
    again = capsys.readouterr().out.splitlines()[0]
    assert "新嵌入 0" in again and "未变 1 个文件" in again


@pytest.mark.slow
def test_search_json_on_the_seed_index(
    seed_index: tuple[Settings, object], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, _ = seed_index
    base = ["--index-dir", str(settings.index_dir), "--seeds-dir", str(settings.seeds_dir)]
    assert main([*base, "search", "2023年重庆地区生产总值是多少？", "--json", "-k", "4"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, list) and len(data) == 4
    for item in data:
        assert {"doc", "title", "year", "section", "text", "score"} <= set(item)
        assert "norm" not in item  # internal matching form is not shown
        assert isinstance(item["score"], float) and item["text"]
    assert any(d["doc"] in {DOC_000, DOC_004} and "30145.79" in d["text"] for d in data)
    scores = [d["score"] for d in data]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.slow
def test_search_filters_and_text_output(
    seed_index: tuple[Settings, object], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, _ = seed_index
    base = ["--index-dir", str(settings.index_dir), "--seeds-dir", str(settings.seeds_dir)]
    argv = [*base, "search", "地区生产总值", "--doc", DOC_001, "--year", "2024", "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data and all((d["doc"], d["year"]) == (DOC_001, 2024) for d in data)

    assert main([*base, "search", "2024年重慶地區生產總值", "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[1] ") and "[2] " in out and "[3] " not in out
    assert "32193.15" in out

    assert main([*base, "search", "地区生产总值", "--doc", "no-such.txt"]) == 0
    assert "没有找到相关段落" in capsys.readouterr().out


@pytest.mark.slow
def test_search_subprocess_uses_env_settings(seed_index: tuple[Settings, object]) -> None:
    """QA_* variables reach the command (the way the README configures it)."""
    import os

    settings, _ = seed_index
    env = {**os.environ, "QA_INDEX_DIR": str(settings.index_dir),
           "QA_SEEDS_DIR": str(settings.seeds_dir)}  # fmt: skip
    proc = subprocess.run(
        [QA, "search", "2024年地区生产总值预期目标", "--json", "-k", "3"],
        capture_output=True, text=True, timeout=180, env=env, cwd=PROJECT_ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert len(data) == 3 and all(d["doc"].endswith(".txt") for d in data)


@pytest.mark.slow
def test_a_reranker_that_cannot_be_loaded_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_seeds(tmp_path / "seeds", (DOC_004,))
    monkeypatch.setenv("QA_RERANKER", str(tmp_path / "no-such-model"))
    argv = ["--index-dir", str(tmp_path / "ix"), "--seeds-dir", str(tmp_path / "seeds"),
            "ask", "--backend", "extractive", "2023年重庆地区生产总值是多少？"]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "\n错误：" in err and "QA_RERANKER" in err and "Traceback" not in err
