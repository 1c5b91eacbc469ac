"""Follow-up questions -> standalone questions, from the conversation so far.

Rule-based and instant: elliptical follow-ups in these chats are nearly always
"same question, another year" or "same question, another indicator", and a
rule does those exactly, with no model call before retrieval.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import pairwise

from qa.schema import History
from qa.text.respective import item_lists
from qa.text.script import normal_form

# A phrase -> the normalised texts of the passages the corpus gives for it: where it is
# listed beside others (零售 beside 批发) and in which units it is counted.
Mentions = Callable[[str], Sequence[str]]

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:年)?(?!\d)")
# The preposition that brings a year ("到2024年"), and a year with it.
_TO_YEAR = r"(?:到|截至|截止|至)"
_BY_YEAR = re.compile(_TO_YEAR + "?" + _YEAR.pattern)
# "那些/那种/那类/那批" point at things, not at the conversation: they stay.
_THOSE = re.compile(r"那[些种类批]")
_FOLLOW_START = ("那么", "那", "还有", "另外", "同期", "其中", "它", "这个", "那个", "和", "与")
# The words that frame a follow-up, longest first: "那个指标呢" loses 那个, not 那.
_FRAMES = tuple(sorted((*_FOLLOW_START, "换成", "换为", "改成", "改为"), key=len, reverse=True))
_TAIL = re.compile(
    r"(分别)?(是多少|增长多少|增长了多少|达到多少|多少|有哪些|有什么|是什么|是哪些|"
    r"怎么样|如何|完成了吗|完成得怎么样)[？?。]?$"
)
_PUNCT = re.compile(r"[？?！!。，,\s]")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def exchanges(history: History) -> list[tuple[str, str]]:
    """``(user, reply)`` pairs from ``[(user, assistant), …]`` or ``[{"role": …,
    "content": …}, …]``; a user turn with no reply yet gets ``""``."""
    pairs: list[tuple[str, str]] = []
    for item in history:
        if isinstance(item, dict):
            content = str(item.get("content", ""))
            if item.get("role") == "user":
                pairs.append((content, ""))
            elif item.get("role") == "assistant" and pairs and not pairs[-1][1]:
                pairs[-1] = (pairs[-1][0], content)
        elif isinstance(item, list | tuple) and item:
            pairs.append((str(item[0]), str(item[1]) if len(item) > 1 and item[1] else ""))
    return [(u, r) for u, r in pairs if u and u.strip()]


def user_turns(history: History) -> list[str]:
    """User texts from ``[(user, assistant), …]`` or ``[{"role": "user", "content": …}, …]``."""
    return [u for u, _ in exchanges(history)]


# Pronouns that stand for the earlier question's subject; the others stand for its time.
_SUBJECT_WORDS = r"这个(?:指标|数字|数)?|这一(?:指标|数字)?|这些|该指标|该项|它们|它|此项"
_SUBJECT = re.compile(_SUBJECT_WORDS)
_PRONOUN = re.compile(_SUBJECT_WORDS + r"|那年|当年|同期|上述")
_PARTICLES = re.compile(r"[的了又呢是有为在多少几大年]")
_KIND_WORDS = re.compile(r"目标|预期|计划|实际|完成")
# Words asking for a target, not a result ("那目标呢？", "打算再新增多少？").
_PLAN_WORDS = re.compile(r"目标|预期|计划|打算|力争")
# Words asking for the result instead ("实际完成了多少？").
_RESULT_WORDS = re.compile(r"实际|完成")
# A follow-up that asks its own amount ("…达到多少张", "新开工的有几个").
_ASKS = re.compile(r"多少|几")
_SWITCH = re.compile(r"^(?:换成|换为|改成|改为|换)")
# A change asked against the year before: "比上年增长了多少？".
_COMPARED = r"(?:比上年|比去年|同比|较上年)"
# The verbs that ask a change ("增长了多少"), not a level.
_CHANGE = "增长|增加|提高|下降"
# The unit a count is asked in ("多少家", "多少万人", "几个") names nothing counted.
_UNIT = r"(?:[万亿千百]*[\u4e00-\u9fff](?<![的了呢是有为定]))"
# What is left of a follow-up once its framing is gone says nothing but "how much".
_EMPTY = re.compile(
    rf"^(?:的|了|又|呢|是|有|为|定|达到|到了|到|突破|超过|是多少|(?:多少|几){_UNIT}?|多大|{_COMPARED}?(?:{_CHANGE}|多)(?:了)?)*$"
)
# Words that carry a figure to its level ("…实际达到了多少") or say there is some ("…总量有
# 多少户"; not 拥有, 具有…), not part of what it counts.
_LEVEL_VERBS = re.compile(r"(?:实际|达到|到了|突破|超过|是|为|了|的|(?<![拥具享占持还])有)+$")
# "最后实际完成得怎么样？" asks how it went: its framing names nothing of its own.
_HOW_IT_WENT = re.compile(r"^(?:最后|最终|结果)|(?:得)?(?:怎么样|怎样|如何)$|情况$")


def is_follow_up(question: str) -> bool:
    """Whether ``question`` leans on the conversation: elliptical ("那2024年呢？"), with a
    pronoun ("这个指标…", "它…", "当年…"), or only asking "how much more" of what came
    before ("比上年增长了多少？", "实际完成了多少？"), or how the target or result went
    ("最后实际完成得怎么样？"). A question that names its own topic is left alone.

    Example: ``is_follow_up("那2024年呢？")`` -> True; ``is_follow_up("比上年多了多少？")``
    -> True; ``is_follow_up("2024年的目标是多少？")`` -> True; a full question -> False.
    """
    from qa.answer.referent import points_back

    core = _PUNCT.sub("", normal_form(question))
    if not core or len(core) > 20:
        return False
    if core.endswith("呢") or core.startswith(_FOLLOW_START) or _PRONOUN.search(core):
        return True
    if points_back(core) is not None:
        return True
    # A year and the asking alone ("2024年的目标是多少？", "到2024年提高到多少了？") name
    # no topic of their own.
    rest = _KIND_WORDS.sub("", _growth_or_kind(_BY_YEAR.sub("", core)))
    if _EMPTY.match(rest):
        return True
    # "实际完成得怎么样？" after a target: how it went, of the same indicator.
    plan, result = _PLAN_WORDS.search(core), _RESULT_WORDS.search(core)
    return bool(plan) != bool(result) and bool(_EMPTY.match(_HOW_IT_WENT.sub("", rest)))


def _growth_or_kind(core: str) -> str:
    return re.sub(r"比上年|比去年|同比|较上年|上一年|上年", "", core)


def _bare(text: str) -> str:
    """A follow-up without its framing: "那2024年的目标呢？" -> "2024年的目标"."""
    rest = _PRONOUN.sub("", _PUNCT.sub("", text.translate(_FULL_WIDTH_DIGITS)))
    if _THOSE.match(rest):
        return re.sub(r"呢$", "", rest)  # "那些…" keeps its 那些
    for start in _FRAMES:
        if rest.startswith(start):
            rest = rest[len(start) :]
            break
    return re.sub(r"呢$", "", rest)


def _core_of(base: str) -> tuple[str, str]:
    """A question split into its subject and its asking tail:
    "2023年重庆地区生产总值是多少？" -> ("2023年重庆地区生产总值", "是多少？")."""
    m = _TAIL.search(base) or re.search(r"(多少\S{0,3}|几\S{0,2})[？?]?$", base)
    if not m:
        return base.rstrip("？?"), "是多少？"
    return base[: m.start()], m.group(0) if m.group(0).endswith(("？", "?")) else m.group(0) + "？"


def _substitute(base: str, new: str) -> str | None:
    """The base question about ``new`` instead of the word of the same kind it asked
    about (存款 -> 贷款: the same last character), word by word, or None when a new word
    has no counterpart.

    Example: ``_substitute("2023年本外币存款余额增长了多少？", "贷款余额")``
    -> ``"2023年本外币贷款余额增长了多少？"``; ``_substitute("2023年重庆农业增加值增长了多少？",
    "服务业")`` -> ``"2023年重庆服务业增加值增长了多少？"``.
    """
    import jieba

    out = base
    for word in (w for w in jieba.cut(new) if w.strip()):
        if word in out:
            continue
        if len(word) < 2 or len(word) > 4:
            return None
        cut = list(jieba.cut(out))
        fits = _fitting(word, cut)
        if not fits:
            # 全体居民 is cut 全体 + 居民: two words in a row may make the counterpart, when
            # what is kept of it is a whole word (not 重 of 重庆农业 for 服务业).
            pairs = [
                a + b
                for a, b in pairwise(cut)
                if _MODIFIER.fullmatch(a + b) and len(a + b) - len(word) in (0, len(a))
            ]
            fits = _fitting(word, pairs)
        if not fits:
            # A shorter word of the same kind is replaced whole (农业 -> 服务业).
            fits = _fitting(word, cut, shorter=True)
        if not fits:
            return None
        # 外币存款 -> 外币贷款: only the part that corresponds to the new word changes; a
        # single character is no word to keep (服务业 -> 农业, not 服农业).
        old = fits[-1]
        kept = old[: max(0, len(old) - len(word))]
        out = out.replace(old, (kept if len(kept) > 1 else "") + word, 1)
    return out if out != base else None


_MODIFIER = re.compile(r"[\u4e00-\u9fff]{2,}")


def _fitting(word: str, phrases: Sequence[str], shorter: bool = False) -> list[str]:
    """The phrases as long as ``word`` or longer (``shorter``: of two characters up to
    one less) that end in its last character: the counterparts it may replace (存款 for
    贷款; 农业 for 服务业)."""

    def long_enough(p: str) -> bool:
        return 1 < len(p) < len(word) if shorter else len(p) >= len(word)

    return [p for p in phrases if long_enough(p) and p[-1] == word[-1] and p != word]


def _same_head(base: str, new: str) -> str | None:
    """The base question about ``new`` where the two phrases end in the same noun and
    differ in all that comes before it (城市更新提升领域 for 产业优化升级领域): the
    base's words before that noun, back to a short word, 多少, or the place right after
    the year, give way.

    Example: ``_same_head("2023年产业优化升级领域年度计划完成投资多少？", "城市更新提升领域")``
    -> ``"2023年城市更新提升领域年度计划完成投资多少？"``.
    """
    import jieba

    from qa.text.entities import places

    if re.search(r"多少|几|什么|哪|是", new) or _KIND_WORDS.search(new):
        return None  # not a bare noun phrase: it asks something of its own
    words = [w for w in jieba.cut(new) if w.strip()]
    head = words[-1] if len(words) > 1 else ""
    if len(head) < 2 or base.count(head) != 1:
        return None
    cut = _quoted_as_words(list(jieba.cut(base)))
    if head not in cut:
        return None
    end = start = cut.index(head)
    while (
        start > 0 and _MODIFIER.fullmatch(cut[start - 1].strip("“”")) and cut[start - 1] != "多少"
    ):
        # The place the question is about comes first, or right after its year; a place
        # within the phrase (两江 of 两江四岸整体提升项目) is part of what is replaced, and
        # so is one right before the noun (中欧 of 中欧班列: the kind of 班列).
        at_start = start < 2 or cut[start - 2] in ("年", "截至", "截止")
        if places(cut[start - 1]) and at_start and start < end:
            break
        start -= 1
    if start == end:
        return None
    return "".join(cut[:start]) + new + _after_phrase("".join(cut[end + 1 :]))


def _quoted_as_words(cut: list[str]) -> list[str]:
    """Words with each name in quotation marks as one word, so that it modifies as one
    (专精特新“小巨人”企业).

    Example: ``_quoted_as_words(["专精", "“", "小", "巨人", "”", "企业"])`` ->
    ``["专精", "“小巨人”", "企业"]``.
    """
    out: list[str] = []
    opened: list[str] | None = None
    for word in cut:
        if word == "“" and opened is None:
            opened = [word]
        elif opened is not None:
            opened.append(word)
            if word == "”":
                out.append("".join(opened))
                opened = None
        else:
            out.append(word)
    return out + (opened or [])


# An aside in brackets, in either width: "（成渝）", "(不含房地产)".
ASIDE = re.compile(r"[（(][^）)]*[）)]")


def _after_phrase(rest: str) -> str:
    """What follows a replaced phrase, without a bracket that qualified the old one:
    "（成渝）开行了多少列？" -> "开行了多少列？"."""
    aside = ASIDE.match(rest)
    return rest[aside.end() :] if aside else rest


def _swap_sibling(base: str, new: str, lists: Sequence[tuple[str, ...]]) -> str | None:
    """The base question about ``new`` instead of the item it asked about, where the
    corpus lists both side by side (the words need share nothing: 批发 and 零售), or None.

    Example: with the list ("批发", "零售销售额"),
    ``_swap_sibling("2024年重庆批发销售额增长了多少？", "零售", …)``
    -> ``"2024年重庆零售销售额增长了多少？"``.
    """
    for items in lists:
        mine = next((i for i in items if new in i), None)
        if mine is None:
            continue
        for other in sorted((i for i in items if i != mine and i in base), key=len, reverse=True):
            # "零售销售额" listed after "批发": the words after 零售 (销售额) belong to both
            # when they already follow 批发 in the base question.
            tail = mine[mine.index(new) + len(new) :]
            follows = base[base.index(other) + len(other) :].startswith(tail)
            # "高新技术企业" for "科技型企业": a phrase with the asked one's head noun is
            # whole without the list's shared words (数量 of "…企业数量").
            return base.replace(other, new if follows or _same_last_word(new, other) else mine, 1)
    return None


def _same_last_word(one: str, other: str) -> bool:
    """Example: ``_same_last_word("高新技术企业", "科技型企业")`` -> True."""
    from qa.text.entities import words

    last = words(one)[-1:]
    return bool(last) and len(last[0]) > 1 and words(other)[-1:] == last


def _years_of(question: str) -> str:
    """The years a question names, as a prefix: ``_years_of("2023年与2024年…")`` ->
    ``"2023年2024年"``."""
    return "".join(f"{y}年" for y in dict.fromkeys(_YEAR.findall(question)))


def _grows(question: str) -> bool:
    """Whether ``question`` asks a change; 增加值 (value added) names an indicator.

    Example: ``_grows("2023年重庆gdp增长多少？")`` -> True;
    ``_grows("2023年重庆工业增加值占gdp的比重是多少？")`` -> False.
    """
    return bool(re.search(f"(?:{_CHANGE})(?!值)", question))


def _rewrite(question: str, base: str, mentions: Mentions | None = None) -> str:
    """One follow-up rewritten over the standalone question before it."""
    from qa.answer.referent import (
        as_statement,
        bare_count,
        points_back,
        referent,
        swap_by_verb,
        swap_counted,
        within,
    )
    from qa.answer.target import names_nothing_new, with_kind

    question, base = question.translate(_FULL_WIDTH_DIGITS), base.translate(_FULL_WIDTH_DIGITS)
    part = within(question, base, mentions)
    if part:
        return part
    years = _YEAR.findall(question)
    base_years = _YEAR.findall(base)
    rest = _bare(question)
    out = base
    if years:
        if len(base_years) == 1 < len(years):
            span = re.search(r"(?:19|20)\d\d.*(?:19|20)\d\d", rest)
            assert span is not None
            out = base.replace(base_years[0], span.group(), 1)
            rest = (rest[: span.start()] + rest[span.end() :]).strip(" 年的，,")
        elif base_years:
            for old, new in zip(base_years, years, strict=False):
                out = out.replace(old, new, 1)
        else:
            out = f"{years[0]}年{base}"
        # "到2025年": the preposition goes with its year.
        rest = re.sub(rf"{_TO_YEAR}(?=(?:19|20)\d\d)", "", rest)
        rest = _YEAR.sub("", rest) if len(base_years) != 1 or len(years) == 1 else rest
        rest = _PRONOUN.sub("", rest).strip(" 年的，,在")
    else:
        rest = _PRONOUN.sub("", rest).strip(" 的，,")
    plan = bool(_PLAN_WORDS.search(rest))
    result = bool(_RESULT_WORDS.search(rest))
    # "那目标呢？" and "打算再新增多少？" ask the same indicator's target; "那新培育专精特新
    # 企业的目标是多少家？" names an indicator of its own.
    own = _PARTICLES.sub("", _KIND_WORDS.sub("", _HOW_IT_WENT.sub("", rest)))
    if plan != result and (all(c in out for c in own) or names_nothing_new(rest, out)):
        return with_kind(out, "plan" if plan else "result")
    growth = _growth_or_kind(rest) != rest or re.search(f"{_CHANGE}|多了", rest)
    if growth and _EMPTY.match(_growth_or_kind(rest)) and not _grows(out):
        core, _ = _core_of(out)
        # "…天数达到了多少天？" then "比上年多了几天？": the change is of 天数, not of 达到了.
        return f"{_LEVEL_VERBS.sub('', core)}{rest}？"
    # Nothing the base question does not already say ("又建了多少" after "新建了多少").
    if all(c in out for c in _PARTICLES.sub("", rest)):
        return out
    if years:
        # "那2023年完工投用了多少个？": a count of what was counted before, done otherwise.
        counted = bare_count(rest, out, mentions)
        if counted:
            return counted
        # "那2022年全市养老床位总共达到多少张？" names the topic again: it is a question of
        # its own, asked of the new years.
        if _ASKS.search(rest) and _restates_topic(rest, out):
            return f"{_years_of(out)}{rest}？"
        return f"{out}（{rest}）"
    back = points_back(question)
    if back is not None:
        stated = as_statement(out)
        # "…增长多少？" then "比上年增长了多少？": the change is said once.
        change = re.search(f"(?:{_CHANGE})$", stated)
        if change and change.group() in back:
            stated = stated[: change.start()]
        return f"{stated}{back.rstrip('？?')}？"
    swapped = _substitute(out, rest)
    if not swapped and mentions and len(rest) > 1:
        # The corpus is searched only when the words alone find no counterpart.
        texts = mentions(rest)
        lists = [g for t in texts for g in item_lists(t)]
        swapped = (
            _swap_sibling(out, rest, lists)
            or swap_counted(out, rest, texts)
            or swap_by_verb(out, rest, texts)
        )
        if not swapped:
            # "农村" alone finds passages on every rural topic; with the question's words,
            # the one that lists it beside what was asked ("城镇、农村居民低保标准…").
            near = mentions(f"{rest} {_core_of(out)[0]}")
            swapped = _swap_sibling(out, rest, [g for t in near for g in item_lists(t)])
    swapped = swapped or _same_head(out, rest)
    if swapped:
        return swapped
    # "当年新增多少家？": the count of what the question before counted.
    counted = None if _SUBJECT.search(question) else bare_count(rest, out, mentions)
    if counted:
        return counted
    tail = _asking_tail(out)
    prefix = _years_of(out)
    if _SUBJECT.search(question):
        named = referent(out, rest)
        if named:
            # "这个工程计划实施多少个？": the phrase of the question before that 工程 ends.
            prefix, rest = prefix + named[0], named[1]
        else:
            # "它们累计有多少家了？": the pronoun stands for what the question before counted;
            # a lone 它 for what it spoke of, where it names that first ("…运营平台，是由…").
            lone = re.search(r"它(?!们)", question)
            prefix += (_topic_of(out) if lone else "") or _subject_of(out)
    if _ASKS.search(rest):
        return f"{prefix}{rest}？"
    return f"{prefix}{rest}{tail}"


def _asking_tail(base: str) -> str:
    """How ``base`` asks, to be asked again of another thing ("PM2.5浓度呢？"): its
    asking words, or the change it asks of (比上年增加了) without the measure word, which
    counts the old thing, not the new one; any other verb is the old thing's own (开行
    of 班列), and "是多少？" asks instead.

    Example: ``_asking_tail("2024年重庆空气质量优良天数比上年增加了几天？")`` ->
    ``"比上年增加了多少？"``; ``_asking_tail("2024年中欧班列开行了多少列？")`` -> ``"是多少？"``.
    """
    tail = _TAIL.search(base)
    if tail:
        return tail.group(0)
    change = re.search(rf"({_COMPARED}?(?:{_CHANGE}|减少)了?)(?:多少|几)\S{{0,3}}[？?]?$", base)
    return f"{change.group(1)}多少？" if change else "是多少？"


def _restates_topic(rest: str, base: str) -> bool:
    """Whether ``rest`` names again a thing ``base`` named (a noun of two characters or
    more of both).

    Example: ``_restates_topic("全市养老床位总共达到多少张", "2022年重庆新增了多少张养老床位？")``
    -> True; ``_restates_topic("打算改造多大面积", "…改造城镇老旧小区多少平方米？")`` -> False.
    """
    from qa.answer.setting import NOUN_FLAGS
    from qa.text.entities import tagger

    return any(
        len(w.word) > 1 and NOUN_FLAGS.match(w.flag) and w.word in base for w in tagger().cut(rest)
    )


def _topic_of(base: str) -> str:
    """What a question speaks of when it names that first and asks after a comma, without
    its years, else "".

    Example: ``_topic_of("2023年重庆的运营平台，是由多少家股东共建的？")`` -> ``"重庆的运营平台"``.
    """
    head, comma, _ = base.partition("，")
    if not comma or re.search(r"多少|几|什么|哪|吗", head):
        return ""
    return _YEAR.sub("", head).strip(" 年的")


def _subject_of(base: str) -> str:
    """What a standalone question asks about, without its years: the noun it counts, or
    the words before its asking tail.

    Example: ``_subject_of("2022年重庆新引进了多少家国内外知名创新机构？")`` -> ``"国内外知名创新机构"``;
    ``_subject_of("2023年重庆地区生产总值是多少？")`` -> ``"重庆地区生产总值"``.
    """
    from qa.answer.gate import counted_phrase
    from qa.answer.referent import noun_phrase

    counted = counted_phrase(normal_form(base))
    if counted:
        return noun_phrase(counted[-1].rstrip("？?"))
    core, _ = _core_of(base)
    return _YEAR.sub("", core).strip(" 年的，,")


def standalone_question(question: str, history: History, mentions: Mentions | None = None) -> str:
    """Rewrite a follow-up over the conversation's last standalone question (earlier
    follow-ups are rewritten in turn, so "那贷款余额呢？" then "2022年的呢？" keeps 贷款).

    Examples (after "2023年重庆地区生产总值是多少？"):
    ``"那2024年呢？"`` -> ``"2024年重庆地区生产总值是多少？"``;
    ``"那规上工业增加值呢？"`` -> ``"2023年规上工业增加值是多少？"``;
    ``"那目标呢？"`` -> ``"2023年重庆地区生产总值的目标是多少？"``;
    ``"比上年增长了多少？"`` -> ``"2023年重庆地区生产总值比上年增长了多少？"``.
    ``mentions`` gives the passages that name a new item, so that an item sharing no
    word with the one it replaces still takes its place where the reports list the two
    together (``_swap_sibling``) or count it in the asked unit (``swap_counted``).
    """
    if not history:
        return question
    base = base_question(history, mentions)
    return question if base is None else _over(question, base, mentions) or question


def base_question(history: History, mentions: Mentions | None = None) -> str | None:
    """The conversation's last question as a standalone one (its follow-ups rewritten
    in turn), or None when it has no self-contained question."""
    from qa.answer.referent import answered_year

    base: str | None = None
    for turn, reply in exchanges(history):
        rewritten = _over(turn, base, mentions) if base is not None else None
        if rewritten is not None:
            base = rewritten
        elif not is_follow_up(turn):
            base = turn
        if base is not None:
            base = answered_year(base, reply)
    return base


def _over(question: str, base: str, mentions: Mentions | None) -> str | None:
    """``question`` rewritten over ``base`` when it is a follow-up on it, else None; it
    keeps the place ``base`` was about unless it names one (``referent.keeps_place``)."""
    from qa.answer.referent import bare_count, counted_years, keeps_place, there_named
    from qa.answer.target import kind_of_another

    question = there_named(counted_years(question, base), base)
    if is_follow_up(question):
        rewritten: str | None = _rewrite(question, base, mentions)
    else:
        rewritten = (
            bare_count(question, base, mentions)
            or kind_of_another(question, base)
            or dated(question, base)
        )
    return None if rewritten is None else keeps_place(rewritten, base)


_OWN_TIME = re.compile(r"(?:19|20)\d\d|今年|去年|明年|前年|本年|上一?年度?|历年|近年|截至|以来")


def dated(question: str, base: str) -> str | None:
    """A question asking an amount that names no time, in a conversation about some
    years: asked of those years, as a person would understand it; None otherwise.

    Example: after "2022年重庆新实施了多少个智能化改造项目？",
    ``dated("新认定了多少个智能工厂？", …)`` -> ``"2022年新认定了多少个智能工厂？"``; after
    "2022年重庆生活垃圾处理设施建设情况怎么样？", ``dated("新（扩）建了多少座？", …)`` ->
    ``"2022年重庆生活垃圾处理设施建设情况新（扩）建了多少座？"``; after
    "2024年重庆计划新增多少个城镇义务教育学位？", ``dated("学前教育普惠率要保持在多少？",
    …)`` -> ``"2024年计划学前教育普惠率要保持在多少？"`` (no kind said: the target); after
    "2024年重庆计划新增多少平方米城市绿地？", ``dated("实际新增了多少？", …)`` ->
    ``"2024年重庆实际新增多少平方米城市绿地？"``.
    """
    from qa.answer.gate import asks_figure

    years = _years_of(base)
    # "那当年计划开工的…": the years stand for the words pointing to them.
    question = re.sub(rf"^(?:那么|(?!{_THOSE.pattern})那)?(?:当年|同年|那年|这一年)?", "", question)
    norm = normal_form(question)
    if not years or _OWN_TIME.search(norm) or not asks_figure(norm):
        return None
    plan, result = bool(_PLAN_WORDS.search(question)), bool(_RESULT_WORDS.search(question))
    if _names_a_thing(question):
        # A question that says no kind, after a target asked, asks a target too.
        planned = _PLAN_WORDS.search(base)
        return years + (planned.group() if planned and not (plan or result) else "") + question
    # "实际新增了多少？" after a target asked: the same thing, of the other kind.
    if plan != result and plan != bool(_PLAN_WORDS.search(base)):
        from qa.answer.target import with_kind

        return with_kind(base, "plan" if plan else "result")
    # "新（扩）建了多少座？" names no thing at all: it asks of the thing asked before.
    return years + _subject_of(base) + question


def _names_a_thing(question: str) -> bool:
    """Whether the question has a noun of its own (a verb and a measure word do not name
    what is counted).

    Example: ``_names_a_thing("新（扩）建了多少座？")`` -> False;
    ``_names_a_thing("完成了多少投资？")`` -> False;
    ``_names_a_thing("新认定了多少个智能工厂？")`` -> True;
    ``_names_a_thing("实际新增了多少？")`` -> False (实际 says which kind, not what).
    """
    from qa.answer.referent import is_noun
    from qa.text.entities import tagger

    words = [w for w in tagger().cut(question) if w.word.strip()]
    # "完成了多少投资？": a noun right after 多少, with no measure word between, is the
    # amount asked, not a thing counted ("多少个智能工厂" counts 智能工厂).
    amount = {i for i in range(1, len(words)) if words[i - 1].word in ("多少", "几")}
    return any(
        is_noun(w.flag) and i not in amount and not _KIND_WORDS.fullmatch(w.word)
        for i, w in enumerate(words)
    )
