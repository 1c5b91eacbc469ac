"""Worked examples for qa.text.numbers: which strings are figures, and when two are the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.ingest.clean import normal_form
from qa.text.numbers import (
    Figure,
    chinese_to_int,
    equivalent,
    extract_figures,
    figure_supported,
    spell_row,
)

# From seeds/000_e3173ead8c29be09.txt (2023 results) and 002's table rows.
GDP = "全年地区生产总值迈上3万亿元新台阶，达到30145.79亿元，增长6.1%"
ROW = "地区生产总值增速（%）｜2022年预期目标：5.5左右｜2022年预计完成：2.6"


def fig(text: str) -> Figure:
    (only,) = extract_figures(text)
    return only


def triples(text: str) -> list[tuple[str, float, str]]:
    return [(f.raw, f.value, f.unit) for f in extract_figures(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GDP, [("3万亿元", 3, "万亿元"), ("30145.79亿元", 30145.79, "亿元"), ("6.1%", 6.1, "%")]),
        ("社会消费品零售总额迈上1.5万亿元台阶", [("1.5万亿元", 1.5, "万亿元")]),
        ("预期增长5.5%左右", [("5.5%左右", 5.5, "%")]),
        ("万人发明专利拥有量19.75件", [("19.75件", 19.75, "件")]),
        ("新增城镇就业71.9万人", [("71.9万人", 71.9, "万人")]),
        ("轨道交通运营里程达到575公里", [("575公里", 575, "公里")]),
        ("研发经费支出占GDP比重预计提升至2.45%", [("2.45%", 2.45, "%")]),
        ("软件业务收入增长近20%", [("近20%", 20, "%")]),
        ("进出口总值增长1倍多", [("1倍多", 1, "倍")]),
        ("汽车产量全国第2、新能源汽车", [("第2", 2, "第")]),
        ("汽车产量居全国第二位", [("第二", 2, "第")]),
        ("主营业务收入超过5200亿元", [("超过5200亿元", 5200, "亿元")]),
        ("新能源汽车产量95.3万辆", [("95.3万辆", 95.3, "万辆")]),
        ("人均地区生产总值增长6%以上", [("6%以上", 6, "%")]),
        ("提高0.5个百分点", [("0.5个百分点", 0.5, "个百分点")]),
        ("实施三年行动", [("三年", 3, "年")]),
        ("培育三百零五家企业", [("三百零五家", 305, "家")]),
        ("总投资１２３．４５亿元", [("１２３．４５亿元", 123.45, "亿元")]),
        ("总额1,234.5亿元", [("1,234.5亿元", 1234.5, "亿元")]),
        ("高标准农田200 万亩。", [("200 万亩", 200, "万亩")]),
        ("3-5年内", [("3", 3, "年"), ("5年", 5, "年")]),
        ("近5年新高", [("近5年", 5, "年")]),
        ("全市“33618”现代制造业集群", [("33618", 33618, "")]),
        ("地区生产总值**30145.79**亿元", [("30145.79**亿元", 30145.79, "亿元")]),
        ("居民消费价格指数下降-0.3%", [("-0.3%", -0.3, "%")]),
        # lengths an encyclopedia gives: 长达89 alone is no figure, 89厘米 is
        ("是一种大型鸟类，长达89厘米", [("89厘米", 89, "厘米")]),
        ("体长可达46.5公分", [("46.5公分", 46.5, "公分")]),
        ("降水量为1200毫米", [("1200毫米", 1200, "毫米")]),
    ],
)
def test_extract_figures(text: str, expected: list[tuple[str, float, str]]) -> None:
    assert triples(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024年",  # a bare year
        "2023年3月5日",  # dates
        "1-11月",
        "一是加快推进",  # list ordinals
        "（三）持续扩大内需",
        "1. 完善政策",
        "第三章 第2批",  # section and batch numbers
        "实现两位数增长",
        "增长较快[1][2]。",  # citation markers
        "5G基站与PM2.5浓度",  # identifiers
        "二〇二三年",
        "“十四五”规划",
        "两个确立",
        "统一大市场",
    ],
)
def test_not_figures(text: str) -> None:
    assert extract_figures(text) == []


def test_table_row_gives_its_unit_to_bare_values() -> None:
    assert triples(ROW) == [("5.5左右", 5.5, "%"), ("2.6", 2.6, "%")]
    assert triples(normal_form(ROW)) == triples(ROW)


def test_spans_point_into_the_original_text() -> None:
    for f in extract_figures("达到３０１４５．７９亿元，增长6.1%"):
        assert "达到３０１４５．７９亿元，增长6.1%"[f.span[0] : f.span[1]] == f.raw


def test_qualifiers_are_kept_but_do_not_change_the_value() -> None:
    near = fig("增长近20%")
    assert (near.qualifier, near.value) == ("近", 20.0)
    assert fig("约100亿元").qualifier == "约"
    assert fig("签约100亿元").qualifier == ""  # 签约 is a verb, not "about"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("3万亿元", "30000亿元"),
        ("1.5万亿元", "15000亿元"),
        ("71.9万人", "719000人"),
        ("30145.79亿元", "3014579000000元"),
        ("5.5%左右", "5.5%"),
        ("第2", "第二"),
        ("三年", "3年"),
        ("0.5百分点", "0.5个百分点"),
    ],
)
def test_equivalent(a: str, b: str) -> None:
    assert equivalent(fig(a), fig(b))
    assert equivalent(fig(b), fig(a))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("2.6%", "2.63%"),  # no rounding tolerance
        ("6.1%", "6.1亿元"),  # a percentage equals only a percentage
        ("6.1%", "6.1个百分点"),
        ("3万亿元", "3亿元"),
        ("71.9万人", "71.9万人次"),
        ("19.75件", "19.75个"),
    ],
)
def test_not_equivalent(a: str, b: str) -> None:
    assert not equivalent(fig(a), fig(b))


@pytest.mark.parametrize(
    ("figure", "passage", "supported"),
    [
        ("30000亿元", GDP, True),
        ("30145.79亿元", GDP, True),
        ("6.1%", GDP, True),
        ("6.1%", "增长16.1%", False),
        ("6.1%", "增长6.15%", False),
        ("2.63%", "增长2.6%", False),
        ("2.6%", normal_form(ROW), True),
        ("5.5%", normal_form(ROW), True),
        ("2.6", normal_form(ROW), True),  # a bare number matches whatever unit the source gave
        ("3191.43万人", "常住人口3191.43万", True),
        ("6.1亿元", GDP, False),
        ("第2", "汽车产量全国第2、新能源汽车", True),
    ],
)
def test_figure_supported(figure: str, passage: str, supported: bool) -> None:
    assert figure_supported(fig(figure), normal_form(passage)) is supported


@pytest.mark.parametrize(
    ("text", "value"),
    [("二十三", 23), ("两", 2), ("十", 10), ("三百零五", 305), ("一千二百", 1200), ("地", None)],
)
def test_chinese_to_int(text: str, value: int | None) -> None:
    assert chinese_to_int(text) == value


def test_whole_report_is_fast_and_never_yields_a_year() -> None:
    report = Path(__file__).resolve().parents[2] / "seeds" / "000_e3173ead8c29be09.txt"
    figures = extract_figures(normal_form(report.read_text(encoding="utf-8")))
    assert len(figures) > 100
    assert not [f for f in figures if f.unit in ("", "年") and 1900 <= f.value <= 2099]


def test_a_row_is_spelled_with_its_labels_unit() -> None:
    assert spell_row(ROW) == "地区生产总值增速：2022年预期目标5.5%左右，2022年预计完成2.6%"
    assert spell_row("城镇新增就业（万人）｜2022年预期目标：60以上｜2022年预计完成：71") == (
        "城镇新增就业：2022年预期目标60万人以上，2022年预计完成71万人"
    )
    # A weight in 公斤 under a magnitude, as the grain row writes it.
    assert spell_row("粮食产量（亿公斤）｜2023年预期：108.1") == "粮食产量：2023年预期108.1亿公斤"
    # A value that states its unit keeps it; a label without a unit, or a sentence, is left.
    assert spell_row("研发经费（%）｜2023年预期：2.45%") == "研发经费：2023年预期2.45%"
    ratio = "“一区”与“两群”人均地区生产总值比值｜2022年预期目标：1.8左右∶1"
    assert spell_row(ratio) == ratio
    assert spell_row(GDP) == GDP
    # What the spelled row states is what the row states.
    assert triples(spell_row(ROW)) == [("5.5%左右", 5.5, "%"), ("2.6%", 2.6, "%")]


def test_a_magnitude_s_surplus_word_keeps_the_unit() -> None:
    # "23万余张": 余 stands between the magnitude and the measure word, which still counts.
    (beds,) = extract_figures("养老床位达到23万余张")
    assert (beds.value, beds.unit, beds.qualifier) == (23.0, "万张", "余")
    (people,) = extract_figures("1.5万多人")
    assert people.unit == "万人" and people.qualifier == "多"
    assert equivalent(beds, extract_figures("23万张")[0])
