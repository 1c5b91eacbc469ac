"""Golden-set items and the pure scores computed on them.

A retrieval hit: a top-k passage from the gold ``doc`` that contains every
``must_include`` string, compared in simplified normal form without spaces.
Items whose figures sit in two reports (``more`` evidences: compare,
multi_doc) hit when each string is in some top-k passage and one of those
passages is from the gold doc.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.schema import Passage
from qa.text.numbers import spell_row
from qa.text.script import normal_form

GOLDEN = Path(__file__).parents[1] / "data" / "golden.jsonl"
# Types whose right answer is a refusal; a near miss also says what the reports give.
UNANSWERABLE = frozenset({"unanswerable", "near_miss"})
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)")


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    answer: str
    must_include: tuple[str, ...]
    doc: str | None
    evidence: str
    type: str
    year: int | None = None
    kind: str | None = None
    more: tuple[dict[str, str], ...] = field(default=())
    turns: tuple[str, ...] = ()  # a dialogue's earlier user questions, in order
    split: str | None = None  # "dev" (look, tune) or "test" (score only at the end)
    related: tuple[str, ...] = ()  # a near miss: what the reports give instead

    @property
    def answerable(self) -> bool:
        return self.type not in UNANSWERABLE


def load_golden(path: Path | None = None, split: str | None = None) -> list[GoldItem]:
    """The items of a JSONL set; with ``split``, only that half (items without one stay)."""
    items = []
    for line in (path or GOLDEN).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d: dict[str, Any] = json.loads(line)
        items.append(
            GoldItem(
                id=str(d["id"]),
                question=str(d["question"]),
                answer=str(d.get("answer", "")),
                must_include=tuple(d.get("must_include") or ()),
                doc=d.get("doc"),
                evidence=str(d.get("evidence") or ""),
                type=str(d.get("type", "fact")),
                year=d.get("year"),
                kind=d.get("kind"),
                more=tuple(d.get("more") or ()),
                turns=tuple(d.get("turns") or ()),
                split=d.get("split"),
                related=tuple(d.get("related") or ()),
            )
        )
    return [i for i in items if split is None or i.split in (None, split)]


def squash(text: str) -> str:
    """Normal form without whitespace or ``**``: how answers and passages are compared.

    Example: ``squash("增長 **5.7％**")`` -> ``"增长5.7%"``.
    """
    return re.sub(r"\s+", "", normal_form(_PINYIN.sub("", text)).replace("**", ""))


def contains_all(text: str, must: Sequence[str]) -> bool:
    """Every ``must`` string occurs in ``text`` (both ``squash``-ed); a string that starts
    or ends with a digit does not match inside a longer number.

    Example: ``contains_all("增长2.1%，达到15天", ["2.1%", "15"])`` -> True;
    ``contains_all("完成102.1%", ["2.1%"])`` -> False.
    """
    flat = squash(text)
    return all(re.search(_bounded(squash(m)), flat) for m in must)


def contains_any(text: str, phrases: Sequence[str]) -> bool:
    """Example: ``contains_any("报告给出的是增长47.8%", ["47.8%", "9万亿元"])`` -> True."""
    return any(contains_all(text, [p]) for p in phrases)


def _bounded(phrase: str) -> str:
    head = r"(?<![0-9.])" if phrase[:1].isdigit() else ""
    tail = r"(?![0-9]|\.[0-9])" if phrase[-1:].isdigit() else ""
    return head + re.escape(phrase) + tail


def holds_evidence(text: str, phrase: str) -> bool:
    """``phrase`` occurs in ``text`` (both ``squash``-ed), or in one of its table rows read
    with the unit its label states (``qa.numbers.spell_row``): a row giving （%）… 5.4
    holds 5.4% as plainly as a sentence does.

    Example: ``holds_evidence("城镇调查失业率（%）｜2022年预计完成：5.4", "5.4%")`` -> True;
    ``holds_evidence("城镇新增就业71万人，增长5.4", "5.4%")`` -> False.
    """
    if contains_all(text, [phrase]):
        return True
    rows = [line for line in normal_form(_PINYIN.sub("", text)).split("\n") if "|" in line]
    return any(contains_all(spell_row(row), [phrase]) for row in rows)


def hit_rank(passages: Sequence[Passage], item: GoldItem) -> int | None:
    """1-based rank of the first passage that makes a hit, or None.

    Example: gold doc ``a.txt`` with must ``["6.1%"]`` and passages from ``b.txt``
    then ``a.txt`` (holding 6.1%) -> 2.
    """
    if not item.must_include:
        return None
    if not item.more:
        for rank, p in enumerate(passages, 1):
            if p.doc == item.doc and contains_all(p.text, item.must_include):
                return rank
        return None
    found: dict[str, int] = {}
    for rank, p in enumerate(passages, 1):
        flat = squash(p.text)
        for m in item.must_include:
            if m not in found and re.search(_bounded(squash(m)), flat):
                found[m] = rank
    if len(found) < len(item.must_include):
        return None
    if not any(p.doc == item.doc for p in passages):
        return None
    return max(found.values())


def answer_correct(text: str, item: GoldItem) -> bool:
    """Every ``must_include`` string is in the answer as a reader sees it: a citation
    marker between two of its characters ("…非侵入性治疗[1]。") splits nothing.

    Example: for must_include ``["非侵入性治疗。"]``, ``"一种非侵入性治疗[1]。"`` -> True.
    """
    from qa.answer.markers import strip_markers

    return bool(item.must_include) and contains_all(strip_markers(text), item.must_include)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile. Example: ``percentile([1, 2, 3, 4], 50)`` -> 2."""
    if not values:
        return math.nan
    ordered = sorted(values)
    idx = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return float(ordered[idx])


def mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if values else math.nan


def retrieval_scores(ranks: Sequence[int | None], k: int) -> dict[str, float]:
    """hit@k and MRR over answerable items.

    Example: ``retrieval_scores([1, None, 2], 5)`` -> ``{"hit@5": 0.667, "mrr": 0.5}`` (rounded).
    """
    hits = [1.0 if r is not None and r <= k else 0.0 for r in ranks]
    rr = [1.0 / r if r is not None and r <= k else 0.0 for r in ranks]
    return {f"hit@{k}": mean(hits), "mrr": mean(rr)}
