"""The web chat: rendering (unit), handlers over a stand-in, and the real app over HTTP.

Unit tests check the HTML (escaping, [n] links, highlighted support, refusal style,
verification note) and the handlers' streaming with a stand-in ``ReportQA``.
The ``slow`` tests start the real app (``ReportQA`` with the extractive backend on
the full seed index) on a free loopback port and talk to it with ``gradio_client``.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from qa.api import QuestionError
from qa.schema import Answer, Check, Passage
from ui import render
from ui.app import (
    EXAMPLES,
    _Answerer,
    build_app,
    catalogue,
    concurrency_for,
    make_filters,
    new_session,
    parse_history,
)

GDP_QUESTION = "2023年重庆地区生产总值是多少？"
GDP_FIGURE = "30145.79"
GDP_DOCS = {"000_e3173ead8c29be09.txt", "004_3348ee11c8af0d59.txt"}
UNANSWERABLE = "重庆全市医疗卫生机构床位总数是多少张？"


def passage(text: str, **kw: Any) -> Passage:
    base: dict[str, Any] = {
        "doc": "000_e3173ead8c29be09.txt",
        "title": "关于重庆市2023年国民经济和社会发展规划执行情况的报告",
        "year": 2023,
        "section": "一、2023年工作回顾 > （一）经济运行",
        "score": 0.5,
        "kind": "result",
    }
    base.update(kw)
    return Passage(text=text, **base)


GDP_PASSAGE = passage(
    "全年经济运行稳中向好。全年地区生产总值达到30145.79亿元，增长6.1%。\n物价稳定。"
)
JOBS_PASSAGE = passage("城镇新增就业74.6万人。", kind="plan", year=2024, section="二、2024年目标")


# --- rendering ---------------------------------------------------------------------------
def test_card_escapes_html_in_passage_title_and_section() -> None:
    evil = passage(
        "正文<script>alert('x')</script>，地区生产总值30145.79亿元。",
        title="<img src=x onerror=alert(1)>报告",
        section="<b>一</b> > 二",
    )
    answer = Answer(text="地区生产总值30145.79亿元[1]。", citations=[evil])
    out = render.render_answer(answer, turn=1)
    assert "<script" not in out and "<img" not in out and "<b>一" not in out
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in out
    assert "&lt;img src=x onerror=alert(1)&gt;报告" in out


def test_answer_text_from_a_model_is_escaped_too() -> None:
    answer = Answer(text="<iframe src=//evil></iframe>30145.79亿元[1]", citations=[GDP_PASSAGE])
    out = render.render_answer(answer, turn=1)
    assert "<iframe" not in out and "&lt;iframe" in out


def test_markers_link_to_numbered_cards() -> None:
    answer = Answer(
        text="2023年地区生产总值30145.79亿元[1]。2024年城镇新增就业74.6万人[2]。另见[7]。",
        citations=[GDP_PASSAGE, JOBS_PASSAGE],
        backend="抽取式（无模型）",
    )
    out = render.render_answer(answer, turn=3)
    assert '<a href="#src-3-1"' in out and '<a href="#src-3-2"' in out
    assert 'id="src-3-1"' in out and 'id="src-3-2"' in out
    assert "另见[7]" in out  # a marker without a card stays text
    assert "结果" in out and "目标" in out  # kind badges
    assert "一、2023年工作回顾 &gt; （一）经济运行" in out
    assert "2023年" in out and "2024年" in out
    assert "抽取式（无模型）" in out
    assert "\n" not in out  # one HTML block: a blank line would end it in Markdown


def test_supporting_sentence_is_highlighted() -> None:
    answer = Answer(text="2023年地区生产总值30145.79亿元[1]。", citations=[GDP_PASSAGE])
    out = render.render_answer(answer, turn=1)
    marked = re.findall(r"<mark[^>]*>(.*?)</mark>", out)
    assert marked and any(GDP_FIGURE in m for m in marked)
    assert not any("物价稳定" in m for m in marked)


def test_highlight_escapes_inside_and_outside_marks() -> None:
    out = render.highlight("甲<b>。<乙>。丙", ["<乙>。"])
    assert out.startswith("甲&lt;b&gt;。<mark")
    assert "&lt;乙&gt;。</mark>丙" in out


def test_figure_fallback_finds_sentences_sharing_figures() -> None:
    got = render.figure_overlap_sentences("地区生产总值30145.79亿元[1]。", GDP_PASSAGE)
    assert got == ["全年地区生产总值达到30145.79亿元，增长6.1%。"]


def test_refusal_has_its_own_style_and_shows_nearby_passages() -> None:
    answer = Answer(
        text="报告中没有提供这一信息，无法回答。",
        refused=True,
        passages=[GDP_PASSAGE, JOBS_PASSAGE],
    )
    out = render.render_answer(answer, turn=2)
    assert 'class="qa-refusal"' in out and "qa-answer" not in out
    assert "报告中没有找到依据" in out
    assert "报告中相近的内容" in out and GDP_FIGURE in out


def test_note_when_verification_changed_the_draft() -> None:
    answer = Answer(
        text="地区生产总值30145.79亿元[1]。",
        citations=[GDP_PASSAGE],
        draft="地区生产总值30145.79亿元[1]，人均99999元[1]。",
        checks=[Check("unsupported_number", "删去 1 处无依据的数字：99999元")],
    )
    note = render.verification_note(answer)
    assert note.startswith("核验后已修改") and "99999" in note
    assert "核验后已修改" in render.render_answer(answer, turn=1)
    same = Answer(text="甲[1]。", citations=[GDP_PASSAGE], draft="甲[1]。")
    assert render.verification_note(same) == ""


def test_backend_fallback_is_said_in_the_answer() -> None:
    answer = Answer(
        text="30145.79亿元[1]。",
        citations=[GDP_PASSAGE],
        checks=[Check("backend_fallback", "本地模型 x.gguf 不可用：timeout")],
    )
    assert "已改用抽取式回答" in render.render_answer(answer, turn=1)


def test_refusal_markers_link_to_the_nearby_cards() -> None:
    answer = Answer(
        text="文档中没有相关信息。相关内容：《报告》一、回顾[1]；二、目标[2]。",
        refused=True,
        passages=[GDP_PASSAGE, JOBS_PASSAGE],
    )
    out = render.render_answer(answer, turn=4)
    assert 'href="#src-4-2"' in out and 'id="src-4-2"' in out


def test_error_messages_are_chinese_not_tracebacks() -> None:
    msg = render.error_message(
        QuestionError("问题不能为空，请输入要查询的内容（the question is empty）。")
    )
    assert msg.startswith("问题不能为空")
    assert "模型服务" in render.error_message(ConnectionError("refused"))
    assert "内部错误" in render.error_message(KeyError("x"))
    assert "Traceback" not in render.render_error(msg)


def test_answer_to_dict_is_json() -> None:
    answer = Answer(
        text="30145.79亿元[1]", citations=[GDP_PASSAGE], checks=[Check("rewritten", "q")]
    )
    data = render.answer_to_dict(answer)
    json.dumps(data, ensure_ascii=False)
    assert data["citations"][0]["n"] == 1 and data["citations"][0]["doc"] == GDP_PASSAGE.doc
    assert set(data) >= {"text", "refused", "citations", "standalone_question", "backend", "checks"}


def test_filters_and_history_parsing() -> None:
    assert make_filters("", "") is None
    assert make_filters("a.txt", "2023") == {"doc": "a.txt", "year": 2023}
    assert parse_history("") == []
    assert parse_history('[["问", "答"]]') == [("问", "答")]
    msgs = [{"role": "user", "content": "问"}, {"role": "assistant", "content": "答"}]
    assert parse_history(json.dumps(msgs)) == [("问", "答")]


def test_catalogue_reads_titles_without_an_index(tmp_path: Any) -> None:
    from qa.settings import PROJECT_ROOT, Settings

    docs, years = catalogue(Settings(index_dir=tmp_path / "none", seeds_dir=PROJECT_ROOT / "seeds"))
    assert len(docs) == 5 and all(title for _, title in docs)
    assert 2023 in years


def test_concurrency_is_one_for_the_local_model() -> None:
    from qa.settings import Settings

    assert concurrency_for(Settings(backend="local")) == 1
    assert concurrency_for(Settings(backend="extractive")) > 1


# --- handlers over a stand-in --------------------------------------------------------------
class StandIn:
    """Same methods as ReportQA; streams a draft, then a verified answer that differs."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.index = object()
        self.histories: list[list[Any]] = []

    def stream(self, question: str, history: Any = None, filters: Any = None, backend: Any = None):
        if not question.strip():
            raise QuestionError("问题不能为空，请输入要查询的内容（the question is empty）。")
        self.histories.append(list(history or []))
        yield "地区生产总值30145.79亿元[1]，"
        yield "人均99999元[1]。"
        yield Answer(
            text="地区生产总值30145.79亿元[1]。",
            citations=[GDP_PASSAGE],
            draft="地区生产总值30145.79亿元[1]，人均99999元[1]。",
            checks=[Check("unsupported_number", "删去 1 处无依据的数字：99999元")],
            backend="stand-in",
        )

    def ask(self, question: str, history: Any = None, filters: Any = None, backend: Any = None):
        *_, last = self.stream(question, history, filters, backend)
        return last


@pytest.fixture
def handlers(tmp_path: Any) -> _Answerer:
    from qa.settings import Settings

    return _Answerer(StandIn(Settings(index_dir=tmp_path, backend="extractive")))


def test_stream_turn_shows_draft_then_verified_answer_with_note(handlers: _Answerer) -> None:
    steps = list(handlers.stream_turn("GDP？", "", "", new_session()))
    first_messages = steps[0][0]
    assert first_messages[0] == {"role": "user", "content": "GDP？"}
    assert "正在检索" in first_messages[1]["content"]
    messages, state, box, backend = steps[-1]
    final = messages[-1]["content"]
    assert "99999" not in final.split("核验后已修改")[0]
    assert "核验后已修改" in final and 'id="src-1-1"' in final
    assert state["history"] == [("GDP？", "地区生产总值30145.79亿元[1]。")]
    assert box == "" and "stand-in" in backend
    # the next turn sees the history, and its cards get fresh ids
    messages, state, *_ = list(handlers.stream_turn("那2024年呢？", "", "", state))[-1]
    assert handlers.qa.histories[-1] == [("GDP？", "地区生产总值30145.79亿元[1]。")]
    assert 'id="src-2-1"' in messages[-1]["content"] and len(messages) == 4


def test_retry_replaces_the_last_turn(handlers: _Answerer) -> None:
    *_, (messages, state, _, _) = handlers.stream_turn("GDP？", "", "", new_session())
    *_, (messages, state, _, _) = handlers.retry("", "", state)
    assert len(messages) == 2 and len(state["history"]) == 1
    assert handlers.qa.histories[-1] == []


def test_empty_question_becomes_a_chat_message(handlers: _Answerer) -> None:
    messages, state, *_ = list(handlers.stream_turn("   ", "", "", new_session()))[-1]
    assert len(messages) == 1 and "问题不能为空" in messages[0]["content"]
    assert 'class="qa-error"' in messages[0]["content"]
    assert state["history"] == []
    assert "问题不能为空" in handlers.ask("")["error"]


def test_failures_become_chat_messages(handlers: _Answerer) -> None:
    def broken(*_: Any, **__: Any) -> Iterator[Any]:
        raise ConnectionError("Connection refused")
        yield  # pragma: no cover

    handlers.qa.stream = broken  # type: ignore[method-assign]
    messages, *_ = list(handlers.stream_turn("GDP？", "", "", new_session()))[-1]
    assert "模型服务无法连接" in messages[-1]["content"]


def test_serve_is_loopback_and_never_shared(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import gradio as gr

    from qa.settings import Settings
    from ui import app

    seen: dict[str, Any] = {}
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kw: seen.update(kw))
    monkeypatch.setattr(app, "build_app", lambda qa, **kw: gr.Blocks())
    app.serve(Settings(index_dir=tmp_path / "missing", seeds_dir=tmp_path / "none"), block=False)
    assert seen["server_name"] == "127.0.0.1" and seen["server_port"] == 7860
    assert seen["share"] is False


# --- the real app over HTTP --------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(demo: Any) -> str:
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def app_url(seed_index: tuple[Any, Any]) -> Iterator[str]:
    from qa.api import ReportQA

    settings, _ = seed_index
    qa = ReportQA(settings.replace(backend="extractive"), build_if_missing=False)
    demo = build_app(qa)
    url = start_app(demo)
    yield url
    demo.close()


def client(url: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False)


def ask(c: Any, question: str, history: Any = "", doc: str = "", year: str = "") -> dict:
    if not isinstance(history, str):
        history = json.dumps(history, ensure_ascii=False)
    return c.predict(question, history, doc, year, api_name="/ask")


def chat_text(result: Any) -> str:
    messages = result[0]
    content = messages[-1]["content"]
    if isinstance(content, list):  # gradio may wrap text as [{"type": "text", "text": …}]
        content = "".join(str(part.get("text", "")) for part in content)
    return str(content)


@pytest.mark.slow
def test_answerable_question_cites_the_report(app_url: str) -> None:
    data = ask(client(app_url), GDP_QUESTION)
    assert not data["refused"], data
    assert GDP_FIGURE in data["text"]
    assert data["citations"] and {c["doc"] for c in data["citations"]} & GDP_DOCS
    assert any(GDP_FIGURE in c["text"] for c in data["citations"])
    assert re.search(r"\[1\]", data["text"])
    assert data["backend"]


@pytest.mark.slow
def test_unanswerable_question_is_refused(app_url: str) -> None:
    data = ask(client(app_url), UNANSWERABLE)
    assert data["refused"], data
    assert data["citations"] == []


@pytest.mark.slow
def test_empty_question_gives_a_chinese_message(app_url: str) -> None:
    c = client(app_url)
    data = ask(c, "   ")
    assert "问题不能为空" in data["error"]
    text = chat_text(c.predict("", "", "", api_name="/chat"))
    assert "问题不能为空" in text
    # the app is still answering afterwards
    assert GDP_FIGURE in ask(c, GDP_QUESTION)["text"]


@pytest.mark.slow
def test_chat_endpoint_renders_cards_and_filters(app_url: str) -> None:
    c = client(app_url)
    text = chat_text(c.predict(GDP_QUESTION, "", "", api_name="/chat"))
    assert 'id="src-1-1"' in text and 'href="#src-1-1"' in text and GDP_FIGURE in text
    doc_only = ask(c, GDP_QUESTION, doc="004_3348ee11c8af0d59.txt")
    assert {x["doc"] for x in doc_only["citations"]} <= {"004_3348ee11c8af0d59.txt"}


@pytest.mark.slow
def test_parallel_sessions_keep_their_own_history(app_url: str) -> None:
    """Two browser-like sessions (``/chat`` keeps history in gr.State per session) ask
    different first questions at the same time, then the same elliptical follow-up:
    each follow-up is understood from its own session's first question."""
    firsts = {"a": GDP_QUESTION, "b": "2023年重庆城镇新增就业多少人？"}
    topic = {"a": "地区生产总值", "b": "就业"}
    results: dict[str, list[str]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def session(name: str) -> None:
        try:
            c = client(app_url)
            barrier.wait(timeout=60)
            first = chat_text(c.predict(firsts[name], "", "", api_name="/chat"))
            barrier.wait(timeout=60)
            follow = chat_text(c.predict("那2024年呢？", "", "", api_name="/chat"))
            results[name] = [first, follow]
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(n,)) for n in firsts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    for name, other in (("a", "b"), ("b", "a")):
        follow = results[name][1]
        understood = re.search(r"按上下文理解为：([^<｜]*)", follow)
        assert understood, follow[:500]
        assert "2024" in understood.group(1)
        assert topic[name] in understood.group(1), understood.group(1)
        assert topic[other] not in understood.group(1), understood.group(1)

    # /ask is stateless: the caller's history alone decides the follow-up
    c = client(app_url)
    a = ask(c, "那2024年呢？", [[firsts["a"], "…"]])
    b = ask(c, "那2024年呢？", [[firsts["b"], "…"]])
    assert topic["a"] in a["standalone_question"] and topic["b"] in b["standalone_question"]


def test_examples_are_questions() -> None:
    assert all(q.endswith("？") for q in EXAMPLES)
