"""Corpus -> chunks -> index, incrementally, one writer at a time, crash-safe.

This module decides what an ingest must do: every file is hashed, and only those whose
bytes, catalogue entry, chunking settings or processing code changed are cleaned,
chunked and tokenised (``Plan``). ``qa.ingest.write`` writes the plan: a new generation
of the embedded store, or an in-place update of a Chroma server's collection.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from langchain_core.documents import Document

from qa.ingest.corpus import (
    CatalogError,
    Skipped,
    SourceDoc,
    list_sources,
    load_catalog,
    load_document,
    read_text,
)
from qa.ingest.documents import catalog_hash, doc_entry, pipeline_hash, to_documents
from qa.ingest.write import IngestReport, Plan, write
from qa.settings import Settings
from qa.store.generations import (
    IngestError,
    ingest_lock,
)
from qa.store.index import (
    IndexMismatch,
    Manifest,
    check_compatible,
    chroma_client,
    current_manifest,
)
from qa.store.keyword import Tokenizer

__all__ = ["IngestError", "IngestReport", "ingest", "ingest_lock", "to_documents"]


def ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    *,
    rebuild: bool = False,
    progress: bool | None = None,
) -> IngestReport:
    """Bring the index in line with the reports under ``paths`` (default: the seeds folder).

    With no ``paths`` the folder is the whole corpus: reports removed from it
    are removed from the index. Named paths are added or updated only. Only files
    whose bytes, catalogue entry, chunking settings or processing code changed are
    cleaned, chunked and embedded; the others are recognised by the hash of their bytes.
    """
    started = time.perf_counter()
    full_corpus = not paths
    roots = [settings.seeds_dir] if full_corpus else list(paths or [])
    if full_corpus and (not settings.seeds_dir.is_dir()):
        raise IngestError(
            f"找不到报告文件夹 {settings.seeds_dir}。请把报告（.txt 或 .md）放进去，"
            f"或用 QA_SEEDS_DIR 指向报告所在文件夹。"
        )
    # An unreachable server is reported before anything is written (IndexError_).
    client = chroma_client(settings, None) if settings.chroma_host else None
    with ingest_lock(settings.index_dir):
        # In server mode what is indexed is read from the server, never from this
        # machine's folder: another machine may have ingested since, or the server
        # may be a fresh one.
        found = current_manifest(settings, client)
        old, old_dir = found if found is not None else (None, None)
        base = old if (old is not None and not rebuild) else None
        if base is not None:
            try:
                check_compatible(base, settings)
            except IndexMismatch as exc:
                raise IngestError(str(exc)) from exc
        report = IngestReport()
        plan = _plan(roots, settings, base, full_corpus, report)
        if base is None or plan.changed or plan.removed:
            show = settings.progress if progress is None else progress
            write(settings, plan, base, old_dir, old, show, report, client)
        else:
            report.generation = base.generation
        report.seconds = time.perf_counter() - started
        return report


def _plan(
    roots: list[Path],
    settings: Settings,
    base: Manifest | None,
    full_corpus: bool,
    report: IngestReport,
) -> Plan:
    """Hash every file; read, clean and chunk only those whose entry would change."""
    files, skipped = list_sources(roots)
    entries: dict[str, dict[str, Any]] = {}
    changed: dict[str, list[Document]] = {}
    catalogs: dict[Path, dict[str, dict[str, object]]] = {}
    tokenizer = Tokenizer()  # jieba loads on the first changed file only
    for path in files:
        raw = read_text(path)
        if isinstance(raw, Skipped):
            skipped.append(raw)
            continue
        report.chars += len(raw)
        entry = base.docs.get(path.name) if base is not None else None
        if entry is not None and _unchanged(entry, raw, path, settings):
            entries[path.name] = entry
            continue
        source = _load(path, catalogs)
        if isinstance(source, Skipped):
            skipped.append(source)
            continue
        docs = to_documents(source, settings, tokenizer)
        entries[path.name] = doc_entry(source, docs, settings)
        if entry != entries[path.name]:
            changed[path.name] = docs
    report.skipped = skipped
    if not entries:
        reasons = "；".join(f"{s.path.name}: {s.reason}" for s in skipped) or "文件夹是空的"
        raise IngestError(f"没有可以建索引的报告（{reasons}）。请放入 UTF-8 文本或 Markdown 报告。")
    old_docs = base.docs if base is not None else {}
    wanted = dict(entries) if full_corpus else {**old_docs, **entries}
    report.files = len(entries)
    report.chunks = sum(int(e["chunks"]) for e in wanted.values())
    report.unchanged_files = len(entries) - len(changed)
    return Plan(wanted, changed, [d for d in old_docs if d not in wanted])


def _unchanged(entry: dict[str, Any], raw: str, path: Path, settings: Settings) -> bool:
    """The manifest entry still describes this file: same bytes, catalogue entry,
    chunking settings and processing code (no cleaning, chunking or tokenising needed)."""
    return (
        entry.get("sha") == hashlib.sha256(raw.encode("utf-8")).hexdigest()
        and entry.get("chunking") == [settings.chunk_tokens, settings.chunk_overlap_tokens]
        and entry.get("catalog") == catalog_hash(path)
        and entry.get("pipeline") == pipeline_hash()
    )


def _load(path: Path, catalogs: dict[Path, dict[str, dict[str, object]]]) -> SourceDoc | Skipped:
    try:
        if path.parent not in catalogs:
            catalogs[path.parent] = load_catalog(path.parent)
    except CatalogError as exc:
        raise IngestError(str(exc)) from exc
    return load_document(path, catalogs[path.parent])
