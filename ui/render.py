"""HTML for the chat: answers with linked ``[n]`` markers, source cards, notes, errors.

Pure functions over ``qa.schema`` objects (no gradio), so they are unit-tested
directly. Every piece of text that comes from a report, a model or a user goes
through ``html.escape``; only the tags written here reach the browser.

Each rendered message is a single line of HTML (newlines become ``<br>``): the
chatbot renders Markdown, and a blank line inside a passage would otherwise end
the HTML block and let the rest be read as Markdown.

Example::

    html_text = render_answer(answer, turn=3)
    # '<div class="qa-answer">… <a href="#src-3-1" class="qa-cite">[1]</a> …'
    # '<div class="qa-card" id="src-3-1">…<mark>…30145.79亿元…</mark>…</div>'
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from typing import Any

from qa.schema import Answer, Check, Passage

KIND_LABELS = {"result": "结果", "plan": "目标", "other": "其他"}
# Checks that inform rather than change the answer text.
INFO_CHECKS = frozenset(
    {"rewritten", "per_year_retrieval", "computed_in_code", "retrieval_weak", "backend_fallback"}
)
NEARBY_COUNT = 5

_MARKER = re.compile(r"\[(\d{1,3})\]")
# A sentence runs to its end punctuation (or line end) and keeps the markers after it.
_ANSWER_SENTENCE = re.compile(r"[^。！？!?；;\n]+(?:[。！？!?；;\n]|$)(?:\s*\[\d{1,3}\])*")
_PASSAGE_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_WS = re.compile(r"\s+")

# Inline styles: the chat HTML must look right whatever CSS the page was launched with.
_S_ANSWER = "line-height:1.7"
_S_REFUSAL = (
    "border-left:4px solid #d97706;background:#fff7ed;color:#7c2d12;"
    "padding:8px 12px;border-radius:6px;line-height:1.7"
)
_S_ERROR = (
    "border-left:4px solid #dc2626;background:#fef2f2;color:#7f1d1d;"
    "padding:8px 12px;border-radius:6px"
)
_S_NOTE = (
    "margin-top:6px;padding:4px 10px;border-radius:6px;background:#eff6ff;"
    "color:#1e3a8a;font-size:0.92em"
)
_S_META = "margin-top:6px;color:#6b7280;font-size:0.85em"
_S_SOURCES = "margin-top:10px"
_S_SOURCES_HEAD = "font-weight:600;margin:8px 0 4px 0"
_S_CARD = (
    "border:1px solid #d1d5db;border-radius:8px;padding:8px 10px;margin:6px 0;"
    "background:#fafafa;scroll-margin-top:12px"
)
_S_CARD_HEAD = "font-weight:600;margin-bottom:2px"
_S_CARD_META = "color:#4b5563;font-size:0.85em;margin-bottom:4px"
_S_CARD_TEXT = "font-size:0.92em;line-height:1.65;max-height:18em;overflow-y:auto"
_S_MARK = "background:#fde68a;padding:0 1px"
_S_CITE = "font-weight:600;text-decoration:none;color:#1d4ed8"
_S_BADGE = "display:inline-block;padding:0 6px;border-radius:4px;margin-right:6px;font-size:0.85em"
_BADGE_COLOURS = {"result": "#dcfce7", "plan": "#dbeafe", "other": "#e5e7eb"}

SupportFn = Callable[[str, Passage], list[str]]


def esc(text: object) -> str:
    """Escaped text with line breaks as ``<br>``; the result holds no newline.

    Example: ``esc("a<b>\\nc")`` -> ``"a&lt;b&gt;<br>c"``.
    """
    return html.escape(str(text), quote=True).replace("\r", "").replace("\n", "<br>")


def card_id(turn: int, n: int) -> str:
    """Example: ``card_id(2, 1)`` -> ``"src-2-1"``."""
    return f"src-{turn}-{n}"


def link_markers(escaped: str, turn: int, count: int) -> str:
    """Turn ``[n]`` (1 <= n <= count) in already-escaped text into links to card ``n``.

    Example: ``link_markers("GDP 3万亿元[1]。", 4, 1)``
    -> ``'GDP 3万亿元<a href="#src-4-1" class="qa-cite" …>[1]</a>。'``.
    """

    def repl(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if not 1 <= n <= count:
            return m.group(0)
        return (
            f'<a href="#{card_id(turn, n)}" class="qa-cite" data-card="{card_id(turn, n)}"'
            f' style="{_S_CITE}">[{n}]</a>'
        )

    return _MARKER.sub(repl, escaped)


# --- which passage sentences support an answer sentence ------------------------------
def answer_sentences(text: str) -> list[str]:
    """Sentences of an answer, each with the markers that follow it.

    Example: ``answer_sentences("A为1亿元[1]。B为2%。[2]")`` -> ``["A为1亿元[1]。", "B为2%。[2]"]``.
    """
    return [s.strip() for s in _ANSWER_SENTENCE.findall(text) if s.strip()]


def passage_sentences(text: str) -> list[str]:
    return [s for s in _PASSAGE_SENTENCE.findall(text) if s.strip()]


def _figure_numbers(text: str) -> set[str]:
    try:
        from qa.text.numbers import extract_figures

        return {f.number or f.raw for f in extract_figures(text)}
    except Exception:  # a fallback highlighter must never break rendering
        return set(re.findall(r"\d+(?:\.\d+)?", text))


def figure_overlap_sentences(answer_sentence: str, passage: Passage) -> list[str]:
    """Fallback highlighter: passage sentences sharing a figure with the answer sentence.

    Example: answer "GDP达到30145.79亿元[1]。" against a passage containing
    "…达到30145.79亿元，增长6.1%。" gives that passage sentence.
    """
    wanted = _figure_numbers(_MARKER.sub("", answer_sentence))
    if not wanted:
        return []
    return [s for s in passage_sentences(passage.text) if _figure_numbers(s) & wanted]


def _default_support() -> SupportFn:
    try:
        from qa.answer.verify import supporting_sentences
    except Exception:  # qa.verify may be absent or broken; fall back
        return figure_overlap_sentences
    return supporting_sentences


def support_for(
    answer_text: str, n: int, passage: Passage, support: SupportFn | None = None
) -> list[str]:
    """Sentences of ``passage`` that support the answer sentences citing ``[n]``."""
    fn = support or _default_support()
    found: list[str] = []
    for sentence in answer_sentences(answer_text):
        if f"[{n}]" not in sentence:
            continue
        bare = _MARKER.sub("", sentence).strip()
        try:
            got = fn(bare, passage)
        except Exception:  # highlighting is a nicety, never an error
            got = figure_overlap_sentences(bare, passage)
        for s in got or []:
            if s and s not in found:
                found.append(s)
    return found


def highlight(text: str, sentences: Iterable[str]) -> str:
    """``text`` escaped, with each occurrence of the given sentences in ``<mark>``.

    Example: ``highlight("甲。<乙>。", ["<乙>。"])`` -> ``"甲。<mark …>&lt;乙&gt;。</mark>"``.
    """
    spans: list[tuple[int, int]] = []
    for s in sentences:
        s = s.strip()
        if not s:
            continue
        start = text.find(s)
        while start != -1:
            spans.append((start, start + len(s)))
            start = text.find(s, start + len(s))
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out: list[str] = []
    pos = 0
    for a, b in merged:
        out.append(esc(text[pos:a]))
        out.append(f'<mark style="{_S_MARK}">{esc(text[a:b])}</mark>')
        pos = b
    out.append(esc(text[pos:]))
    return "".join(out)


# --- cards ---------------------------------------------------------------------------
def render_card(
    passage: Passage, turn: int, n: int, marked: Sequence[str] = (), *, label: str = ""
) -> str:
    """One numbered source card: title, year, kind, section and the passage text."""
    kind = passage.kind if passage.kind in KIND_LABELS else "other"
    badge = f'<span style="{_S_BADGE};background:{_BADGE_COLOURS[kind]}">{KIND_LABELS[kind]}</span>'
    year = f"{passage.year}年" if passage.year else "年份未标注"
    table = "｜表格" if passage.is_table else ""
    head = f"{esc(label or f'[{n}]')} {esc(passage.title or passage.doc)}"
    meta = f"{badge}{esc(year)}｜{esc(passage.section or '（无章节）')}{table}｜{esc(passage.doc)}"
    return (
        f'<div class="qa-card" id="{card_id(turn, n)}" style="{_S_CARD}">'
        f'<div class="qa-card-head" style="{_S_CARD_HEAD}">{head}</div>'
        f'<div class="qa-card-meta" style="{_S_CARD_META}">{meta}</div>'
        f'<div class="qa-card-text" style="{_S_CARD_TEXT}">{highlight(passage.text, marked)}</div>'
        "</div>"
    )


def render_cards(
    answer_text: str, citations: Sequence[Passage], turn: int, support: SupportFn | None = None
) -> str:
    if not citations:
        return ""
    cards = [
        render_card(p, turn, n, support_for(answer_text, n, p, support))
        for n, p in enumerate(citations, 1)
    ]
    return (
        f'<div class="qa-sources" style="{_S_SOURCES}">'
        f'<div style="{_S_SOURCES_HEAD}">来源</div>{"".join(cards)}</div>'
    )


def render_nearby(passages: Sequence[Passage], turn: int) -> str:
    """For a refusal: what the reports do say nearby (numbered like the refusal text's
    markers, nothing highlighted, explicitly not an answer)."""
    if not passages:
        return ""
    cards = [
        render_card(p, turn, n, label=f"[{n}] 相近段落：")
        for n, p in enumerate(passages[:NEARBY_COUNT], 1)
    ]
    return (
        f'<div class="qa-sources qa-nearby" style="{_S_SOURCES}">'
        f'<div style="{_S_SOURCES_HEAD}">报告中相近的内容（仅供参考，不构成回答）</div>'
        f"{''.join(cards)}</div>"
    )


# --- notes ---------------------------------------------------------------------------
def _norm(text: str) -> str:
    try:
        from qa.text.script import normal_form

        text = normal_form(text)
    except Exception:
        pass
    return _WS.sub("", text)


def _strip_notes(answer: Answer) -> str:
    text = answer.text
    for c in answer.checks:
        if c.name == "computed_in_code" and c.detail:
            text = text.replace(c.detail, "")
    return text


def verification_note(answer: Answer, draft: str = "") -> str:
    """A visible note when verification changed the text the user saw being written.

    ``draft`` is what was streamed (defaults to ``answer.draft``). Returns plain text,
    e.g. ``"核验后已修改：删去 1 处无依据的数字"``, or ``""`` when nothing changed.
    """
    before = draft or answer.draft
    if answer.refused or not before.strip():
        return ""
    if _norm(_MARKER.sub("", before)) == _norm(_MARKER.sub("", _strip_notes(answer))):
        return ""  # renumbered markers are not a change of content
    changes = [c for c in answer.checks if c.name not in INFO_CHECKS]
    if not changes:
        return "核验后已修改：与生成的草稿不同，已按原文核对"
    details = [c.detail or c.name for c in changes]
    shown = "；".join(details[:3])
    more = f"（另有 {len(details) - 3} 处）" if len(details) > 3 else ""
    return f"核验后已修改：{shown}{more}"


def _checks_details(checks: Sequence[Check]) -> str:
    if not checks:
        return ""
    items = "".join(
        f"<li>{esc(c.name)}{'：' + esc(c.detail) if c.detail else ''}</li>" for c in checks
    )
    return (
        f'<details style="{_S_META}"><summary>核验记录（{len(checks)}）</summary>'
        f'<ul style="margin:2px 0 0 0">{items}</ul></details>'
    )


def _meta_line(answer: Answer, question: str) -> str:
    parts = []
    if answer.backend:
        parts.append(f"后端：{esc(answer.backend)}")
    if answer.seconds:
        parts.append(f"用时 {answer.seconds:.1f} 秒")
    if answer.standalone_question and question and answer.standalone_question != question:
        parts.append(f"按上下文理解为：{esc(answer.standalone_question)}")
    if not parts:
        return ""
    return f'<div class="qa-meta" style="{_S_META}">{"｜".join(parts)}</div>'


# --- whole messages ------------------------------------------------------------------
def render_draft(draft: str) -> str:
    """The streamed draft, shown while the answer is being written and verified."""
    body = esc(draft) if draft else "正在检索报告…"
    return (
        f'<div class="qa-draft" style="{_S_ANSWER};color:#374151">{body}'
        f'<div style="{_S_META}">生成中，完成后会逐句核对原文…</div></div>'
    )


def render_answer(
    answer: Answer,
    turn: int,
    *,
    draft: str = "",
    question: str = "",
    support: SupportFn | None = None,
) -> str:
    """The final message for one turn: answer (or refusal), notes, meta line, cards."""
    if answer.refused:
        nearby = list(answer.passages or answer.citations)[:NEARBY_COUNT]
        text = link_markers(esc(answer.text), turn, len(nearby))
        return (
            f'<div class="qa-refusal" style="{_S_REFUSAL}"><b>⚠ 报告中没有找到依据</b><br>'
            f"{text}</div>"
            f"{render_nearby(nearby, turn)}"
            f"{_meta_line(answer, question)}{_checks_details(answer.checks)}"
        )
    body = link_markers(esc(answer.text), turn, len(answer.citations))
    notes = [verification_note(answer, draft)]
    notes += [
        f"模型未能作答，已改用抽取式回答（{c.detail}）"
        for c in answer.checks
        if c.name == "backend_fallback"
    ]
    note_html = "".join(
        f'<div class="qa-note" style="{_S_NOTE}">ⓘ {esc(n)}</div>' for n in notes if n
    )
    return (
        f'<div class="qa-answer" style="{_S_ANSWER}">{body}</div>{note_html}'
        f"{_meta_line(answer, question)}"
        f"{render_cards(answer.text, answer.citations, turn, support)}"
        f"{_checks_details(answer.checks)}"
    )


def render_error(message: str) -> str:
    """An error shown as a chat message (never a stack trace)."""
    return f'<div class="qa-error" style="{_S_ERROR}"><b>出错了</b><br>{esc(message)}</div>'


def render_user(question: str) -> str:
    return esc(question)


# --- errors to Chinese messages -------------------------------------------------------
def error_message(exc: BaseException) -> str:
    """A Chinese message for an exception raised while answering.

    Messages of the project's own errors are already bilingual and shown as they are;
    anything else gets a generic explanation plus the exception's first line.
    """
    name = type(exc).__name__
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    own = ("QuestionError", "IndexMissing", "IndexMismatch", "IndexError_", "IngestError")
    if name in own or name == "BackendUnavailable" or name == "EmbedderUnavailable":
        return first or name
    if any(k in name for k in ("Connection", "Timeout", "APIError", "APIStatus")) or isinstance(
        exc, ConnectionError | TimeoutError
    ):
        return f"模型服务无法连接或超时，请确认模型服务器正在运行后重试（{name}: {first}）。"
    if isinstance(exc, FileNotFoundError):
        return f"找不到所需的文件：{first}。请检查索引或模型文件是否存在。"
    return f"回答时出现内部错误，请稍后重试（{name}: {first}）。"


# --- the API's JSON ------------------------------------------------------------------
def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """What ``/ask`` returns: JSON-serialisable, citations numbered like the markers."""
    return {
        "text": answer.text,
        "refused": bool(answer.refused),
        "citations": [
            {
                "n": n,
                "doc": p.doc,
                "title": p.title,
                "year": p.year,
                "section": p.section,
                "kind": p.kind,
                "text": p.text,
            }
            for n, p in enumerate(answer.citations, 1)
        ],
        "standalone_question": answer.standalone_question,
        "backend": answer.backend,
        "checks": [asdict(c) for c in answer.checks],
        "seconds": round(float(answer.seconds or 0.0), 3),
    }
