"""What a follow-up leaves unsaid, read from the question before it: the noun a bare
count counts ("累计有多少人了？" -> 国家“杰青”), the count a new noun takes over
("山城步道呢？" after 多少公里山城绿道), the phrase "这个+noun" points to, the figure a
bare 这 or a subjectless comparison speaks of ("比年度计划超出了多少？"), and the year
that answered a question asking when ("当年…").

Pure functions over two questions (and, for the count rules, the passages that name a
noun: ``rewrite.Mentions``); ``qa.answer.rewrite`` calls them on follow-ups.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.answer.rewrite import (
    _FULL_WIDTH_DIGITS,
    _OWN_TIME,
    _PARTICLES,
    _PLAN_WORDS,
    _PUNCT,
    _YEAR,
    Mentions,
    _core_of,
    _years_of,
)
from qa.text.script import normal_form

# What a count may add to the question before it without asking about something else:
# a year, the kind (target or result) and whether it is a running total or new.
_FRAMING = re.compile(
    r"(?:19|20)\d\d年?|截至|截止|年底|年末|累计|累积|总计|共计|一共|总共|新增|当年|全年"
    r"|目标|预期|计划|实际|完成"
)


def bare_count(question: str, base: str, mentions: Mentions | None = None) -> str | None:
    """A count of nothing named ("2024年计划新建多少个？") that adds to the question before
    it only a year, the kind or 累计/新增, asked of what that question counted; None
    otherwise: a question naming its own topic, even before the count ("当年区县域卫生
    次中心建成了多少家？" after a question on 三甲医院), or a base that counts nothing.
    Other words it adds must be ones the reports count that noun with (``mentions``:
    "推进226个城市更新示范项目" lets "2024年计划推进多少个？" follow 实施…城市更新项目).

    Example: after "2023年重庆新建了多少个数字化车间？", ``bare_count("2024年计划新建多少个？", …)``
    -> ``"2024年计划新建多少个数字化车间？"``; after "2022年重庆新增了几位国家“杰青”？",
    "累计有多少人了？" -> ``"2022年国家“杰青”累计有多少人？"``.
    """
    from qa.answer.gate import COUNTERS

    counters = "".join(sorted(COUNTERS))
    core = _PUNCT.sub("", normal_form(question).translate(_FULL_WIDTH_DIGITS))
    asked = re.search(rf"(?:多少|几)([{counters}])[了呢]?$", core)
    counted = re.search(rf"(?:多少|几)([{counters}])(.*?)[？?]?$", base)
    if not asked:
        return None
    added = _PARTICLES.sub("", _FRAMING.sub("", core[: asked.start()]))
    if not counted:
        return _count_of_named(added, core[asked.start() : asked.end(1)], base)
    if not re.search(r"[\u4e00-\u9fff]", counted.group(2)):
        return None
    noun = counted.group(2)
    if (
        not all(c in base for c in added)
        and _names_noun(added)
        and not _counts_with(added, noun, counters, mentions)
    ):
        return None
    years = "" if _YEAR.search(core) else _years_of(base)
    own = re.match(r"(?:(?:19|20)\d\d年(?:底|末)?)+", core)
    at = own.end() if own else 0
    if asked.group(1) == counted.group(1):
        topic = _lead_topic(base)
        topic = "" if topic in core else topic
        return f"{years}{core[:at]}{topic}{core[at : asked.end(1)]}{noun}？"
    # Another measure word does not take the noun after it ("多少人国家“杰青”"): the noun
    # leads, after the question's own time.
    return f"{years}{core[:at]}{noun}{core[at : asked.end(1)]}？"


# A question asking which things, by name ("要建成哪些重大项目？").
_WHICH = re.compile(r"哪些|哪几[个项家所座条批种处]?")


def _count_of_named(added: str, asking: str, base: str) -> str | None:
    """A count that adds only verbs (or nothing), after a question asking which things
    (哪些): how many of those things, done as the count says; the verb before 哪些
    gives way to the count's own.

    Example: ``_count_of_named("新开工", "多少个", "按2023年的计划，重庆中心城区要建成哪些
    重大项目？")`` -> ``"按2023年的计划，重庆中心城区要新开工多少个重大项目？"``.
    """
    from qa.text.entities import tagger

    which = _WHICH.search(base)
    # 新 before a verb says newly (jieba tags 新开工 as a noun, 开工 as a verb).
    if which is None or (added and _names_noun(added.removeprefix("新"))):
        return None
    before = base[: which.start()]
    words = [w for w in tagger().cut(before) if w.word.strip()]
    if added and words and words[-1].flag.startswith("v"):
        before = before[: len(before) - len(words[-1].word)]
    return f"{before}{added}{asking}{base[which.end() :]}"


def _lead_topic(base: str) -> str:
    """What a question names before the words asking its plan, after its time and place:
    what its count is of ("城中村改造" in "2024年重庆城中村改造打算滚动推进多少个项目？"), or
    ""."""
    time = _LEAD_TIME.match(base)
    rest = base[time.end() if time else 0 :]
    rest = rest[len(lead_place(rest)) :]
    planned = _PLAN_WORDS.search(rest)
    topic = rest[: planned.start()] if planned else ""
    return "" if re.search(r"多少|几|[，,、]", topic) else topic


def _names_noun(words: str) -> bool:
    """Whether ``words`` hold a noun: "完工投用" (verbs only) counts the same thing anew,
    "区县域卫生次中心建成" names a thing of its own."""
    from qa.text.entities import tagger

    return any(w.flag[:1] in "nj" for w in tagger().cut(words))


def _counts_with(words: str, noun: str, counters: str, mentions: Mentions | None) -> bool:
    """Whether the reports count ``noun`` right after ``words`` ("推进226个城市更新…").

    Example: with "持续推进226个城市更新示范项目" among the mentions of 城市更新项目,
    ``_counts_with("推进", "城市更新项目", "个", …)`` -> True; ``"卫生次中心建成"`` -> False.
    """
    if not mentions or not words:
        return False
    pattern = re.compile(
        rf"{re.escape(words)}.{{0,2}}?\d+(?:\.\d+)?[万亿]?[{counters}]{re.escape(noun[:2])}"
    )
    return any(pattern.search(text) for text in mentions(noun))


def swap_counted(base: str, new: str, texts: Sequence[str]) -> str | None:
    """The base question's count asked of ``new`` instead of the noun it counted, where
    the reports count ``new`` in the same unit (``texts``: passages naming it); None
    otherwise. A noun the reports never count so ("研发投入" beside 亿元 and %) is no
    count's subject: the question is left to the other rules.

    Example: ``swap_counted("2024年重庆建成了多少公里山城绿道？", "山城步道",
    ["建成山城步道90公里"])`` -> ``"2024年重庆建成了多少公里山城步道？"``; with
    ``"增加100个口袋公园"`` the count of 多少个城市公园 is asked of 口袋公园.
    """
    from qa.answer.gate import asked_unit_at, same_unit
    from qa.text.numbers import extract_figures

    asked = asked_unit_at(base)
    if asked is None or not re.search(r"[\u4e00-\u9fff]", base[asked[1] :]):
        return None
    if _FRAMING.search(new) or _OWN_TIME.search(new):
        return None  # "年底呢？" asks the same count at another time, not of 年底
    unit, end = asked
    for text in texts:
        for m in re.finditer(re.escape(new), text):
            for f in extract_figures(text):
                beside = f.span[1] == m.start() or 0 <= f.span[0] - m.end() <= 2
                if beside and same_unit(unit, f.scaled()[1]):
                    return f"{base[:end]}{new}？"
    return None


def swap_by_verb(base: str, new: str, texts: Sequence[str]) -> str | None:
    """The base question's count asked of ``new``, in the unit the reports give it, where
    they write ``new`` right after the two-character verb the base counts with and a
    figure right after it; None otherwise.

    Example: ``swap_by_verb("2023年重庆新增公办幼儿园学位多少个？", "养老床位",
    ["新增公办幼儿园学位1.7万个。新增养老床位4080张。"])`` ->
    ``"2023年重庆新增养老床位多少张？"``.
    """
    from qa.text.numbers import extract_figures

    asked = re.search(r"多少|几", base)
    if asked is None or _FRAMING.search(new) or _OWN_TIME.search(new):
        return None
    for text in texts:
        for m in re.finditer(re.escape(new), text):
            verb = text[max(0, m.start() - 2) : m.start()]
            at = base.rfind(verb, 0, asked.start())
            if not re.fullmatch(r"[\u4e00-\u9fff]{2}", verb) or at < 0:
                continue
            figures = extract_figures(text[m.end() : m.end() + 16])
            # The unit as written, with its magnitude (多少亿元, not 多少元).
            unit = figures[0].unit if figures and figures[0].span[0] == 0 else ""
            if unit and re.fullmatch(r"[\u4e00-\u9fff]+", unit):
                return f"{base[: at + 2]}{new}多少{unit}？"
    return None


# Word classes a noun phrase is built of, in jieba's tags (一体化 is ``l``).
_NOMINAL = frozenset({"n", "nz", "nt", "ns", "vn", "l", "j", "b", "an", "a"})


def referent(base: str, rest: str) -> tuple[str, str] | None:
    """What "这个X" points to: the noun phrase of ``base`` that ends with the word ``rest``
    starts with, and ``rest`` without that word; None when ``base`` has no such phrase.

    Example: ``referent("2025年重庆的重点民生实事里有城乡供水一体化工程吗？", "工程计划实施多少个")``
    -> ``("城乡供水一体化工程", "计划实施多少个")``.
    """
    import jieba.posseg

    head, flag = next(((w, f) for w, f in jieba.posseg.cut(rest) if w.strip()), ("", ""))
    if len(head) < 2 or flag not in ("n", "nz", "nt", "j") or head not in base:
        return None
    words = list(jieba.posseg.cut(_YEAR.sub("", base)))
    ends = [i for i, (w, _) in enumerate(words) if w.endswith(head)]
    if not ends:
        return None
    start = end = ends[-1]
    while start > 0 and words[start - 1].flag in _NOMINAL:
        start -= 1
    phrase = "".join(w.word for w in words[start : end + 1])
    return phrase, rest[len(head) :]


def points_back(question: str) -> str | None:
    """What a follow-up says of the figure asked before, when its subject is that figure:
    a bare 这 ("这相当于年度计划的百分之多少？") or no subject at all before a comparison
    ("比年度计划超出了多少？"). The words after 这, or the whole comparison; None otherwise
    ("这个指标…" and "这些项目…" name what they point to and go to other rules).

    Example: ``points_back("这比上年增长了多少？")`` -> ``"比上年增长了多少？"``;
    ``points_back("占全市的比重是多少？")`` -> the whole; ``points_back("这项政策有多少条？")``
    -> None.
    """
    from qa.text.entities import tagger

    text = question.strip()
    # A comparison or a share with no subject ("比上年…", "占全市的比重是多少？") is of
    # the figure asked before.
    if text.startswith(("比", "占", "相当于")):
        return text
    words = [w for w in tagger().cut(text) if w.word.strip()]
    if len(words) > 1 and words[0].word == "这" and words[1].flag[:1] in ("v", "p", "d", "f"):
        return text[1:]
    return None


def as_statement(base: str) -> str:
    """A question stated as the figure it asks for: its asking words (and the unit they
    ask in) gone, so that a follow-up can say something of that figure.

    Example: ``as_statement("2022年重庆乡村振兴板块完成了多少投资？")`` ->
    ``"2022年重庆乡村振兴板块完成投资"``; ``as_statement("2022年重庆城镇新增就业多少人？")``
    -> ``"2022年重庆城镇新增就业"``; ``as_statement("2023年重庆新增的上市企业中，有几家是在主板
    上市的？")`` -> ``"2023年重庆新增的上市企业中，在主板上市的"``.
    """
    from qa.answer.gate import asked_unit_at

    text = base.rstrip("？?。 ")
    m = re.search(r"(?:大约|大概|一共|总共)?(?:是)?(?:多少|几)", text)
    if m is None:
        return _core_of(base)[0]
    at = asked_unit_at(text)
    end = at[1] if at and at[1] > m.end() else m.end()
    head, rest = text[: m.start()].removesuffix("了"), text[end:]
    if _THERE_ARE.search(head):
        # "…企业中，有几家是在主板上市的": 有 and 是 only frame the count.
        head, rest = head[:-1], rest.removeprefix("是")
    return head + rest


# 有 saying that there are some (not 拥有, 具有, 享有, 占有, 持有, 还有).
_THERE_ARE = re.compile(r"(?<![拥具享占持还])有$")


_ASKS_TIME = re.compile(r"哪一?年|何年|什么时候|何时|哪个年份")


def answered_year(base: str, reply: str) -> str:
    """A question asking when, once answered with one year, stands for that year: "当年"
    in the next turn means it.

    Example: ``answered_year("重庆哪一年实现“县县通高速”？", "2022年实现了“县县通高速”[1]。")``
    -> ``"2022年重庆哪一年实现“县县通高速”？"``.
    """
    years = set(_YEAR.findall(reply.translate(_FULL_WIDTH_DIGITS)))
    if not _ASKS_TIME.search(base) or _YEAR.search(base) or len(years) != 1:
        return base
    return f"{years.pop()}年{base}"


# A year counted from the conversation's one year: 第二年 and 次年 are the one after it,
# 前一年 the one before (not "比上一年", a comparison).
_NEXT_YEAR = re.compile(r"第二年|次年|翌年|下一年|后一年")
_PREVIOUS_YEAR = re.compile(r"(?<![比较于])(?:前一年|上一年)(?!度)")


def counted_years(question: str, base: str) -> str:
    """``question`` with the years it counts from ``base``'s one year written out.

    Example: after "2023年重庆固定资产投资增长了多少？",
    ``counted_years("第二年定的增长目标是多少？", …)`` -> ``"2024年定的增长目标是多少？"``;
    ``"比上一年高多少？"`` is left alone.
    """
    years = set(_YEAR.findall(base.translate(_FULL_WIDTH_DIGITS)))
    if len(years) != 1 or _YEAR.search(question.translate(_FULL_WIDTH_DIGITS)):
        return question
    year = int(years.pop())
    question = _NEXT_YEAR.sub(f"{year + 1}年", question)
    return _PREVIOUS_YEAR.sub(f"{year - 1}年", question)


_LEAD_TIME = re.compile(r"^(?:截至|截止|到)?(?:(?:19|20)\d\d年(?:底|末)?[、和与至到-]?)*")


def lead_place(question: str) -> str:
    """The place a question is about, where it comes first or right after its time:
    ``lead_place("2024年重庆民营经济增长了多少？")`` -> ``"重庆"``; a place inside the
    indicator's name (西部陆海新通道, 成渝地区双城经济圈建设) is not its place."""
    from qa.text.entities import places

    time = _LEAD_TIME.match(question)
    rest = question[time.end() if time else 0 :]
    return next((p for p in places(rest) if rest.startswith(p)), "")


def keeps_place(rewritten: str, base: str) -> str:
    """A rewritten follow-up that names no place, asked of the place the question before
    it was about: a conversation about 重庆 stays there until the user names another.

    Example: ``keeps_place("2024年民营经济增长了多少？", "2024年重庆国企增加值增长了多少？")``
    -> ``"2024年重庆民营经济增长了多少？"``.
    """
    from qa.text.entities import core_name, places

    # "重庆市属…" and "重庆地区生产总值" are cut as 重庆市 and 重庆地区: the name alone is
    # the place.
    lead = lead_place(base)
    place = core_name(lead)
    if not place or place in rewritten or any(p not in base for p in places(rewritten)):
        return rewritten
    if _modified_otherwise(rewritten, base, lead):
        return rewritten
    time = _LEAD_TIME.match(rewritten)
    at = time.end() if time else 0
    return rewritten[:at] + place + rewritten[at:]


_MODIFIER_WORDS = re.compile(r"[\u4e00-\u9fff]{1,6}")


def _modified_otherwise(rewritten: str, base: str, place: str) -> bool:
    """Whether the noun that ``place`` modified in ``base`` is modified by other words in
    ``rewritten``: the place was the kind of that noun (中欧 of 中欧班列), not the
    question's place, and the follow-up named another kind.

    Example: ``_modified_otherwise("2023年渝满俄班列开行了多少列？",
    "2023年中欧班列（成渝）开行了多少列？", "中欧")`` -> True; with
    ``"2023年新增了多少家？"`` after ``"2023年重庆新增了多少家企业？"`` -> False.
    """
    from qa.text.entities import tagger

    after = base[base.index(place) + len(place) :]
    first = next((w for w in tagger().cut(after) if w.word.strip()), None)
    if first is None or len(first.word) < 2 or not is_noun(first.flag) or first.flag == "ns":
        return False
    time = _LEAD_TIME.match(rewritten)
    start = time.end() if time else 0
    at = rewritten.find(first.word, start)
    # The words that now stand where the place stood are new: another kind of the noun.
    kind = rewritten[start:at] if at > start else ""
    return bool(_MODIFIER_WORDS.fullmatch(kind)) and kind not in base


# Words that stand for a place: "那里的专精特新企业有多少家？".
_THERE = re.compile(r"^(?:那么|那)?(?:那里|那儿|那边|这里|这儿|这边|当地|该地区?)(?:的)?")
# Place words of one name may be cut apart ("重庆渝东北地区" -> 重庆, 东北地区): names this
# close together are one.
_PLACE_GAP = 1


def place_span(base: str) -> str:
    """The place ``base`` is about: from its first place name to the last one that follows
    on from it, "" when it names none.

    Example: ``place_span("2023年重庆渝东北地区新增了多少个A级旅游景区？")`` ->
    ``"重庆渝东北地区"``; ``place_span("2023年重庆GDP是多少？")`` -> ``"重庆"``.
    """
    from qa.text.entities import places

    start = end = -1
    for name in places(base):
        at = base.find(name, max(end, 0))
        if at < 0:
            continue
        if start < 0:
            start, end = at, at + len(name)
        elif at - end <= _PLACE_GAP:
            end = at + len(name)
        else:
            break
    return base[start:end] if start >= 0 else ""


def there_named(question: str, base: str) -> str:
    """``question`` with a word standing for a place ("那里", "当地") replaced by the place
    ``base`` is about; unchanged when it has none or ``base`` names no place.

    Example: ``there_named("那里的专精特新企业达到了多少家？", "2023年重庆渝东北地区新增了多少个
    A级旅游景区？")`` -> ``"重庆渝东北地区专精特新企业达到了多少家？"``.
    """
    asked = question.strip()
    m = _THERE.match(asked)
    place = place_span(base) if m else ""
    return place + asked[m.end() :] if m and place else question


def noun_phrase(words: str) -> str:
    """The counted thing without what is said of it after: up to its last noun before a
    particle. Example: ``noun_phrase("川渝共建重点项目完成了年度投资")`` ->
    ``"川渝共建重点项目"``; ``noun_phrase("国内外知名创新机构")`` -> the whole."""
    from qa.text.entities import tagger

    cut = [w for w in tagger().cut(words) if w.word.strip()]
    stop = next((i for i, w in enumerate(cut) if w.flag.startswith("u")), len(cut))
    nouns = [i for i in range(stop) if is_noun(cut[i].flag)]
    return "".join(w.word for w in cut[: nouns[-1] + 1]) if nouns else words


def is_noun(flag: str) -> bool:
    """A jieba tag of a word that names a thing: any noun, or a verb used as one (投资 vn)."""
    return flag.startswith("n") or flag == "vn"


_WITHIN = re.compile(r"^(?:那么?)?其中(?P<part>[\u4e00-\u9fff“”]{2,12}?)的?呢?[？?]?$")
_CLAUSE = re.compile(r"[，,。；;：:！!？?\n]")
# Characters of the question before that a passage must write right after the part, in
# the part's clause, for the part to be read as a part of it.
_SHARED_RUN = 4


def within(question: str, base: str, mentions: Mentions | None) -> str | None:
    """A follow-up asking a part of what was asked ("其中民生领域呢？"): the question
    before, asked of that part, which goes right after its time and place. The reports
    must say so: a passage naming the part writes part of the question before after it
    in the same clause ("民生领域计划实施市级重大建设项目229个"); otherwise the part is
    an indicator of its own ("其中工业投资呢？" after 地区生产总值) and None is returned,
    as it is for any other question.

    Example: ``within("其中民生领域呢？", "2023年重庆市级重大建设项目年度计划完成投资多少？", m)``
    -> ``"2023年重庆民生领域市级重大建设项目年度计划完成投资多少？"``.
    """
    from qa.text.entities import core_name

    m = _WITHIN.match(question.strip())
    if not m or mentions is None or re.search(r"多少|几|什么|哪|目标|计划|实际", m.group("part")):
        return None
    part = m.group("part")
    time = _LEAD_TIME.match(base)
    at = time.end() if time else 0
    place = core_name(lead_place(base))
    if place and base.startswith(place, at):
        at += len(place)
    rest = normal_form(base[at:])
    runs = {rest[i : i + _SHARED_RUN] for i in range(len(rest) - _SHARED_RUN + 1)}
    # The part alone finds passages on every topic it names: searched with the question too.
    texts = mentions(f"{part} {rest}")
    if part in base or not any(_part_of(part, normal_form(t), runs) for t in texts):
        return None
    return base[:at] + part + base[at:]


def _part_of(part: str, text: str, runs: set[str]) -> bool:
    for found in re.finditer(re.escape(part), text):
        end = _CLAUSE.search(text, found.end())
        clause = text[found.end() : end.start() if end else len(text)]
        if any(r in clause for r in runs):
            return True
    return False
