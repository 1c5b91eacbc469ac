"""``ReportQA.as_runnable()`` and ``ReportQA.as_retriever()`` driven by LangChain itself.

Nothing of LangChain is faked: the chain is composed with ``RunnableLambda``, batched
with LangChain's thread pool, traced with a real ``BaseCallbackHandler``, and asks the
real seed index (built once per session by ``seed_index``, hence ``slow``) with the
extractive backend. The one stand-in is the chat model of the draft-streaming test,
LangChain's own ``FakeListChatModel``, as in test_chain.py. Tests that never reach the
index (bad input, light import) are fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from conftest import DOC_001
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda

from qa.answer.refusal import REFUSAL
from qa.answer.runnable import AnswerChain, ReportRetriever, run_lock
from qa.api import QuestionError, ReportQA
from qa.schema import Answer, Passage
from qa.settings import PROJECT_ROOT, Settings

GDP_Q = "2023年重庆地区生产总值是多少？"
GDP_2023 = "30145.79"  # 000/004: 全年地区生产总值……达到30145.79亿元
GDP_2024_Q = "2024年重庆地区生产总值是多少？"
GDP_2024 = "32193.15"  # 001: 全年地區生產總值達到32193.15億元
UNANSWERABLE_Q = "2019年重庆地区生产总值是多少？"  # a year before the reports


@dataclass
class Run:
    kind: str  # chain | retriever | chat_model
    name: str | None
    parent: UUID | None
    inputs: Any
    outputs: Any = None
    error: BaseException | None = None
    started: float = field(default_factory=time.perf_counter)
    ended: float | None = None


class Recorder(BaseCallbackHandler):
    """Records the runs LangChain reports, keyed by run id."""

    raise_error = True  # a broken handler fails the test instead of being logged

    def __init__(self) -> None:
        self.runs: dict[UUID, Run] = {}

    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        self.runs[run_id] = Run("chain", kwargs.get("name"), parent_run_id, inputs)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.runs[run_id].outputs = outputs

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self.runs[run_id].error = error

    def on_retriever_start(
        self,
        serialized: dict[str, Any] | None,
        query: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        self.runs[run_id] = Run("retriever", kwargs.get("name"), parent_run_id, query)

    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.runs[run_id].outputs = documents

    def on_chat_model_start(
        self,
        serialized: dict[str, Any] | None,
        messages: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        self.runs[run_id] = Run("chat_model", kwargs.get("name"), parent_run_id, messages)

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.runs[run_id].outputs = response
        self.runs[run_id].ended = time.perf_counter()

    def named(self, name: str) -> list[Run]:
        return [r for r in self.runs.values() if r.name == name]

    def id_of(self, run: Run) -> UUID:
        return next(k for k, v in self.runs.items() if v is run)


# --- fast: nothing here reaches the index -------------------------------------------


@pytest.fixture
def no_index_qa(tmp_path: Path) -> ReportQA:
    return ReportQA(Settings(index_dir=tmp_path / "none", progress=False), build_if_missing=False)


def test_the_api_builds_real_langchain_objects(no_index_qa: ReportQA) -> None:
    chain = no_index_qa.as_runnable()
    assert isinstance(chain, Runnable) and isinstance(chain, AnswerChain)
    assert chain.get_name() == "ReportQA"
    schema = chain.get_input_schema().model_json_schema()
    assert {"question", "history", "filters", "backend"} <= set(
        schema["$defs"]["ChainInput"]["properties"]
    )
    retriever = no_index_qa.as_retriever(k=3, filters={"year": 2024})
    assert isinstance(retriever, BaseRetriever) and isinstance(retriever, ReportRetriever)
    assert (retriever.k, retriever.filters) == (3, {"year": 2024})


@pytest.mark.parametrize("question", ["", "   ", {"question": "\n\t"}, {"question": "\x00"}])
def test_an_empty_question_raises_question_error(no_index_qa: ReportQA, question: Any) -> None:
    chain = no_index_qa.as_runnable()
    recorder = Recorder()
    with pytest.raises(QuestionError, match="问题不能为空"):
        chain.invoke(question, config={"callbacks": [recorder]})
    (run,) = recorder.named("ReportQA")
    assert isinstance(run.error, QuestionError)  # the failed run is traced as failed
    with pytest.raises(QuestionError, match="问题不能为空"):
        list(chain.stream(question))
    with pytest.raises(QuestionError, match="问题不能为空"):
        asyncio.run(chain.ainvoke(question))
    with pytest.raises(QuestionError, match="问题不能为空"):
        no_index_qa.as_retriever().invoke("  ")


def test_a_malformed_input_is_refused(no_index_qa: ReportQA) -> None:
    chain = no_index_qa.as_runnable()
    with pytest.raises(TypeError, match="filter"):
        chain.invoke({"question": GDP_Q, "filter": {"doc": DOC_001}})  # typo: not ignored
    with pytest.raises(QuestionError, match="缺少问题"):
        chain.invoke({"history": []})
    with pytest.raises(QuestionError, match="问题必须是文本"):
        chain.invoke(42)


def test_import_stays_light() -> None:
    code = "import sys, qa, qa.api; print(sorted(m for m in sys.modules if 'langchain' in m))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert out.stdout.strip() == "[]"


# --- slow: the real seed index, extractive backend -----------------------------------


@pytest.fixture(scope="module")
def report_qa(seed_index: tuple[Settings, ReportQA]) -> ReportQA:
    """A ReportQA answering extractively (no model) over the session's seed index."""
    settings, seed_qa = seed_index
    qa_obj = ReportQA(settings.replace(backend="extractive"), build_if_missing=False)
    qa_obj._handle = seed_qa.index  # share the opened index: no second embedder load
    return qa_obj


@pytest.fixture(scope="module")
def chain(report_qa: ReportQA) -> AnswerChain:
    return report_qa.as_runnable()


@pytest.fixture(scope="module")
def gdp(chain: AnswerChain) -> Answer:
    return chain.invoke({"question": GDP_Q})


@pytest.mark.slow
def test_invoke_answers_with_the_figure_and_its_source(chain: AnswerChain, gdp: Answer) -> None:
    assert isinstance(gdp, Answer)
    assert not gdp.refused, gdp.text
    assert GDP_2023 in gdp.text, gdp.text
    assert gdp.citations and any(GDP_2023 in p.text for p in gdp.citations)
    assert gdp.backend == "抽取式（无模型）"
    assert chain.invoke(GDP_Q).text == gdp.text  # a plain question works too


@pytest.mark.slow
def test_composes_with_a_lambda_for_invoke_and_stream(chain: AnswerChain, gdp: Answer) -> None:
    composed = chain | RunnableLambda(lambda a: a.text)
    assert composed.invoke({"question": GDP_Q}) == gdp.text
    chunks = list(composed.stream({"question": GDP_Q}))
    assert chunks and chunks[-1] == gdp.text


@pytest.mark.slow
def test_batch_keeps_order_and_refuses_the_unanswerable(chain: AnswerChain, gdp: Answer) -> None:
    questions = [GDP_Q, {"question": GDP_2024_Q}, {"question": UNANSWERABLE_Q}]
    answers = chain.batch(questions, config={"max_concurrency": 3})
    assert [type(a) for a in answers] == [Answer, Answer, Answer]
    assert [a.refused for a in answers] == [False, False, True], [a.text for a in answers]
    assert answers[0].text == gdp.text
    assert GDP_2024 in answers[1].text, answers[1].text
    assert answers[2].text.startswith(REFUSAL) and answers[2].citations == []


@pytest.mark.slow
def test_callbacks_see_the_named_run_and_its_answer(chain: AnswerChain, gdp: Answer) -> None:
    recorder = Recorder()
    answer = chain.invoke({"question": GDP_Q}, config={"callbacks": [recorder]})
    (run,) = recorder.named("ReportQA")
    assert run.kind == "chain" and run.parent is None and run.error is None
    assert run.inputs == {"question": GDP_Q}
    assert run.outputs is answer and answer.text == gdp.text

    # Inside a sequence the chain's run is a child of the sequence's run, for invoke
    # and for stream; a stream's recorded output is the Answer, not the pieces.
    for call in ("invoke", "stream"):
        recorder = Recorder()
        composed = chain | RunnableLambda(lambda a: a.text, name="text")
        config: Any = {"callbacks": [recorder], "run_name": "pipeline"}
        if call == "invoke":
            composed.invoke({"question": GDP_Q}, config=config)
        else:
            list(composed.stream({"question": GDP_Q}, config=config))
        (top,) = recorder.named("pipeline")
        (inner,) = recorder.named("ReportQA")
        assert inner.parent == recorder.id_of(top), call
        assert isinstance(inner.outputs, Answer) and inner.outputs.text == gdp.text, call
        assert top.outputs == gdp.text, call


@pytest.mark.slow
def test_stream_ends_with_the_answer(chain: AnswerChain, gdp: Answer) -> None:
    *pieces, final = list(chain.stream({"question": GDP_Q}))
    assert isinstance(final, Answer) and final.text == gdp.text
    assert all(isinstance(p, str) for p in pieces)  # the extractive backend drafts nothing


@pytest.mark.slow
def test_stream_yields_the_models_draft_then_the_verified_answer(report_qa: ReportQA) -> None:
    draft = "2023年重庆地区生产总值达到30145.79亿元，增长6.1%[1]。"
    # The judge is off: the fake model's scripted replies are drafts.
    qa_obj = ReportQA(report_qa.settings.replace(judge=False), build_if_missing=False)
    qa_obj._handle = report_qa.index
    qa_obj._chat_models["local"] = FakeListChatModel(responses=[draft, draft])
    chain = qa_obj.as_runnable()
    question: Any = {"question": GDP_Q, "backend": "local"}

    recorder = Recorder()
    items = list(chain.stream(question, config={"callbacks": [recorder]}))
    *pieces, final = items
    assert len(pieces) > 1 and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces) == draft
    assert isinstance(final, Answer) and GDP_2023 in final.text and final.citations
    # The chat model's run is traced inside the chain's run.
    (run,) = recorder.named("ReportQA")
    (model_run,) = [r for r in recorder.runs.values() if r.kind == "chat_model"]
    assert model_run.parent == recorder.id_of(run)
    assert run.outputs is final

    async def collect() -> list[str | Answer]:
        return [item async for item in chain.astream(question)]

    *apieces, afinal = asyncio.run(collect())
    assert "".join(apieces) == draft and len(apieces) > 1
    assert isinstance(afinal, Answer) and afinal.text == final.text


@pytest.mark.slow
def test_concurrent_runs_over_one_reportqa_take_turns(report_qa: ReportQA) -> None:
    """``batch`` uses LangChain's thread pool; the model is only used by one run at a time."""
    draft = "2023年重庆地区生产总值达到30145.79亿元[1]。"
    qa_obj = ReportQA(report_qa.settings.replace(judge=False), build_if_missing=False)
    qa_obj._handle = report_qa.index
    qa_obj._chat_models["local"] = FakeListChatModel(responses=[draft], sleep=0.005)
    chain = qa_obj.as_runnable()
    recorder = Recorder()
    answers = chain.batch(
        [{"question": GDP_Q, "backend": "local"}] * 3,
        config={"callbacks": [recorder], "max_concurrency": 3},
    )
    assert all(GDP_2023 in a.text for a in answers)
    generations = sorted(
        (r.started, r.ended) for r in recorder.runs.values() if r.kind == "chat_model"
    )
    assert len(generations) == 3
    for (_, end), (next_start, _) in itertools.pairwise(generations):
        assert end is not None and end <= next_start  # no two generations overlap


@pytest.mark.slow
def test_async_forms_answer_without_blocking_the_loop(chain: AnswerChain, gdp: Answer) -> None:
    async def main() -> tuple[Answer, int, list[str | Answer], list[str]]:
        task = asyncio.ensure_future(chain.ainvoke({"question": GDP_Q}))
        ticks = 0
        while not task.done():  # the loop keeps running while the chain works
            ticks += 1
            await asyncio.sleep(0.001)
        streamed = [item async for item in chain.astream(GDP_Q)]
        composed = chain | RunnableLambda(lambda a: a.text)
        texts = [chunk async for chunk in composed.astream({"question": GDP_Q})]
        return task.result(), ticks, streamed, texts

    answer, ticks, streamed, texts = asyncio.run(main())
    assert isinstance(answer, Answer) and answer.text == gdp.text
    assert ticks > 5, ticks
    assert isinstance(streamed[-1], Answer) and streamed[-1].text == gdp.text
    assert texts[-1] == gdp.text


@pytest.mark.slow
def test_a_stream_stopped_early_frees_the_chain(report_qa: ReportQA, chain: AnswerChain) -> None:
    lock = run_lock(report_qa)
    for _ in chain.stream(GDP_Q):
        assert lock.locked()  # the run is under way
        break
    assert not lock.locked()

    async def stop_early() -> bool:
        async with contextlib.aclosing(chain.astream(GDP_Q)) as items:
            async for _ in items:
                break
        return lock.locked()

    assert asyncio.run(stop_early()) is False
    assert not chain.invoke(GDP_Q).refused


@pytest.mark.slow
def test_history_rewrites_a_follow_up(chain: AnswerChain, gdp: Answer) -> None:
    answer = chain.invoke({"question": "那2024年呢？", "history": [(GDP_Q, gdp.text)]})
    assert "2024" in answer.standalone_question
    assert answer.standalone_question == GDP_2024_Q
    assert not answer.refused and GDP_2024 in answer.text, answer.text


@pytest.mark.slow
def test_filters_restrict_the_answer_to_a_document(chain: AnswerChain) -> None:
    answer = chain.invoke({"question": GDP_2024_Q, "filters": {"doc": DOC_001}})
    assert answer.passages and {p.doc for p in answer.passages} == {DOC_001}


@pytest.mark.slow
def test_retriever_documents_carry_the_passage_fields(report_qa: ReportQA) -> None:
    docs = report_qa.as_retriever(k=3).invoke("新能源汽车产量")
    assert 0 < len(docs) <= 3 and all(isinstance(d, Document) for d in docs)
    expected = {f.name for f in fields(Passage)} - {"text"}
    for d in docs:
        assert set(d.metadata) == expected
        assert d.metadata["doc"].endswith(".txt") and d.metadata["title"]
        assert isinstance(d.metadata["year"], int) and d.metadata["kind"] in {
            "result",
            "plan",
            "other",
        }
        assert d.page_content and d.id == d.metadata["id"]
    assert any("新能源汽车" in d.metadata["norm"] for d in docs)
    # The same passages as the facade returns, in the same order.
    assert [d.id for d in docs] == [p.id for p in report_qa.retrieve("新能源汽车产量", k=3)]


@pytest.mark.slow
def test_retriever_filters_and_composes(report_qa: ReportQA) -> None:
    retriever = report_qa.as_retriever(k=4, filters={"doc": DOC_001})
    docs = retriever.invoke("新能源汽车产量")
    assert docs and {d.metadata["doc"] for d in docs} == {DOC_001}

    recorder = Recorder()
    titles = (retriever | RunnableLambda(lambda ds: [d.metadata["title"] for d in ds])).invoke(
        "新能源汽车产量", config={"callbacks": [recorder]}
    )
    assert titles == [d.metadata["title"] for d in docs]
    (run,) = [r for r in recorder.runs.values() if r.kind == "retriever"]
    assert run.name == "ReportRetriever" and run.inputs == "新能源汽车产量"
    assert [d.id for d in run.outputs] == [d.id for d in docs]
    assert run.parent is not None and recorder.runs[run.parent].kind == "chain"

    adocs = asyncio.run(retriever.ainvoke("新能源汽车产量"))
    assert [d.id for d in adocs] == [d.id for d in docs]
