"""Chat-model factories.

Unit tests (no marker) cover backend resolution, labels, error messages and the
openai client's bounded failure against a dead or silent port. ``model`` tests
run the real GGUF, in-process and behind a real ``python -m llama_cpp.server``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa.answer.fetch import DEFAULT_MODEL_FILE, EXPECTED_SIZE, fetch_model
from qa.answer.llm import (
    HELPER_N_CTX,
    BackendUnavailable,
    backend_label,
    llama_cpp_available,
    make_chat_model,
    resolve_backend,
)
from qa.settings import PROJECT_ROOT, Settings

QUESTION = [
    ("system", "你是问答助手。只根据给定材料回答，简洁作答。"),
    ("human", "材料：2024年重庆地区生产总值为32193.15亿元。\n问题：2024年重庆地区生产总值是多少？"),
]
FIGURE = "32193.15"
SECRET = "sk-test-SECRET-1234567890"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _empty(tmp_path: Path, **changes: object) -> Settings:
    return Settings(models_dir=tmp_path / "models").replace(**changes)


# --- unit tests -----------------------------------------------------------------------


def test_import_is_light() -> None:
    code = (
        "import sys, qa.answer.llm; "
        "print([m for m in ('llama_cpp', 'langchain_openai', 'langchain_community', 'openai') "
        "if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert out.stdout.strip() == "[]"


def test_resolve_backend_auto_without_model(tmp_path: Path) -> None:
    assert resolve_backend(_empty(tmp_path)) == "extractive"
    # A configured OpenAI-compatible server is an explicit choice.
    assert resolve_backend(_empty(tmp_path, openai_base_url="http://127.0.0.1:9/v1")) == "openai"


def test_resolve_backend_auto_with_model(tmp_path: Path) -> None:
    expected = "local" if llama_cpp_available() else "extractive"
    # The default file with the right size (sparse: no disk used).
    models = tmp_path / "models"
    models.mkdir()
    with open(models / DEFAULT_MODEL_FILE, "wb") as fh:
        fh.truncate(EXPECTED_SIZE)
    assert resolve_backend(_empty(tmp_path)) == expected
    # A truncated default file does not count.
    with open(models / DEFAULT_MODEL_FILE, "wb") as fh:
        fh.truncate(1000)
    assert resolve_backend(_empty(tmp_path)) == "extractive"
    # A user's own GGUF via QA_MODEL_PATH.
    own = tmp_path / "own.gguf"
    own.write_bytes(b"GGUF")
    assert resolve_backend(_empty(tmp_path, model_path=str(own))) == expected


def test_resolve_backend_explicit(tmp_path: Path) -> None:
    for name in ("local", "openai", "extractive"):
        assert resolve_backend(_empty(tmp_path, backend=name)) == name
    assert resolve_backend(_empty(tmp_path, backend=" OpenAI ")) == "openai"
    with pytest.raises(ValueError, match="unknown backend"):
        resolve_backend(_empty(tmp_path, backend="gpt"))


def test_backend_label_never_shows_the_key(tmp_path: Path) -> None:
    settings = _empty(
        tmp_path,
        openai_base_url=f"http://user:{SECRET}@127.0.0.1:8080/v1?api_key={SECRET}",
        openai_model="qwen2.5-7b",
        openai_api_key=SECRET,
        model_path=str(tmp_path / "m.gguf"),
    )
    labels = {b: backend_label(settings, b) for b in ("local", "openai", "extractive", "auto")}
    assert labels["local"] == "本地模型 m.gguf"
    assert labels["openai"] == "OpenAI兼容服务 http://127.0.0.1:8080/v1 (qwen2.5-7b)"
    assert labels["extractive"] == "抽取式（无模型）"
    # A configured server URL makes "auto" choose it.
    assert labels["auto"] == labels["openai"]
    for label in labels.values():
        assert SECRET not in label
    # The chat model keeps the key as a SecretStr.
    chat = make_chat_model(settings.replace(openai_base_url="http://127.0.0.1:8080/v1"), "openai")
    assert SECRET not in repr(chat)
    assert SECRET not in str(chat.model_dump())


def test_default_label_names_fetched_file(tmp_path: Path) -> None:
    assert backend_label(_empty(tmp_path), "local") == f"本地模型 {DEFAULT_MODEL_FILE}"


def test_missing_model_is_backend_unavailable(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailable) as info:
        make_chat_model(_empty(tmp_path), "local")
    message = str(info.value)
    assert "python -m qa.fetch" in message
    assert "QA_MODEL_PATH" in message
    assert "找不到本地模型" in message
    with pytest.raises(BackendUnavailable, match="QA_MODEL_PATH"):
        make_chat_model(_empty(tmp_path, model_path=str(tmp_path / "nope.gguf")), "local")


def test_openai_needs_base_url(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailable, match="QA_OPENAI_BASE_URL"):
        make_chat_model(_empty(tmp_path), "openai")


def test_extractive_has_no_chat_model(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailable):
        make_chat_model(_empty(tmp_path), "extractive")


def test_openai_server_down_fails_fast(tmp_path: Path) -> None:
    import openai

    url = f"http://127.0.0.1:{_free_port()}/v1"
    chat = make_chat_model(_empty(tmp_path, openai_base_url=url, llm_timeout=5.0), "openai")
    start = time.monotonic()
    with pytest.raises(openai.APIConnectionError):
        chat.invoke(QUESTION)
    assert time.monotonic() - start < 5


def test_openai_silent_server_times_out(tmp_path: Path) -> None:
    """A server that accepts the connection but never answers: llm_timeout bounds the wait."""
    import openai

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)  # never accept()ed: the request is sent, no reply comes
        port = listener.getsockname()[1]
        settings = _empty(tmp_path, openai_base_url=f"http://127.0.0.1:{port}/v1", llm_timeout=1.0)
        chat = make_chat_model(settings, "openai")
        start = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            chat.invoke(QUESTION)
        assert time.monotonic() - start < 6


# --- model tests ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_settings() -> Settings:
    settings = Settings.load().replace(model_path="", backend="local")
    fetch_model(settings, progress=False)
    if not llama_cpp_available():
        pytest.skip("llama-cpp-python is not installed")
    return settings


@pytest.fixture(scope="module")
def local_chat(model_settings: Settings):  # type: ignore[no-untyped-def]
    return make_chat_model(model_settings, "local")


@pytest.fixture(scope="module")
def llama_server(
    model_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A real OpenAI-compatible llama.cpp server on a free loopback port."""
    port = _free_port()
    log = tmp_path_factory.mktemp("llama_server") / "server.log"
    model = model_settings.models_dir / DEFAULT_MODEL_FILE
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(model),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "2048",
                "--n_threads",
                "2",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=2) as resp:
                    json.load(resp)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"llama_cpp.server not ready in 120 s:\n{log.read_text()}")
                time.sleep(0.25)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.mark.model
def test_local_answers_grounded_question(local_chat) -> None:  # type: ignore[no-untyped-def]
    answer = local_chat.invoke(QUESTION, max_tokens=64)
    assert FIGURE in answer.content


@pytest.mark.model
def test_local_streams_chunks(local_chat) -> None:  # type: ignore[no-untyped-def]
    chunks = [c.content for c in local_chat.stream(QUESTION, max_tokens=64)]
    assert sum(1 for c in chunks if c) >= 3
    assert FIGURE in "".join(chunks)


@pytest.mark.model
def test_openai_backend_against_real_server(model_settings: Settings, llama_server: str) -> None:
    settings = model_settings.replace(
        backend="openai", openai_base_url=llama_server, openai_model="qwen", llm_timeout=120.0
    )
    chat = make_chat_model(settings, "openai")
    assert FIGURE in chat.invoke(QUESTION, max_tokens=64).content
    # The answer cap reaches the server (llama.cpp ignores ``max_completion_tokens``).
    capped = chat.invoke([("human", "写一首关于长江的长诗。")], max_tokens=8)
    assert capped.response_metadata["finish_reason"] == "length"
    assert capped.response_metadata["token_usage"]["completion_tokens"] <= 8


@pytest.mark.model
def test_the_local_model_judges_under_its_schema(local_chat) -> None:  # type: ignore[no-untyped-def]
    from qa.answer.judge import answers_question

    gdp = "全年地区生产总值迈上3万亿元新台阶，达到30145.79亿元，增长6.1%。"
    assert answers_question(local_chat, "2023年重庆地区生产总值是多少？", gdp) is True
    # Whatever it thinks of a near miss, the reply parses: a verdict, never free text.
    near = answers_question(local_chat, "2023年重庆轨道交通客运量是多少？", "全市客运量增长47.8%。")
    assert near in (True, False)


@pytest.mark.model
def test_the_local_model_selects_the_sentence_that_answers(local_chat) -> None:  # type: ignore[no-untyped-def]
    from qa.answer.judge import choose_answer

    # A sentence that repeats the question's words does not answer it; in either order,
    # the one naming the birthplace is taken.
    question = "李白出生在哪里？"
    named = "李白出生于碎叶城，五岁随父迁居绵州"
    repeats = "李白出生在哪里，历来说法不一，一直是学界讨论的话题"
    assert choose_answer(local_chat, question, named, repeats) == 0
    assert choose_answer(local_chat, question, repeats, named) == 1


@pytest.mark.model
def test_the_local_model_reads_which_tagged_place_says_where(local_chat) -> None:  # type: ignore[no-untyped-def]
    from qa.answer.region import read_places

    question = "2023年重庆把那些不大不小的河沟、溪流整治了多少公里？"
    assert read_places(local_chat, question, ["重庆", "河沟"]) == ["重庆"]
    # A city asked about is kept; whatever it reads, the reply names only the words given.
    assert read_places(local_chat, "成都市2024年地区生产总值是多少？", ["成都市"]) == ["成都市"]
    read = read_places(local_chat, "2023年重庆万州区的GDP是多少？", ["重庆", "万州区"])
    assert read is None or set(read) <= {"重庆", "万州区"}


@pytest.mark.model
def test_judging_leaves_the_writers_prompt_evaluated(model_settings: Settings, local_chat) -> None:  # type: ignore[no-untyped-def]
    from qa.answer.judge import answers_question

    helper = make_chat_model(model_settings, "local", helper=True)
    assert helper.client.n_ctx() == HELPER_N_CTX
    local_chat.invoke(QUESTION, max_tokens=8)
    evaluated = list(local_chat.client.input_ids)
    gdp = "全年地区生产总值迈上3万亿元新台阶，达到30145.79亿元，增长6.1%。"
    assert answers_question(helper, "2023年重庆地区生产总值是多少？", gdp) is True
    # The next answer's prompt begins as this one did: llama.cpp evaluates only the rest.
    assert list(local_chat.client.input_ids) == evaluated


@pytest.mark.model
def test_a_real_openai_compatible_server_judges_too(
    model_settings: Settings, llama_server: str
) -> None:
    from qa.answer.judge import answers_question

    settings = model_settings.replace(
        backend="openai", openai_base_url=llama_server, openai_model="qwen", llm_timeout=120.0
    )
    chat = make_chat_model(settings, "openai")
    gdp = "全年地区生产总值迈上3万亿元新台阶，达到30145.79亿元，增长6.1%。"
    assert answers_question(chat, "2023年重庆地区生产总值是多少？", gdp) in (True, False)


@pytest.mark.model
def test_a_helper_switching_prompts_answers_as_a_fresh_one(model_settings: Settings) -> None:
    from qa.answer.judge import answers_question, pick_sentence

    gdp = "全年地区生产总值迈上3万亿元新台阶，达到30145.79亿元，增长6.1%。"
    sentences = ["新建公园10个。", "城市低保标准提高到每人每月717元。"]
    helper = make_chat_model(model_settings, "local", helper=True)
    first = answers_question(helper, "2023年重庆地区生产总值是多少？", gdp)
    assert pick_sentence(helper, "城里最困难的家庭每月能领多少补助？", sentences) == 1
    # Back to the judge: its kept state is loaded, and the verdict is a fresh context's.
    again = answers_question(helper, "2023年重庆GDP是多少？", gdp)
    fresh = make_chat_model(model_settings, "local", helper=True)
    assert again == answers_question(fresh, "2023年重庆GDP是多少？", gdp)
    assert first is True and again is True
    assert helper._starts is not None and helper._starts.kept == 2
