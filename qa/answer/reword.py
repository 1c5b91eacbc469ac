"""The question in the reports' words, by the chat model, to search with as well.

A user asks "城里打算给上小学初中的孩子多提供多少个上学名额"; the report writes
"新增义务教育学位". Neither BM25 nor the small embedder bridges every such gap, but
a chat model knows how government reports name things. When the question's topic
words are mostly absent from the passages found (``gate.topic_coverage``), the chain
asks the model for the question in report wording and searches with both; the two
rankings are fused (``retrieve.fuse_passages``).

The reworded question is used for retrieval only. The gates, the answer and its
checks still read the user's question, so a reworded question that names an
indicator the reports do not have adds passages, never an answer by itself. It
must keep the question's years, else it is dropped.

Measured on the 39 dev paraphrase questions (local 1.5B model, about 1.2 s a
question): the answer passage in the top 5 for 30 with the question alone, 31 with
the reworded one alone, 33 with both fused. Since candidates are also ranked by their
figure clauses (``sentence_rank``), it adds little: on 184 dev paraphrases the answer
passage in the top 5 for 0.859 with it, 0.853 without (first: 0.598, 0.576), and on 30
of them through the whole chain no answer changed while the first token came 2.9 s
later (p50). So it is off by default (``Settings.reword``, ``QA_REWORD=1``).
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.language_models import BaseChatModel

from qa.answer.judge import schema_reply
from qa.answer.retrieve import question_years
from qa.text.script import normal_form

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"报告说法": {"type": "string"}},
    "required": ["报告说法"],
}
# The examples are of places and topics none of the bundled reports or their
# evaluation sets ask about.
SYSTEM = (
    "把用户的口语问题改写成政府工作报告里的正式说法：换成报告常用的指标名称，"
    "保留年份、地名和所问的是目标还是完成情况，不要回答问题。"
    "例1：2021年某市山上树木盖住的地方占了多大比例？→2021年某市森林覆盖率是多少？"
    "例2：2022年某地能参观文物的场馆新开了几个？→2022年某地新增博物馆多少个？"
    "例3：2020年某省家里装了宽带上网的有多少户？→2020年某省固定宽带家庭用户数是多少户？"
    "只输出JSON。"
)
MAX_CHARS = 120


def messages(question: str) -> list[dict[str, str]]:
    """Example: ``messages("q")[1]`` -> ``{"role": "user", "content": "q"}``."""
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}]


def parse(raw: str, question: str) -> str | None:
    """The reworded question when it is one: not empty, not the question itself, not
    too long, and naming the same years.

    Example: ``parse('{"报告说法": "2024年新增义务教育学位多少个？"}', "2024年多几个上学名额？")``
    -> ``"2024年新增义务教育学位多少个？"``; with ``"2023年…"`` in the reply -> None.
    """
    try:
        text = json.loads(raw).get("报告说法")
    except (ValueError, AttributeError):
        return None
    if not isinstance(text, str):
        return None
    text = text.strip()
    norm = normal_form(text)
    if not text or len(text) > MAX_CHARS or norm == normal_form(question):
        return None
    if question_years(norm) != question_years(normal_form(question)):
        return None
    return text


def reword(model: BaseChatModel, question: str) -> str | None:
    """The model's report wording of ``question``, or None when it gives none usable."""
    return parse(schema_reply(model, messages(question), SCHEMA, max_tokens=64), question)
