"""What is indexed and where: the manifest, its compatibility check, and the connection.

Embedded mode: the manifest is ``manifest.json`` in the generation folder that the
``current`` symlink names. Server mode: it is stored in the metadata of the collection
that holds the chunks, so every process on every machine using the server reads the
same one; the newest finished one is the index.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.settings import SCHEMA_VERSION, Settings
from qa.store.embed import embedder_id

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

CURRENT = "current"
MANIFEST = "manifest.json"
# Server mode: the key of a collection's metadata that holds its manifest.
MANIFEST_KEY = "qa_manifest"


class IndexError_(RuntimeError):
    """Base of index problems; messages are shown to users as they are."""


class IndexMissing(IndexError_):
    pass


class IndexMismatch(IndexError_):
    pass


@dataclass
class Manifest:
    """One finished ingest: the reports indexed (each entry with its version ``ver``),
    a number that grows with every ingest, and (server mode) the collection holding
    the chunks."""

    schema_version: int
    embedder: str
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    generation: int = 0
    created: float = 0.0
    collection: str = ""

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
            collection=str(data.get("collection", "")),
        )

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1)

    def write(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)

    def versions(self) -> dict[str, str]:
        """Report -> the version of its chunks that this manifest reads."""
        return {doc: str(entry.get("ver", "")) for doc, entry in self.docs.items()}


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
    """The collection a new index is built in. Server mode has no directories to swap:
    a first build or a rebuild gets a collection of its generation's number, which later
    ingests update in place. One collection prefix belongs to one index: ingest deletes
    the prefix's collections it no longer uses."""
    return f"{settings.collection}-g{generation}" if settings.chroma_host else settings.collection


def manifest_collection(settings: Settings, manifest: Manifest) -> str:
    """The collection holding ``manifest``'s chunks."""
    return manifest.collection or collection_name(settings, manifest.generation)


def server_generations(settings: Settings, client: ClientAPI) -> dict[int, str]:
    """Server mode: number -> name of this prefix's collections on the server."""
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


def server_manifest(settings: Settings, client: ClientAPI) -> Manifest | None:
    """The newest finished manifest on the server (the highest generation), or None.

    A collection without one is an unfinished (killed) first build or rebuild and is
    never read; an in-place update writes its manifest in one call when it ends.
    """
    best: Manifest | None = None
    for name, meta in _server_collections(settings, client).values():
        if MANIFEST_KEY in meta:
            manifest = Manifest.from_json(str(meta[MANIFEST_KEY]))
            manifest.collection = name
            if best is None or manifest.generation > best.generation:
                best = manifest
    return best


def publish_on_server(client: ClientAPI, manifest: Manifest) -> None:
    """Make ``manifest`` the server's current index (one metadata write)."""
    client.get_collection(manifest.collection).modify(metadata={MANIFEST_KEY: manifest.to_json()})


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
