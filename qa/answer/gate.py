"""Gates: can these passages answer the question, and does an answer answer it?

Pure functions, run by the chain before and after generation. Each one turns a
near miss into an honest refusal: when the reports speak of 重庆 2022-2025, a
question about 成都 (a place no passage names), about 2019, about a result when only a target is written, or
about an amount in 亿元 when the reports give only a growth rate must not be
answered with the nearest figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from qa.answer.aspect import (
    CLAUSE_END,
    Aspect,
    asked_aspect,
    clause_before,
    figure_aspects,
    figure_clause,
    fits,
    list_clause,
)
from qa.answer.markers import strip_markers
from qa.answer.retrieve import SYNONYMS, expand_years, question_kind, question_years
from qa.answer.setting import (
    FEW,
    beside_stated,
    counts_setting,
    names_asked,
    names_only_whole,
    part_asked,
    part_of_asked,
    split_question,
    stated_otherwise,
)
from qa.schema import Passage
from qa.text.numbers import Figure, equivalent, extract_figures
from qa.text.respective import said_together
from qa.text.script import normal_form

# Question words that say nothing about the topic; coverage is measured without them.
# No place is among them: the corpus's own place weighs little by its IDF (it is in
# most passages), and the place of another corpus is its own business.
_GENERIC = frozenset(
    "全市 我市 市 报告 政府 多少 是 什么 哪些 情况 增长 年 达到 主要 "
    "工作 预期 目标 完成 实际 数据 相关 介绍 一下 请问 分别 比较 变化 元 万元 亿元 万亿元 "
    "比 上年 比上年 哪几 几个 哪几个 第几 几天 几年 哪次 构成 部分 提出 截至 累计".split()
)
MIN_COVERAGE = 0.5
# A sentence giving the asked figure must itself be about the asked topic (a quarter of
# its weight: paraphrases such as 空气好的日子 share only one word with 空气质量优良天数).
MIN_SENTENCE_COVERAGE = 0.25


def topic_words(tokens: Sequence[str]) -> list[str]:
    """The question's content words: no question or generic words, digits or single characters.

    Example: ``topic_words(["2023", "重庆", "旅游", "总收入", "是", "多少", "亿元"])``
    -> ``["重庆", "旅游", "总收入"]``.
    """
    return [
        t
        for t in dict.fromkeys(tokens)
        if t not in _GENERIC and not t.replace(".", "").isdigit() and len(t) > 1
    ]


def topic_coverage(
    q_tokens: Sequence[str], texts: Sequence[str], idf: Mapping[str, float] | None = None
) -> float:
    """IDF-weighted share of the question's topic words found in ``texts`` (normal form);
    a word the reports write otherwise (``gdp`` -> 地区生产总值, see ``SYNONYMS``) counts
    in their wording. Rare words weigh most: a question about 成都 is not answered by
    passages that match only its common words. Words the corpus never uses get the
    mean weight (paraphrases use such words too).

    Example: tokens ``["医院", "数量"]`` against texts that mention neither -> 0.0.
    """
    topic = topic_words(q_tokens)
    if not topic:
        return 1.0
    text = " ".join(texts)
    default = sum(idf.values()) / len(idf) if idf else 1.0

    def weight(t: str) -> float:
        return max(idf.get(t, default), 0.1) if idf else 1.0

    found = [t for t in topic if t in text or (t in SYNONYMS and SYNONYMS[t] in text)]
    return sum(weight(t) for t in found) / sum(weight(t) for t in topic)


def passage_texts(passages: Sequence[Passage]) -> list[str]:
    return [p.norm or normal_form(p.text) for p in passages]


def years_covered(norm_question: str, passages: Sequence[Passage]) -> bool:
    """False when the question names years and no passage speaks of any of them
    (the reports cover 2022-2025: a 2019 question must not get another year's figure).

    Example: "2019年gdp" against passages of 2023 and 2024 -> False.
    """
    asked = set(expand_years(norm_question))
    known = {p.year for p in passages if p.year} | {y for p in passages for y in p.doc_years}
    return not asked or not known or bool(asked & known)


_EXPLICIT_PLAN = re.compile(r"目标|预期|计划|力争|打算|安排")
_EXPLICIT_RESULT = re.compile(
    r"完成|实际|取得|增至|截至|(?:增长|提高|提升|下降|新增|减少|增加|突破|达到|实现|开行|建成)了"
)


def in_scope(norm_question: str, passages: Sequence[Passage]) -> list[Passage]:
    """The passages that may answer a question naming one year: that year's, and of the
    kind the question asks for in so many words (a target for 目标/计划/力争…, an outcome
    for 完成/实际…). Passages of no known year or kind stay, and so do table rows, which
    give a target and an outcome side by side. A question over several years, asking
    for both kinds, or naming a report ("2024年政府工作报告提出…": the year may be the
    report's) keeps every passage of a report on that year.

    Example: "2024年一般公共预算收入实际完成多少" keeps 2024 results and drops the
    passage "力争完成一般公共预算收入2587亿元" (a 2024 target).
    """
    years = question_years(norm_question)
    if len(years) != 1:
        return list(passages)
    year = next(iter(years))
    plan = bool(_EXPLICIT_PLAN.search(norm_question))
    result = bool(_EXPLICIT_RESULT.search(norm_question))
    kind = question_kind(norm_question) if plan != result else None
    of_report = "报告" in norm_question

    def fits(p: Passage) -> bool:
        if of_report:
            return p.year in (None, year) or year in p.doc_years
        if p.year not in (None, year):
            return False
        return kind is None or p.kind in (kind, "other") or p.is_table or "｜" in p.text

    return [p for p in passages if fits(p)]


def asked_unit_at(norm_question: str) -> tuple[str, int] | None:
    """The base unit after a 多少 (read as ``qa.text.numbers`` reads a figure's unit) and
    where its words end, None when no unit is asked. 年 is left out: 多少年轻人 is no
    duration.

    Example: ``asked_unit_at("建成了多少公里山城绿道？")`` -> ``("公里", 7)``;
    ``asked_unit_at("新评上了几个旅游度假区？")`` -> ``("个", 6)``;
    ``asked_unit_at("增长了多少？")`` -> None.
    """
    asking = [*re.finditer(r"多少\s*", norm_question), *FEW.finditer(norm_question)]
    for m in asking:
        if norm_question.startswith("钱", m.end()):
            return "元", m.end() + 1  # 多少钱 asks an amount of money
        figures = extract_figures("1" + norm_question[m.end() : m.end() + 8])
        if not figures or figures[0].span[0] != 0 or not figures[0].unit:
            continue
        base = figures[0].scaled()[1]
        if base and base != "年":
            return base, m.end() + figures[0].span[1] - 1
    return None


# A question asking an amount: 多少, 几 (not 哪几, which asks names, nor 那几/这几, which
# point), 多大/多高…, 百分之.
_ASKS_AMOUNT = re.compile(r"多少|(?<![哪那这])几|多[大高长重久远深宽快]|百分之")


def asks_figure(norm_question: str) -> bool:
    """Whether the question asks an amount, not a name, a place or a time.

    Example: ``asks_figure("2023年重庆gdp是多少?")`` -> True;
    ``asks_figure("林投姐的导演是谁?")`` -> False; ``asks_figure("占百分之几?")`` -> True.
    """
    return _ASKS_AMOUNT.search(norm_question) is not None


def asked_unit(norm_question: str) -> str | None:
    """The base unit of the amount asked for (``多少亿元`` -> ``元``), None when no unit is.

    Example: ``asked_unit("2024年外贸进出口总额是多少亿元?")`` -> ``"元"``;
    ``asked_unit("客运量是多少亿人次?")`` -> ``"人次"``; ``asked_unit("增长了多少?")`` -> ``None``.
    """
    asked = asked_unit_at(norm_question)
    return asked[0] if asked else None


# Measure words of a count of things or people (those ``qa.text.numbers`` reads, less
# 种 kinds, 批 batches, 场 events and 次 times, which 个 does not stand for), which a report may leave out before the counted noun (多少名中小学生 ->
# "为200万中小学生开展测评"); 个 may stand for any of them (多少间心理辅导室 ->
# "心理辅导室4030个").
COUNTERS = frozenset("个名位家人户所座项件台辆套张条列处栋间艘部册头株棵只")
_PEOPLE = frozenset("人名位")


# Measure words a report never replaces by 个 (households, vehicles, trains).
_OWN_MEASURE = frozenset("户辆列")


def same_unit(asked: str, given: str) -> bool:
    """Units that count the same thing. 个 is the general measure word, so it counts
    whatever another measure word does: 多少家首店 is answered by 首店300个; 人, 名 and
    位 all count people.

    Reports count people and households by 人/名/位 and 户, and vehicles and trains by
    辆 and 列, never by 个: "1304个" is no answer to 多少户居民,
    nor "重大工业项目19个" to 多少万辆 (a user's 多少个人才 may still be answered in 人).

    Example: ``same_unit("家", "个")`` -> True; ``same_unit("位", "人")`` -> True;
    ``same_unit("家", "元")`` -> False; ``same_unit("户", "个")`` -> False.
    """
    if asked == given or {asked, given} <= _PEOPLE:
        return True
    if given == "个" and asked in _PEOPLE | _OWN_MEASURE:
        return False
    return "个" in (asked, given) and asked in COUNTERS and given in COUNTERS


def counted_noun(norm_question: str) -> str | None:
    """The noun counted after a measure word asked for, None when no count is asked.

    Example: ``counted_noun("为多少名中小学生开展心理健康测评")`` -> ``"中小学生"``;
    ``counted_noun("多少亿元")`` -> None.
    """
    phrase = counted_phrase(norm_question)
    return phrase[0] if phrase else None


def counted_phrase(norm_question: str) -> tuple[str, ...]:
    """The counted noun and its longer readings, word by word up to the clause's end;
    empty when no count is asked. A passage is read by the longest one it uses: 保障性
    alone would let "7000套配售型保障性住房" count 保障性租赁住房.

    Example: ``counted_phrase("新筹集了多少套保障性租赁住房？")`` ->
    ``("保障性", "保障性租赁", "保障性租赁住房")``; ``counted_phrase("为多少名女学生接种")``
    -> ``("女学生", "女学生接种")``.
    """
    asked = asked_unit_at(norm_question)
    if not asked or asked[0] not in COUNTERS:
        return ()
    from qa.text.entities import words as cut

    rest = norm_question[asked[1] :]
    end = CLAUSE_END.search(rest)
    words = cut(rest[: end.start() if end else None])
    # A noun may start with Latin letters, which jieba cuts off (A 级旅游景区).
    if len(words) > 1 and re.fullmatch(r"[A-Za-z]+", words[0]):
        words = [words[0] + words[1], *words[2:]]
    if not words or not re.fullmatch(r"[A-Za-z]*[\u4e00-\u9fff]+", words[0]):
        return ()
    # A one-character word is no noun alone: jieba cuts 女学生 into 女 and 学生.
    readings = ("".join(words[: i + 1]) for i in range(len(words)))
    return tuple(r for r in readings if len(r) >= 2)


def head_of(norm_question: str) -> str:
    """The last characters of the nouns after the asked measure word, to the question's
    end: the kinds of thing it may count ("" when it asks no count).

    Example: ``head_of("2023年计划新增多少所公办幼儿园？")`` -> ``"办园"``;
    ``head_of("修补了多少处桥梁和隧道身上的裂缝、破损这类毛病？")`` ends in ``"病"``.
    """
    from qa.answer.referent import is_noun
    from qa.text.entities import tagger

    asked = asked_unit_at(norm_question)
    if not asked or asked[0] not in COUNTERS:
        return ""
    rest = re.split(r"[？?。！!；;]", norm_question[asked[1] :])[0]
    nouns = [w.word for w in tagger().cut(rest) if is_noun(w.flag)]
    return "".join(dict.fromkeys(n[-1] for n in nouns if len(n) > 1))


def of_a_kind(head: str, text: str, source: str, figure: Figure) -> bool:
    """Whether the figure's clause names a thing of an asked kind (one of ``head``'s
    characters): a user's measure word is guessed only for such a count.
    "新增婴幼儿托位1.6万个" counts 托位, no 幼儿园; "安装1000台化粪池安全监测系统" names a 池.
    """
    where, places = _occurrences(text, source, figure)
    clauses = [figure_clause(where, at) for at in places]
    return not head or any(c in clause for c in head for clause in clauses)


def counts_noun(sentence: str, noun: str) -> bool:
    """A number stands right before ``noun``: ``counts_noun("为200万中小学生开展", "中小学生")``."""
    return re.search(rf"\d+(?:\.\d+)?\s*[万亿]?\s*{re.escape(noun)}", sentence) is not None


def counts_the_noun(
    text: str, source: str, figure: Figure, noun: str | Sequence[str]
) -> bool | None:
    """Whether ``figure`` counts the asked ``noun`` (or, of its readings from
    ``counted_phrase``, the longest the text uses): the noun is in the figure's clause,
    before it (首店300个) or after it (55家三甲医院), where the figure is read (in
    ``source`` when it holds the figure). None when the text never uses the noun (a
    question in everyday words): it cannot tell.

    Example: for 多少个城镇老旧小区, "接续办好15件重点民生实事,包括:新开工改造城镇老旧小区
    3011万平方米" gives 15件 to 民生实事 -> False.
    """
    nouns = (noun,) if isinstance(noun, str) else noun
    where, places = _occurrences(text, source, figure)
    used = [n for n in nouns if n in where]
    if not used and where != text:
        # The passage words shown may start after the noun ("…士后科学基金…25万人"): the
        # sentence holds it whole.
        held = [g for g in extract_figures(text) if equivalent(figure, g)]
        if held:
            where, places = text, held
            used = [n for n in nouns if n in where]
    if not used:
        return None

    # The same figure may stand twice in a passage ("提质工程100个…增加100个口袋公园"):
    # it counts the noun when one of its places does. A figure said of items listed
    # before its clause ("科技型企业、高新技术企业…，总量分别达到5.85万、7565家") may count
    # any of them: that cannot be told from the clause.
    if any(max(used, key=len) in figure_clause(where, at) for at in places):
        return True
    return None if any("分别" in list_clause(where, at.span[0]) for at in places) else False


def _occurrences(text: str, source: str, figure: Figure) -> tuple[str, list[Figure]]:
    """Where a figure is read: its places in ``source`` when it holds the figure, else
    in ``text``."""
    there = [g for g in extract_figures(source) if equivalent(figure, g)] if source else []
    return (source, there) if there else (text, [figure])


def _located(text: str, source: str, figure: Figure) -> tuple[str, Figure]:
    """Where a figure is first read (``_occurrences``)."""
    where, places = _occurrences(text, source, figure)
    return where, places[0]


def labelled_count(text: str, source: str, figure: Figure, unit: str) -> bool:
    """A bare magnitude (no unit of its own) right after a label counting the asked unit:
    "参保人数达到2650万" gives 多少人, as "2650万人" would.

    Example: ``labelled_count("参保人数达到2650万", "", <2650万>, "人")`` -> True;
    with "全市gdp达到2650万" -> False.
    """
    where, at = _located(text, source, figure)
    if at.scaled()[1]:
        return False
    label = re.escape(unit) + r"数\D{0,3}$"
    return re.search(label, clause_before(where, at.span[0])) is not None


def _in_unit(unit: str, figure: Figure, counts: bool | None, kind: bool | None = None) -> bool:
    """The figure is in the asked unit. A count of the asked noun may use another measure
    word (多少家市场主体 ← 市场主体53.2万户); a count of something else is not one. Where
    the text never uses the asked noun (a question in everyday words: 多少处地下粪污池
    for "1000台化粪池安全监测系统"), the user's measure word is a guess and another measure
    word may answer, where the figure's clause names a thing of the asked ``kind``
    (``of_a_kind``; None when the question names no counted noun after its measure word);
    people, households, vehicles and trains keep their own. So "多少所公办幼儿园" is not
    answered by "婴幼儿托位1.6万个", though 个 counts anything."""
    given = figure.scaled()[1]
    guessed = kind is True and counts is None and not {unit, given} & (_PEOPLE | _OWN_MEASURE)
    if (counts is True or guessed) and unit in COUNTERS and given in COUNTERS:
        return True
    if counts is None and kind is False and unit != given:
        return False
    return counts is not False and same_unit(unit, given)


# A number that is not a year (a table cell may be a bare "42").
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?!\d|\.\d|\s*年)")


# A question asking a share (率, 比重, 占比…, 百分之几) is answered in shares, not in a
# count: "代表满意率是多少" is not answered by "办理人大代表建议1284件".
_ASKS_SHARE = re.compile(
    r"(?:率|比重|占比|比例|份额)(?:是|为|有|能|会|要|达到|达|保持在|提高到|提升到)*(?:多少|几)"
    r"|百分之(?:多少|几)|多大(?:比例|比重)"
)
_SHARES = frozenset({"%", "‰", "个百分点"})


def _gives_some_figure(
    plain: str,
    asked: Aspect | None,
    source: str,
    new: Callable[[Figure, str, str], bool],
    share: bool = False,
) -> bool:
    """A ``new`` figure of the asked aspect (a share where ``share``), or a bare number
    where no figure is read."""
    figures = figure_aspects(plain, source)
    if share and figures:
        figures = [(f, a) for f, a in figures if f.scaled()[1] in _SHARES]
        if not figures:
            return False
    if figures:
        return any(fits(asked, given) and new(f, plain, source) for f, given in figures)
    return _NUMBER.search(plain) is not None


def gives_asked_figure(
    norm_question: str,
    q_tokens: Sequence[str],
    sentences: Sequence[str],
    idf: Mapping[str, float] | None = None,
    on_topic: bool = False,
    sources: Sequence[str] | None = None,
) -> bool:
    """Whether some answer sentence holds a figure in the asked unit and is itself about
    the asked topic (``on_topic``: already shown by meaning, not words). True when the
    question asks for no unit. ``sources`` are, sentence by sentence, the passage words
    a model's sentence restates: its figures' aspect is read there, and its topic in
    either ("全年一共运送了600万人次" restating "日最高客运量突破600万人次" is one day's).

    Example: asked "2023年旅游总收入是多少亿元", the sentence "地区生产总值30145.79亿元"
    has the unit but not the topic -> False; "外贸进出口实现正增长" has no 亿元 -> False.
    A question asking 多少 with no unit needs some figure: "常住人口城镇化率(%)" for
    "常住人口总数是多少" -> False. A count may leave out its measure word: "为200万中小学生
    开展心理健康测评" gives 多少名中小学生. The figure must measure what is asked
    (``aspect``): "港口吞吐量净增1570万吨" does not give 港口货物吞吐量总共多少万吨.
    """
    asked = asked_aspect(norm_question)
    at = asked_unit_at(norm_question)
    unit = at[0] if at else None
    sources = list(sources) if sources is not None else [""] * len(sentences)
    given = extract_figures(norm_question)
    # A count of the thing the question names as its setting is no answer
    # (``qa.answer.setting``); only counts and unit-less amounts are read so.
    parts = split_question(norm_question, at[1] if at else None)
    if unit is not None and unit not in COUNTERS:
        parts = None
    whole_part = part_asked(norm_question)

    def new(f: Figure, text: str, source: str) -> bool:
        # A figure the question states itself ("计划开工的98个项目总投资是多少" answered
        # with "98个重点工业项目") tells the user nothing they did not say; one outside
        # the clause of a stated figure is about something else (``beside_stated``), and
        # one said to be a share of the whole asked is a part's (``part_of_asked``); both
        # read in the passage words where they hold it.
        if any(equivalent(f, g) for g in given):
            return False
        held = source and any(equivalent(f, h) for h in extract_figures(source))
        where = source if held else text
        return (
            beside_stated(where, f, given)
            and not part_of_asked(where, f, norm_question)
            and not stated_otherwise(where, f, norm_question, given)
        )

    def of_setting(text: str, source: str) -> bool:
        # A sentence that counts the question's setting and never names the thing asked
        # speaks of the setting: its other counts are of things the question never named.
        # One naming the whole a question asks a part of gives the whole's figure, as
        # does one stating a pair of which the question asks one (进出口 for 出口).
        if said_together(norm_question, source or text):
            return True
        return names_only_whole(whole_part, text, source) or (
            parts is not None
            and not names_asked(parts, [text, source])
            and any(
                counts_setting(parts, *_located(text, source, f)) for f in extract_figures(text)
            )
        )

    if unit is None:
        # A table label or heading copied for a 多少 question names the indicator but
        # gives no figure (the 1.5B model's answer to the unanswerable 常住人口总数).
        # Only 多少, not every amount ``asks_figure`` reads (几, 多大, 百分之几): asking a
        # figure of those too lost a right answer on dev (增加47种 for 多了几种) and won none.
        share = _ASKS_SHARE.search(norm_question) is not None
        plains = [normal_form(strip_markers(s)) for s in sentences]
        return ("多少" not in norm_question and not share) or any(
            _gives_some_figure(plain, asked, src, new, share) and not of_setting(plain, src)
            for plain, src in zip(plains, sources, strict=True)
        )
    phrase = counted_phrase(norm_question) if unit in COUNTERS else ()
    noun = phrase[0] if phrase else None
    head = head_of(norm_question)
    for sentence, source in zip(sentences, sources, strict=True):
        norm = normal_form(sentence)
        aspects = figure_aspects(norm, source)
        in_unit = any(
            (
                _in_unit(
                    unit,
                    f,
                    counts_the_noun(norm, source, f, phrase) if phrase else None,
                    of_a_kind(head, norm, source, f) if phrase else None,
                )
                or labelled_count(norm, source, f, unit)
            )
            and fits(asked, aspect)
            and new(f, norm, source)
            for f, aspect in aspects
        )
        # A count without its measure word must still measure what is asked: "新增三甲
        # 医院8家" does not say how many there are in all.
        bare = (
            noun is not None and counts_noun(norm, noun) and any(fits(asked, a) for _, a in aspects)
        )
        texts = [norm, source] if source else [norm]
        if of_setting(norm, source):
            continue
        if (in_unit or bare) and (
            on_topic or topic_coverage(q_tokens, texts, idf) >= MIN_SENTENCE_COVERAGE
        ):
            return True
    return False
