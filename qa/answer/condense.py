"""A follow-up condensed into one standalone question by the chat model, and checked.

The rules of ``rewrite`` handle the common shapes (another year, another indicator,
the target instead of the result, "how much more"); a model reads the rest ("换成
农村居民呢？", "这个指标当年定的目标是多少？") as a person would. Its question is kept
only when every word of it comes from the conversation or the follow-up (a few
function words aside): it may restate, never add a topic, a year or a figure of its
own, and a target asked stays a target. Otherwise, or when it fails, the rules'
question stands.

Off by default, by measurement: on the dev half of the dialogue set the local 1.5B
model's question was never better than the rules' and twice worse (a target turned
into a result), at about 1.2 s a follow-up. A stronger served model may do better:
``QA_CONDENSE=1``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.language_models import BaseChatModel

from qa.text.script import normal_form

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"问题": {"type": "string"}},
    "required": ["问题"],
}
SYSTEM = (
    "把用户的追问和上一个问题合并成一个完整、独立的问题。只用两句话里出现过的词，"
    "不要回答问题，不要添加新内容。只输出JSON。"
    '例1：上一个问题：2023年重庆地区生产总值是多少？追问：那2024年呢？输出：{"问题": "2024年重庆地区生产总值是多少？"}'
    "例2：上一个问题：2023年重庆社会消费品零售总额增长多少？追问：那目标呢？"
    '输出：{"问题": "2023年重庆社会消费品零售总额的目标是多少？"}'
    "例3：上一个问题：2022年城镇居民人均可支配收入增长多少？追问：换成农村居民呢？"
    '输出：{"问题": "2022年农村居民人均可支配收入增长多少？"}'
)
# Words a standalone question may use although neither turn has them.
FUNCTION_WORDS = frozenset(
    "的 了 是 在 和 与 及 呢 吗 年 多少 是多少 什么 哪些 几 有 为 比 上年 比上年 增长 目标 实际 "
    "完成 计划 预期 当年 同期 那 这个 其 全市".split()
)
_PUNCT = re.compile(r"[\s，,。？?！!：:；;“”\"'（）()、]+")


def messages(base: str, follow_up: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"上一个问题：{base}\n追问：{follow_up}\n输出："},
    ]


def uses_only(candidate: str, sources: list[str]) -> bool:
    """Every word of ``candidate`` occurs in ``sources`` or is a function word.

    Example: ``uses_only("2024年重庆gdp是多少", ["2023年重庆gdp是多少", "那2024年呢"])``
    -> True; ``uses_only("2024年成都gdp是多少", […same…])`` -> False.
    """
    import jieba

    text = normal_form(" ".join(sources)).lower()
    words = [w for w in jieba.cut(normal_form(candidate).lower()) if not _PUNCT.fullmatch(w)]
    return bool(words) and all(w in text or w in FUNCTION_WORDS for w in words)


def parse(raw: str) -> str | None:
    """Example: ``parse('{"问题": "2024年gdp是多少？"}')`` -> ``"2024年gdp是多少？"``."""
    try:
        value = json.loads(raw).get("问题")
    except (ValueError, AttributeError):
        return None
    return value.strip() if isinstance(value, str) and value.strip() else None


def condense(model: BaseChatModel, base: str, follow_up: str) -> str | None:
    """The model's standalone question, when it passes ``uses_only``; else None."""
    from qa.answer.judge import schema_reply

    question = parse(schema_reply(model, messages(base, follow_up), SCHEMA, max_tokens=64))
    if question is None or len(question) > 2 * (len(base) + len(follow_up)):
        return None
    ok = uses_only(question, [base, follow_up]) and keeps_kind(question, follow_up)
    return question if ok else None


_PLAN = re.compile(r"目标|预期|计划")
_RESULT = re.compile(r"实际|完成")


def keeps_kind(candidate: str, follow_up: str) -> bool:
    """A follow-up asking for the target must not come back asking for the result, or
    the other way round (the 1.5B model turned "那年的目标是多少？" into "…实际增至…").

    Example: ``keeps_kind("2024年科技型企业实际增至多少家？", "那年的目标是多少？")`` -> False.
    """
    plan, result = bool(_PLAN.search(follow_up)), bool(_RESULT.search(follow_up))
    if plan and not result:
        return not _RESULT.search(candidate)
    if result and not plan:
        return not _PLAN.search(candidate)
    return True
