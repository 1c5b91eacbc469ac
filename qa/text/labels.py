"""A figure stated under the label a passage gives another figure.

From "全市新签约招商项目2903个，正式合同金额18571亿元，到位资金5149.7亿元" the 1.5B model
wrote "签约的重大项目实际到位资金为18571亿元". Every figure is in the passage, so the
figure checks pass; reading which label stands right before which figure in the passage
catches it: 到位资金 goes with 5149.7亿元 there, never with 18571亿元.

A label is the sentence's last words before its figure, without linking words (为, 达到,
增长, 比上年 …), read with jieba's words so that a label is never half a word. Pure
functions over normal forms (``qa.text.script.normal_form``).
"""

from __future__ import annotations

import re

from qa.text.numbers import Figure, equivalent, extract_figures

# Words between an indicator and its figure that say how, not what: a label never ends
# with one ("外贸进出口总额增长" is labelled 外贸进出口总额).
_LINKS = frozenset(
    "为 是 有 达 达到 约 共 共计 总计 合计 超过 超 突破 累计 了 的 在 到 至 增至 提高 提升 "
    "提高到 提升至 增长 下降 增加 减少 比 上年 比上年 同比 较 较上年 一共 总共 大约 近 已 "
    "分别 实现 完成 预计 预期 力争 目标".split()
)
_HAN = re.compile(r"[\u4e00-\u9fff]+")
# What may stand between a label and its figure in a passage: a few characters, no
# number and no punctuation ("增加值增长6.3%", "到位资金5149.7亿元").
_GAP = re.compile(r"[^\d，,。；;：:！!？?、（）()|｜\s]{0,4}")
# A label shorter than this is too common to tell indicators apart (收入, 投资).
MIN_LABEL = 3
MAX_LABEL = 12
_CLAUSE_END = re.compile(r"[，,。；;、：:！!？?|｜\n]")


def stated_labels(sentence: str, start: int) -> list[str]:
    """The readings of the label ``sentence`` states right before position ``start``,
    longest first: its last words in the clause, linking words dropped, each reading of
    at least ``MIN_LABEL`` characters of Chinese.

    Example: ``stated_labels("西洽会签约的重大项目实际到位资金为18571亿元", 17)`` ->
    ``["重大项目实际到位资金", "实际到位资金", "到位资金"]`` (a reading stops at 的).
    """
    from qa.text.entities import words as cut

    ends = [m.end() for m in _CLAUSE_END.finditer(sentence, 0, start)]
    clause = sentence[ends[-1] if ends else 0 : start]
    words = cut(clause)
    while words and (words[-1] in _LINKS or not _HAN.fullmatch(words[-1])):
        words.pop()
    readings: list[str] = []
    for i in range(len(words) - 1, -1, -1):
        if words[i] in _LINKS or not _HAN.fullmatch(words[i]):
            break
        reading = "".join(words[i:])
        if len(reading) > MAX_LABEL:
            break
        if len(reading) >= MIN_LABEL:
            readings.append(reading)
    return readings[::-1]


def labelled_figures(passage: str, label: str, figures: list[Figure] | None = None) -> list[Figure]:
    """The figures ``passage`` states right after ``label`` (a short gap of words, no
    number or punctuation between); ``figures`` are the passage's, when already read.

    Example: ``labelled_figures("正式合同金额18571亿元，到位资金5149.7亿元", "到位资金")``
    -> the figure 5149.7亿元.
    """
    figures = extract_figures(passage) if figures is None else figures
    out: list[Figure] = []
    for m in re.finditer(re.escape(label), passage):
        after = next((f for f in figures if f.span[0] >= m.end()), None)
        if after is not None and _GAP.fullmatch(passage[m.end() : after.span[0]]):
            out.append(after)
    return out


_SENTENCE_END = re.compile(r"[。；;！!？?\n]")


def _later_in(passage: str, figures: list[Figure], label: str, figure: Figure) -> bool:
    """The passage states ``figure`` later in a sentence that names ``label`` before it,
    with no other figure in its unit between the label's own and it: "地区生产总值迈上
    3万亿元新台阶,达到30145.79亿元" gives the label both figures; "单项冠军企业13家,新增
    市级专精特新中小企业1366家、累计3694家" gives 3694家 to what 1366家 counts."""
    for g in figures:
        if equivalent(g, figure):
            ends = [m.end() for m in _SENTENCE_END.finditer(passage, 0, g.span[0])]
            start = ends[-1] if ends else 0
            at = passage.rfind(label, start, g.span[0])
            if at < 0:
                continue
            unit = g.scaled()[1]
            between = [
                f
                for f in figures
                if at + len(label) <= f.span[0] and f.span[1] <= g.span[0] and f.scaled()[1] == unit
            ]
            if len(between) <= 1:
                return True
    return False


def relabelled(sentence: str, figure: Figure, passage: str) -> tuple[str, Figure] | None:
    """The label ``sentence`` gives ``figure`` and the figure ``passage`` gives that label
    instead, when the passage puts the label right before another figure in the same
    unit and never before this one, nor earlier in a sentence that states this one;
    None otherwise, or when the passage never states the label before a figure (a label
    in the user's own words tells nothing).

    Example: ``relabelled("实际到位资金为18571亿元", <18571亿元>, p)`` with ``p`` =
    "正式合同金额18571亿元，到位资金5149.7亿元" -> ``("到位资金", <5149.7亿元>)``;
    with the sentence "正式合同金额为18571亿元" -> None.
    """
    figures = extract_figures(passage)
    for label in stated_labels(sentence, figure.span[0]):
        after = labelled_figures(passage, label, figures)
        if not after:
            continue
        if any(equivalent(g, figure) for g in after) or _later_in(passage, figures, label, figure):
            return None
        unit = figure.scaled()[1]
        other = next((g for g in after if g.scaled()[1] == unit), None)
        return (label, other) if other is not None else None
    return None


def taken_apart(
    sentence: str, figure: Figure, holders: list[str], others: list[str]
) -> tuple[str, Figure] | None:
    """The label ``sentence`` gives ``figure`` and the figure another passage gives that
    label, when no passage holding ``figure`` names the label and one of ``others``
    puts it right before another figure in the same unit: the figure was taken from one
    passage and its label from another. None otherwise.

    Example: ``taken_apart("快递业务量比上年增长了32%", <32%>, [h], [o])`` with ``h`` =
    "渝满俄班列运输14.8万标箱、增长32%" and ``o`` = "快递业务量增长27%" ->
    ``("快递业务量", <27%>)``; with ``o`` = "客运量增长47.8%" -> None.
    """
    unit = figure.scaled()[1]
    for label in stated_labels(sentence, figure.span[0]):
        if any(label in h for h in holders):
            return None
        # Only a passage that writes the label can label a figure (figures read no more).
        for passage in (p for p in others if label in p):
            after = labelled_figures(passage, label)
            other = next(
                (g for g in after if g.scaled()[1] == unit and not equivalent(g, figure)), None
            )
            if other is not None:
                return label, other
    return None
