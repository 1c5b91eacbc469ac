"""Multi-year questions: which years, and differences computed in code, not by a model."""

from __future__ import annotations

import pytest

from qa.answer.compare import cited_figures, comparison_note, expand_years, is_comparison
from qa.schema import Passage


def dated(year: int | None, doc: str = "d.txt") -> Passage:
    return Passage(doc=doc, title="报告", year=year, section="", text="…", score=1.0)


P2023, P2024 = dated(2023), dated(2024)


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("2022到2024年gdp", [2022, 2023, 2024]),
        ("2022年至2024年重庆规上工业增加值每年分别增长多少？", [2022, 2023, 2024]),
        ("2022-2024年地区生产总值", [2022, 2023, 2024]),
        ("2024~2022年", [2022, 2023, 2024]),  # reversed range
        ("重庆2022年、2023年、2024年空气质量优良天数分别是多少天？", [2022, 2023, 2024]),
        ("重庆新能源汽车产量2024年比2023年多了多少？", [2023, 2024]),
        ("2023年重庆地区生产总值是多少？", [2023]),
        ("重庆市常住人口总数是多少？", []),
        # a range wider than ten years is not expanded: its two ends are still named
        ("1990到2024年", [1990, 2024]),
        # not years: amounts and longer digit runs
        ("增长2.45%，达到30145.79亿元，编号120235", []),
    ],
)
def test_expand_years(question: str, years: list[int]) -> None:
    assert expand_years(question) == years


def test_is_comparison() -> None:
    assert is_comparison("2023年和2024年gdp")
    assert is_comparison("gdp增速比较")
    assert is_comparison("实际比目标高多少")
    assert not is_comparison("2023年重庆地区生产总值是多少？")


def test_percentages_differ_in_percentage_points() -> None:
    note = comparison_note(
        "重庆2023年和2024年地区生产总值分别增长多少？",
        "2023年地区生产总值增长6.1%[1]。2024年地区生产总值增长5.7%[2]。",
        [P2023, P2024],
    )
    assert note == "（程序计算：2024年 5.7% 比 2023年 6.1% 低 0.4 个百分点）"


def test_amounts_differ_in_the_written_unit_with_percent_change() -> None:
    note = comparison_note(
        "2023年和2024年重庆地区生产总值分别是多少？",
        "2023年地区生产总值达到30145.79亿元[1]。2024年全年地区生产总值达到32193.15亿元[2]。",
        [P2023, P2024],
    )
    # 32193.15 - 30145.79 = 2047.36; 2047.36 / 30145.79 = 6.79%
    assert (
        note
        == "（程序计算：2024年 32193.15亿元 比 2023年 30145.79亿元 高 2047.36亿元，变化 6.79%）"
    )


def test_counts_with_their_unit_later_year_first() -> None:
    note = comparison_note(
        "重庆新能源汽车产量2024年比2023年多了多少？",
        "2024年新能源汽车产量达到95.3万辆[1]。2023年新能源汽车产量达到50万辆[2]。",
        [P2024, P2023],
    )
    assert note == "（程序计算：2024年 95.3万辆 比 2023年 50万辆 高 45.3万辆，变化 90.6%）"


def test_equal_values_are_level() -> None:
    note = comparison_note(
        "2024年和2025年分别计划建设多少个口袋公园？",
        "2024年计划建设口袋公园100个[1]。2025年计划建设口袋公园100个[2]。",
        [P2024, dated(2025)],
    )
    assert note == "（程序计算：2025年 100个 比 2024年 100个 持平，变化 0%）"


def test_one_note_per_unit() -> None:
    note = comparison_note(
        "2023年和2024年重庆地区生产总值分别是多少？增长多少？",
        "2023年地区生产总值达到30145.79亿元、增长6.1%[1]。"
        "2024年地区生产总值达到32193.15亿元、增长5.7%[2]。",
        [P2023, P2024],
    )
    assert note.splitlines() == [
        "（程序计算：2024年 32193.15亿元 比 2023年 30145.79亿元 高 2047.36亿元，变化 6.79%）",
        "（程序计算：2024年 5.7% 比 2023年 6.1% 低 0.4 个百分点）",
    ]


def test_the_asked_indicator_is_picked_from_a_sentence_with_several() -> None:
    note = comparison_note(
        "重庆2023年和2024年规上工业增加值分别增长多少？",
        "2023年规上工业增加值增长6.6%[1]。"
        "2024年全年地区生产总值达到32193.15亿元、增长5.7%,规上工业增加值增长7.3%[2]。",
        [P2023, P2024],
    )
    assert note == "（程序计算：2024年 7.3% 比 2023年 6.6% 高 0.7 个百分点）"


def test_different_indicators_are_never_compared() -> None:
    note = comparison_note(
        "重庆2023年和2024年地区生产总值分别增长多少？",
        "2023年地区生产总值增长6.1%[1]。2024年规上工业增加值增长7.3%[2]。",
        [P2023, P2024],
    )
    assert note == ""


def test_figures_shared_out_by_fenbie_are_not_paired() -> None:
    """g134: 2024's 6万家 is 科技型企业, 2025's 1万家 is 高新技术企业; no note may pair them."""
    note = comparison_note(
        "2025年重慶力爭高新技術企業和科技型企業分別突破多少家？",
        "力爭全市高新技術企業和科技型企業分別突破8500家和6萬家[1]。"
        "力爭高新技術企業突破1萬家、科技型企業突破7.5萬家[2]。",
        [P2024, dated(2025)],
    )
    assert note == ""


def test_no_note_when_the_question_does_not_compare() -> None:
    answer = "2023年地区生产总值增长6.1%[1]。2024年地区生产总值增长5.7%[2]。"
    assert comparison_note("重庆地区生产总值增长多少？", answer, [P2023, P2024]) == ""


def test_no_note_with_one_year_only() -> None:
    question = "2023年和2024年重庆地区生产总值分别增长多少？"
    assert comparison_note(question, "2023年地区生产总值增长6.1%[1]。", [P2023]) == ""
    # two figures, both cited to the same year
    answer = "2023年地区生产总值增长6.1%[1]。2023年地区生产总值增长6.1%[2]。"
    assert comparison_note(question, answer, [P2023, dated(2023, "other.txt")]) == ""


def test_no_note_across_different_units() -> None:
    note = comparison_note(
        "2023年和2024年重庆地区生产总值比较",
        "2023年地区生产总值突破3万亿元[1]。2024年地区生产总值达到32193.15亿元[2]。",
        [P2023, P2024],
    )
    assert note == ""


def test_no_note_for_three_years() -> None:
    """Only pairs are compared; three years of growth rates give no single difference."""
    note = comparison_note(
        "重庆2022年、2023年、2024年地区生产总值分别增长多少？",
        "2022年地区生产总值增长2.6%[1]。2023年地区生产总值增长6.1%[2]。"
        "2024年地区生产总值增长5.7%[3]。",
        [dated(2022), P2023, P2024],
    )
    assert note == ""


def test_uncited_undated_or_mixed_sentences_are_ignored() -> None:
    citations = [P2023, P2024, dated(None)]
    answer = (
        "2023年地区生产总值增长6.1%。"  # no marker
        "2024年地区生产总值增长5.7%[3]。"  # undated passage
        "两年地区生产总值分别增长6.1%、5.7%[1][2]。"  # two years in one sentence
    )
    assert cited_figures(answer, citations) == []
    assert comparison_note("2023年和2024年地区生产总值比较", answer, citations) == ""


def test_cited_figures() -> None:
    figures = cited_figures("2023年达到30145.79亿元，增长6.1%[1]。[9]不算。", [P2023])
    assert [(y, raw, str(v), u) for y, raw, v, u, _ in figures] == [
        (2023, "30145.79亿元", "30145.79", "亿元"),
        (2023, "6.1%", "6.1", "%"),
    ]
