"""Corpus -> chunks -> index, incrementally, one writer at a time, crash-safe.

An ingest copies the current generation, lets LangChain's indexing API (with
a SQL record manager) embed only what changed, then swaps the ``current``
symlink. A killed ingest leaves ``current`` untouched; its embeddings stay
in the cache, so the next ingest finishes quickly.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.documents import Document

from qa.ingest.chunk import chunk_document, context_text, keyword_text
from qa.ingest.corpus import (
    CatalogError,
    Skipped,
    SourceDoc,
    list_sources,
    load_catalog,
    load_corpus,
    read_text,
)
from qa.settings import SCHEMA_VERSION, Settings
from qa.store.embed import CountingEmbeddings, embedder_id, make_embedder
from qa.store.index import (
    CURRENT,
    MANIFEST,
    IndexMismatch,
    Manifest,
    check_compatible,
    chroma_client,
    collection_name,
    current_generation,
    open_store,
    server_generations,
)
from qa.store.keyword import Tokenizer

LOCK_FILE = "ingest.lock"
_GEN = re.compile(r"^gen-(\d+)$")


class IngestError(RuntimeError):
    """A problem the user can act on; the message says what to do."""


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


def to_documents(source: SourceDoc, settings: Settings, tokenizer: Tokenizer) -> list[Document]:
    chunks = chunk_document(
        source.info,
        source.text,
        max_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
        default_year=source.default_year,
        default_kind=source.default_kind,
    )
    info = source.info
    docs = []
    for c in chunks:
        content = context_text(c, info.title)
        meta: dict[str, Any] = {
            "doc": c.doc,
            "title": info.title,
            "section": c.section,
            "kind": c.kind,
            "text": c.text,
            "norm": c.norm,
            "chunk_index": c.index,
            "is_table": c.is_table,
            "doc_years": ",".join(str(y) for y in info.years),
            "tokens": " ".join(tokenizer.tokens(keyword_text(c))),
        }
        if c.year is not None:
            meta["year"] = c.year  # Chroma metadata cannot hold None
        docs.append(Document(page_content=content, metadata=meta))
    return docs


def _doc_entry(source: SourceDoc, docs: list[Document], settings: Settings) -> dict[str, Any]:
    h = hashlib.sha256()
    for d in docs:
        h.update(d.page_content.encode())
        h.update(repr(sorted(d.metadata.items())).encode())
    return {
        "sha": source.sha,
        "chunks": len(docs),
        "chunk_hash": h.hexdigest(),
        "title": source.info.title,
        "years": list(source.info.years),
        "kind": source.info.kind,
        "script": source.info.script,
        "chunking": [settings.chunk_tokens, settings.chunk_overlap_tokens],
        "catalog": _catalog_hash(source.path),
        "pipeline": pipeline_hash(),
    }


@functools.lru_cache(maxsize=1)
def pipeline_hash() -> str:
    """Hash of the code that turns a file into chunks and tokens: a changed cleaner
    or chunker must re-process unchanged files (their embeddings mostly come from
    the cache), never leave chunks that the current code would not produce."""
    from qa.ingest import chunk, clean, corpus, mojibake, tables
    from qa.store import keyword
    from qa.text import script, tokens

    h = hashlib.sha256()
    for module in (chunk, clean, corpus, keyword, mojibake, script, tables, tokens):
        h.update(Path(str(module.__file__)).read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def _catalog_hash(path: Path) -> str:
    try:
        entry = load_catalog(path.parent).get(path.name, {})
    except CatalogError:
        return "unreadable"  # the full pass reports it
    return hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).hexdigest()[:16]


def _nothing_changed(
    roots: list[Path], base: Manifest, settings: Settings, full_corpus: bool
) -> IngestReport | None:
    """A report when no file, catalogue entry or chunking setting differs from the
    manifest, found by hashing raw files only: no cleaning, chunking or tokenising."""
    files, skipped = list_sources(roots)
    seen: dict[str, dict[str, Any]] = {}
    chars = 0
    for path in files:
        raw = read_text(path)
        if isinstance(raw, Skipped):
            skipped.append(raw)
            continue
        entry = base.docs.get(path.name)
        if (
            entry is None
            or entry.get("sha") != hashlib.sha256(raw.encode("utf-8")).hexdigest()
            or entry.get("chunking") != [settings.chunk_tokens, settings.chunk_overlap_tokens]
            or entry.get("catalog") != _catalog_hash(path)
            or entry.get("pipeline") != pipeline_hash()
        ):
            return None
        seen[path.name] = entry
        chars += len(raw)
    if not seen or (full_corpus and set(seen) != set(base.docs)):
        return None
    return IngestReport(
        files=len(seen),
        chunks=sum(int(e["chunks"]) for e in base.docs.values()),
        unchanged_files=len(seen),
        skipped=skipped,
        generation=base.generation,
        chars=chars,
    )


def _generations(index_dir: Path) -> list[tuple[int, Path]]:
    found = []
    for p in index_dir.iterdir() if index_dir.exists() else []:
        if p.is_dir() and not p.is_symlink() and (m := _GEN.match(p.name)):
            found.append((int(m.group(1)), p))
    return sorted(found)


def _swap_current(index_dir: Path, gen_dir: Path) -> None:
    tmp = index_dir / f"{CURRENT}.tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(gen_dir.name)
    os.replace(tmp, index_dir / CURRENT)  # atomic on POSIX: readers see old or new


def _prune(index_dir: Path, keep: set[Path]) -> None:
    # Keep the previous generation too: a running UI may still have it open.
    for _, p in _generations(index_dir):
        if p.resolve() not in keep:
            shutil.rmtree(p, ignore_errors=True)


def ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    *,
    rebuild: bool = False,
    progress: bool | None = None,
) -> IngestReport:
    """Bring the index in line with the reports under ``paths`` (default: the seeds folder).

    With no ``paths`` the folder is the whole corpus: reports removed from it
    are removed from the index. Named paths are added or updated only.
    """
    from langchain_classic.embeddings import CacheBackedEmbeddings
    from langchain_classic.indexes import SQLRecordManager
    from langchain_classic.storage import LocalFileStore
    from langchain_core.indexing import index

    started = time.perf_counter()
    full_corpus = not paths
    roots = [settings.seeds_dir] if full_corpus else list(paths or [])
    if full_corpus and (not settings.seeds_dir.is_dir()):
        raise IngestError(
            f"找不到报告文件夹 {settings.seeds_dir}。请把报告（.txt 或 .md）放进去，"
            f"或用 QA_SEEDS_DIR 指向报告所在文件夹。"
        )
    show = settings.progress if progress is None else progress
    report = IngestReport()
    if settings.chroma_host:
        # An unreachable server is reported before anything is written (IndexError_).
        chroma_client(settings, None)
    with ingest_lock(settings.index_dir):
        old_dir = current_generation(settings.index_dir)
        old = Manifest.read(old_dir / MANIFEST) if old_dir else None
        if old is not None and not rebuild:
            try:
                check_compatible(old, settings)
            except IndexMismatch as exc:
                raise IngestError(str(exc)) from exc
            quick = _nothing_changed(roots, old, settings, full_corpus)
            if quick is not None:
                quick.seconds = time.perf_counter() - started
                return quick
        try:
            sources, skipped = load_corpus(roots)
        except CatalogError as exc:
            raise IngestError(str(exc)) from exc
        report.skipped = skipped
        if not sources:
            reasons = "；".join(f"{s.path.name}: {s.reason}" for s in skipped) or "文件夹是空的"
            raise IngestError(
                f"没有可以建索引的报告（{reasons}）。请放入 UTF-8 文本或 Markdown 报告。"
            )
        tokenizer = Tokenizer()
        batches = {s.info.doc: to_documents(s, settings, tokenizer) for s in sources}
        entries = {s.info.doc: _doc_entry(s, batches[s.info.doc], settings) for s in sources}
        report.files = len(sources)
        report.chars = sum(len(s.text) for s in sources)

        base = old if (old is not None and not rebuild) else None
        wanted = dict(entries) if full_corpus else {**(base.docs if base else {}), **entries}
        report.chunks = sum(int(e["chunks"]) for e in wanted.values())
        changed_docs = [d for d in entries if not base or base.docs.get(d) != entries[d]]
        report.unchanged_files = len(entries) - len(changed_docs)
        if base is not None and base.docs == wanted:
            report.generation = base.generation
            report.seconds = time.perf_counter() - started
            return report

        generation = max([g for g, _ in _generations(settings.index_dir)] + [0]) + 1
        gen_dir = settings.index_dir / f"gen-{generation:05d}"
        shutil.rmtree(gen_dir, ignore_errors=True)
        if base is not None and old_dir is not None:
            shutil.copytree(old_dir, gen_dir)
            (gen_dir / MANIFEST).unlink()  # not a finished generation until the end
        else:
            gen_dir.mkdir(parents=True)

        total = sum(len(batches[d]) for d in changed_docs)
        bar = _progress_bar(total, show)
        cached = CacheBackedEmbeddings.from_bytes_store(
            make_embedder(settings),
            LocalFileStore(str(settings.index_dir / "embed_cache")),
            namespace=re.sub(r"[^A-Za-z0-9_.-]", "_", embedder_id(settings)) + "-",
            key_encoder="sha256",
        )
        counting = CountingEmbeddings(inner=cached, on_batch=bar.update)
        client = chroma_client(settings, gen_dir)
        if settings.chroma_host:
            # A collection of this number can only be a leftover (a killed ingest, an
            # index_dir deleted while the server kept its data): never build on it.
            with contextlib.suppress(Exception):
                client.delete_collection(collection_name(settings, generation))
        store = open_store(settings, gen_dir, generation, counting, client)
        if settings.chroma_host and base is not None:
            _copy_collection(settings, base.generation, store, client)
        records = SQLRecordManager(
            f"qa-{settings.collection}", db_url=f"sqlite:///{gen_dir / 'records.sqlite'}"
        )
        records.create_schema()
        todo = [d for doc in (wanted if full_corpus else entries) for d in batches.get(doc, [])]
        result = index(
            todo,
            records,
            store,
            cleanup="full" if full_corpus else "incremental",
            source_id_key="doc",
            batch_size=64,
            key_encoder="sha256",
        )
        bar.close()
        report.added = int(result["num_added"])
        report.deleted = int(result["num_deleted"])
        report.embedded = bar.n
        report.changed = True
        manifest = Manifest(
            schema_version=SCHEMA_VERSION,
            embedder=embedder_id(settings),
            docs=wanted,
            generation=generation,
            created=time.time(),
        )
        manifest.write(gen_dir / MANIFEST)
        _swap_current(settings.index_dir, gen_dir)
        _prune(settings.index_dir, {gen_dir.resolve(), *([old_dir.resolve()] if old_dir else [])})
        if settings.chroma_host:
            kept = {generation, *([old.generation] if old is not None else [])}
            _prune_server(settings, client, kept)
        report.generation = generation
        report.seconds = time.perf_counter() - started
        return report


def _prune_server(settings: Settings, client: Any, keep: set[int]) -> None:
    """Server mode: delete this prefix's collections of generations not kept (older
    ones and those a killed ingest left); the previous one stays for open readers."""
    for gen, name in server_generations(settings, client).items():
        if gen not in keep:
            with contextlib.suppress(Exception):  # gone already, or retried next time
                client.delete_collection(name)


def _copy_collection(settings: Settings, old_generation: int, store: Any, client: Any) -> None:
    """Server mode: seed the new generation's collection from the old one (vectors included),
    page by page within the server's batch limit."""
    name = collection_name(settings, old_generation)
    try:
        old = client.get_collection(name)
    except Exception as exc:
        # The copied record manager lists the old chunks as indexed: going on without
        # them would silently drop every unchanged report from the new generation.
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
        store._collection.add(
            ids=got["ids"],
            embeddings=got["embeddings"],
            documents=got["documents"],
            metadatas=got["metadatas"],
        )
        offset += len(got["ids"])


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
