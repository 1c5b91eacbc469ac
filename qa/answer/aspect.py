"""What a figure measures besides its unit: a level or a change, over a year or a day.

"新能源汽车产量比上年增长了百分之多少" asks a change; "新能源汽车产量达到50万辆" and
"贡献率达90%" give levels. "港口货物吞吐量总共是多少万吨" asks a level;
"港口吞吐量净增1570万吨" gives a change. "轨道交通全年运送了多少人次" asks a year's
total; "日最高客运量突破600万人次" gives one day's. Each pair shares a unit and a
topic, so only the words around the number tell them apart, and those words are
the grammar of quantities (增长, 比上年, 日均 …), not the vocabulary of one report.

Pure functions. A figure's *clause* is the text before it back to the last
comma-like mark; a table row is one clause, so "地区生产总值增长（%）｜6左右" is a
change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa.text.numbers import Figure, equivalent, extract_figures

# A movement from the previous value. "提高到717元", "增长至", "下降为" give the new
# level instead, so the word must not be followed by 到/至/为 (至少 and 至多 are no
# level: "增速至少要到多少"); 增加值 is value added.
# A bare 涨 or 降 asks one only right before the amount ("规模涨多少"); 少了 of 多少了
# ("提高到多少了") is no 少了.
_CHANGE = re.compile(
    r"(?:增长|增速|增幅|涨幅|降幅|跌幅|增加|下降|降低|减少|提高|提升|上涨|上升|回落|净增|同比|比上年|较上年"
    r"|(?:涨|降|多|(?<!多)少)了|[涨降](?=多少|几|百分之))(?![到为值]|至(?![少多]))"
)
_PER_DAY = re.compile(r"日均|日最高|单日|每日|每天|日平均|最高日|高峰日")
# A rate per so many people ("5G基站数量达到每万人19个", "每千人口拥有托位数3.7个") is no
# count of the things themselves: it answers only a question that asks per people too
# ("平均每一万人拥有几个").
_PER_PEOPLE = re.compile(r"每一?个?[十百千万]+个?人|平均一个?[十百千万]+个?人")
# A running total since some start (or the stock at a date: 截至年底, 总数), and what
# one period adds: "累计建成三甲医院55家" does not say how many were 新增 this year, nor
# "新增托位1.6万个" how many there are; nor does a 累计 figure say what was done 当年
# (in that year).
_TOTAL = re.compile(r"累计|累积|总计|共计|总数|截至|截止")
_NEW = re.compile(r"新增|新建|新改|新扩|新筹|新开|新设|新引进|新培育|新认定|新落地|当年")
# A level a count or an amount reached or passed ("养老床位达到23万余张", "增至3个",
# "通车里程突破1100公里") is the stock, unless the words say what one period added
# ("新增就业达到73.9万人"): it does not say how many were 新增. Read in a passage only;
# a question asking "达到多少" asks either.
_LEVEL = re.compile(r"达到|增至|总量|突破|超过")
CLAUSE_END = re.compile(r"[，,。；;、：:！!？?]")


@dataclass(frozen=True)
class Aspect:
    """Whether a figure is a change (``增长6.1%``), whether it counts one day, whether
    it is a running total (``累计``: True), what a period adds (``新增``: False) or neither
    said (None), and whether it is a rate per so many people (``每万人19个``)."""

    change: bool
    per_day: bool
    total: bool | None = None
    per_people: bool = False


def clause_before(text: str, start: int) -> str:
    """The clause that leads up to position ``start``; in a table row, the row so far
    (its label names the indicator of every cell).

    Example: ``clause_before("达到30145.79亿元、增长6.1%", 15)`` -> ``"增长"``;
    ``clause_before("投资增速(%)|2022年预计完成:0.7", 18)`` -> the whole row before 0.7.
    """
    line_start = text.rfind("\n", 0, start) + 1
    if re.search(r"[|｜]", text[line_start:start]):
        return text[line_start:start]
    ends = [m.end() for m in CLAUSE_END.finditer(text, 0, start)]
    clause = text[ends[-1] if ends else 0 : start]
    # A spelled table row, "固定资产投资增速：2022年预期目标6%左右，2022年预计完成0.7%":
    # its label, before the first colon of the sentence, names every figure after it.
    sentence = text[max(text.rfind(c, 0, start) for c in "。；;\n") + 1 : start]
    label = re.match(r"[^，,：:]+[：:]", sentence)
    return label.group() + clause if label and not clause.startswith(label.group()) else clause


def figure_clause(text: str, figure: Figure) -> str:
    """The words of the clause that holds ``figure``, without the figure itself: what
    ``clause_before`` gives, then what follows it up to the clause's end.

    Example: for 26个 in "建成3500余个,26个区县实现清零,清理垃圾" -> ``"区县实现清零"``;
    for 6个 in "上线行业大脑6个,接入企业" -> ``"上线行业大脑"``.
    """
    end = CLAUSE_END.search(text, figure.span[1])
    return clause_before(text, figure.span[0]) + text[figure.span[1] : end.start() if end else None]


def _total(text: str) -> bool | None:
    if _TOTAL.search(text):
        return True
    if _NEW.search(text):
        return False
    # "三甲医院总共有多少家" asks how many there are, "总共新增了多少家" what was added;
    # 一共 is said of either ("一共多出了多少个停车位"), so it says nothing.
    return True if "总共" in text else None


# Items listed with 、 share the words before the list: in "累计引进开放式、国际化新型研发
# 机构50家" and "累计建成三甲医院55家、区县域卫生次中心32家" every item is a running
# total. So a total is read back to the last comma or stop, the nearest word winning
# ("累计建成55家、新增32家": 32家 is what the year added).
_LIST_END = re.compile(r"[，,。；;：:！!？?\n]")


_TOTAL_OR_NEW = re.compile(f"{_TOTAL.pattern}|{_NEW.pattern}")


def list_clause(text: str, start: int) -> str:
    """The words before ``start`` back to the last comma or stop, over a 、 list: what
    every item of the list shares.

    Example: ``list_clause("总量分别达到5.85万、7565家", 12)`` -> ``"总量分别达到5.85万、"``.
    """
    ends = [m.end() for m in _LIST_END.finditer(text, 0, start)]
    return text[ends[-1] if ends else 0 : start]


def _total_of_list(text: str, start: int) -> bool | None:
    words = list(_TOTAL_OR_NEW.finditer(list_clause(text, start)))
    return _total(words[-1].group()) if words else None


# A rate the change word only qualifies: "产量增长贡献率达90%" is the level of a
# contribution rate. The change's own rate ("增长率") follows it directly, so a rate
# word counts only after at least one other character.
_OTHER_RATE = re.compile(r"^.+?(?:率|比重|占比|份额)")


def _is_change(clause: str) -> bool:
    found = list(_CHANGE.finditer(clause))
    return bool(found) and not _OTHER_RATE.search(clause[found[-1].end() :])


def _aspect(clause: str, total: bool | None = None) -> Aspect:
    change = _is_change(clause)
    found = _total(clause)
    if found is None and total is None and not change and _LEVEL.search(clause):
        found = True
    return Aspect(
        change,
        bool(_PER_DAY.search(clause)),
        total if found is None else found,
        bool(_PER_PEOPLE.search(clause)),
    )


def _aspect_at(text: str, start: int) -> Aspect:
    """The aspect of the figure at ``start``; its total read over a 、 list (``_total_of_list``)."""
    clause = clause_before(text, start)
    if re.search(r"[|｜]", clause):
        return _aspect(clause)
    if not clause and text[start - 1 : start] == "、":
        # A bare list item shares the words before the list: in "分别增长12.9%、8.4%" and
        # "整体提升100所学校、50家医院" the second figure is as much a change as the first.
        clause = list_clause(text, start)
    return _aspect(clause, _total_of_list(text, start))


def figure_aspects(text: str, source: str = "") -> list[tuple[Figure, Aspect]]:
    """Each figure of ``text`` (normal form) with what it measures; read in ``source``
    (the passage words a model's sentence restates) where the same figure is there.

    Example: ``figure_aspects("达到30145.79亿元、增长6.1%")`` -> 30145.79亿元 a level,
    6.1% a change; ``"提高到每人每月717元"`` -> a level; ``"日均客运量400万人次"`` -> per day.
    ``figure_aspects("全年运送600万人次", source="日最高客运量突破600万人次")`` -> per day.
    """
    held = extract_figures(source) if source else []
    out = []
    for fig in extract_figures(text):
        there = next((g for g in held if equivalent(fig, g)), None)
        if there is not None:
            out.append((fig, _aspect_at(source, there.span[0])))
        else:
            out.append((fig, _aspect_at(text, fig.span[0])))
    return out


_ASKING = re.compile(r"多少|几|百分之|比例|比重|多大|多高|多长|哪")
_PART_END = re.compile(r"[？?，,；;]")


def asked_aspect(norm_question: str) -> Aspect | None:
    """What the question asks: a change when it says so (增长多少, 比上年提高了多少,
    涨了多少), one day's figure when it names days, a running total or a period's
    addition when it says 累计 or 新增. None when its parts ask both a
    level and a change ("新增经营主体多少户？增长了多少？"), or when it names two years
    (a difference the chain computes from two levels).

    Example: ``asked_aspect("2023年gdp增长多少")`` -> change; ``"城市低保标准提高到多少"``
    -> a level; ``"轨道交通全年运送了多少人次"`` -> a level over the year.
    """
    if len(set(re.findall(r"(?<!\d)(?:19|20)\d{2}(?=年)", norm_question))) > 1:
        return None
    parts = [p for p in _PART_END.split(norm_question) if _ASKING.search(p)]
    changes = {bool(_CHANGE.search(_asking_part(p))) for p in parts} or {
        bool(_CHANGE.search(norm_question))
    }
    if len(changes) > 1:
        return None
    per_day = bool(
        _PER_DAY.search(norm_question) or re.search(r"[一每][天日]", norm_question)
    ) or _day_word(norm_question)
    # "截至2023年底，农村公路总里程有多少公里": a time said before the asking part holds
    # for it.
    totals = ({_total(p) for p in parts} - {None}) or {_total(norm_question)} - {None}
    per_people = bool(_PER_PEOPLE.search(norm_question))
    return Aspect(changes.pop(), per_day, totals.pop() if len(totals) == 1 else None, per_people)


@lru_cache(maxsize=64)  # read for every answer sentence checked against one question
def _day_word(norm_question: str) -> bool:
    """日 as a word of its own, not in a date: "日客运量最高达到多少" asks one day's figure;
    "日常买东西的物价" and "5月20日前" do not.

    Example: ``_day_word("轨道交通日客运量")`` -> True; ``_day_word("老百姓日常")`` -> False.
    """
    from qa.text.entities import words as cut

    words = cut(norm_question)
    return any(w == "日" and not (i and words[i - 1][-1:].isdigit()) for i, w in enumerate(words))


def _asking_part(part: str) -> str:
    """A part of a question up to its count of things, where one is asked: the words
    after the counted noun describe the things counted, not the figure ("多少家大医院带头
    提升水平" asks a number of hospitals, not a rise); "比上年增加了多少家" is a change.

    Example: ``_asking_part("打算挑出多少家大医院带头提升水平")`` -> ``"打算挑出多少家"``.
    """
    from qa.answer.gate import COUNTERS

    count = re.search(rf"(?:多少|几)[{''.join(sorted(COUNTERS))}]", part)
    return part[: count.end()] if count else part


def fits(asked: Aspect | None, given: Aspect) -> bool:
    """A figure answers when it is a change exactly if a change is asked, counts one day
    or is a rate per so many people only if that is asked, and is a running total or a
    period's addition as asked (either, where one side does not say); anything fits a
    question asking both.

    Example: asked a level of the year, given a change -> False; given one day's -> False;
    asked 新增了多少家, given 累计建成55家 -> False; asked 5G基站总数有多少个, given
    每万人19个 -> False.
    """
    if asked is None:
        return True
    totals = None in (asked.total, given.total) or asked.total == given.total
    per = (asked.per_day or not given.per_day) and (asked.per_people or not given.per_people)
    return asked.change == given.change and per and totals
