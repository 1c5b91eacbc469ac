"""Questions over several years: which years, and differences computed in code.

A model is never trusted with arithmetic: when an answer gives the same kind
of figure for two years, each with its own citation, the difference (and the
growth, for amounts) is computed here from those cited figures and shown as
computed.
"""

from __future__ import annotations

import re
from decimal import Decimal

from qa.numbers import extract_figures
from qa.schema import Passage
from qa.verify import parse_citations, split_sentences

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_RANGE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年?\s*(?:到|至|-|—|~|～)\s*((?:19|20)\d\d)(?!\d)")
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


def expand_years(norm_question: str) -> list[int]:
    """Years a question names, ranges expanded.

    Example: ``expand_years("2022到2024年gdp")`` -> ``[2022, 2023, 2024]``.
    """
    years: set[int] = set()
    for a, b in _RANGE.findall(norm_question):
        lo, hi = sorted((int(a), int(b)))
        if hi - lo <= 10:
            years.update(range(lo, hi + 1))
    years.update(int(y) for y in _YEAR.findall(norm_question))
    return sorted(years)


def is_comparison(norm_question: str) -> bool:
    return len(expand_years(norm_question)) >= 2 or any(w in norm_question for w in _COMPARE_WORDS)


def _fmt(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def cited_figures(
    answer_text: str, citations: list[Passage]
) -> list[tuple[int, str, Decimal, str]]:
    """(year, raw, value, unit) for each figure in a sentence that cites one dated passage."""
    out: list[tuple[int, str, Decimal, str]] = []
    for sentence in split_sentences(answer_text):
        marks = [n for n in parse_citations(sentence) if 1 <= n <= len(citations)]
        years = {citations[n - 1].year for n in marks}
        if len(years) != 1 or None in years:
            continue
        year = years.pop()
        assert year is not None
        for fig in extract_figures(sentence):
            # Compare in the unit as written (亿元 with 亿元), so the note reads naturally.
            value = Decimal(fig.number) if fig.number else Decimal(repr(fig.value))
            out.append((year, fig.raw, value, fig.unit))
    return out


def comparison_note(question: str, answer_text: str, citations: list[Passage]) -> str:
    """A computed difference between two years' cited figures of the same unit, or "".

    Example: answer ``"2023年增长6.1%[1]。2024年增长5.7%[2]。"`` with passages of
    2023 and 2024 -> ``"（程序计算：2024年 5.7% 比 2023年 6.1% 低 0.4 个百分点）"``.
    """
    from qa.clean import normal_form

    if not is_comparison(normal_form(question)):
        return ""
    figures = cited_figures(answer_text, citations)
    notes: list[str] = []
    for unit in dict.fromkeys(u for _, _, _, u in figures):
        by_year: dict[int, tuple[str, Decimal]] = {}
        for year, raw, value, u in figures:
            if u == unit:
                by_year.setdefault(year, (raw, value))
        if len(by_year) != 2:
            continue
        (y0, (r0, v0)), (y1, (r1, v1)) = sorted(by_year.items())
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
