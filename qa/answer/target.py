"""A follow-up asking the target of what was asked before, or its result: "那目标呢？",
"那2024年打算再新增多少？", "实际完成了多少？". The same question is asked of the other
kind, in the words the reports use for it (计划新增…, …的目标是多少, 实际…).

Pure functions over question texts; ``qa.answer.rewrite`` calls them on follow-ups.
"""

from __future__ import annotations

import re

from qa.answer.rewrite import (
    _KIND_WORDS,
    _PLAN_WORDS,
    _PUNCT,
    _RESULT_WORDS,
    _TAIL,
    _YEAR,
    _core_of,
    _substitute,
)

_PLAN_IN = re.compile(r"(?:预期)?目标|预期|计划|力争")
_RESULT_IN = re.compile(r"实际(?:完成)?|完成|预计")


def _planned(head: str, kind: str = "计划", verbs: tuple[str, ...] = ("v",)) -> str | None:
    """``head`` with 计划 (or ``kind``) before its last verb, None when it has none.

    Example: ``_planned("2024年重庆新增")`` -> ``"2024年重庆计划新增"``;
    ``_planned("2023年重庆新建、改造")`` -> ``"2023年重庆计划新建、改造"``;
    ``_planned("2024年重庆城镇新增就业")`` -> ``"2024年重庆城镇计划新增就业"``.
    """
    from qa.text.entities import tagger

    words = list(tagger().cut(head))
    found = [i for i, w in enumerate(words) if w.flag in verbs]
    if not found:
        return None
    first = found[-1]
    # Verbs listed together ("新建、改造") are planned together, and so are verbs one
    # after another ("新开工改造", "新增就业": one action).
    while first > 0:
        if words[first - 1].flag in verbs:
            first -= 1
        elif first > 1 and words[first - 1].word == "、" and words[first - 2].flag != "x":
            first -= 2
        else:
            break
    at = sum(len(w.word) for w in words[:first])
    return f"{head[:at]}{kind}{head[at:]}"


# Verbs that only carry a figure to its level ("实际达到了多少家" after "力争…突破多少家").
_REACH = re.compile(r"达到|突破|超过|到达|实现")


def names_nothing_new(rest: str, base: str) -> bool:
    """Every noun and verb of ``rest`` (of two characters or more) but the kind words
    (目标, 计划, 打算…) and the verbs reaching a level (达到, 突破…) is in ``base``:
    adverbs and one-character words ("再", "定的是") say how it is asked, not what.

    Example: ``names_nothing_new("打算再新增多少", "2023年重庆新增了多少城市绿地？")`` -> True;
    ``names_nothing_new("工程计划实施多少个", "…城乡供水一体化工程吗？")`` -> False (实施).
    """
    from qa.text.entities import tagger

    words = tagger().cut(_REACH.sub("", _PLAN_WORDS.sub("", _KIND_WORDS.sub("", rest))))
    named = [w.word for w in words if w.flag[:1] in "njv" and len(w.word) > 1]
    return all(w in base for w in named)


def _result_of_noun(base: str) -> str | None:
    """A question planning a noun's figure asked of its result, 实际 before the verb:
    ``_result_of_noun("2024年重庆力争高新技术企业突破多少家？")``
    -> ``"2024年重庆高新技术企业实际突破多少家？"``; None where 计划 is followed by its
    verb ("计划新增多少个") and 实际 simply takes its place."""
    from qa.text.entities import tagger

    plan = re.search(r"计划|力争", base)
    asked = re.search(r"多少|几", base)
    if not plan or not asked or asked.start() < plan.end():
        return None
    after = next(iter(tagger().cut(base[plan.end() : asked.start()])), None)
    if after is None or after.flag.startswith("v"):
        return None
    head = base[: plan.start()] + base[plan.end() : asked.start()]
    # A verbal noun counts as the verb there (突破 is tagged one).
    placed = _planned(head, "实际", ("v", "vn"))
    return placed + base[asked.start() :] if placed else None


def with_kind(base: str, kind: str) -> str:
    """The same question about the target (``plan``) or the result instead.

    Example: ``with_kind("2024年重庆计划新增多少个停车位？", "result")``
    -> ``"2024年重庆实际新增多少个停车位？"``.
    """
    if kind == "plan":
        if _RESULT_IN.search(base):
            # A target is not said as done: "实际突破了多少" -> "目标突破多少" (the 了 would
            # read as asking the result).
            return re.sub(r"了(?=多少|几)", "", _RESULT_IN.sub("目标", base, count=1))
        asked = re.search(r"多少|几", base)
        if asked and not _TAIL.search(base):
            # "新增了多少城市绿地？" asks a count of a noun: "计划新增多少城市绿地？".
            planned = _planned(base[: asked.start()].removesuffix("了"))
            if planned:
                return planned + base[asked.start() :]
        core, tail = _core_of(base)
        # "…增长了多少？" asks a change: its target is the growth target.
        grows = "增长" if "增长" in tail and not core.endswith("增长") else ""
        return f"{core}{grows}的目标是多少？"
    placed = _result_of_noun(base)
    if placed:
        return placed
    if _PLAN_IN.search(base):
        # "…达标率的目标是多少？" -> "…达标率实际是多少？"; "目标定的是" -> "实际是".
        return re.sub(rf"的?(?:{_PLAN_IN.pattern})(?:定的|定在|定(?=为))?", "实际", base, count=1)
    core, tail = _core_of(base)
    return f"{core}实际完成{tail.lstrip('是')}"


def kind_of_another(question: str, base: str) -> str | None:
    """A short question asking the other kind of a word that takes the place of one in
    ``base`` (成交额 for 交易额: the same last character), asked of ``base``'s years and
    place; None when it names a time, says no kind, or has no counterpart.

    Example: after "2024年重庆技术合同交易额的目标是多少？",
    ``kind_of_another("实际成交额是多少？", …)`` -> ``"2024年重庆技术合同成交额实际是多少？"``.
    """
    core = _PUNCT.sub("", question)
    plan, result = bool(_PLAN_WORDS.search(core)), bool(_RESULT_WORDS.search(core))
    if plan == result or len(core) > 12 or _YEAR.search(core):
        return None
    word = _core_of(_KIND_WORDS.sub("", core))[0].strip("的")
    swapped = _substitute(base, word) if 1 < len(word) <= 4 else None
    return with_kind(swapped, "plan" if plan else "result") if swapped else None
