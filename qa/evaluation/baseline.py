"""The naive pipeline we measure ourselves against, built from stock parts:
raw text, ``RecursiveCharacterTextSplitter(500, 50)``, dense-only Chroma with
the same embedder, a plain grounded prompt, no verification.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.schema import Passage

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

PLAIN_PROMPT = "根据以下资料回答问题，并用[编号]标注来源。\n\n{context}\n\n问题：{question}\n回答："


class NaiveBaseline:
    def __init__(self, seeds_dir: Path, embeddings: Embeddings) -> None:
        import chromadb
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        for path in sorted(seeds_dir.glob("*.txt")):
            for piece in splitter.split_text(path.read_text(encoding="utf-8", errors="replace")):
                texts.append(piece)
                metas.append({"doc": path.name})
        self.chunks = len(texts)
        self.store = Chroma(
            collection_name=f"naive-{uuid.uuid4().hex[:8]}",
            embedding_function=embeddings,
            client=chromadb.EphemeralClient(),
        )
        if texts:
            self.store.add_texts(texts, metadatas=metas)

    def retrieve(self, question: str, k: int = 5) -> list[Passage]:
        found = self.store.similarity_search_with_relevance_scores(question, k=k)
        return [
            Passage(
                doc=str(d.metadata.get("doc", "")),
                title="",
                year=None,
                section="",
                text=d.page_content,
                score=float(s),
            )
            for d, s in found
        ]

    def answer(self, question: str, model: BaseChatModel, k: int = 5) -> tuple[str, list[Passage]]:
        passages = self.retrieve(question, k)
        context = "\n\n".join(f"[{i}] {p.text}" for i, p in enumerate(passages, 1))
        reply = model.invoke(PLAIN_PROMPT.format(context=context, question=question))
        return str(reply.content), passages
