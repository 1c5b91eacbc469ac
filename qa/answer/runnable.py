"""``ReportQA`` as LangChain components: the answer chain and the retriever.

>>> chain = ReportQA().as_runnable()
>>> chain.invoke({"question": "2023年重庆地区生产总值是多少？"})            # -> Answer
>>> chain.invoke("2023年重庆地区生产总值是多少？")                          # the same
>>> (chain | RunnableLambda(lambda a: a.text)).invoke({"question": "…"})   # -> str
>>> ReportQA().as_retriever(k=3).invoke("新能源汽车产量")                  # -> list[Document]

Both run inside LangChain's callback machinery (``config={"callbacks": [...]}``, run
names, parent runs), so tracers see them like any other Runnable.

One run at a time per ``ReportQA``: the index and the chat models it holds (a
llama.cpp model above all) are not safe to use from two threads at once, so every
run of the chain or the retriever over the same ``ReportQA`` holds one lock for its
whole length. ``batch``/``abatch`` (LangChain's thread-pool defaults) and concurrent
``ainvoke`` calls therefore work, and return in order, but answer one question after
the other. A stream holds the lock until it is exhausted or closed, so do not call
the same ``ReportQA``'s chain or retriever from inside a loop over its stream.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator, Mapping
from dataclasses import fields
from typing import Any, NotRequired, cast

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import run_in_executor
from pydantic import Field
from typing_extensions import TypedDict  # pydantic refuses typing.TypedDict on 3.11

from qa.api import QuestionError, ReportQA
from qa.schema import Answer, Passage

# What ``stream`` yields: draft text pieces as the model writes them, then the Answer.
Chunk = str | Answer
FilterMap = dict[str, str | int]


class ChainInput(TypedDict):
    """The chain's input; a plain ``str`` is taken as ``{"question": str}``.

    Example: ``{"question": "那2024年呢？", "history": [("2023年…？", "…")],
    "filters": {"doc": "001_a2cb04c756ef0252.txt"}, "backend": "extractive"}``.
    """

    question: str
    history: NotRequired[list[tuple[str, str]]]  # (user, assistant) pairs, oldest first
    filters: NotRequired[FilterMap | None]  # keys doc, year, kind
    backend: NotRequired[str | None]  # auto | local | openai | extractive; None: settings


_KEYS = ChainInput.__required_keys__ | ChainInput.__optional_keys__


def run_lock(qa: ReportQA) -> threading.Lock:
    """The lock that serialises runs over ``qa`` (one per ReportQA, shared by chain and
    retriever). A plain ``Lock``, not an ``RLock``: ``astream`` steps the run from
    executor threads, so it may be released by another thread than the one that took it."""
    return qa.run_lock


def _one_at_a_time(lock: threading.Lock, items: Iterator[Chunk]) -> Generator[Chunk, None, None]:
    # Taken at the first ``next``, released when the run ends or its generator is closed.
    with lock:
        yield from items


def _unpack(
    value: ChainInput | str,
) -> tuple[str, list[tuple[str, str]], FilterMap | None, str | None]:
    if not isinstance(value, Mapping):
        # A str is the question; anything else is refused by ``check_question``.
        return value, [], None, None
    unknown = set(value) - _KEYS
    if unknown:
        raise TypeError(
            f"unknown input keys {sorted(unknown)}; the chain takes {sorted(_KEYS)} "
            "(输入只接受 question、history、filters、backend)"
        )
    if "question" not in value:
        raise QuestionError("缺少问题（the input has no 'question'）。")
    return (
        value["question"],
        list(value.get("history") or []),
        value.get("filters"),
        value.get("backend"),
    )


def _next(items: Iterator[Chunk]) -> Chunk | None:
    return next(items, None)  # None is never a chunk: it marks the end


class AnswerChain(Runnable[ChainInput | str, Answer]):
    """``ReportQA.stream`` as a Runnable: ``ChainInput`` (or a question) -> ``Answer``.

    ``invoke``/``ainvoke`` return the verified ``Answer``; ``stream``/``astream`` yield
    the draft's text pieces as the model writes them, then that ``Answer`` (the
    extractive backend writes no draft: only the ``Answer``). The async forms run the
    chain in an executor thread and never block the event loop. ``batch``/``abatch`` are
    LangChain's defaults; runs are serialised by ``run_lock`` (see the module docstring),
    so ``max_concurrency`` only decides how many wait. A bad question raises
    ``QuestionError`` (at ``invoke``, or at the first item of a stream).

    Chained further, the next step gets the ``Answer``: LangChain adds streamed chunks
    up with ``+``, and ``str + Answer`` fails, so it keeps the last chunk, the Answer.
    """

    def __init__(self, qa: ReportQA, *, name: str = "ReportQA") -> None:
        self.qa = qa
        self.name = name

    def __repr__(self) -> str:
        return f"AnswerChain(name={self.name!r})"

    # --- the work, shared by every form ------------------------------------
    def _items(self, value: ChainInput | str) -> Generator[Chunk, None, None]:
        question, history, filters, backend = _unpack(value)
        # ``qa.stream`` checks the question now; the run itself starts at the first next.
        items = self.qa.stream(question, history=history, filters=filters, backend=backend)
        return _one_at_a_time(run_lock(self.qa), items)

    def _answer(self, value: ChainInput | str) -> Answer:
        final: Answer | None = None
        for item in self._items(value):
            if isinstance(item, Answer):
                final = item
        if final is None:  # pragma: no cover - ReportQA.stream always ends with one
            raise RuntimeError("the chain ended without an Answer")
        return final

    def _transform(self, inputs: Iterator[ChainInput | str]) -> Iterator[Chunk]:
        (value,) = inputs  # ``stream`` passes exactly one input
        yield from self._items(value)

    async def _aanswer(self, value: ChainInput | str) -> Answer:
        return await run_in_executor(None, self._answer, value)

    async def _atransform(self, inputs: AsyncIterator[ChainInput | str]) -> AsyncIterator[Chunk]:
        (value,) = [value async for value in inputs]  # ``astream`` passes exactly one
        # Each step of the sync run goes to an executor thread (context copied, so a
        # chat model's callbacks still nest under this run).
        items = await run_in_executor(None, self._items, value)
        try:
            while (item := await run_in_executor(None, _next, items)) is not None:
                yield item
        finally:
            # Releases the lock when the consumer stops early; if a step is still
            # running in its thread, the generator is closed when it is collected.
            with contextlib.suppress(ValueError):  # "generator already executing"
                items.close()

    # --- the Runnable interface ----------------------------------------------
    def invoke(
        self, input: ChainInput | str, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Answer:
        return self._call_with_config(self._answer, input, config)

    async def ainvoke(
        self, input: ChainInput | str, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Answer:
        return await self._acall_with_config(self._aanswer, input, config)

    # Runnable types chunks as the output type; this chain's chunks are wider (draft
    # pieces before the Answer), hence the ignores and casts below.
    def stream(  # type: ignore[override]
        self, input: ChainInput | str, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Chunk]:
        transform = cast(
            "Callable[[Iterator[ChainInput | str]], Iterator[Answer]]", self._transform
        )
        return cast(
            "Iterator[Chunk]",
            self._transform_stream_with_config(iter([input]), transform, config),
        )

    async def astream(  # type: ignore[override]
        self, input: ChainInput | str, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Chunk]:
        async def one() -> AsyncIterator[ChainInput | str]:
            yield input

        transform = cast(
            "Callable[[AsyncIterator[ChainInput | str]], AsyncIterator[Answer]]", self._atransform
        )
        stream = cast(
            "AsyncGenerator[Chunk, None]",
            self._atransform_stream_with_config(one(), transform, config),
        )
        # Closed here, not by the event loop's async-generator finaliser some time later,
        # so a consumer that stops early (``aclose``) frees the run lock at once.
        async with contextlib.aclosing(stream):
            async for item in stream:
                yield item


def passage_document(passage: Passage) -> Document:
    """A ``Passage`` as a LangChain ``Document``: its text as ``page_content``, every
    other field (``None`` and empty values included, so all documents have the same
    keys) as metadata; new ``Passage`` fields follow automatically."""
    metadata = {f.name: getattr(passage, f.name) for f in fields(passage) if f.name != "text"}
    return Document(page_content=passage.text, metadata=metadata, id=passage.id or None)


class ReportRetriever(BaseRetriever):
    """``ReportQA.retrieve`` as a LangChain retriever: a query -> ``Document``s.

    Example: ``ReportRetriever(qa=ReportQA(), k=3, filters={"year": 2024})``; the
    metadata of each document holds the ``Passage`` fields (doc, title, year, section,
    score, kind, id, norm, doc_years, is_table).
    """

    qa: ReportQA
    k: int = Field(default=5, ge=1)
    filters: FilterMap | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        with run_lock(self.qa):
            passages = self.qa.retrieve(query, k=self.k, filters=self.filters)
        return [passage_document(p) for p in passages]
