"""Scores on the golden set: text comparison, retrieval hits and percentiles."""

from __future__ import annotations

import math

import pytest

from qa.evaluation.scoring import (
    GoldItem,
    answer_correct,
    contains_all,
    hit_rank,
    holds_evidence,
    load_golden,
    mean,
    percentile,
    retrieval_scores,
    squash,
)
from qa.schema import Passage


def p(doc: str, text: str) -> Passage:
    return Passage(doc=doc, title="t", year=2023, section="", text=text, score=1.0)


def item(must: tuple[str, ...], doc: str | None = "a.txt", **more: object) -> GoldItem:
    return GoldItem(
        id="x",
        question="?",
        answer="",
        must_include=must,
        doc=doc,
        evidence="",
        type=str(more.pop("type", "numeric")),
        **more,  # type: ignore[arg-type]
    )


# --- squash / contains_all ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flat"),
    [
        ("增長 **5.7％**", "增长5.7%"),
        ("地區生產總值達到３０１４５．７９億元", "地区生产总值达到30145.79亿元"),
        ("全年地區(qū)生產(chǎn)總值", "全年地区生产总值"),  # pinyin annotations dropped
        ("GDP (FDI) 增长", "GDP(FDI)增长"),  # real parentheses kept
        ("城镇新增就业60万人以\n上", "城镇新增就业60万人以上"),
    ],
)
def test_squash(text: str, flat: str) -> None:
    assert squash(text) == flat


def test_contains_all_across_script_width_and_bold() -> None:
    passage = "全年地區生產總值達到 **30145.79** 億元，增長６．１％"
    assert contains_all(passage, ["30145.79亿元", "6.1%"])
    assert contains_all(passage, [])
    assert not contains_all(passage, ["30145.79亿元", "5.7%"])
    # the must strings are squashed too
    assert contains_all("增长6.1%", ["增長 ６.１％"])


def test_answer_correct_needs_every_string() -> None:
    gold = item(("30145.79亿元", "6.1%"))
    assert answer_correct("达到30145.79亿元，增长6.1%[1]。", gold)
    assert not answer_correct("达到30145.79亿元[1]。", gold)
    # A marker is no part of what the reader reads: it splits no gold span.
    assert answer_correct("是一种非侵入性治疗[1]。", item(("非侵入性治疗。",)))
    # an unanswerable item (nothing to include) is never "correct"
    assert not answer_correct("文档中没有相关信息", item((), doc=None, type="unanswerable"))


# --- hit_rank ----------------------------------------------------------------


def test_hit_rank_single_doc() -> None:
    gold = item(("6.1%",))
    passages = [p("b.txt", "增长6.1%"), p("a.txt", "增长5.7%"), p("a.txt", "增長６.１％")]
    # b.txt holds the figure but is not the gold report; a.txt's first passage lacks it
    assert hit_rank(passages, gold) == 3
    assert hit_rank(passages[:2], gold) is None


def test_hit_rank_needs_every_string_in_one_passage() -> None:
    gold = item(("30145.79亿元", "6.1%"))
    split = [p("a.txt", "达到30145.79亿元"), p("a.txt", "增长6.1%")]
    assert hit_rank(split, gold) is None
    assert hit_rank([*split, p("a.txt", "达到30145.79亿元，增长6.1%")], gold) == 3


def test_hit_rank_with_more_evidence_spread_over_reports() -> None:
    gold = item(
        ("2.6%", "6.1%", "5.7%"),
        doc="000.txt",
        type="compare",
        more=({"doc": "002.txt", "evidence": "增长2.6%"}, {"doc": "001.txt", "evidence": "…"}),
    )
    passages = [
        p("002.txt", "全年地区生产总值增长2.6%"),
        p("x.txt", "无关"),
        p("000.txt", "达到30145.79亿元，增长6.1%"),
        p("001.txt", "達到32193.15億元、增長5.7%"),
    ]
    # the rank of the passage completing the set
    assert hit_rank(passages, gold) == 4
    assert hit_rank(passages[:3], gold) is None  # 5.7% missing
    # every string present but no passage from the gold report
    no_gold = [q for q in passages if q.doc != "000.txt"] + [p("y.txt", "增长6.1%")]
    assert hit_rank(no_gold, gold) is None


def test_hit_rank_of_an_item_without_strings_is_none() -> None:
    assert hit_rank([p("a.txt", "任何")], item((), doc=None, type="unanswerable")) is None


# --- retrieval scores and percentiles ----------------------------------------


def test_retrieval_scores_worked_example() -> None:
    scores = retrieval_scores([1, None, 2], 5)
    assert scores["hit@5"] == pytest.approx(2 / 3)
    assert scores["mrr"] == pytest.approx((1 + 0 + 0.5) / 3)


def test_retrieval_scores_ignore_ranks_beyond_k() -> None:
    assert retrieval_scores([6, 4], 5) == {"hit@5": 0.5, "mrr": 0.125}


def test_retrieval_scores_of_nothing_are_nan() -> None:
    assert all(math.isnan(v) for v in retrieval_scores([], 5).values())


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1, 2, 3, 4], 50, 2.0),
        ([4, 3, 2, 1], 50, 2.0),  # order does not matter
        ([1, 2, 3, 4], 95, 4.0),
        ([1, 2, 3, 4], 0, 1.0),
        ([1, 2, 3, 4], 100, 4.0),
        ([0.5], 95, 0.5),
        (list(range(1, 101)), 95, 95.0),
        (list(range(1, 21)), 95, 19.0),  # ceil(0.95 * 20) = 19th value
    ],
)
def test_percentile_nearest_rank(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == expected


def test_percentile_and_mean_of_nothing_are_nan() -> None:
    assert math.isnan(percentile([], 50))
    assert math.isnan(mean([]))
    assert mean([1.0, 2.0]) == 1.5


# --- the golden file ---------------------------------------------------------


def test_golden_file_loads() -> None:
    items = load_golden()
    assert len(items) >= 100
    assert len({i.id for i in items}) == len(items)
    unanswerable = [i for i in items if not i.answerable]
    assert unanswerable and all(not i.must_include for i in unanswerable)
    assert all(i.must_include and i.doc for i in items if i.answerable)
    g001 = next(i for i in items if i.id == "g001")
    assert g001.must_include == ("30145.79亿元", "6.1%")
    assert g001.year == 2023 and g001.kind == "result"


def test_a_figure_does_not_match_inside_a_longer_number() -> None:
    # CPI 102.1 (an index) is not a 2.1% rise; 15 is not 150.
    assert not contains_all("2022年预计完成102.1%", ["2.1%"])
    assert not contains_all("新增150个", ["15"])
    assert contains_all("居民消费价格上涨2.1%，货运量增速15以上", ["2.1%", "15"])


def test_a_table_row_holds_its_figure_with_the_labels_unit() -> None:
    row = "城镇调查失业率（%）｜2022年预期目标：5.5以内｜2022年预计完成：5.4"
    assert holds_evidence(row, "5.4%") and holds_evidence(row, "5.5%以内")
    assert holds_evidence("全年平均城镇调查失业率5.4%。", "5.4%")
    assert not holds_evidence("城镇新增就业71万人，增长5.4", "5.4%")
    assert not holds_evidence(row, "5.4万人")
