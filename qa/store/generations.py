"""Index generations on disk: one writer at a time, atomic swaps.

Each ingest writes a new ``gen-NNNNN`` folder, then moves the ``current`` symlink to it
in one ``rename``; readers see the old generation or the new one, never a half-written
one. The previous generation is kept for readers that still have it open. (In server
mode the folder is only a record of this machine's last ingest; the collections on the
server that a first build or a rebuild made are pruned the same way.)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from qa.settings import Settings
from qa.store.manifest import CURRENT, server_generations

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

LOCK_FILE = "ingest.lock"
_GEN = re.compile(r"^gen-(\d+)$")


class IngestError(RuntimeError):
    """A problem the user can act on; the message says what to do."""


@contextlib.contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK_FILE, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IngestError(
                "另一个 `qa ingest` 正在写入这个索引，请等它结束后再试"
                f"（another ingest holds {index_dir / LOCK_FILE}）。"
            ) from exc
        fh.truncate(0)  # only the holder rewrites it: a refused ingest leaves the PID alone
        fh.write(str(os.getpid()))
        fh.flush()
        yield  # the kernel drops the lock when the process dies, even on SIGKILL


def generations(index_dir: Path) -> list[tuple[int, Path]]:
    found = []
    for p in index_dir.iterdir() if index_dir.exists() else []:
        if p.is_dir() and not p.is_symlink() and (m := _GEN.match(p.name)):
            found.append((int(m.group(1)), p))
    return sorted(found)


def swap_current(index_dir: Path, gen_dir: Path) -> None:
    tmp = index_dir / f"{CURRENT}.tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(gen_dir.name)
    os.replace(tmp, index_dir / CURRENT)  # atomic on POSIX: readers see old or new


def prune(index_dir: Path, keep: set[Path]) -> None:
    # Keep the previous generation too: a running UI may still have it open.
    for _, p in generations(index_dir):
        if p.resolve() not in keep:
            shutil.rmtree(p, ignore_errors=True)


def prune_server(settings: Settings, client: ClientAPI, keep: set[str]) -> None:
    """Server mode: delete this prefix's collections not named in ``keep`` (those of
    earlier builds, and those a killed build left); the previous one stays for open
    readers."""
    for name in server_generations(settings, client).values():
        if name not in keep:
            with contextlib.suppress(Exception):  # gone already, or retried next time
                client.delete_collection(name)
