"""The on-disk embedding cache: one file per text hash, written so that a killed
ingest never leaves a half-written entry behind.

``LocalFileStore`` writes each value in place; a SIGKILL during that write leaves an
empty or truncated file, and the next ingest fails reading it. Here each value is
written to a temporary file beside it and renamed over it (atomic on POSIX), and an
empty file (from a run before this) reads as missing, so it is embedded again.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence

from langchain_classic.storage import LocalFileStore


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
