"""Follow-up questions -> standalone questions, from the conversation so far.

Rule-based and instant: elliptical follow-ups in these chats are nearly always
"same question, another year" or "same question, another indicator", and a
rule does those exactly, with no model call before retrieval.
"""

from __future__ import annotations

import re

from qa.schema import History
from qa.text.script import normal_form

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:年)?(?!\d)")
_FOLLOW_START = ("那么", "那", "还有", "另外", "同期", "其中", "它", "这个", "那个", "和", "与")
_TAIL = re.compile(
    r"(分别)?(是多少|增长多少|增长了多少|达到多少|多少|有哪些|有什么|是什么|是哪些|"
    r"怎么样|如何|完成了吗|完成得怎么样)[？?。]?$"
)
_PUNCT = re.compile(r"[？?！!。，,\s]")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def user_turns(history: History) -> list[str]:
    """User texts from ``[(user, assistant), …]`` or ``[{"role": "user", "content": …}, …]``."""
    turns: list[str] = []
    for item in history:
        if isinstance(item, dict):
            if item.get("role") == "user":
                turns.append(str(item.get("content", "")))
        elif isinstance(item, list | tuple) and item:
            turns.append(str(item[0]))
    return [t for t in turns if t and t.strip()]


def is_follow_up(question: str) -> bool:
    """Example: ``is_follow_up("那2024年呢？")`` -> True; a full question -> False."""
    core = _PUNCT.sub("", normal_form(question))
    if not core:
        return False
    elliptical = core.endswith("呢") or core.startswith(_FOLLOW_START)
    return elliptical and len(core) <= 20


def standalone_question(question: str, history: History) -> str:
    """Rewrite an elliptical follow-up with the last self-contained question.

    Examples (after "2023年重庆地区生产总值是多少？"):
    ``"那2024年呢？"`` -> ``"2024年重庆地区生产总值是多少？"``;
    ``"那规上工业增加值呢？"`` -> ``"2023年规上工业增加值是多少？"``.
    """
    if not history or not is_follow_up(question):
        return question
    base = next((t for t in reversed(user_turns(history)) if not is_follow_up(t)), None)
    if base is None:
        return question
    # Chinese input methods often type full-width digits: "那２０２４年呢？".
    question, base = question.translate(_FULL_WIDTH_DIGITS), base.translate(_FULL_WIDTH_DIGITS)
    years = _YEAR.findall(question)
    rest = question.strip()
    for start in _FOLLOW_START:
        if rest.startswith(start):
            rest = rest[len(start) :]
            break
    rest = re.sub(r"呢[？?]?$", "", rest).strip(" ，,？?")
    base_years = _YEAR.findall(base)
    if years:
        rest_wo_year = _YEAR.sub("", rest).strip(" 的，,")
        if len(base_years) == 1 < len(years):
            # "那2022年和2024年呢？": all the new years take the place of the old one.
            span = re.search(r"(?:19|20)\d\d.*(?:19|20)\d\d", rest)
            assert span is not None
            rest_wo_year = (rest[: span.start()] + rest[span.end() :]).strip(" 年的，,")
            years, base_years = [span.group()], base_years[:1]
        if base_years:
            out = base
            for old, new in zip(base_years, years, strict=False):
                out = out.replace(old, new, 1)
            if rest_wo_year:
                out = f"{out}（{rest_wo_year}）"
            return out
        return f"{years[0]}年{base}"
    tail = _TAIL.search(base)
    prefix = "".join(f"{y}年" for y in dict.fromkeys(base_years))
    return f"{prefix}{rest}{tail.group(0) if tail else '是多少？'}"
