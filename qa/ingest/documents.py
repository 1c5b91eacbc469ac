"""What a report becomes in the index: LangChain ``Document``s with their keyword tokens,
and the manifest entry that says when it must be processed again.

Pure but for reading the catalogue and the code it hashes.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from langchain_core.documents import Document

from qa.ingest.chunk import chunk_document, context_text, keyword_text
from qa.ingest.corpus import CatalogError, SourceDoc, load_catalog
from qa.settings import Settings
from qa.store.keyword import Tokenizer


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
    ver = chunks_hash(docs)[:16]
    for d in docs:
        d.metadata[VERSION_KEY] = ver
    return docs


# Every chunk carries its report's version (a hash of the report's chunks, so of its
# name too): a Chroma server holds one collection that is updated in place, and a
# reader keeps only the chunks of the versions its manifest lists, so it sees each
# report whole, old or new, while an ingest adds one and removes the other.
VERSION_KEY = "ver"


def chunks_hash(docs: list[Document]) -> str:
    """Hash of the chunks' text and metadata (the version key left out)."""
    h = hashlib.sha256()
    for d in docs:
        h.update(d.page_content.encode())
        meta = {k: v for k, v in d.metadata.items() if k != VERSION_KEY}
        h.update(repr(sorted(meta.items())).encode())
    return h.hexdigest()


def chunk_id(doc: Document) -> str:
    """A chunk's id: the hash of its text and metadata (version included), so the same
    chunk written twice (an ingest resumed after a kill) is recognised, not duplicated.
    """
    h = hashlib.sha256(doc.page_content.encode())
    h.update(repr(sorted(doc.metadata.items())).encode())
    return h.hexdigest()


def doc_entry(source: SourceDoc, docs: list[Document], settings: Settings) -> dict[str, Any]:
    return {
        "sha": source.sha,
        "chunks": len(docs),
        "chunk_hash": chunks_hash(docs),
        VERSION_KEY: docs[0].metadata[VERSION_KEY] if docs else "",
        "title": source.info.title,
        "years": list(source.info.years),
        "kind": source.info.kind,
        "script": source.info.script,
        "chunking": [settings.chunk_tokens, settings.chunk_overlap_tokens],
        "catalog": catalog_hash(source.path),
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


def catalog_hash(path: Path) -> str:
    try:
        entry = load_catalog(path.parent).get(path.name, {})
    except CatalogError:
        return "unreadable"  # the full pass reports it
    return hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).hexdigest()[:16]
