"""The embedding cache survives a writer killed mid-write."""

from __future__ import annotations

from pathlib import Path

from qa.store.cache import AtomicFileStore


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
