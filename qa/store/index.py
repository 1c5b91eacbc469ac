"""Opening the index: the Chroma store, its manifest, and the keyword side.

Layout of ``index_dir`` (embedded mode)::

    current -> gen-00003        symlink, swapped atomically when an ingest finishes
    gen-00003/chroma/           Chroma persistent store
    gen-00003/records.sqlite    LangChain record manager (what is indexed, by hash)
    gen-00003/manifest.json     schema version, embedder, documents
    embed_cache/                embeddings by text hash: a killed ingest keeps its work
    ingest.lock                 one writer at a time

Readers only ever see a finished generation, so a killed ingest cannot leave
a half-written index behind.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qa.settings import SCHEMA_VERSION, Settings
from qa.store.embed import embedder_id
from qa.store.keyword import KeywordIndex, Tokenizer

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

CURRENT = "current"
MANIFEST = "manifest.json"


class IndexError_(RuntimeError):
    """Base of index problems; messages are shown to users as they are."""


class IndexMissing(IndexError_):
    pass


class IndexMismatch(IndexError_):
    pass


@dataclass
class Manifest:
    schema_version: int
    embedder: str
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    generation: int = 0
    created: float = 0.0

    @classmethod
    def read(cls, path: Path) -> Manifest:
        return cls.from_json(path.read_text(encoding="utf-8"))

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        return cls(
            schema_version=int(data.get("schema_version", 0)),
            embedder=str(data.get("embedder", "")),
            docs=dict(data.get("docs", {})),
            generation=int(data.get("generation", 0)),
            created=float(data.get("created", 0.0)),
        )

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1)

    def write(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)


def current_generation(index_dir: Path) -> Path | None:
    link = index_dir / CURRENT
    if not link.is_symlink() and not link.is_dir():
        return None
    target = link.resolve()
    return target if (target / MANIFEST).exists() else None


def check_compatible(manifest: Manifest, settings: Settings) -> None:
    """Refuse an index built by another embedder or schema: its vectors would be
    compared with query vectors from a different space and give silent garbage."""
    wanted = embedder_id(settings)
    how = "请运行 `qa ingest --rebuild` 重建索引（rebuild the index with `qa ingest --rebuild`）。"
    if manifest.schema_version != SCHEMA_VERSION:
        raise IndexMismatch(
            f"索引格式版本为 {manifest.schema_version}，当前程序需要 {SCHEMA_VERSION}。{how}"
        )
    if manifest.embedder != wanted:
        raise IndexMismatch(
            f"索引是用嵌入模型 {manifest.embedder} 建立的，当前设置为 {wanted}。"
            f"{how} 或把 QA_EMBEDDER 改回建索引时的模型。"
        )


def server_unreachable(settings: Settings, exc: BaseException) -> IndexError_:
    """The error shown when the Chroma server does not answer (down, restarting, elsewhere)."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return IndexError_(
        f"无法连接 Chroma 服务器 {settings.chroma_host}:{settings.chroma_port}，请确认服务器"
        f"正在运行后重试（Chroma server unreachable）：{first}"
    )


def chroma_client(settings: Settings, gen_dir: Path | None) -> ClientAPI:
    import chromadb

    if settings.chroma_host:
        try:
            client = chromadb.HttpClient(
                host=settings.chroma_host,
                port=settings.chroma_port,
                settings=chromadb.config.Settings(anonymized_telemetry=False),
            )
            client.heartbeat()
        except Exception as exc:
            raise server_unreachable(settings, exc) from exc
        return client
    assert gen_dir is not None
    return chromadb.PersistentClient(
        path=str(gen_dir / "chroma"),
        settings=chromadb.config.Settings(anonymized_telemetry=False),
    )


def collection_name(settings: Settings, generation: int) -> str:
    # Server mode has no directories to swap: each generation is its own collection.
    # One collection prefix belongs to one index_dir: ingest deletes the prefix's
    # collections of generations it no longer keeps.
    return f"{settings.collection}-g{generation}" if settings.chroma_host else settings.collection


def server_generations(settings: Settings, client: ClientAPI) -> dict[int, str]:
    """Server mode: generation -> collection name of this prefix's collections on the server."""
    return {gen: name for gen, (name, _) in _server_collections(settings, client).items()}


def _server_collections(
    settings: Settings, client: ClientAPI
) -> dict[int, tuple[str, Mapping[str, object]]]:
    pattern = re.compile(rf"^{re.escape(settings.collection)}-g(\d+)$")
    found: dict[int, tuple[str, Mapping[str, object]]] = {}
    for col in client.list_collections():
        if m := pattern.match(col.name):
            found[int(m.group(1))] = (col.name, col.metadata or {})
    return found


# Server mode: the manifest of a finished generation is stored in its collection's
# metadata, written in one call when the ingest ends. The newest collection that holds
# one is the current index, for every process on every machine using the server; a
# collection without it is an unfinished (killed) ingest and is never read.
MANIFEST_KEY = "qa_manifest"


def server_manifest(settings: Settings, client: ClientAPI) -> Manifest | None:
    """The newest finished generation's manifest on the server, or None."""
    done = {
        gen: str(meta[MANIFEST_KEY])
        for gen, (_, meta) in _server_collections(settings, client).items()
        if MANIFEST_KEY in meta
    }
    return Manifest.from_json(done[max(done)]) if done else None


def publish_on_server(settings: Settings, client: ClientAPI, manifest: Manifest) -> None:
    """Make ``manifest``'s generation the server's current index (one metadata write)."""
    collection = client.get_collection(collection_name(settings, manifest.generation))
    collection.modify(metadata={MANIFEST_KEY: manifest.to_json()})


def current_manifest(
    settings: Settings, client: ClientAPI | None = None
) -> tuple[Manifest, Path] | None:
    """What is indexed now, and the local folder of that generation (in server mode only
    scratch: records of this machine's last ingest, which may be absent)."""
    if settings.chroma_host:
        manifest = server_manifest(settings, client or chroma_client(settings, None))
        if manifest is None:
            return None
        return manifest, settings.index_dir / f"gen-{manifest.generation:05d}"
    gen_dir = current_generation(settings.index_dir)
    return (Manifest.read(gen_dir / MANIFEST), gen_dir) if gen_dir is not None else None


def current_generation_number(settings: Settings, client: ClientAPI | None = None) -> int | None:
    """The current generation's number, cheaply: a symlink read, or one server request
    (pass the open ``client``: making a new one costs a heartbeat and ~50 ms)."""
    if not settings.chroma_host:
        link = settings.index_dir / CURRENT
        try:
            name = Path(os.readlink(link)).name
        except OSError:
            return None
        return int(name.split("-")[-1]) if name.startswith("gen-") else None
    found = current_manifest(settings, client)
    return found[0].generation if found else None


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
    generation: int,
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
        collection_name=collection_name(settings, generation),
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


def _all_metadatas(store: Chroma) -> tuple[list[str], list[dict[str, Any]]]:
    """Every chunk's id and metadata, in the store's own order, page by page."""
    ids: list[str] = []
    metadatas: list[dict[str, Any]] = []
    while True:
        got = store.get(include=["metadatas"], limit=GET_PAGE, offset=len(ids))
        ids.extend(got["ids"])
        metadatas.extend(dict(m or {}) for m in got["metadatas"])
        if len(got["ids"]) < GET_PAGE:
            return ids, metadatas


def open_index(settings: Settings, embeddings: Embeddings) -> IndexHandle:
    """Open the current generation, checking that it was built like we would build it."""
    client = chroma_client(settings, None) if settings.chroma_host else None
    found = current_manifest(settings, client)
    if found is None:
        where = (
            f"Chroma 服务器 {settings.chroma_host}:{settings.chroma_port} 上没有集合前缀"
            f" {settings.collection} 的完整索引（no finished index on the server）"
            if settings.chroma_host
            else f"索引不存在：{settings.index_dir}"
        )
        raise IndexMissing(f"{where}。请先运行 `qa ingest`（或直接提问，缺失的索引会自动建立）。")
    manifest, gen_dir = found
    check_compatible(manifest, settings)
    client = client or chroma_client(settings, gen_dir)
    store = open_store(settings, gen_dir, manifest.generation, embeddings, client)
    ids, metadatas = _all_metadatas(store)
    keyword = KeywordIndex([str(m.get("tokens", "")).split() for m in metadatas])
    return IndexHandle(
        settings=settings,
        manifest=manifest,
        gen_dir=gen_dir,
        store=store,
        ids=ids,
        metadatas=metadatas,
        keyword=keyword,
        tokenizer=Tokenizer(),
        embeddings=embeddings,
        client=client if settings.chroma_host else None,
    )
