"""The chat model as a judge, not a writer: does this verified answer answer the question?

Verification proves every figure is in its passage; it cannot tell the asked quantity
from its neighbour (全市客运量 for 轨道交通客运量, 新能源汽车产量 for 汽车产量). The
model is shown only the question and the answer sentences and must reply with one
of two labels under a JSON schema (llama.cpp turns the schema into a grammar, an
OpenAI-compatible server takes it as ``response_format``), so its output always
parses; anything else counts as no verdict and the answer stands.

Measured on the dev halves (extractive answers judged by the local 1.5B model): a
yes/no boolean schema said "no" to every item; these two labels with three worked
examples kept 20 of 24 right paraphrase answers and turned 9 of 15 answered near
misses into refusals.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel

from qa.answer.markers import MARKER, marker_numbers, strip_markers
from qa.text.numbers import equivalent, extract_figures
from qa.text.script import normal_form

if TYPE_CHECKING:
    from qa.schema import Passage

YES, NO = "回答了", "没有回答"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"判断": {"type": "string", "enum": [YES, NO]}},
    "required": ["判断"],
}
SYSTEM = (
    "判断资料句子是否给出了问题要的答案。"
    "例1：问题：2023年重庆GDP是多少？句子：全年地区生产总值达到30145.79亿元。判断：回答了。"
    "例2：问题：2023年重庆轨道交通客运量是多少？句子：全市客运量增长47.8%。"
    "判断：没有回答（是全市客运量，不是轨道交通）。"
    "例3：问题：城里最困难的家庭每月能领多少低保？句子：城市低保标准提高到每人每月717元。"
    "判断：回答了（说法不同但是同一件事）。只输出JSON。"
)
MAX_ANSWER_CHARS = 160


_CLAUSE_MARKS = "，,。；;！!？?"
_CLAUSE_END = re.compile(f"[{_CLAUSE_MARKS}]")
_LEAD = 60  # characters of a source sentence shown before the figure it gives
# A clause shorter than this before its figure ("增长6.1%") names no indicator: the one
# before it is shown too.
_MIN_LEAD = 6


def clause_start(text: str, at: int) -> int:
    """Where the clause holding position ``at`` starts: after the last comma or stop
    before it, or the one before that when fewer than ``_MIN_LEAD`` characters lead up to
    ``at``.

    Example: ``clause_start("完成营造林503万亩,森林覆盖率稳定在55%以上", 19)`` -> 11;
    ``clause_start("地区生产总值30145亿元,增长6.1%", 21)`` -> 0.
    """

    def after_mark(end: int) -> int:
        return max(text.rfind(c, 0, end) for c in _CLAUSE_MARKS + "\n") + 1

    start = after_mark(at)
    return after_mark(start - 1) if start > 0 and at - start < _MIN_LEAD else start


def evidence(
    sentence: str, cited: list[Passage], clause_only: bool = False, whole_clauses: bool = False
) -> str:
    """What the judge reads for one answer sentence: the words of the passage it cites
    that hold its figure, up to the end of that clause, not the model's own words.

    A model answering in the user's words restates the question around a neighbouring
    figure ("2024年重庆汽车总产量达到95.3万辆" from "新能源汽车产量达到95.3万辆"); judged
    on its own words, it always answers. The judge is shown only the figure's own
    clause (``clause_only``): given 60 characters before it, the 1.5B model rejected 8
    of 25 dev near-miss answers, given the clause 12, and kept as many right answers
    (65 of 68; "…,森林覆盖率稳定在55%以上" is taken for forest cover once the indicators
    listed before it are not shown). The topic checks read the 60 characters: a bare
    "27.7%[1]。" needs them to cover the question. A sentence with no figure found in
    its passages is judged as written. ``whole_clauses``: the words start at a clause's
    start, not inside one, for text a user reads ("报告给出的是：…").

    Example: ``evidence("汽车总产量达到95.3万辆[1]。", [p])`` with ``p`` holding
    "…开工建设,新能源汽车产量达到95.3万辆,增长..." -> ``"…开工建设,新能源汽车产量达到95.3万辆"``;
    with ``whole_clauses=True`` -> ``"新能源汽车产量达到95.3万辆"`` when the 60 characters
    before it start inside the clause before.
    """
    from qa.answer.verify import supporting_sentences

    plain = normal_form(strip_markers(sentence))
    figures = extract_figures(plain)
    numbers = [n for m in MARKER.finditer(sentence) for n in marker_numbers(m.group())]
    sources = [cited[n - 1] for n in numbers if 0 < n <= len(cited)] or cited
    for passage in sources if figures else []:
        for source in supporting_sentences(sentence, passage):
            norm = normal_form(source)
            hits = [g for g in extract_figures(norm) if any(equivalent(f, g) for f in figures)]
            if hits:
                end = _CLAUSE_END.search(norm, hits[-1].span[1])
                stop = end.start() if end else len(norm)
                # From some words before the first figure (``clause_only``: from its
                # clause) to the end of the last one's clause.
                lead = hits[0].span[0] - _LEAD
                if clause_only:
                    lead = clause_start(norm, hits[0].span[0])
                elif whole_clauses and lead > 0 and norm[lead - 1] not in _CLAUSE_MARKS:
                    # Forward to the next clause, not past the figure's own (with its
                    # subject, ``clause_start``).
                    own = clause_start(norm, hits[0].span[0])
                    after = _CLAUSE_END.search(norm, lead, own)
                    lead = after.end() if after else own
                return norm[max(0, lead, stop - MAX_ANSWER_CHARS) : stop]
    return plain


def messages(question: str, answer: str) -> list[dict[str, str]]:
    """Example: ``messages("q", "a")[1]["content"]`` -> ``"问题：q\\n资料句子：a\\n这句资料回答了问题吗？"``."""
    return [
        {"role": "system", "content": SYSTEM},
        {
            "role": "user",
            "content": f"问题：{question}\n资料句子：{answer[:MAX_ANSWER_CHARS]}\n这句资料回答了问题吗？",
        },
    ]


def reply_value(raw: str, key: str) -> object:
    """The value under ``key`` of a JSON object reply; None when the reply is none."""
    try:
        return json.loads(raw).get(key)
    except (ValueError, AttributeError):
        return None


def parse(raw: str) -> bool | None:
    """Example: ``parse('{"判断": "没有回答"}')`` -> False; ``parse("好")`` -> None."""
    return {YES: True, NO: False}.get(str(reply_value(raw, "判断")))


def schema_reply(
    model: BaseChatModel, msgs: list[dict[str, str]], schema: dict[str, Any], max_tokens: int
) -> str:
    """The model's reply to ``msgs``, constrained to ``schema`` where the backend can be:
    llama.cpp turns it into a grammar; OpenAI and vLLM take a ``json_schema`` format,
    llama.cpp's server only ``json_object`` with a ``schema`` (it rejects the other)."""
    client = getattr(model, "client", None)
    # A local model keeps each system prompt's evaluated start (``qa.answer.prefixes``).
    complete = getattr(model, "complete", None) or getattr(client, "create_chat_completion", None)
    if callable(complete):
        out = complete(
            messages=msgs,
            response_format={"type": "json_object", "schema": schema},
            max_tokens=max_tokens,
            temperature=0.0,
        )
        return str(out["choices"][0]["message"]["content"])
    formats: list[dict[str, Any]] = [
        {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema}},
        {"type": "json_object", "schema": schema},
    ]
    for i, response_format in enumerate(formats):
        try:
            reply = model.bind(response_format=response_format).invoke(
                [(m["role"], m["content"]) for m in msgs]
            )
        except Exception:
            if i == len(formats) - 1:
                raise
            continue
        return reply.content if isinstance(reply.content, str) else ""
    return ""


def answers_question(model: BaseChatModel, question: str, answer: str) -> bool | None:
    """The model's verdict, or None when it gives none (unparseable, or the backend
    cannot constrain its output)."""
    return parse(schema_reply(model, messages(question, answer), SCHEMA, max_tokens=16))


# The model as a selector between two answers: which sentence gives what is asked.
FIRST, SECOND, NEITHER = "甲", "乙", "都没有"
SELECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"答案": {"type": "string", "enum": [FIRST, SECOND, NEITHER]}},
    "required": ["答案"],
}
# Worked examples on places and works that no corpus here holds.
SELECT_SYSTEM = (
    "给出一个问题和两句资料（甲、乙），选出直接给出问题答案的那一句；"
    "只重复问题的说法、没有给出答案的句子不算。"
    "例1：问题：某市2020年粮食产量是多少？甲：某市召开粮食生产工作会议。"
    "乙：全年粮食产量达到210万吨。答案：乙。"
    "例2：问题：《某书》的作者是谁？甲：《某书》由张三所著。乙：《某书》的作者是谁，一直有争议。"
    "答案：甲。"
    "例3：问题：某市地铁客运量是多少？甲：全市客运量增长5%。乙：某市公交线路达到300条。"
    "答案：都没有。只输出JSON。"
)


def select_messages(question: str, first: str, second: str) -> list[dict[str, str]]:
    """Example: ``select_messages("q", "a", "b")[1]["content"]`` ->
    ``"问题：q\\n甲：a\\n乙：b\\n哪一句给出了问题的答案？"``."""
    content = (
        f"问题：{question}\n{FIRST}：{first[:MAX_ANSWER_CHARS]}\n"
        f"{SECOND}：{second[:MAX_ANSWER_CHARS]}\n哪一句给出了问题的答案？"
    )
    return [{"role": "system", "content": SELECT_SYSTEM}, {"role": "user", "content": content}]


def parse_choice(raw: str) -> int | None:
    """0 for the first sentence, 1 for the second, -1 for neither, None for no verdict.

    Example: ``parse_choice('{"答案": "乙"}')`` -> 1; ``parse_choice('{"答案": "都没有"}')``
    -> -1; ``parse_choice("乙")`` -> None.
    """
    return {FIRST: 0, SECOND: 1, NEITHER: -1}.get(str(reply_value(raw, "答案")))


def choose_answer(model: BaseChatModel, question: str, first: str, second: str) -> int | None:
    """Which of two sentences answers ``question`` (``parse_choice``'s values)."""
    msgs = select_messages(question, first, second)
    return parse_choice(schema_reply(model, msgs, SELECT_SCHEMA, max_tokens=16))


# The model as a selector among numbered sentences: which one gives the answer. It may
# say "0" (none), which is read as no verdict: asked for the 21 dev near misses, the
# 1.5B model never said it, so whether the pick answers is the judge's call on the
# answer built from it. Yet the rule and its example help it pick: with them, it took
# the answer sentence for 29 of the 30 dev paraphrases that had it among four; without
# them, 26.
PICK_SYSTEM = (
    "从编号的资料句子中选出直接给出问题答案的一句，输出它的编号；"
    "如果没有一句给出问题问的那个指标（只是相关的其他指标也不算），输出0。"
    "例：问题：某市地铁全年客运量是多少？1. 全市客运量增长5%。2. 地铁日最高客运量300万人次。"
    "答案：0。例：问题：某市城里最困难的家庭每月能领多少补助？1. 新建公园10个。"
    "2. 城市低保标准提高到每人每月717元。答案：2。只输出JSON。"
)


def pick_messages(question: str, sentences: list[str]) -> list[dict[str, str]]:
    """Example: ``pick_messages("q", ["a", "b"])[1]["content"]`` ->
    ``"问题：q\\n1. a\\n2. b\\n哪一句给出了问题的答案？"``."""
    body = "\n".join(f"{i}. {s}" for i, s in enumerate(sentences, 1))
    content = f"问题：{question}\n{body}\n哪一句给出了问题的答案？"
    return [{"role": "system", "content": PICK_SYSTEM}, {"role": "user", "content": content}]


def parse_pick(raw: str, count: int) -> int | None:
    """The 0-based index the reply names, None when it names none of ``count`` ("0" too).

    Example: ``parse_pick('{"答案": "2"}', 4)`` -> 1; ``parse_pick('{"答案": "0"}', 4)`` -> None.
    """
    label = str(reply_value(raw, "答案"))
    return int(label) - 1 if label.isdigit() and 1 <= int(label) <= count else None


def pick_sentence(model: BaseChatModel, question: str, sentences: list[str]) -> int | None:
    """Which of ``sentences`` answers ``question`` (0-based), or None for no verdict."""
    numbers = [str(i) for i in range(len(sentences) + 1)]
    schema = {
        "type": "object",
        "properties": {"答案": {"type": "string", "enum": numbers}},
        "required": ["答案"],
    }
    msgs = pick_messages(question, sentences)
    return parse_pick(schema_reply(model, msgs, schema, max_tokens=16), len(sentences))
