"""Worked examples for qa.answer.qualifier: the asked indicator under another qualifier."""

from __future__ import annotations

from qa.answer.qualifier import other_qualifier, part_missing

URBAN = "2022年重庆城镇居民人均可支配收入增长了多少"
# 002's table row, as the passage writes it.
ALL = "全体居民人均可支配收入增速（%）\t7左右\t5.5"


def test_a_sibling_the_reports_write_elsewhere_is_another_indicator() -> None:
    elsewhere = ["2023年城镇居民人均可支配收入增长4.9%"]
    assert other_qualifier(URBAN, ALL, elsewhere) == ("城镇", "全体")
    rural = "农村居民人均可支配收入增长7%以上"
    asked = "2024年重庆全体居民人均可支配收入的增长目标是多少"
    assert other_qualifier(asked, rural, ["全体居民人均可支配收入增长5.4%"]) == ("全体", "农村")


def test_a_qualifier_the_reports_never_write_decides_nothing() -> None:
    # The reports never write 城镇居民人均可支配收入: the question's word may be its own.
    assert other_qualifier(URBAN, ALL, [ALL]) is None


def test_one_name_written_short_and_long_is_no_sibling() -> None:
    # 规上 and 以上 (of 规模以上) share a character: the same indicator.
    asked = "2023年重庆规上工业增加值增长多少"
    assert other_qualifier(asked, "规模以上工业增加值增长8.3%", ["规上工业增加值增长"]) is None


def test_the_asked_place_and_year_are_no_qualifiers() -> None:
    asked = "2023年重庆地区生产总值是多少"
    assert other_qualifier(asked, "全市地区生产总值达到30145.79亿元", ["重庆地区生产总值"]) is None
    assert other_qualifier(asked, "地区生产总值达到30145.79亿元", ["重庆地区生产总值"]) is None


def test_a_part_the_source_says_nothing_of_is_not_given() -> None:
    asked = "2023年中欧班列（成渝）中，从重庆始发的班列开行了多少列"
    whole = "中欧班列（成渝）覆盖欧亚110个城市，开行折算列5291列"
    assert part_missing(asked, whole) == "从重庆始发"
    # The source names the part: its figure may be the part's.
    assert part_missing("对接事项中，已基本落实到位的有多少项", "已基本落实到位150项") is None
    # No part asked: nothing to miss.
    assert part_missing("2023年中欧班列（成渝）开行了多少列", whole) is None
    # A part named before 有: the whole's figure does not say how many of it there are.
    asked = "2023年重庆城镇新增就业的人员中，高校毕业生有多少人"
    assert part_missing(asked, "城镇新增就业73.9万人") == "高校毕业生"
    assert part_missing(asked, "其中高校毕业生就业12万人") is None
