"""The on-disk embedding cache: one file per text hash, written so that a killed
ingest never leaves a half-written entry behind.

Ingest embeds every chunk through it; questions embed passage sentences through it
(``qa.answer.evidence``), so a sentence is embedded once per index, not once per
question. A reader that cannot write (a read-only index folder) still answers: its
new entries are simply not kept.

``LocalFileStore`` writes each value in place; a SIGKILL during that write leaves an
empty or truncated file, and the next ingest fails reading it. Here each value is
written to a temporary file beside it and renamed over it (atomic on POSIX), and an
empty file (from a run before this) reads as missing, so it is embedded again.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from langchain_classic.storage import LocalFileStore
from langchain_core.embeddings import Embeddings


class AtomicFileStore(LocalFileStore):
    """Example: ``AtomicFileStore(d).mset([("k", b"[0.1]")])`` then ``.mget(["k"])``
    -> ``[b"[0.1]"]``; a zero-byte entry -> ``[None]``."""

    def mset(self, key_value_pairs: Sequence[tuple[str, bytes]]) -> None:
        for key, value in key_value_pairs:
            path = self._get_full_path(key)
            self._mkdir_for_store(path.parent)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(value)
                os.replace(tmp, path)
            except BaseException:
                os.unlink(tmp)
                raise
            if self.chmod_file is not None:
                path.chmod(self.chmod_file)

    def mget(self, keys: Sequence[str]) -> list[bytes | None]:
        return [value or None for value in super().mget(keys)]


class ReaderFileStore(AtomicFileStore):
    """The cache as a question sees it: what cannot be written is left unwritten."""

    def mset(self, key_value_pairs: Sequence[tuple[str, bytes]]) -> None:
        with contextlib.suppress(OSError):
            super().mset(key_value_pairs)


def cached_embedder(
    inner: Embeddings, embedder_name: str, index_dir: Path, reader: bool = False
) -> Embeddings:
    """``inner`` behind the cache in ``index_dir/embed_cache``, keyed by the embedder's
    name and the text's sha256; queries are not cached (each is asked once)."""
    from langchain_classic.embeddings import CacheBackedEmbeddings

    kind = ReaderFileStore if reader else AtomicFileStore
    return CacheBackedEmbeddings.from_bytes_store(
        inner,
        kind(str(index_dir / "embed_cache")),
        namespace=re.sub(r"[^A-Za-z0-9_.-]", "_", embedder_name) + "-",
        key_encoder="sha256",
    )
