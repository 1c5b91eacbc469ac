"""Questions over several years: which years, and differences computed in code.

A model is never trusted with arithmetic: when an answer gives the same kind
of figure for two years, each with its own citation, the difference (and the
growth, for amounts) is computed here from those cited figures and shown as
computed.
"""

from __future__ import annotations

import re
from decimal import Decimal

from qa.answer.markers import parse_citations, split_sentences
from qa.answer.retrieve import expand_years
from qa.schema import Passage
from qa.text.numbers import extract_figures

_COMPARE_WORDS = (
    "比较",
    "对比",
    "相比",
    "变化",
    "差",
    "高多少",
    "低多少",
    "增加了多少",
    "提高",
    "分别",
)


def is_comparison(norm_question: str) -> bool:
    return len(expand_years(norm_question)) >= 2 or any(w in norm_question for w in _COMPARE_WORDS)


def _fmt(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


_CLAUSE_END = re.compile(r"[，,；;：:、。]")
_VERBS = re.compile(
    r"全年|分别|同比|比上年|较上年|达到|达|增长|下降|提高|提升|突破|超过|实现|为|约|近"
)
_GENERIC = re.compile(
    r"(?:19|20)\d\d年?|重庆市?|全市|分别|是多少|多少|增长|比较|对比|变化|[？?，,、。\s]"
)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def figure_label(sentence: str, start: int) -> str:
    """The words naming a figure: its clause, or the clause before when its own is only a verb.

    Example: ``figure_label("地区生产总值超过2.9万亿元、增长2.6%", 17)`` -> ``"地区生产总值超过2.9万亿元增长"``.
    """
    head = sentence[:start]
    cuts = [m.end() for m in _CLAUSE_END.finditer(head)]
    own = head[cuts[-1] :] if cuts else head
    if len(_VERBS.sub("", own)) < 2 and len(cuts) >= 1:
        before = head[cuts[-2] if len(cuts) >= 2 else 0 : cuts[-1]]
        return _CLAUSE_END.sub("", before) + own
    return own


def topic_match(label: str, topic: str) -> float:
    """Share of the question topic's bigrams found in a figure's label."""
    wanted = _bigrams(topic)
    return len(wanted & _bigrams(label)) / len(wanted) if wanted else 0.0


def cited_figures(
    answer_text: str, citations: list[Passage], topic: str = ""
) -> list[tuple[int, str, Decimal, str, float]]:
    """(year, raw, value, unit, topic match) of figures in sentences citing one dated passage."""
    from qa.text.script import normal_form

    out: list[tuple[int, str, Decimal, str, float]] = []
    for sentence in split_sentences(answer_text):
        marks = [n for n in parse_citations(sentence) if 1 <= n <= len(citations)]
        years = {citations[n - 1].year for n in marks}
        if len(years) != 1 or None in years:
            continue
        year = years.pop()
        assert year is not None
        norm = normal_form(sentence)
        figures = extract_figures(norm)
        for fig in figures:
            # Compare in the unit as written (亿元 with 亿元), so the note reads naturally.
            value = Decimal(fig.number) if fig.number else Decimal(repr(fig.value))
            label = figure_label(norm, fig.span[0])
            if "分别" in label and len(figures) > 1:
                # "高新技术企业和科技型企业分别突破8500家和6万家": no label says which is which.
                continue
            match = topic_match(label, topic)
            out.append((year, fig.raw, value, fig.unit, match))
    return out


def comparison_note(question: str, answer_text: str, citations: list[Passage]) -> str:
    """A computed difference between two years' cited figures of the same indicator, or "".

    Only figures whose label names the question's topic are compared, so 2024's
    industrial growth is never set against 2022's GDP growth.

    Example: question ``"2023年和2024年地区生产总值分别增长多少"``, answer
    ``"2023年地区生产总值增长6.1%[1]。2024年地区生产总值增长5.7%[2]。"`` ->
    ``"（程序计算：2024年 5.7% 比 2023年 6.1% 低 0.4 个百分点）"``.
    """
    from qa.text.script import normal_form

    norm_q = normal_form(question)
    if not is_comparison(norm_q):
        return ""
    topic = _GENERIC.sub("", norm_q)
    figures = [f for f in cited_figures(answer_text, citations, topic) if f[4] >= 0.6]
    notes: list[str] = []
    for unit in dict.fromkeys(f[3] for f in figures):
        by_year: dict[int, tuple[float, str, Decimal]] = {}
        for year, raw, value, u, match in figures:
            if u == unit and (year not in by_year or match > by_year[year][0]):
                by_year[year] = (match, raw, value)
        if len(by_year) != 2:
            continue
        (y0, (_, r0, v0)), (y1, (_, r1, v1)) = sorted(by_year.items())
        diff = v1 - v0
        word = "高" if diff > 0 else "低" if diff < 0 else "持平"
        if unit == "%":
            delta = f"{word} {_fmt(abs(diff))} 个百分点" if diff else word
        else:
            delta = f"{word} {_fmt(abs(diff))}{unit}" if diff else word
            if v0:
                delta += f"，变化 {_fmt((diff / v0 * 100).quantize(Decimal('0.01')))}%"
        notes.append(f"（程序计算：{y1}年 {r1} 比 {y0}年 {r0} {delta}）")
    return "\n".join(notes)
