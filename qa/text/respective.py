"""Figures given "respectively" (分别): which figure belongs to which item.

"租赁和商务服务业、交通运输仓储和邮政业营业收入分别增长11.7%、8.6%" gives 11.7% to
租赁和商务服务业 and 8.6% to 交通运输仓储和邮政业. Both figures are in the passage, so a
sentence that gives 11.7% to 交通运输仓储和邮政业 passes every figure check; reading the
pairs catches it. Items are split on 、, then on 和/与/及, and kept only when their count
is the figures' count. A compressed pair of words (存贷款 = 存款 + 贷款, 进出口, 中小学)
is opened with jieba's dictionary: the three characters are a word, and so are the
first and the second character each with the third (the last such word, the head).

Pure functions over normal forms (``qa.text.script.normal_form``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from qa.text.numbers import Figure, equivalent, extract_figures
from qa.text.wording import char_bigrams

_RESPECTIVELY = re.compile(r"分\s*别")  # a PDF line may break inside it
# Where a list of items starts and a list of figures ends. 、 and 和 join items.
_BOUND = re.compile(r"[，,。；;：:！!？?（）()]")
_JOIN = re.compile(r"和|与|及")
# Share of an item's own bigrams (those no other item of its group has) that a text
# must hold to name that item.
NAMES = 0.5


@dataclass(frozen=True)
class Pair:
    """One item of a 分别 group with its figure.

    ``verb`` is what stands between 分别 and the first figure (增长, 提高至每人每月);
    ``items`` is the whole group; ``span`` is the group's (start, end) in its text.
    """

    item: str
    figure: Figure
    verb: str
    items: tuple[str, ...]
    span: tuple[int, int]

    def said(self) -> str:
        """Example: the second pair above -> "交通运输仓储和邮政业营业收入增长8.6%"."""
        return f"{self.item}{self.verb}{self.figure.raw}"


def respective_pairs(norm: str) -> list[Pair]:
    """Every item given a figure by a 分别 in ``norm``, in order.

    Example: ``[(p.item, p.figure.raw) for p in respective_pairs("本外币存贷款余额分别增长8%、6.7%")]``
    -> ``[("本外币存款余额", "8%"), ("本外币贷款余额", "6.7%")]``.
    """
    return list(_pairs(norm))


@lru_cache(maxsize=512)
def _pairs(norm: str) -> tuple[Pair, ...]:
    # Verification asks for the pairs of one passage once per figure and check.
    out: list[Pair] = []
    for m in _RESPECTIVELY.finditer(norm):
        before = [b.end() for b in _BOUND.finditer(norm, 0, m.start())]
        start = before[-1] if before else 0
        after = _BOUND.search(norm, m.end())
        end = after.start() if after else len(norm)
        figures = extract_figures(norm[m.end() : end])
        items = _items(norm[start : m.start()], len(figures)) if len(figures) > 1 else None
        if not items:
            continue
        verb = re.sub(r"\s", "", norm[m.end() : m.end() + figures[0].span[0]])
        group = tuple(items)
        out.extend(
            Pair(i, f, verb, group, (start, end)) for i, f in zip(items, figures, strict=True)
        )
    return tuple(out)


def _items(text: str, n: int) -> list[str] | None:
    text = re.sub(r"\s", "", text)
    parts = text.split("、")
    if len(parts) < n:
        parts = [p for part in parts for p in _JOIN.split(part)]
    if len(parts) == 1 and n == 2:
        parts = _opened(text) or parts
    if len(parts) != n or not all(parts):
        return None
    return parts


def _compressed(text: str) -> list[int]:
    """Where compressed pairs of words start: 存贷款 in "本外币存贷款余额" at 3 (and 本外币 at 0)."""
    from qa.text.lexicon import lexicon

    words = lexicon()[0]
    return [
        i
        for i in range(len(text) - 2)
        if text[i : i + 3] in words
        and text[i] + text[i + 2] in words
        and text[i + 1] + text[i + 2] in words
    ]


def _opened(item: str) -> list[str] | None:
    """ "本外币存贷款余额" -> ["本外币存款余额", "本外币贷款余额"], or None."""
    at = _compressed(item)
    if not at:
        return None
    # The last one: the head of a compound comes last (本外币存贷款余额 opens 存贷款).
    i = at[-1]
    head, tail = item[:i], item[i + 3 :]
    return [head + item[i] + item[i + 2] + tail, head + item[i + 1 : i + 3] + tail]


def said_together(question: str, text: str) -> bool:
    """Whether the question asks one of a compressed pair ("出口" of 进出口, "贷款" of
    存贷款) that ``text`` states only as the pair: its figure is of both together.

    Example: ``said_together("2022年外贸出口额是多少", "外贸进出口达到8158.4亿元")`` -> True;
    with "本外币存贷款余额分别增长8%、6.7%" and "贷款余额增长多少" -> False (分别 opens it).
    """
    from qa.text.entities import words

    opened = {p.item for p in respective_pairs(text)}
    # A word of the question that starts with one of the pair (出口额), not one that
    # only ends with it (农贸市场 is no 市场 of 菜市场).
    starts = words(question)
    for i in _compressed(text):
        pair = text[i : i + 3]
        # 亿美元 and 万平方米 are a magnitude before a unit, no pair of words.
        if pair in question or text[i] in "万亿" or (i and text[i - 1].isdigit()):
            continue
        two = (text[i] + text[i + 2], text[i + 1 : i + 3])
        asked = [w for w in two if any(q.startswith(w) for q in starts)]
        rest = text.replace(pair, "")
        if asked and not any(w in rest or any(w in item for item in opened) for w in asked):
            return True
    return False


def named(text: str, items: tuple[str, ...]) -> list[bool]:
    """Which items of a group ``text`` names, by the bigrams only that item has.

    Example: ``named("交通运输仓储和邮政业营业收入", ("租赁和商务服务业", "交通运输仓储和邮政业营业收入"))``
    -> ``[False, True]``.
    """
    grams = [char_bigrams(i) for i in items]
    # "存贷款余额" names both 存款余额 and 贷款余额.
    held = char_bigrams(text).union(
        *(
            char_bigrams(text[i] + text[i + 2] + " " + text[i + 1 : i + 3])
            for i in _compressed(text)
        )
    )
    out = []
    for k, own in enumerate(grams):
        distinct = own - set().union(*(g for j, g in enumerate(grams) if j != k))
        out.append(bool(distinct) and len(distinct & held) / len(distinct) >= NAMES)
    return out


# A listed item's name is short; a longer run before a figure is a clause, not a name.
_MAX_LISTED = 20


def listed_pairs(norm: str) -> list[Pair]:
    """Every item of a list that gives each item its own figure, "A X、B Y、C Z", without
    分别: each run between 、 ends in its one figure, and the words before it name the item.

    Example: ``[(p.item, p.figure.raw) for p in listed_pairs("建成山城步道90公里、山城绿道157公里")]``
    -> ``[("建成山城步道", "90公里"), ("山城绿道", "157公里")]``.
    """
    return list(_listed(norm))


@lru_cache(maxsize=512)
def _listed(norm: str) -> tuple[Pair, ...]:
    out: list[Pair] = []
    start = 0
    for bound in [*_BOUND.finditer(norm), None]:
        end = bound.start() if bound else len(norm)
        clause = norm[start:end]
        if "、" in clause and not _RESPECTIVELY.search(clause):
            out.extend(_list_of(clause, start))
        start = bound.end() if bound else end
    return tuple(out)


def _list_of(clause: str, at: int) -> list[Pair]:
    pairs: list[tuple[str, Figure]] = []
    offset = 0
    for part in clause.split("、"):
        figures = extract_figures(part)
        if len(figures) != 1:
            return []
        f = figures[0]
        item = re.sub(r"\s", "", part[: f.span[0]])
        if part[f.span[1] :].strip() or not 0 < len(item) <= _MAX_LISTED:
            return []
        moved = (f.span[0] + at + offset, f.span[1] + at + offset)
        pairs.append((item, replace(f, span=moved)))
        offset += len(part) + 1
    if len(pairs) < 2:
        return []
    items = tuple(i for i, _ in pairs)
    return [Pair(i, f, "", items, (at, at + len(clause))) for i, f in pairs]


def misaligned(sentence: str, figure: Figure, passage: str, question: str = "") -> Pair | None:
    """The pair of ``passage`` that gives ``figure`` to an item the sentence does not name,
    while it names another item of that group or none (read with the question when it
    names none); None when the figure is also given to a named item or stated outside
    any 分别 group, or when neither a sentence nor a question names anything. A plain
    list (``listed_pairs``) counts only when the sentence names another of its items.

    Example: ``misaligned("交通运输仓储和邮政业营业收入增长11.7%", fig("11.7%"), p)`` with
    ``p`` = "租赁和商务服务业、交通运输仓储和邮政业营业收入分别增长11.7%、8.6%" -> the pair of
    租赁和商务服务业.
    """
    found = _misaligned_in(sentence, figure, passage, question, respective_pairs)
    if found is not None:
        return found
    # A plain list ("建成山城步道90公里、山城绿道157公里") is read only when the sentence
    # names another of its items: answers often restate an item in other words.
    return _misaligned_in(sentence, figure, passage, "", listed_pairs)


def _misaligned_in(
    sentence: str,
    figure: Figure,
    passage: str,
    question: str,
    groups: Callable[[str], list[Pair]],
) -> Pair | None:
    """``misaligned`` over the pairs ``groups`` reads."""
    pairs = [p for p in groups(passage) if equivalent(p.figure, figure)]
    if not pairs or any(equivalent(q.figure, figure) for q in groups(sentence)):
        return None  # none, or the sentence keeps the group as the passage gives it
    spans = [p.span for p in pairs]
    for f in extract_figures(passage):
        inside = any(a <= f.span[0] < b for a, b in spans)
        if not inside and equivalent(f, figure):
            return None
    wrong = None
    for p in pairs:
        names = named(sentence, p.items)
        if not any(names) and question:
            names = named(question, p.items)
        if names[p.items.index(p.item)] or not (any(names) or question):
            return None
        # Neither the sentence nor the question names an item of the group: the figure
        # is another indicator's (水利、能源投资分别增长39.8%、33.7% is no answer on
        # 固定资产投资); the source sentence, group and all, can still be given.
        wrong = p
    return wrong


def contradicted(sentence: str, figure: Figure, passage: str) -> Pair | None:
    """The pair of ``passage`` whose item and verb the sentence states right before
    ``figure``, when the passage gives that item another figure in the same unit: the
    sentence took a neighbouring figure (网上零售额's) for the item.

    Example: ``contradicted("零售销售额增长16.4%", fig("16.4%"), p)`` with ``p`` =
    "实物商品网上零售额增长16.4%,批发、零售销售额分别增长12.9%、8.4%" -> the pair of
    零售销售额 (8.4%).
    """
    plain = re.sub(r"\s", "", sentence)
    for p in respective_pairs(passage):
        if equivalent(p.figure, figure) or p.figure.scaled()[1] != figure.scaled()[1]:
            continue
        if re.search(re.escape(p.item + p.verb) + r"\s*" + re.escape(figure.raw), plain):
            return p
    return None


def asked_pairs(text: str, question: str) -> str:
    """The pairs of the items the question names, from each 分别 group of ``text`` it
    names only part of, as plain statements; "" when there is no such group. A reader
    (the judge) then sees which figure is the asked one, without the rest of the
    sentence: the 1.5B judge says a long sentence holding both pairs does not answer.

    Example: ``asked_pairs(SERVICES, "2024年交通运输仓储和邮政业增长了多少？")`` with
    SERVICES = "…,租赁和商务服务业、交通运输仓储和邮政业营业收入分别增长11.7%、8.6%。"
    -> "交通运输仓储和邮政业营业收入增长8.6%".
    """
    groups: dict[tuple[int, int], list[Pair]] = {}
    for p in respective_pairs(text):
        groups.setdefault(p.span, []).append(p)
    out: list[str] = []
    for pairs in groups.values():
        names = named(question, pairs[0].items)
        if any(names) and not all(names) and len(pairs) == len(names):
            out += [p.said() for p, n in zip(pairs, names, strict=True) if n]
    return "，".join(out)


# A list's items are short names: longer runs, or runs holding digits, are clauses.
_MAX_ITEM = 16


def item_lists(norm: str) -> list[tuple[str, ...]]:
    """The items of each list in ``norm``: the items of every 分别 group, and the runs a
    clause joins with 、 when none holds a digit.

    Example: ``item_lists("批发、零售销售额分别增长12.9%、8.4%")`` -> ``[("批发", "零售销售额")]``;
    ``item_lists("建成口袋公园117个、山城步道107公里")`` -> ``[]``.
    """
    groups = list(dict.fromkeys(p.items for p in respective_pairs(norm)))
    for clause in re.split(r"[，,。；;：:！!？?\n]", norm):
        items = tuple(i.strip() for i in clause.split("、"))
        if (
            len(items) > 1
            and not re.search(r"\d|分\s*别", clause)
            and all(0 < len(i) <= _MAX_ITEM for i in items)
        ):
            groups.append(items)
    return groups
