"""The web chat: ``build_app(qa)`` gives a ``gr.Blocks``; ``serve(settings)`` runs it.

What a user sees: a chat whose answers stream in and are then replaced by the
verified text (with a note when verification changed it), numbered source cards
under each answer (``[n]`` in the answer links to card ``n``), refusals in their
own style with the nearest passages, document/year filters, the backend in use,
example questions, and clear/retry buttons. Each browser session keeps its own
history in a ``gr.State``.

For programs there is a named endpoint ``/ask``::

    from gradio_client import Client
    Client("http://127.0.0.1:7860/").predict(
        "2023年重庆地区生产总值是多少？", "", "", "", api_name="/ask"
    )  # -> {"text": …, "refused": False, "citations": [{"n": 1, "doc": …}], …}

and ``/chat`` (question, doc, year), which keeps the per-session history like the page.

Queueing: every answering event shares one concurrency group (``"answer"``) whose
limit is ``concurrency_for(backend)`` unless given: 1 for the local model (one
llama.cpp model on a 2-core CPU: a second generation in parallel only halves the
speed of both, and the shared ``Llama`` object is not safe to call from two threads),
4 otherwise (extractive answers take tens of milliseconds; an OpenAI-compatible
server does its own batching). Waiting requests queue (at most ``max_queue``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import gradio as gr

from qa.schema import Answer
from qa.settings import Settings
from ui.render import (
    answer_to_dict,
    error_message,
    render_answer,
    render_draft,
    render_error,
    render_user,
)

log = logging.getLogger("qa.ui")

TITLE = "重庆政府报告问答"
EXAMPLES = [
    "2023年重庆地区生产总值是多少？",
    "2024年重庆地区生产总值增长的预期目标是多少？",
    "2023年重庆城镇新增就业多少人？",
    "2022年重庆规模以上工业增加值增长多少？",
    "重庆全市医疗卫生机构床位总数是多少张？",  # not in the reports: shows a refusal
]
ALL_DOCS = ""  # dropdown value meaning "no document filter"
ALL_YEARS = ""
LOCAL_CONCURRENCY = 1
DEFAULT_CONCURRENCY = 4
DEFAULT_MAX_QUEUE = 64
STREAM_INTERVAL = 0.1  # seconds between chat refreshes while a draft streams
CONCURRENCY_ID = "answer"

# Installed once per page by the header's js_on_load: a click on [n] scrolls its card
# into view inside the chat's own scroll box and briefly outlines it.
_CITE_JS = """
if (!window.__qaCiteHandler) {
  window.__qaCiteHandler = true;
  document.addEventListener('click', function (ev) {
    const a = ev.target && ev.target.closest ? ev.target.closest('a.qa-cite') : null;
    if (!a) return;
    const id = a.getAttribute('data-card') || (a.getAttribute('href') || '').slice(1);
    const card = id ? document.getElementById(id) : null;
    if (!card) return;
    ev.preventDefault();
    ev.stopPropagation();
    card.scrollIntoView({behavior: 'smooth', block: 'center'});
    card.style.outline = '3px solid #f59e0b';
    setTimeout(function () { card.style.outline = ''; }, 1600);
  }, true);
}
"""


# --- configuration ---------------------------------------------------------------------
def concurrency_for(settings: Settings) -> int:
    """How many answers may run at once for the configured backend (see module doc)."""
    try:
        from qa.answer.llm import resolve_backend

        backend = resolve_backend(settings)
    except Exception:  # an unusable backend is reported per question
        backend = settings.backend
    return LOCAL_CONCURRENCY if backend == "local" else DEFAULT_CONCURRENCY


def backend_display(settings: Settings) -> str:
    try:
        from qa.answer.llm import backend_label

        return backend_label(settings, settings.backend)
    except Exception as exc:
        return f"{settings.backend}（不可用：{error_message(exc)}）"


def catalogue(settings: Settings) -> tuple[list[tuple[str, str]], list[int]]:
    """(doc, title) pairs and years of the reports, from the index manifest if there is
    one, else from the seeds' ``catalog.json``; reads no vectors, loads no model."""
    docs: dict[str, dict[str, Any]] = {}
    try:
        from qa.store.index import current_manifest

        found = current_manifest(settings)  # the server's, in server mode
        if found is not None:
            docs = dict(found[0].docs)
    except Exception:  # filters are optional; fall through to the catalogue
        docs = {}
    if not docs:
        try:
            data = json.loads((Path(settings.seeds_dir) / "catalog.json").read_text("utf-8"))
            docs = {k: v for k, v in data.items() if isinstance(v, dict)}
        except (OSError, ValueError):
            docs = {}
    pairs = sorted((doc, str(info.get("title") or doc)) for doc, info in docs.items())
    years = sorted({int(y) for info in docs.values() for y in info.get("years", []) or []})
    return pairs, years


def make_filters(doc: str | None, year: str | int | None) -> dict[str, Any] | None:
    """Example: ``make_filters("000_x.txt", "2023")`` -> ``{"doc": "000_x.txt", "year": 2023}``."""
    filters: dict[str, Any] = {}
    if doc:
        filters["doc"] = str(doc)
    if year not in (None, ""):
        with contextlib.suppress(ValueError):
            filters["year"] = int(str(year).strip().rstrip("年"))
    return filters or None


def parse_history(history_json: str | Sequence[Any] | None) -> list[tuple[str, str]]:
    """History for ``/ask``: JSON of ``[[question, answer], …]`` or of chat messages
    ``[{"role": "user", "content": …}, {"role": "assistant", …}, …]``."""
    if not history_json:
        return []
    data = json.loads(history_json) if isinstance(history_json, str) else history_json
    pairs: list[tuple[str, str]] = []
    if not isinstance(data, list):
        raise ValueError("history_json 必须是列表（a JSON list）")
    pending: str | None = None
    for item in data:
        if isinstance(item, dict):
            role, content = item.get("role"), str(item.get("content", ""))
            if role == "user":
                pending = content
            elif role == "assistant" and pending is not None:
                pairs.append((pending, content))
                pending = None
        elif isinstance(item, list | tuple) and len(item) == 2:
            pairs.append((str(item[0]), str(item[1] or "")))
    return pairs


# --- per-session state -----------------------------------------------------------------
def new_session() -> dict[str, Any]:
    """``history``: (question, answer text) for the chain; ``messages``: the chat as shown;
    ``turn``: counter for card ids; ``last``: where the last turn began (for retry);
    ``backend``: what the session's last answer was computed with."""
    return {"history": [], "messages": [], "turn": 0, "last": None, "backend": ""}


class _Answerer:
    """The event handlers, closed over one ``ReportQA`` shared by all sessions."""

    def __init__(self, qa: Any) -> None:
        self.qa = qa
        self._ready = threading.Lock()
        self.label = backend_display(qa.settings)

    def _open_index(self) -> None:
        # The first questions of several users may arrive together: open the index once.
        with self._ready:
            _ = self.qa.index

    def backend_md(self, used: str = "") -> str:
        """The configured backend, or the one the session's last answer really used."""
        return f"**后端**：{used or self.label}"

    def stream_turn(
        self, question: str, doc: str, year: str, state: dict[str, Any] | None
    ) -> Iterator[tuple[list[dict[str, str]], dict[str, Any], str, str]]:
        """Yields (messages, state, textbox value, backend markdown) as the answer grows."""
        state = dict(state or new_session())
        history = list(state["history"])
        messages = list(state["messages"])
        question = question if isinstance(question, str) else ""
        turn = int(state["turn"]) + 1
        last = {"question": question, "messages": len(messages), "history": len(history)}
        if question.strip():
            messages.append({"role": "user", "content": render_user(question)})
        messages.append({"role": "assistant", "content": render_draft("")})
        used = str(state.get("backend", ""))
        yield list(messages), state, "", self.backend_md(used)

        try:
            self._open_index()
            draft = ""
            final: Answer | None = None
            shown = 0.0
            for item in self.qa.stream(question, history=history, filters=make_filters(doc, year)):
                if isinstance(item, Answer):
                    final = item
                    continue
                draft += item
                now = time.monotonic()
                if now - shown >= STREAM_INTERVAL:
                    shown = now
                    messages[-1] = {"role": "assistant", "content": render_draft(draft)}
                    yield list(messages), state, "", self.backend_md(used)
            if final is None:
                raise RuntimeError("没有得到回答（no answer was produced）")
            html_text = render_answer(final, turn, draft=draft, question=question.strip())
            history.append((question.strip(), final.text))
            used = final.backend or used
        except Exception as exc:  # every failure becomes a chat message
            if type(exc).__name__ != "QuestionError":
                log.exception("answering failed")
            html_text = render_error(error_message(exc))
        messages[-1] = {"role": "assistant", "content": html_text}
        state = {
            "history": history,
            "messages": messages,
            "turn": turn,
            "last": last,
            "backend": used,
        }
        yield list(messages), state, "", self.backend_md(used)

    def retry(
        self, doc: str, year: str, state: dict[str, Any] | None
    ) -> Iterator[tuple[list[dict[str, str]], dict[str, Any], str, str]]:
        state = dict(state or new_session())
        last = state.get("last")
        if not last:
            yield state["messages"], state, "", self.backend_md(str(state.get("backend", "")))
            return
        state["messages"] = state["messages"][: last["messages"]]
        state["history"] = state["history"][: last["history"]]
        yield from self.stream_turn(last["question"], doc, year, state)

    def clear(self) -> tuple[list[dict[str, str]], dict[str, Any], str]:
        return [], new_session(), ""

    def ask(
        self, question: str, history_json: str = "", doc: str = "", year: str = ""
    ) -> dict[str, Any]:
        """One verified answer as JSON: {"text", "refused", "citations": [{"n", "doc",
        "title", "year", "section", "text"}], "standalone_question", "backend", "checks"};
        on failure {"error": <中文说明>, "text": <same>, "refused": false, "citations": [], …}.
        """
        try:
            history = parse_history(history_json)
            self._open_index()
            answer = self.qa.ask(question or "", history=history, filters=make_filters(doc, year))
        except Exception as exc:  # clients get a message, not a traceback
            if type(exc).__name__ != "QuestionError":
                log.exception("/ask failed")
            message = error_message(exc)
            return {
                "error": message,
                "text": message,
                "refused": False,
                "citations": [],
                "standalone_question": "",
                "backend": self.label,
                "checks": [],
            }
        return answer_to_dict(answer)


# --- the app ---------------------------------------------------------------------------
def build_app(
    qa: Any,
    *,
    concurrency_limit: int | None = None,
    max_queue: int = DEFAULT_MAX_QUEUE,
    examples: Sequence[str] = EXAMPLES,
) -> gr.Blocks:
    """The chat app over ``qa`` (a ``ReportQA``), with its queue configured.

    ``concurrency_limit``: answers computed at once (default ``concurrency_for``);
    ``max_queue``: requests allowed to wait before new ones are turned away.
    """
    handlers = _Answerer(qa)
    limit = concurrency_limit or concurrency_for(qa.settings)
    docs, years = catalogue(qa.settings)
    doc_choices = [("全部报告", ALL_DOCS)] + [(title, doc) for doc, title in docs]
    year_choices = [("全部年份", ALL_YEARS)] + [(f"{y}年", str(y)) for y in years]

    with gr.Blocks(title=TITLE, fill_width=False) as demo:
        gr.HTML(
            f"<h2 style='margin:0'>{TITLE}</h2>"
            "<div style='color:#4b5563'>回答只依据已收录的重庆市政府报告；"
            "每个数字都标注来源 [n]，点击可查看原文段落。报告中没有的内容会明确说明。</div>",
            js_on_load=_CITE_JS,
        )
        state = gr.State(new_session())
        with gr.Row():
            doc = gr.Dropdown(doc_choices, value=ALL_DOCS, label="只看这份报告", scale=3)
            year = gr.Dropdown(year_choices, value=ALL_YEARS, label="只看这一年", scale=1)
            backend = gr.Markdown(handlers.backend_md(), elem_id="qa-backend")
        chatbot = gr.Chatbot(
            label="对话",
            show_label=False,
            elem_id="qa-chat",
            height=620,
            layout="panel",
            latex_delimiters=[],
            sanitize_html=True,
            feedback_options=None,
            buttons=["copy"],
            placeholder="请输入关于重庆市政府报告的问题，例如：2023年重庆地区生产总值是多少？",
        )
        with gr.Row():
            question = gr.Textbox(
                placeholder="输入问题后按回车，例如：2023年重庆地区生产总值是多少？",
                show_label=False,
                scale=6,
                elem_id="qa-question",
                max_lines=4,
            )
            send = gr.Button("提问", variant="primary", scale=1, elem_id="qa-send")
        with gr.Row():
            retry = gr.Button("重新回答", size="sm", elem_id="qa-retry")
            clear = gr.Button("清空对话", size="sm", elem_id="qa-clear")
        gr.Examples(list(examples), inputs=[question], label="示例问题")

        outputs = [chatbot, state, question, backend]
        common: dict[str, Any] = {"concurrency_limit": limit, "concurrency_id": CONCURRENCY_ID}
        question.submit(
            handlers.stream_turn,
            [question, doc, year, state],
            outputs,
            api_name="chat",
            **common,
        )
        send.click(
            handlers.stream_turn,
            [question, doc, year, state],
            outputs,
            api_visibility="private",
            **common,
        )
        retry.click(handlers.retry, [doc, year, state], outputs, api_visibility="private", **common)
        clear.click(
            handlers.clear, None, [chatbot, state, question], api_visibility="private", queue=False
        )
        # the chatbot's own trash button clears the view: forget the history too
        chatbot.clear(
            handlers.clear,
            None,
            [chatbot, state, question],
            api_visibility="private",
            queue=False,
        )
        gr.api(handlers.ask, api_name="ask", **common)  # type: ignore[attr-defined]

    demo.queue(default_concurrency_limit=limit, max_size=max_queue)
    return cast(gr.Blocks, demo)  # Blocks.__enter__ is untyped


def serve(
    settings: Settings | None = None,
    *,
    concurrency_limit: int | None = None,
    block: bool = True,
) -> gr.Blocks:
    """Run the app on ``settings.ui_host:ui_port`` (127.0.0.1:7860 unless told otherwise;
    never a public share link). Opens (building if missing) the index before listening."""
    from qa.api import ReportQA

    settings = settings or Settings.load()
    qa = ReportQA(settings)
    try:
        _ = qa.index
    except Exception as exc:  # the page still starts and explains per question
        print(f"警告：索引不可用，提问时会显示原因：{error_message(exc)}")
    demo = build_app(qa, concurrency_limit=concurrency_limit)
    print(f"重庆政府报告问答：http://{settings.ui_host}:{settings.ui_port}/")
    demo.launch(
        server_name=settings.ui_host,
        server_port=settings.ui_port,
        share=False,
        prevent_thread_lock=not block,
        show_error=False,
        footer_links=["api"],
    )
    return demo
