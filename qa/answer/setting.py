"""Whether a figure counts the thing asked or a thing the question names as its setting.

"2024年上线的行业大脑一共接入了多少家企业？" asks a number of 企业; in "上线行业大脑6个"
the 6 counts the 行业大脑 that the question names before its 多少, as the setting of
what it asks. 个 may stand for 家, the topic words are all there, yet the figure is a
near miss. "评选出的夜间经济示范区，一年带动了多少夜间消费额？" is the same: the
passage counts the 示范区 (5个), not the 消费额.

The rule is grammar, not vocabulary: the noun written right before the figure is read
from the question's own words, split at its 多少 into the setting (before) and the
thing asked (after). A paraphrase names the asked thing in other words than the
passage, so its figure's noun is in neither part and nothing is decided here.

A question may also name a whole and ask a part of it: "2022年底重庆的市场主体中，个体
工商户有多少万户？". A sentence that names the whole (市场主体总量达341.6万户) and not the
part gives the whole's figure, a near miss. The part is the noun right after "X中，";
a paraphrase that words it as a verb or an adverb ("外贸里，不靠来料加工的…") is left
alone.

Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from qa.answer.aspect import CLAUSE_END, clause_before
from qa.text.numbers import Figure, equivalent, extract_figures

# A place (ns), a person (nr) or an organisation (nt) is where or whose, not what is
# counted; a question's place is in its setting as a rule.
_COUNTED_FLAGS = re.compile(r"n[zg]?$|vn$")


def split_question(norm_question: str, asked_end: int | None = None) -> tuple[str, str] | None:
    """The question's setting (before its first 多少) and the thing asked (after it, or
    after its unit ending at ``asked_end``, up to the clause's end); None when it asks no
    thing by name ("是多少？").

    Example: ``split_question("行业大脑接入了多少家企业？", 9)`` ->
    ``("行业大脑接入了", "企业")``; ``split_question("gdp是多少？")`` -> None.
    """
    found = re.search(r"多少", norm_question)
    if found is None:
        return None
    start = asked_end if asked_end is not None else found.end()
    rest = norm_question[start:]
    end = CLAUSE_END.search(rest)
    asked = rest[: end.start() if end else None].strip()
    if not re.match(r"[\u4e00-\u9fff]{2}", asked):
        return None
    return norm_question[: found.start()], asked


def noun_before(text: str, figure: Figure) -> str | None:
    """The noun written right before ``figure`` in its clause, None when a verb or
    nothing stands there.

    Example: for 6个 in "上线行业大脑6个" -> ``"大脑"``; for 113个 in
    "成功创建全国示范性老年友好型社区113个" -> ``"社区"``; "新增10个" -> None.
    """
    from qa.text.entities import tagger

    clause = clause_before(text, figure.span[0])
    words = [w for w in tagger().cut(clause) if w.word.strip()]
    if not words or len(words[-1].word) < 2 or not _COUNTED_FLAGS.match(words[-1].flag):
        return None
    return str(words[-1].word)


def counts_setting(parts: tuple[str, str] | None, text: str, figure: Figure) -> bool:
    """The figure counts a thing the question names only as its setting: the noun right
    before it is in the setting and not in the thing asked.

    Example: with ``split_question("2024年重庆上线的行业大脑一共接入了多少家企业？", …)``,
    6个 in "累计建成183个智能工厂,上线行业大脑6个" -> True; 183个 there -> False
    (a verb stands before it).
    """
    if parts is None:
        return False
    setting, asked = parts
    noun = noun_before(text, figure)
    return noun is not None and noun in setting and noun not in asked


def names_asked(parts: tuple[str, str], texts: list[str]) -> bool:
    """Some word of the thing asked, not of the setting as well, is written in ``texts``.

    Example: with the thing asked "企业", "上线行业大脑6个，接入企业超过2万家" -> True;
    with 夜间消费额 after the setting 夜间经济示范区, "夜间经济示范区5个" -> False.
    """
    return any(w in t for w in _asked_words(*parts) for t in texts)


@lru_cache(maxsize=64)
def _asked_words(setting: str, asked: str) -> tuple[str, ...]:
    """The words of the thing asked that the setting does not use, cut once per question
    (every sentence of every answer is read against them)."""
    import jieba

    return tuple(w for w in jieba.cut(asked) if len(w) > 1 and w not in setting)


# "X中，Y…多少": X is the whole, Y the part asked of it.
_PARTITIVE = re.compile(r"(?:当中|之中|里面|中|里)[，,]")
# 几 asks a small count ("几个", "几家"), unless it is part of a number (十几, 几十, 好几)
# or of a word (几乎, 哪几), asks a rank (第几, 前几名), or points with 那/这 ("西边那几个
# 区县的工厂…占了多大份额": those districts, not how many).
FEW = re.compile(r"(?<![好十哪第前那这])几(?![十百千万乎])")
_ASKING = re.compile(rf"多少|{FEW.pattern}")
# Word classes of a noun phrase's words in jieba's tags (服务业/n, 投资/vn, 国家级/b).
NOUN_FLAGS = re.compile(r"n[a-z]?$|vn$|j$|b$")


@lru_cache(maxsize=64)
def part_asked(norm_question: str) -> tuple[str, str] | None:
    """The whole a question names (its last word) and the part it asks of it (the noun
    right after the whole), None when it asks no part by a noun.

    Example: ``part_asked("2022年底重庆的市场主体中，个体工商户有多少万户？")`` ->
    ``("市场主体", "个体")``; ``part_asked("2023年重庆新增的上市企业中，有几家是在主板上市的？")``
    -> ``("企业", "主板")`` (the part said after the count);
    ``part_asked("2023年重庆的外贸里，不靠来料加工的占多大比重？")`` -> None.
    """
    from qa.text.entities import tagger

    m = _PARTITIVE.search(norm_question)
    ask = _ASKING.search(norm_question, m.end()) if m else None
    if m is None or ask is None:
        return None
    whole = [w for w in tagger().cut(norm_question[: m.start()]) if w.word.strip()]
    part = [w for w in tagger().cut(norm_question[m.end() : ask.start()]) if w.word.strip()]
    if not any(NOUN_FLAGS.match(w.flag) for w in part):
        # "上市企业中，有几家是在主板上市的？": the part is said after the count.
        after = [w for w in tagger().cut(norm_question[ask.end() :]) if w.word.strip()]
        part = [w for w in after if NOUN_FLAGS.match(w.flag) and len(w.word) > 1][:1]
    if (
        not whole
        or not part
        or not NOUN_FLAGS.match(whole[-1].flag)
        or not NOUN_FLAGS.match(part[0].flag)
    ):
        return None
    head, first = str(whole[-1].word), str(part[0].word)
    if len(head) < 2 or len(first) < 2 or first in norm_question[: m.start()]:
        return None
    return head, first


def names_only_whole(whole_part: tuple[str, str] | None, text: str, source: str) -> bool:
    """The sentence (read in ``source``, the passage words it restates, when given: a
    model may repeat the question's part word over the whole's figure) names the whole,
    and the clause of no figure it states names the part: a part named in another
    clause ("新增上市企业10家…，新增经营主体64.8万户") is not what its figure counts.

    Example: with ``("市场主体", "个体")``, "市场主体总量达341.6万户" -> True;
    "市场主体341.6万户，其中个体工商户240万户" -> False; with ``("主体", "企业")``,
    "…企业64.8万户" said of "新增上市企业10家,新增经营主体64.8万户" -> True.
    """
    if whole_part is None:
        return False
    whole, part = whole_part
    where = source or text
    if whole not in where:
        return False
    held = extract_figures(where)
    if not held:
        return part not in where
    stated = [h for f in extract_figures(text) for h in held if equivalent(f, h)] or held
    return not any(part in where[slice(*_clause_span(where, h))] for h in stated)


def _clause_span(text: str, figure: Figure) -> tuple[int, int]:
    """Where the clause of ``text`` that holds ``figure`` starts and ends (clause stops)."""
    ends = [m.end() for m in _CLAUSE_STOP.finditer(text, 0, figure.span[0])]
    after = _CLAUSE_STOP.search(text, figure.span[1])
    return (ends[-1] if ends else 0, after.start() if after else len(text))


_CLAUSE_STOP = re.compile(r"[，,。；;！!？?\n]")


def _held(text: str, figure: Figure) -> tuple[list[Figure], Figure | None]:
    """The figures of ``text``, and the one that is ``figure`` (None when it is not there)."""
    held = extract_figures(text)
    return held, next((h for h in held if equivalent(h, figure)), None)


def beside_stated(text: str, figure: Figure, stated: Sequence[Figure]) -> bool:
    """Whether ``figure`` may be about what the question names by a figure it states
    ("第二批50个合作事项已经完成了多少项"): False when ``text`` holds that stated figure in
    another clause and ``figure``'s own clause names a sibling by a figure of the same
    unit, ``figure`` itself or another ("首批34个合作事项已完成22项，第二批50个合作事项加快推进": 22项 is the first
    batch's). "计划开工98个项目，总投资5000亿元" names no sibling: 5000亿元 may be theirs.

    Example: ``beside_stated("首批34个事项已完成22项，第二批50个事项加快推进", 22项, [50个])``
    -> False.
    """
    held, mine = _held(text, figure)
    ours = [h for h in held if any(equivalent(h, g) for g in stated)]
    if mine is None or not ours:
        return True

    start, end = _clause_span(text, mine)
    if any(start <= h.span[0] < end for h in ours):
        return True
    units = {g.scaled()[1] for g in stated}
    # The figure itself may be the sibling's count ("首批34个").
    return not any(start <= h.span[0] < end and h.scaled()[1] in units for h in held)


# The words that must lead up to a stated figure and to the passage's own to call them
# the same slot ("营收1000亿元以上" and "营收500亿元以上").
_SLOT = 2


def stated_otherwise(
    text: str, figure: Figure, norm_question: str, stated: Sequence[Figure]
) -> bool:
    """Whether ``figure``'s clause writes, in the words that lead up to a figure the
    question states, another figure of its unit: the question's threshold is not the
    passage's, so ``figure`` counts something else ("力争营收500亿元以上企业突破5家" for
    "营收1000亿元以上的企业达到几家"). The same words must lead up to both; a figure
    the text merely holds beside ("地区生产总值30145亿元、增长6.1%" for "突破3万亿元后增长多
    少") says nothing.

    Example: ``stated_otherwise("力争营收500亿元以上企业突破5家", 5家,
    "营收1000亿元以上的企业达到几家", [1000亿元])`` -> True; with "营收1000亿元以上企业突破5家"
    -> False.
    """
    held, mine = _held(text, figure)
    if mine is None or any(equivalent(h, g) for h in held for g in stated):
        return False
    start, end = _clause_span(text, mine)
    for g in stated:
        lead = norm_question[max(0, g.span[0] - _SLOT) : g.span[0]]
        if len(lead) < _SLOT or not re.fullmatch(r"[\u4e00-\u9fff]+", lead):
            continue
        for h in held:
            if h is mine or not start <= h.span[0] < end or h.scaled()[1] != g.scaled()[1]:
                continue
            if text[max(0, h.span[0] - _SLOT) : h.span[0]] == lead:
                return True
    return False


def part_of_asked(text: str, figure: Figure, norm_question: str) -> bool:
    """Whether ``text`` calls ``figure`` a share of a whole the question asks: the words
    right after it say 占 and a whole that the question names in full ("新增A级旅游景区
    19个，占全市七成" for "全市一共新增了多少个"): the figure is a part's. A whole the
    question does not ask ("占全市gdp的60%" for 全市民营经济增加值) decides nothing.

    Example: ``part_of_asked("渝东北新增A级旅游景区19个，占全市七成", 19个,
    "2023年重庆全市一共新增了多少个a级旅游景区？")`` -> True; for "2023年渝东北新增了多少个"
    (no 全市) -> False.
    """
    if "占" not in text:  # most sentences: no figures read again for every figure
        return False
    mine = next((h for h in extract_figures(text) if equivalent(h, figure)), None)
    if mine is None:
        return False
    after = _SHARE_OF.match(text, mine.span[1])
    if after is None:
        return False
    from qa.text.entities import tagger

    words = [w.word for w in tagger().cut(after.group(1)) if w.word.strip()]
    return bool(words) and all(w in norm_question for w in words)


# 占 and the whole, up to the share itself (的, a number, 七成, 比重…).
_SHARE_OF = re.compile(
    r"[，,、]?\s*占((?:(?!的|[\d.]|[一二三四五六七八九十半]成|比重|比例|份额)[^，,。；;！!？?\n]){2,12})"
)
