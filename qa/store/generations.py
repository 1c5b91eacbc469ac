"""Index generations on disk and on a Chroma server: one writer at a time, atomic swaps.

Each ingest writes a new ``gen-NNNNN`` folder (and, in server mode, a collection of that
number), then moves the ``current`` symlink to it in one ``rename``; readers see the old
generation or the new one, never a half-written one. The previous generation is kept
for readers that still have it open.
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
from qa.store.index import CURRENT, collection_name, server_generations

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_chroma import Chroma
    from langchain_core.indexing import RecordManager

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


def prune_server(settings: Settings, client: ClientAPI, keep: set[int]) -> None:
    """Server mode: delete this prefix's collections of generations not kept (older
    ones and those a killed ingest left); the previous one stays for open readers."""
    for gen, name in server_generations(settings, client).items():
        if gen not in keep:
            with contextlib.suppress(Exception):  # gone already, or retried next time
                client.delete_collection(name)


def copy_collection(
    settings: Settings,
    old_generation: int,
    store: Chroma,
    client: ClientAPI,
    records: RecordManager,
) -> None:
    """Server mode: seed the new generation's collection from the old one (vectors included),
    page by page within the server's batch limit, and list every copied chunk in
    ``records`` (this machine may never have seen the old generation's records)."""
    name = collection_name(settings, old_generation)
    try:
        old = client.get_collection(name)
    except Exception as exc:
        raise IngestError(
            f"Chroma 服务器 {settings.chroma_host}:{settings.chroma_port} 上找不到上一代索引集合"
            f" {name}（{type(exc).__name__}）。请运行 `qa ingest --rebuild` 重建索引。"
        ) from exc
    page = max(1, min(int(client.get_max_batch_size()), 5000))
    offset = 0
    while True:
        got = old.get(include=["embeddings", "documents", "metadatas"], limit=page, offset=offset)
        if not got["ids"]:
            break
        metadatas = got["metadatas"] or []
        store._collection.add(
            ids=got["ids"],
            embeddings=got["embeddings"],
            documents=got["documents"],
            metadatas=metadatas,
        )
        records.update(got["ids"], group_ids=[str((m or {}).get("doc", "")) for m in metadatas])
        offset += len(got["ids"])
