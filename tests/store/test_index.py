"""Reading the live chunks of a manifest: versions, and reads overtaken by an ingest."""

from __future__ import annotations

from typing import Any

from qa.store.index import Manifest, _live_chunks


class PagedStore:
    """A store's ``get`` as Chroma pages it; ``reads`` lists what each full read
    returns, so a read overtaken by an ingest (rows shifted past a page) can be played."""

    def __init__(self, reads: list[list[tuple[str, dict[str, Any]]]]) -> None:
        self.reads = reads
        self.wheres: list[Any] = []

    def get(self, where: Any, include: list[str], limit: int, offset: int) -> dict[str, Any]:
        rows = self.reads[0]
        if offset == 0:
            self.wheres.append(where)
        page = rows[offset : offset + limit]
        if offset + limit >= len(rows) and len(self.reads) > 1:
            self.reads.pop(0)  # the next read sees the next state
        return {"ids": [r[0] for r in page], "metadatas": [r[1] for r in page]}


def _manifest(**docs: tuple[str, int]) -> Manifest:
    return Manifest(
        schema_version=2,
        embedder="e",
        docs={d: {"ver": v, "chunks": n} for d, (v, n) in docs.items()},
    )


ROWS = [
    ("a1", {"doc": "a", "ver": "va"}),
    ("b0", {"doc": "b", "ver": "old"}),  # the previous version of b, kept for old readers
    ("a2", {"doc": "a", "ver": "va"}),
    ("b1", {"doc": "b", "ver": "vb"}),
    ("x1", {"doc": "b", "ver": "killed"}),  # what a killed ingest left
]


def test_only_the_listed_version_of_each_report_is_read() -> None:
    store = PagedStore([ROWS])
    ids, metas = _live_chunks(store, _manifest(a=("va", 2), b=("vb", 1)))  # type: ignore[arg-type]
    assert ids == ["a1", "a2", "b1"]
    assert [m["ver"] for m in metas] == ["va", "va", "vb"]
    assert store.wheres == [None]


def test_some_reports_are_read_by_their_versions() -> None:
    store = PagedStore([ROWS])
    ids, _ = _live_chunks(store, _manifest(a=("va", 2), b=("vb", 1)), {"b"})  # type: ignore[arg-type]
    assert ids == ["b1"]
    assert store.wheres == [{"ver": {"$in": ["vb"]}}]


def test_a_read_overtaken_by_an_ingest_is_made_again(monkeypatch: Any) -> None:
    monkeypatch.setattr("qa.store.index.GET_PAGE", 2)
    # The first read lost a2: rows ahead of its offset were deleted while it paged.
    shifted = [r for r in ROWS if r[0] != "a2"]
    store = PagedStore([shifted, ROWS])
    ids, _ = _live_chunks(store, _manifest(a=("va", 2), b=("vb", 1)))  # type: ignore[arg-type]
    assert ids == ["a1", "a2", "b1"]
    assert len(store.wheres) == 2
