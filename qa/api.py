"""``ReportQA``: the one facade over the index, retrieval and answering.

>>> from qa import ReportQA
>>> qa = ReportQA()                       # opens vectorstore/, building it if missing
>>> qa.retrieve("2023年重庆地区生产总值是多少？", k=5)   # -> list[Passage]
>>> qa.ask("那2024年呢？", history=[...])               # -> Answer

Settings come from ``QA_*`` environment variables unless passed in.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from qa.schema import Answer, Filters, History, Passage
from qa.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from qa.answer.rerank import Reranker
    from qa.answer.runnable import AnswerChain, ReportRetriever
    from qa.store.index import IndexHandle

_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


class QuestionError(ValueError):
    """The question cannot be asked as it is (empty, only whitespace)."""


def check_question(question: str, settings: Settings) -> str:
    """Strip a question and bound its length; an empty one is refused.

    Example: ``check_question("  GDP？ ", s)`` -> ``"GDP？"``; a 1 MB question is cut to
    ``settings.max_question_chars`` characters rather than embedded whole.
    """
    if not isinstance(question, str):
        raise QuestionError("问题必须是文本（question must be a string）。")
    # NUL and lone surrogates (possible through a JSON API) are not text any model takes.
    text = _NOT_TEXT.sub(" ", question).strip()
    if not text:
        raise QuestionError("问题不能为空，请输入要查询的内容（the question is empty）。")
    return text[: settings.max_question_chars]


class ReportQA:
    """Question answering over the reports. Heavy parts load on first use."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        build_if_missing: bool = True,
        **overrides: Any,
    ) -> None:
        self.settings = settings or Settings.load(**overrides)
        if settings is not None and overrides:
            self.settings = settings.replace(**overrides)
        self._build_if_missing = build_if_missing
        self._handle: IndexHandle | None = None
        self._checked = 0.0  # time.monotonic() of the last look for a newer index
        # Held by each LangChain run over this object (``qa.answer.runnable``): the index
        # and a llama.cpp model are not safe to use from two threads at once.
        self.run_lock = threading.Lock()
        self._chat_models: dict[str, BaseChatModel] = {}
        self._reranker: Reranker | None = None
        self._reranker_loaded = False

    # --- index -------------------------------------------------------------
    @property
    def index(self) -> IndexHandle:
        """The opened index (built first when missing and allowed)."""
        if self._handle is None:
            from qa.ingest.pipeline import ingest
            from qa.store.cache import cached_embedder
            from qa.store.embed import embedder_id, make_embedder
            from qa.store.index import IndexMissing, open_index

            settings = self.settings
            embeddings = cached_embedder(
                make_embedder(settings), embedder_id(settings), settings.index_dir, reader=True
            )
            try:
                self._handle = open_index(self.settings, embeddings)
            except IndexMissing:
                if not self._build_if_missing:
                    raise
                ingest(self.settings)
                self._handle = open_index(self.settings, embeddings)
            self._checked = time.monotonic()
        return self._handle

    def reload(self) -> None:
        """Pick up a newer index generation (after ``qa ingest``)."""
        self._handle = None

    def refresh(self) -> None:
        """Reopen the index if another ingest has finished since it was opened.

        Looked for at most every ``settings.refresh_seconds`` (a symlink read, or one
        request to the Chroma server), before a question: an app instance follows
        ``qa ingest`` run anywhere on the same store without a restart, reading only the
        reports that changed. An unreachable store is left to the question itself,
        which reports it.
        """
        now = time.monotonic()
        if self._handle is None or now - self._checked < self.settings.refresh_seconds:
            return
        self._checked = now
        from qa.store.index import IndexError_, current_generation_number, reopen_index

        try:
            latest = current_generation_number(self.settings, self._handle.client)
            if latest is None or latest == self._handle.manifest.generation:
                return
            # Only the reports whose version changed are read; the rest is kept.
            self._handle = reopen_index(self._handle)
        except IndexError_:
            self._handle = None  # the question opens it again and says what is wrong
        except Exception:
            return  # an unreachable store: the question itself reports it

    # --- retrieval ---------------------------------------------------------
    def retrieve(self, question: str, k: int = 5, filters: Filters | None = None) -> list[Passage]:
        from qa.answer.retrieve import hybrid_search

        text = check_question(question, self.settings)
        self.refresh()
        return hybrid_search(self.index, text, k=k, filters=filters)

    # --- answering ---------------------------------------------------------
    def ask(
        self,
        question: str,
        history: History | None = None,
        filters: Filters | None = None,
        backend: str | None = None,
    ) -> Answer:
        """A verified answer; see ``stream`` for the same with text as it is generated."""
        final: Answer | None = None
        for item in self.stream(question, history=history, filters=filters, backend=backend):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        history: History | None = None,
        filters: Filters | None = None,
        backend: str | None = None,
    ) -> Iterator[str | Answer]:
        """Yields draft text pieces as the model writes them, then the final ``Answer``.

        The final text may differ from the streamed draft: verification removes
        unsupported sentences and invalid citations after generation.
        """
        from qa.answer.chain import run_chain

        # Checked here, not inside the generator, so a bad question fails at the call.
        text = check_question(question, self.settings)
        self.refresh()
        return run_chain(self, text, history or [], filters, backend)

    # --- LangChain -----------------------------------------------------------
    def as_runnable(self) -> AnswerChain:
        """This facade as a LangChain Runnable named "ReportQA".

        ``{"question", "history", "filters", "backend"}`` (or a question ``str``) ->
        ``Answer``; ``stream`` yields draft pieces, then the ``Answer``. Runs over this
        ReportQA are serialised (see ``qa.answer.runnable``).
        """
        from qa.answer.runnable import AnswerChain

        return AnswerChain(self)

    def as_retriever(self, k: int = 5, filters: Filters | None = None) -> ReportRetriever:
        """``retrieve`` as a LangChain ``BaseRetriever``: a query -> ``Document``s whose
        metadata holds the ``Passage`` fields (doc, title, year, section, kind, …)."""
        from qa.answer.runnable import ReportRetriever

        return ReportRetriever(qa=self, k=k, filters=dict(filters) if filters else None)

    def reranker(self) -> Reranker | None:
        """The cross-encoder of ``QA_RERANKER``, loaded once; None when none is set.
        Raises ``RerankerUnavailable`` (with what to do) when it cannot be loaded."""
        if not self._reranker_loaded:
            from qa.answer.rerank import load_reranker

            self._reranker = load_reranker(self.settings.reranker)
            self._reranker_loaded = True
        return self._reranker

    def chat_model(self, backend: str) -> BaseChatModel:
        """The chat model of a backend, loaded once per ReportQA."""
        if backend not in self._chat_models:
            from qa.answer.llm import make_chat_model

            self._chat_models[backend] = make_chat_model(
                self.settings, backend, max_tokens=self.settings.answer_tokens
            )
        return self._chat_models[backend]

    def helper_model(self, backend: str) -> BaseChatModel:
        """The model that judges answers and condenses follow-ups, loaded once.

        Locally it is a second llama.cpp context on the same mapped weights (about
        0.75 GB more memory), so that the writer's and the helper's fixed prompt
        beginnings each stay evaluated: llama.cpp reuses the longest prefix shared
        with the tokens its context last saw, and one context alternating between
        the answer prompt and the judge's evaluated both from the start every time
        (on 11 dev questions, first token p50 3.6 -> 2.3 s, answer p50 4.3 -> 3.1 s).
        A served model is its own helper.
        """
        if backend != "local":
            return self.chat_model(backend)
        if f"{backend}-helper" not in self._chat_models:
            from qa.answer.llm import make_chat_model

            self._chat_models[f"{backend}-helper"] = make_chat_model(
                self.settings, backend, max_tokens=64, helper=True
            )
        return self._chat_models[f"{backend}-helper"]
