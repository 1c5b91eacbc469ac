"""Writing an ingest's plan: a new embedded generation, or an in-place server update.

Embedded store: an ingest copies the current generation, lets LangChain's indexing
API (with a SQL record manager) embed only what changed, then swaps the ``current``
symlink (``qa.store.generations``); Chroma's embedded store must not be written while
another process reads it, so readers keep their own finished copy.

Chroma server: the changed reports' chunks are added to the one collection in place,
as new versions (chunk metadata ``ver``); the new manifest is then published in one
metadata write, and versions that neither it nor the previous manifest reads are
deleted. Readers keep only the versions their manifest lists (``qa.store.index``), so
they see each report old or new, never a mix; the update costs what changed.

A killed ingest leaves the published index untouched; its embeddings stay in the
cache (and, on a server, its chunks in the collection), so the next ingest finishes
quickly.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.indexing import RecordManager
from langchain_core.vectorstores import VectorStore

from qa.ingest.corpus import Skipped
from qa.ingest.documents import chunk_id
from qa.settings import SCHEMA_VERSION, Settings
from qa.store.embed import CountingEmbeddings, embedder_id, make_embedder
from qa.store.generations import (
    generations,
    prune,
    prune_server,
    swap_current,
)
from qa.store.index import (
    MANIFEST,
    Manifest,
    chroma_client,
    collection_name,
    manifest_collection,
    open_store,
    publish_on_server,
    server_generations,
)

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_chroma import Chroma


# Ids per delete call: well under SQLite's 32,766 variables (Chroma fails above it).
_DELETE_PAGE = 5000


@dataclass
class IngestReport:
    files: int = 0
    chunks: int = 0
    embedded: int = 0
    added: int = 0
    deleted: int = 0
    unchanged_files: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    generation: int = 0
    changed: bool = False
    chars: int = 0


@dataclass
class Plan:
    """What an ingest will write: every wanted report's manifest entry, the documents of
    the reports that changed (only those were cleaned and chunked), and what went."""

    wanted: dict[str, dict[str, Any]]
    changed: dict[str, list[Document]]
    removed: list[str]

    @property
    def todo(self) -> list[Document]:
        return [d for docs in self.changed.values() for d in docs]


def write(
    settings: Settings,
    plan: Plan,
    base: Manifest | None,
    old_dir: Path | None,
    old: Manifest | None,
    show: bool,
    report: IngestReport,
    client: ClientAPI | None = None,
) -> None:
    """Write ``plan`` over ``base`` (None: build anew); ``old`` is what is indexed now
    (kept for its open readers), ``client`` the open server connection, if any."""
    if settings.chroma_host:
        _write_server(settings, plan, base, old_dir, old, show, report, client)
    else:
        _write_embedded(settings, plan, base, old_dir, show, report)
    report.changed = True


def _write_embedded(
    settings: Settings,
    plan: Plan,
    base: Manifest | None,
    old_dir: Path | None,
    show: bool,
    report: IngestReport,
) -> None:
    """A new generation: the old one copied, the changed reports' chunks embedded and
    indexed, the removed reports' chunks deleted, then published by the atomic swap of
    ``current``."""
    from langchain_core.indexing import index

    generation, gen_dir = _new_generation(settings, base, old_dir, None)
    todo = plan.todo
    bar, counting = _embedding(settings, len(todo), show)
    store = open_store(settings, gen_dir, settings.collection, counting)
    records = _record_manager(settings, gen_dir)
    # Scoped full: after all batches, the stale chunks of each report indexed now go and
    # every other report is untouched ("incremental" cleans per batch, so a report longer
    # than one batch had its later chunks deleted and re-added: 594 of 747 on the seeds).
    result = index(
        todo,
        records,
        store,
        cleanup="scoped_full",
        source_id_key="doc",
        batch_size=64,
        key_encoder="sha256",
    )
    bar.close()
    report.added = int(result["num_added"])
    report.deleted = int(result["num_deleted"]) + _remove(records, store, plan.removed)
    report.embedded = bar.n
    _swap(settings, _manifest(settings, plan, generation, ""), gen_dir, old_dir)
    report.generation = generation


def _write_server(
    settings: Settings,
    plan: Plan,
    base: Manifest | None,
    old_dir: Path | None,
    old: Manifest | None,
    show: bool,
    report: IngestReport,
    client: ClientAPI | None,
) -> None:
    """The changed reports' new versions added in place, the manifest published, then
    the versions no reader can need deleted (see the module's docstring)."""
    client = client or chroma_client(settings, None)
    generation, gen_dir = _new_generation(settings, old, None, client)
    if base is None:  # a first build or a rebuild: a collection of its own
        name = collection_name(settings, generation)
        # A collection of this number can only be a leftover (a killed ingest, an
        # index_dir deleted while the server kept its data): never build on it.
        with contextlib.suppress(Exception):
            client.delete_collection(name)
    else:
        name = manifest_collection(settings, base)
    todo = plan.todo
    bar, counting = _embedding(settings, len(todo), show)
    store = open_store(settings, gen_dir, name, counting, client)
    report.added = _add_missing(store, todo)
    bar.close()
    report.embedded = bar.n
    manifest = _manifest(settings, plan, generation, name)
    publish_on_server(client, manifest)  # the commit point
    before = base.versions() if base is not None else {}
    now = manifest.versions()
    gone = [d for d in before if now.get(d) != before[d]]
    report.deleted = sum(int(base.docs[d].get("chunks", 0)) for d in gone) if base else 0
    # Readers still on the previous manifest keep its versions until the next ingest.
    _purge(store, {*now.values(), *before.values()})
    _swap(settings, manifest, gen_dir, old_dir)  # locally, a record of this ingest
    previous = {manifest_collection(settings, old)} if old is not None else set()
    prune_server(settings, client, keep={name, *previous})
    report.generation = generation


def _embedding(settings: Settings, total: int, show: bool) -> tuple[Any, CountingEmbeddings]:
    """A progress bar over ``total`` chunks, and the cached embedder that moves it."""
    bar = _progress_bar(total, show)
    return bar, CountingEmbeddings(inner=_cached_embedder(settings), on_batch=bar.update)


def _swap(settings: Settings, manifest: Manifest, gen_dir: Path, old_dir: Path | None) -> None:
    """Write the generation's manifest and make it ``current``; drop older generations
    but the previous one, which a running app may still have open."""
    manifest.write(gen_dir / MANIFEST)
    swap_current(settings.index_dir, gen_dir)
    prune(settings.index_dir, {gen_dir.resolve(), *([old_dir.resolve()] if old_dir else [])})


def _manifest(settings: Settings, plan: Plan, generation: int, collection: str) -> Manifest:
    return Manifest(
        schema_version=SCHEMA_VERSION,
        embedder=embedder_id(settings),
        docs=plan.wanted,
        generation=generation,
        created=time.time(),
        collection=collection,
    )


# Chunks written per call: a killed ingest keeps what each finished call wrote, and
# the progress bar moves with every batch embedded.
_ADD_BATCH = 64


def _add_missing(store: Chroma, docs: list[Document]) -> int:
    """Add the chunks the collection does not hold yet (a resumed ingest finds those
    its killed run wrote); returns how many were added."""
    ids = [chunk_id(d) for d in docs]
    have: set[str] = set()
    for i in range(0, len(ids), _DELETE_PAGE):
        have.update(store.get(ids=ids[i : i + _DELETE_PAGE], include=[])["ids"])
    todo = [(cid, d) for cid, d in zip(ids, docs, strict=True) if cid not in have]
    for i in range(0, len(todo), _ADD_BATCH):
        batch = todo[i : i + _ADD_BATCH]
        store.add_documents([d for _, d in batch], ids=[cid for cid, _ in batch])
    return len(todo)


def _purge(store: Chroma, keep: set[str]) -> int:
    """Delete every chunk whose report version is not in ``keep``; returns how many."""
    where: dict[str, Any] = {"ver": {"$nin": sorted(keep)}}
    gone = 0
    while ids := store.get(where=where, include=[], limit=_DELETE_PAGE)["ids"]:
        store.delete(ids=ids)
        gone += len(ids)
    return gone


def _new_generation(
    settings: Settings, base: Manifest | None, old_dir: Path | None, client: ClientAPI | None
) -> tuple[int, Path]:
    """The next generation's number (past every local folder and server collection) and
    its folder: in embedded mode a copy of the previous one, else empty."""
    taken = [g for g, _ in generations(settings.index_dir)]
    if client is not None:  # an in-place update keeps its collection's number
        taken += [*server_generations(settings, client), base.generation if base else 0]
    generation = max([*taken, 0]) + 1
    gen_dir = settings.index_dir / f"gen-{generation:05d}"
    shutil.rmtree(gen_dir, ignore_errors=True)
    if base is not None and old_dir is not None and client is None:
        shutil.copytree(old_dir, gen_dir)
        (gen_dir / MANIFEST).unlink()  # not a finished generation until the end
    else:
        gen_dir.mkdir(parents=True)
    return generation, gen_dir


def _remove(records: RecordManager, store: VectorStore, docs: list[str]) -> int:
    """Delete every chunk of ``docs`` (reports gone from the corpus); returns how many."""
    keys = records.list_keys(group_ids=docs) if docs else []
    for i in range(0, len(keys), _DELETE_PAGE):
        page = keys[i : i + _DELETE_PAGE]
        store.delete(ids=page)
        records.delete_keys(page)
    return len(keys)


def _cached_embedder(settings: Settings) -> Embeddings:
    """The configured embedder behind the on-disk cache shared by every generation."""
    from qa.store.cache import cached_embedder

    return cached_embedder(make_embedder(settings), embedder_id(settings), settings.index_dir)


def _record_manager(settings: Settings, gen_dir: Path) -> RecordManager:
    from langchain_classic.indexes import SQLRecordManager

    records = SQLRecordManager(
        f"qa-{settings.collection}", db_url=f"sqlite:///{gen_dir / 'records.sqlite'}"
    )
    records.create_schema()
    return records


class _NoBar:
    n = 0

    def update(self, k: int) -> None:
        self.n += k

    def close(self) -> None:
        pass


def _progress_bar(total: int, show: bool) -> Any:
    if not show or total == 0:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc="嵌入段落 embedding", unit="段", dynamic_ncols=True)
