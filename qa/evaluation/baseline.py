"""The naive pipeline we measure ourselves against, built from stock parts:
raw text, ``RecursiveCharacterTextSplitter(500, 50)``, dense-only Chroma with
the same embedder, the tutorial grounded prompt, no verification.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.messages import HumanMessage, SystemMessage

from qa.schema import Passage

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

# The tutorial RAG prompt (LangChain's "rag-prompt": use the context, say you don't
# know, be brief), in Chinese. An earlier single-message prompt that asked for [n]
# markers made the 1.5B model reply "[1]" alone to 33 of 58 outside dev questions: a
# baseline that weak flatters the product.
SYSTEM_PROMPT = (
    "你是一个问答助手。请根据下面检索到的资料回答问题。"
    "如果资料中没有答案，就回答“文档中没有相关信息”。回答要简洁，最多三句话。"
)
USER_PROMPT = "资料：\n{context}\n\n问题：{question}"


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
        user = USER_PROMPT.format(context=context, question=question)
        reply = model.invoke([SystemMessage(SYSTEM_PROMPT), HumanMessage(user)])
        return str(reply.content), passages
