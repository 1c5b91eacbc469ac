"""An answer with no model: the passage sentences that best match the question.

Pure and fast (no jieba tagging; only a 分别 group reads jieba's word list, as
verification does). Every character of the answer except the ``[n]`` markers, the
``。``/``：``/``；`` joiners and the ``2023年：`` year labels is copied from a passage's
own ``text``, so the result always passes ``verify_answer``.

Scoring, per candidate (a sentence, a table row, or a window of a long sentence's
clauses): the IDF-weighted share of the question's character bigrams it contains (of a
分别 group, with the asked item's own statement read out: ``_with_pairs``), plus a bonus
when the question asks for a figure and it has one, plus or minus a little for matching
or contradicting the question's year and target-versus-result (a table row: for naming
the asked indicator, or holding only a target when the result is asked). One sentence
per question asked; a question over several years is answered year by year.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from qa.answer.boilerplate import is_heading, looks_like_instruction
from qa.answer.evidence import CHOSEN, Similarity
from qa.answer.markers import split_sentences
from qa.answer.refusal import REFUSAL
from qa.answer.retrieve import per_year_questions
from qa.schema import Passage
from qa.text.numbers import Figure, equivalent, extract_figures, spell_row
from qa.text.respective import asked_pairs
from qa.text.script import normal_form
from qa.text.wording import char_bigrams

# A best candidate below this is noise: the answer is the refusal instead.
THRESHOLD = 0.35
# Further sentences must score this share of the best one: a question asking for one
# thing gets little beside its best sentence (each extra one is a citation to check),
# one asking for several things gets more. On the golden set, one floor of 0.75 gave
# citation precision 0.75 and 0.95 gave 0.84 at the cost of answer accuracy.
FLOOR = 0.9
FLOOR_SEVERAL = 0.75
# Weight of a sentence's similarity in meaning (0..1, ``evidence.calibrated``) when the
# chain computed it: a paraphrase shares few bigrams with its answer.
SEMANTIC_WEIGHT = 0.3
_SEVERAL = re.compile(r"分别|各|哪些|哪几|以及|和|与|及|、|比较|变化|目标[^?]*完成|完成[^?]*目标")

_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
# Question words carry no content; their bigrams would match any sentence that uses them.
_QUESTION_WORDS = re.compile(
    r"请问|是多少|多少|是什么|什么|哪些|哪个|哪里|怎么样|怎样|如何|怎么|是否|有没有|情况|吗|呢|了|的"
)
_ASKS_FIGURE = re.compile(
    r"多少|几|增长|增速|比重|占比|规模|总量|达到|数量|率|金额|多大|多高|多长|排名"
)
_ASKS_PLAN = re.compile(r"目标|预期|计划|力争|安排|打算|要求|将")
_ASKS_RESULT = re.compile(r"完成|实现|实际|执行|取得|去年|全年")
# A row label's unit and remark: 居民消费价格指数(%), 空气质量优良天数(天)(约束性指标)
_ROW_LABEL = re.compile(r"\([^)]*\)|其中:")
_CLAUSE = re.compile(r"(?<=[，,；;：:])")
_TRAILING = "，,；;：:。！？!?"

# Long sentences are cut to their best run of clauses, so the answer stays short.
_LONG = 60
_WINDOW = 80
_TAIL = 20  # a short clause with a figure right after the window ("增长6.1%") joins it
# ...when it has no subject of its own, i.e. it opens with the verb.
_CONTINUES = re.compile(
    r"(?:同比|比上年|较上年)?(?:达到|达|增长|下降|提高|提升|突破|超过|占|较|实现|年均|为|居|位居|迈上|累计)"
)


@dataclass(frozen=True)
class _Query:
    grams: frozenset[str]
    year: str
    figure: bool
    plan: bool
    result: bool
    several: bool  # asks for more than one thing ("分别", "和", "哪些", two questions)
    # Sentences worth giving: one per question asked ("…是多少？比上年增长多少？" is two)
    # unless the question enumerates ("分别", "哪些", "、"), which takes up to the maximum.
    cap: int
    norm: str


def _query(question: str) -> _Query:
    q = normal_form(question)
    years = _YEAR.findall(q)
    content = _QUESTION_WORDS.sub(" ", _YEAR.sub(" ", q))
    return _Query(
        frozenset(char_bigrams(content)),
        years[0] if years else "",
        bool(_ASKS_FIGURE.search(q)),
        bool(_ASKS_PLAN.search(q)),
        bool(_ASKS_RESULT.search(q)),
        bool(_SEVERAL.search(q)) or len(_YEAR.findall(q)) > 1 or q.count("?") > 1,
        # Counted by "?", not by the pieces between: the wording may carry the reports'
        # terms after the question mark ("…有多大? 地区生产总值"), which ask nothing more.
        0 if _SEVERAL.search(q) else max(1, q.count("?")),
        q,
    )


def _score(norm: str, passage: Passage, q: _Query, weights: dict[str, float]) -> float:
    # fsum: a set's order changes with the hash seed, and a plain float sum with it,
    # which broke ties between equal sentences (农业 and 工业 增加值) at random.
    total = math.fsum(weights.get(g, 0.0) for g in q.grams)
    if not total:
        return 0.0
    grams = char_bigrams(norm)
    score = math.fsum(weights.get(g, 0.0) for g in q.grams & grams) / total
    if q.figure and extract_figures(norm):
        score += 0.15
    if "|" in norm:
        label = _ROW_LABEL.sub("", norm.split("|", 1)[0]).strip()
        if not q.plan and "完成" not in norm:
            score -= 0.1  # a row holding only a target does not say what was achieved
        elif label and label in q.norm:
            score += 0.1  # the table row of the very indicator the question names
    if q.year:
        others = set(_YEAR.findall(norm)) - {q.year}
        if q.year in _YEAR.findall(norm) or (passage.year == int(q.year) and not others):
            score += 0.1
        elif others or (passage.year is not None and passage.year != int(q.year)):
            score -= 0.1
    if q.plan and not q.result:
        score += {"plan": 0.1, "result": -0.05}.get(passage.kind, 0.0)
    elif not q.plan:
        # A plain "…是多少" asks what happened, as retrieval assumes too.
        score += {"result": 0.05, "plan": -0.05}.get(passage.kind, 0.0)
    return score


def _clauses(sentence: str) -> list[tuple[str, str]]:
    """(source, normal form) of each clause, normalising the sentence once.

    Example: ``_clauses("達到30145.79億元，增長6.1%")``
    -> ``[("達到30145.79億元，", "达到30145.79亿元,"), ("增長6.1%", "增长6.1%")]``.
    """
    source = [c for c in _CLAUSE.split(sentence) if c]
    norm = [c for c in _CLAUSE.split(normal_form(sentence)) if c]
    if len(norm) != len(source):
        # NFKC can turn a rare character into a delimiter: normalise clause by clause.
        norm = [normal_form(c) for c in source]
    return list(zip(source, norm, strict=True))


def _windows(sentence: str) -> list[tuple[str, str]]:
    """(source, normal form) of the sentence, or for a long one of every short run of clauses.

    Example: ``_windows("甲，乙")`` -> ``[("甲，乙", "甲,乙")]`` (short sentences are kept whole).
    """
    if len(sentence) <= _LONG or "｜" in sentence or "|" in sentence:
        return [(sentence, normal_form(sentence))]
    clauses = _clauses(sentence)
    tails = [
        len(c) <= _TAIL and bool(_CONTINUES.match(n)) and bool(extract_figures(n))
        for c, n in clauses
    ]
    out = []
    for i in range(len(clauses)):
        for j in range(i, len(clauses)):
            if sum(len(c) for c, _ in clauses[i : j + 1]) > _WINDOW and j > i:
                break
            end = j + 1
            # Subject-less figure clauses ("达到30145.79亿元，增长6.1%") belong to the window.
            while end < len(clauses) and tails[end]:
                end += 1
            window = clauses[i:end]
            out.append(("".join(c for c, _ in window), "".join(n for _, n in window)))
    return out


_Candidate = tuple[int, int, str, str]


def candidates(passages: list[Passage]) -> list[_Candidate]:
    """(passage number, sentence index, source text, normal form) of every candidate."""
    out = []
    for n, passage in enumerate(passages, 1):
        for s, sentence in enumerate(split_sentences(passage.text)):
            if looks_like_instruction(sentence):
                continue  # planted instructions are never an answer, even verbatim
            for source, norm in _windows(sentence):
                core = source.strip().rstrip(_TRAILING).strip()
                if core:
                    out.append((n, s, core, norm.strip().rstrip(_TRAILING).strip()))
    return out


def _scored(
    q: _Query,
    passages: list[Passage],
    meaning: Similarity | None = None,
    titles: Sequence[str] | None = None,
) -> list[tuple[float, int, _Candidate]]:
    """Every candidate with its score, best first; with ``meaning``, plus its sentence's
    similarity in meaning to the question (``SEMANTIC_WEIGHT`` of it). With ``titles``
    (the passages' titles in normal form), each sentence is read with its passage's title
    before it (``_titled``)."""
    found = candidates(passages)
    if titles is not None:
        found = [(n, s, core, _titled(titles[n - 1], norm)) for n, s, core, norm in found]
    if not found or not q.grams:
        return []
    read = {c[3]: _with_pairs(c[3], q.norm) for c in found}
    # IDF over the sentences at hand: 重庆 in every sentence should count for little.
    frequency: dict[str, int] = {}
    for norm in set(read.values()):
        for g in char_bigrams(norm) & q.grams:
            frequency[g] = frequency.get(g, 0) + 1
    size = len({(c[0], c[1]) for c in found})
    weights = {g: math.log(1 + size / (1 + frequency.get(g, 0))) for g in q.grams}
    sentences = [split_sentences(p.text) for p in passages]
    scored = [
        (
            _score(read[c[3]], passages[c[0] - 1], q, weights)
            + (SEMANTIC_WEIGHT * meaning.of(sentences[c[0] - 1][c[1]]) if meaning else 0.0),
            i,
            c,
        )
        for i, c in enumerate(found)
        # Where meaning is asked, the words were not enough: a sentence must then be
        # close in meaning itself, not only share a word (新建 for a question on 房价).
        if not meaning or meaning.of(sentences[c[0] - 1][c[1]]) >= CHOSEN
    ]
    # Ties go to the candidate met first: passages come in rank order, and a long
    # sentence's opening clause names its subject ("全年地区生产总值达到…") where a
    # later, shorter window would match the same words in a qualified indicator
    # ("人均地区生产总值…").
    scored.sort(key=lambda t: (-t[0], t[1]))
    return scored


def _with_pairs(norm: str, question: str) -> str:
    """A candidate's normal form with the items the question asks of its 分别 groups
    read out after it (``asked_pairs``): "农业、工业、服务业增加值分别增长4.6%、5.8%、5.9%"
    says "服务业增加值增长5.9%", though its words stand apart, and must not lose to
    "规上工业增加值增长6.6%" on a question on 服务业增加值 for the bigrams 值增 only the
    other sentence has in a row. Only scoring reads it; the answer quotes the source.

    Example: ``_with_pairs("农业、服务业增加值分别增长4.6%、5.9%", "服务业增加值增长多少")`` ->
    ``"农业、服务业增加值分别增长4.6%、5.9% 服务业增加值增长5.9%"``.
    """
    said = asked_pairs(norm, question)
    return f"{norm} {said}" if said else norm


def _titled(title: str, norm: str) -> str:
    """A sentence's normal form with its passage's title before it: a sentence that does
    not name its subject ("为1988年由丁善玺执导的电影作品。" under the title 林投姐) is
    about the title's subject, and must not lose to a sentence that only names it. The
    title's years are left out: a report's title names its years, its sentences may not.

    Example: ``_titled("林投姐 (1988年电影)", "为1988年由丁善玺执导的电影作品")`` ->
    ``"林投姐 (电影) 为1988年由丁善玺执导的电影作品"``.
    """
    if not title or title in norm:
        return norm
    return f"{_YEAR.sub('', title)} {norm}"


# A sentence this short (characters, with its stop) says little alone.
SHORT = 8


def focus_passages(
    question: str, passages: list[Passage], sentences: int = 2, meaning: Similarity | None = None
) -> list[Passage]:
    """Each passage cut to its ``sentences`` best-matching sentences, in their own order.

    A small local model reads ~50 prompt tokens/s on 2 cores, so what it is given
    decides the time to its first token; the sentences that do not touch the
    question are what it can most easily do without. Markers still point to the
    same passages, and verification still checks against the whole passage.

    Example: a passage "甲。全年地区生产总值达到30145.79亿元。乙。" asked about
    地区生产总值 keeps "全年地区生产总值达到30145.79亿元。" (and one more sentence).
    """
    q = _query(question)
    best: dict[int, list[int]] = {}
    titles = [normal_form(p.title) for p in passages]
    for _, _, (n, s, _, norm) in _scored(q, passages, meaning, titles):
        if norm == titles[n - 1]:
            continue  # the title line alone: the prompt's heading shows it already
        keep = best.setdefault(n, [])
        if s not in keep and len(keep) < sentences:
            keep.append(s)
    out = []
    for n, p in enumerate(passages, 1):
        parts = split_sentences(p.text)
        if n not in best or len(parts) <= sentences:
            out.append(p)
            continue
        # A sentence of a few characters ("广东海阳人。") goes on with the one before it.
        shown = set(best[n]) | {
            s + 1 for s in best[n] if s + 1 < len(parts) and len(parts[s + 1]) <= SHORT
        }
        text = "".join(parts[s] for s in sorted(shown))
        out.append(replace(p, text=text, norm=normal_form(text) if p.norm else ""))
    return out


def extractive_answer(
    question: str,
    passages: list[Passage],
    max_sentences: int = 3,
    meaning: Similarity | None = None,
) -> str:
    """Up to ``max_sentences`` source sentences answering ``question``, each marked ``[n]``.

    ``n`` is the passage's 1-based position in ``passages``; ``REFUSAL`` when nothing
    scores at least ``THRESHOLD``.

    Example: ``extractive_answer("2023年重庆地区生产总值是多少？", [p_gdp])``
    -> ``"全年地区生产总值迈上3万亿元新台阶，达到30145.79亿元，增长6.1%[1]。"``;
    ``extractive_answer("火星上有几座城市？", [p_gdp])`` -> ``"文档中没有相关信息"``.
    """
    parts = per_year_questions(normal_form(question))
    if parts:
        by_year = _per_year(parts, passages)
        if by_year:
            return by_year
    q = _query(question)
    scored = _scored(q, passages, meaning)
    if not scored or scored[0][0] < THRESHOLD:
        return REFUSAL
    floor = max(THRESHOLD, scored[0][0] * (FLOOR_SEVERAL if q.several else FLOOR))
    chosen: list[tuple[int, int, str, str]] = []
    figures: list[Figure] = []
    covered: set[str] = set()
    cap = min(max_sentences, q.cap) if q.cap else max_sentences
    for score, _, cand in scored:
        if score < floor or len(chosen) >= cap:
            break
        # One window per source sentence, and no repeated text from duplicate passages.
        if any(c[:2] == cand[:2] or c[3] == cand[3] for c in chosen):
            continue
        found = extract_figures(cand[3])
        # A further sentence must add a figure: another report restating the same
        # figures (000 and 004 both give 2023's GDP) or a figureless sentence beside a
        # figure only adds a citation the reader need not check.
        if chosen and q.figure and all(any(equivalent(f, g) for g in figures) for f in found):
            continue
        # ...and name something asked that the sentences before it do not (农业 after
        # 工业), or be the other kind when both the target and the result are asked:
        # a second sentence on the same words is a neighbour, not a second answer.
        named = q.grams & char_bigrams(_own_words(cand[3]))
        kinds = {passages[c[0] - 1].kind for c in chosen}
        other_kind = q.plan and q.result and passages[cand[0] - 1].kind not in kinds
        if chosen and not other_kind and not named - covered:
            continue
        covered |= named
        figures += found
        chosen.append(cand)
    return "".join(window_answer(passages, n, s, core) for n, s, core, _ in chosen)


def window_answer(passages: list[Passage], n: int, sentence: int, text: str) -> str:
    """One chosen window of passage ``n`` as the extractive answer gives it.

    Example: ``window_answer([p], 1, 0, "新增婴幼儿托位1.6万个")`` -> ``"新增婴幼儿托位1.6万个[1]。"``.
    """
    return f"{_render(text, passages[n - 1], sentence)}[{n}]。"


def _per_year(parts: list[tuple[int, str]], passages: list[Passage]) -> str:
    """A question over several years answered year by year, each from that year's passages.

    Each year gets its best candidate (when it clears ``THRESHOLD``), or its best target
    and best result when the question asks for both; the ``2023年：`` labels come from the
    passages' years. Years no passage answers are left out (the reader sees which are
    there); "" when no year is answered.

    Example: ``_per_year([(2022, "2022年 gdp增长多少"), (2023, "2023年 gdp增长多少")], ps)``
    -> ``"2022年：地区生产总值增长2.6%[2]。2023年：地区生产总值增长6.1%[1]。"``.
    """
    lines = []
    for year, sub in parts:
        q = _query(sub)
        kinds: tuple[str | None, ...] = ("plan", "result") if q.plan and q.result else (None,)
        scored = _scored(q, passages)
        picked: list[_Candidate] = []
        for kind in kinds:
            for score, _, cand in scored:
                p = passages[cand[0] - 1]
                if score < THRESHOLD:
                    break
                if is_heading(cand[2], passages) or (q.figure and not extract_figures(cand[3])):
                    continue  # a year's answer is a statement, with a figure when one is asked
                if p.year == year and (kind is None or p.kind == kind or p.is_table):
                    if cand not in picked:
                        picked.append(cand)
                    break
        text = "".join(f"{_render(c[2], passages[c[0] - 1], c[1])}[{c[0]}]。" for c in picked)
        if text:
            lines.append(f"{year}年：{text}")
    return "".join(lines)


def _own_words(norm: str) -> str:
    """What a candidate speaks of: a sub-row (``总称(%)其中:分项(%)|…``) only of its item.

    Example: ``_own_words("一般公共预算收入增速(%)其中:税收增速(%)|2023年预期:5.3")``
    -> ``"税收增速(%)|2023年预期:5.3"``.
    """
    label, bar, cells = norm.partition("|")
    return label.rsplit("其中:", 1)[-1] + bar + cells if bar else norm


def _render(core: str, passage: Passage, index: int) -> str:
    """A chosen candidate as the answer gives it: a table row spelled as a sentence with
    its unit (``spell_row``), a heading with the list it introduces (``_with_list``)."""
    spelled = spell_row(core)
    return spelled if spelled != core else _with_list(core, passage, index)


_INTRO = re.compile(r"(?:是|为|包括|如下|有)[：:]?$|[：:]$")


def _with_list(core: str, passage: Passage, index: int) -> str:
    """A sentence that only introduces what follows (a heading such as
    ``2024年主要预期目标``, or ``…目标是：``) brings the following lines with it.

    Example: ``"2024年主要预期目标"`` followed by ``"地区生产总值增长6%左右"`` ->
    ``"2024年主要预期目标：地区生产总值增长6%左右；…"`` (the ``：``/``；`` joiners are
    the only characters not copied from the passage).
    """
    heading = len(core) <= 16 and not extract_figures(core)
    if not (heading or _INTRO.search(core)):
        return core
    sentences = split_sentences(passage.text)
    current = sentences[index] if index < len(sentences) else ""
    at = current.find(core)
    # A window of a long sentence: its list is the rest of that same sentence.
    tail = current[at + len(core) :].lstrip("：:，, ") if at >= 0 else ""
    rest = [t.strip().rstrip(_TRAILING) for t in [tail, *sentences[index + 1 :]] if t.strip()]
    items: list[str] = []
    for item in rest:
        if not item or sum(len(i) for i in items) + len(item) > _LIST_CHARS:
            break
        items.append(item)
    if not items:
        return core
    return core.rstrip("：:") + "：" + "；".join(items)


_LIST_CHARS = 160
