"""Opening the index: the Chroma store, its manifest, and the keyword side.

Layout of ``index_dir`` (embedded mode)::

    current -> gen-00003        symlink, swapped atomically when an ingest finishes
    gen-00003/chroma/           Chroma persistent store
    gen-00003/records.sqlite    LangChain record manager (what is indexed, by hash)
    gen-00003/manifest.json     schema version, embedder, documents
    embed_cache/                embeddings by text hash: a killed ingest keeps its work
    ingest.lock                 one writer at a time

Readers only ever see a finished generation, so a killed ingest cannot leave
a half-written index behind. With a Chroma server, one collection is updated in place
and readers keep only the report versions their manifest lists (``_live_chunks``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qa.settings import Settings
from qa.store.keyword import KeywordIndex, Tokenizer
from qa.store.manifest import (
    CURRENT,
    MANIFEST,
    MANIFEST_KEY,
    IndexError_,
    IndexMismatch,
    IndexMissing,
    Manifest,
    check_compatible,
    chroma_client,
    collection_name,
    current_generation,
    current_generation_number,
    current_manifest,
    manifest_collection,
    publish_on_server,
    server_generations,
    server_manifest,
    server_unreachable,
)

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

__all__ = [
    "CURRENT",
    "MANIFEST",
    "MANIFEST_KEY",
    "IndexError_",
    "IndexHandle",
    "IndexMismatch",
    "IndexMissing",
    "Manifest",
    "check_compatible",
    "chroma_client",
    "collection_name",
    "current_generation",
    "current_generation_number",
    "current_manifest",
    "manifest_collection",
    "open_index",
    "open_store",
    "publish_on_server",
    "reopen_index",
    "server_generations",
    "server_manifest",
    "server_unreachable",
]

# HNSW breadth at query time, set when a collection is created. Chroma's default (100)
# missed the one passage that holds a query's rare words (true nearest neighbour at
# distance 0.20, not in the top 200 returned) in a 342-passage server collection, and on
# the embedded store it made the top 30 differ between two processes querying the same
# files (15 of 60 golden questions), so answers changed from run to run. At 400 the top
# 30 equals exact search on all 60 and is the same in every process, at well under a
# millisecond more per query at this scale.
EF_SEARCH = 400
# Graph quality, also set at creation. The graph is built anew by each ingest, and with
# Chroma's defaults (ef_construction 100, 16 neighbours) a build could still miss a true
# top-30 neighbour near the cut: 0-1 of the 163 golden questions per build, 2 of 4 builds
# (a CI run failed on one). At 400 / 32, 12 builds matched exact search on all 163.
EF_CONSTRUCTION = 400
MAX_NEIGHBORS = 32


def open_store(
    settings: Settings,
    gen_dir: Path,
    name: str,
    embeddings: Embeddings,
    client: ClientAPI | None = None,
) -> Chroma:
    from langchain_chroma import Chroma

    # Applies when a collection is created (a new generation); an existing one keeps the
    # configuration it was created with.
    config = {
        "hnsw": {
            "ef_search": EF_SEARCH,
            "ef_construction": EF_CONSTRUCTION,
            "max_neighbors": MAX_NEIGHBORS,
        }
    }
    return Chroma(
        collection_name=name,
        embedding_function=embeddings,
        client=client if client is not None else chroma_client(settings, gen_dir),
        collection_configuration=config,  # type: ignore[arg-type]
    )


@dataclass
class IndexHandle:
    """An opened generation: vector store plus the aligned keyword index."""

    settings: Settings
    manifest: Manifest
    gen_dir: Path
    store: Chroma
    ids: list[str]
    metadatas: list[dict[str, Any]]
    keyword: KeywordIndex
    tokenizer: Tokenizer
    embeddings: Embeddings
    client: ClientAPI | None = None  # server mode: the open connection
    _columns: dict[str, dict[Any, np.ndarray]] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        return len(self.ids)

    @cached_property
    def positions(self) -> dict[str, int]:
        return {cid: i for i, cid in enumerate(self.ids)}

    def mask(self, filters: dict[str, Any] | None) -> np.ndarray | None:
        """Chunks matching every filter (a value or a list of values per key).

        Example: ``mask({"year": 2023, "kind": ["result", "other"]})`` -> a boolean array
        over the chunks; each key's column is read once per handle, not per question.
        """
        if not filters:
            return None
        keep = np.ones(self.size, dtype=bool)
        for key, want in filters.items():
            values = want if isinstance(want, list | tuple | set) else [want]
            column = self._column(key)
            hit = np.zeros(self.size, dtype=bool)
            for v in values:
                if v in column:
                    hit[column[v]] = True
            keep &= hit
        return keep

    def _column(self, key: str) -> dict[Any, np.ndarray]:
        """Metadata value -> positions of the chunks holding it."""
        if key not in self._columns:
            groups: dict[Any, list[int]] = {}
            for i, m in enumerate(self.metadatas):
                groups.setdefault(m.get(key), []).append(i)
            self._columns[key] = {v: np.array(ps, dtype=np.int64) for v, ps in groups.items()}
        return self._columns[key]


# Chunks read per request when opening: one unpaged get() of ~33,000 chunks or more
# fails in Chroma with "too many SQL variables" (SQLite's 32,766), in both modes.
GET_PAGE = 5000
# Reads of a collection that an ingest changed while they paged through it (rows
# removed ahead of the offset shift the pages) are retried this many times.
READ_ATTEMPTS = 3


def _live_chunks(
    store: Chroma, manifest: Manifest, docs: set[str] | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """Ids and metadata of the chunks of the report versions ``manifest`` lists (of
    ``docs`` only, when given), in the store's own order, page by page.

    A server collection also holds other versions (the previous one of a report just
    updated, for readers still on the previous manifest; one a killed ingest added):
    they are left out, so every report is read whole and once. A read that finds
    another count than the manifest's was overtaken by an ingest and is made again.
    """
    want = manifest.versions()
    if docs is not None:
        want = {d: v for d, v in want.items() if d in docs}
    if not want:
        return [], []
    where: Any = {"ver": {"$in": sorted(set(want.values()))}} if docs is not None else None
    expected = {d: int(manifest.docs[d].get("chunks", 0)) for d in want}
    ids: list[str] = []
    metadatas: list[dict[str, Any]] = []
    for _ in range(READ_ATTEMPTS):
        ids, metadatas, offset = [], [], 0
        while True:
            got = store.get(where=where, include=["metadatas"], limit=GET_PAGE, offset=offset)
            offset += len(got["ids"])
            for cid, meta in zip(got["ids"], got["metadatas"], strict=True):
                m = dict(meta or {})
                if want.get(str(m.get("doc"))) == m.get("ver"):
                    ids.append(cid)
                    metadatas.append(m)
            if len(got["ids"]) < GET_PAGE:
                break
        if Counter(str(m["doc"]) for m in metadatas) == {d: n for d, n in expected.items() if n}:
            break
    return ids, metadatas


def _missing(settings: Settings) -> IndexMissing:
    where = (
        f"Chroma 服务器 {settings.chroma_host}:{settings.chroma_port} 上没有集合前缀"
        f" {settings.collection} 的完整索引（no finished index on the server）"
        if settings.chroma_host
        else f"索引不存在：{settings.index_dir}"
    )
    return IndexMissing(f"{where}。请先运行 `qa ingest`（或直接提问，缺失的索引会自动建立）。")


def _handle(
    settings: Settings,
    manifest: Manifest,
    gen_dir: Path,
    store: Chroma,
    chunks: tuple[list[str], list[dict[str, Any]]],
    embeddings: Embeddings,
    client: ClientAPI | None,
) -> IndexHandle:
    ids, metadatas = chunks
    return IndexHandle(
        settings=settings,
        manifest=manifest,
        gen_dir=gen_dir,
        store=store,
        ids=ids,
        metadatas=metadatas,
        keyword=KeywordIndex([str(m.get("tokens", "")).split() for m in metadatas]),
        tokenizer=Tokenizer(),
        embeddings=embeddings,
        client=client if settings.chroma_host else None,
    )


def _current(settings: Settings, client: ClientAPI | None) -> tuple[Manifest, Path, ClientAPI]:
    found = current_manifest(settings, client)
    if found is None:
        raise _missing(settings)
    manifest, gen_dir = found
    check_compatible(manifest, settings)
    return manifest, gen_dir, client or chroma_client(settings, gen_dir)


def open_index(settings: Settings, embeddings: Embeddings) -> IndexHandle:
    """Open the current index, checking that it was built like we would build it."""
    client = chroma_client(settings, None) if settings.chroma_host else None
    manifest, gen_dir, client = _current(settings, client)
    name = manifest_collection(settings, manifest)
    store = open_store(settings, gen_dir, name, embeddings, client)
    chunks = _live_chunks(store, manifest)
    return _handle(settings, manifest, gen_dir, store, chunks, embeddings, client)


def reopen_index(old: IndexHandle) -> IndexHandle:
    """The current index, reading only the reports whose version differs from ``old``'s.

    Chunk ids are hashes of the chunks, so a report of the same version has the same
    ids in every generation and collection: its chunks are taken from ``old``. At
    100x the seeds a full open reads 75,000 chunks' metadata (about 20 s in either mode);
    one changed report is tens of chunks, and the rebuilt keyword index (bm25s has no
    incremental add) makes the whole refresh about 5-7 s.
    """
    settings, embeddings = old.settings, old.embeddings
    manifest, gen_dir, client = _current(settings, old.client)
    name = manifest_collection(settings, manifest)
    store = (
        old.store
        if settings.chroma_host and name == manifest_collection(settings, old.manifest)
        else open_store(settings, gen_dir, name, embeddings, client)
    )
    before, now = old.manifest.versions(), manifest.versions()
    same = {d for d, v in now.items() if before.get(d) == v}
    ids = [cid for cid, m in zip(old.ids, old.metadatas, strict=True) if m.get("doc") in same]
    metadatas = [m for m in old.metadatas if m.get("doc") in same]
    new_ids, new_metadatas = _live_chunks(store, manifest, set(now) - same)
    chunks = (ids + new_ids, metadatas + new_metadatas)
    return _handle(settings, manifest, gen_dir, store, chunks, embeddings, client)
