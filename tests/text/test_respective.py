"""Worked examples for qa.text.respective: which figure a 分别 gives to which item."""

from __future__ import annotations

import pytest

from qa.text.numbers import extract_figures
from qa.text.respective import (
    asked_pairs,
    contradicted,
    item_lists,
    listed_pairs,
    misaligned,
    named,
    respective_pairs,
)

# Sentences from seeds/001 and seeds/002 in normal form.
SERVICES = (
    "获批国际商事仲裁中心建设试点和渝港澳律所合伙联营试点,"
    "租赁和商务服务业、交通运输仓储和邮政业营业收入分别增长11.7%、8.6%。"
)
LOANS = "金融机构本外币存贷款余额分别增长8%、6.7%"


def fig(text: str):  # type: ignore[no-untyped-def]
    return extract_figures(text)[0]


def pairs(text: str) -> list[tuple[str, str]]:
    return [(p.item, p.figure.raw) for p in respective_pairs(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 、 separates the items; 和 inside an item's name stays.
        (SERVICES, [("租赁和商务服务业", "11.7%"), ("交通运输仓储和邮政业营业收入", "8.6%")]),
        (
            "农业、工业、服务业增加值分别增长4.6%、5.8%、5.9%",
            [("农业", "4.6%"), ("工业", "5.8%"), ("服务业增加值", "5.9%")],
        ),
        # Without 、, 和 separates them; a line break inside 分别 is still 分别.
        (
            "力争全市高新技术企业和科技型企业分\n别突破8500家和6万家",
            [("力争全市高新技术企业", "8500家"), ("科技型企业", "6万家")],
        ),
        # A compressed pair of words is opened: the head (存贷款), not the modifier (本外币).
        (LOANS, [("金融机构本外币存款余额", "8%"), ("金融机构本外币贷款余额", "6.7%")]),
        ("进出口总额分别增长5%、6%", [("进口总额", "5%"), ("出口总额", "6%")]),
        # Counts that differ give no pairs rather than wrong ones.
        ("五大领域分别完成投资43.5亿元、1021.5亿元、152亿元", []),
        ("分别入选标杆项目、标杆企业", []),
        ("全年地区生产总值达到30145.79亿元，增长6.1%", []),
    ],
)
def test_pairs(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


def test_an_item_is_named_by_the_words_only_it_has() -> None:
    items = ("租赁和商务服务业", "交通运输仓储和邮政业营业收入")
    assert named("交通运输仓储和邮政业增长了多少？", items) == [False, True]
    assert named("营业收入增长了多少？", items) == [False, False]
    # A compressed pair names both of its words.
    assert named("存贷款余额", ("本外币存款余额", "本外币贷款余额")) == [True, True]


def test_a_figure_given_to_another_item_is_misaligned() -> None:
    wrong = misaligned("2024年交通运输仓储和邮政业营业收入增长11.7%", fig("11.7%"), SERVICES)
    assert wrong is not None and wrong.item == "租赁和商务服务业"
    assert misaligned("交通运输仓储和邮政业营业收入增长8.6%", fig("8.6%"), SERVICES) is None
    wrong = misaligned("2022年重庆本外币贷款余额增长8%", fig("8%"), LOANS)
    assert wrong is not None and wrong.item == "金融机构本外币存款余额"


def test_a_sentence_naming_no_item_is_read_with_the_question() -> None:
    asked = "2022年重庆本外币贷款余额增长了多少？"
    assert misaligned("增长8%", fig("8%"), LOANS, asked) is not None
    assert misaligned("增长6.7%", fig("6.7%"), LOANS, asked) is None
    assert misaligned("增长8%", fig("8%"), LOANS) is None  # nothing to tell by


def test_a_figure_of_a_group_nobody_asked_about_is_misaligned() -> None:
    invest = "市级重点项目超额完成年度投资计划,水利、能源投资分别增长39.8%、33.7%"
    asked = "2024年重庆固定资产投资实际增长了多少？"
    wrong = misaligned("2024年重庆固定资产投资实际增长39.8%", fig("39.8%"), invest, asked)
    assert wrong is not None and wrong.item == "水利"
    assert misaligned("水利投资增长39.8%", fig("39.8%"), invest, asked) is None
    asked = "2024年重庆水利方面的投资增长了多少？"
    assert misaligned("增长39.8%", fig("39.8%"), invest, asked) is None


def test_a_sentence_keeping_the_group_or_a_figure_stated_elsewhere_is_not_misaligned() -> None:
    asked = "2022年重庆本外币贷款余额增长了多少？"
    assert misaligned("存贷款余额分别增长8%、6.7%", fig("8%"), LOANS, asked) is None
    # 8% is also stated on its own: the sentence may mean that one.
    both = LOANS + "。本外币贷款余额全年增长8%"
    assert misaligned("本外币贷款余额增长8%", fig("8%"), both) is None


def test_a_neighbouring_figure_stated_for_a_paired_item_is_contradicted() -> None:
    trade = "实物商品网上零售额增长16.4%,批发、零售销售额分别增长12.9%、8.4%"
    wrong = contradicted("2024年零售销售额增长16.4%", fig("16.4%"), trade)
    assert wrong is not None and wrong.item == "零售销售额" and wrong.figure.raw == "8.4%"
    # The item's own figure, or the figure said of what it belongs to, stands.
    assert contradicted("零售销售额增长8.4%", fig("8.4%"), trade) is None
    assert contradicted("网上零售额增长16.4%", fig("16.4%"), trade) is None
    # Another unit is another measure of the item, not a contradiction.
    assert contradicted("零售销售额增长16亿元", fig("16亿元"), trade) is None


def test_asked_pairs_are_the_named_items_pairs() -> None:
    asked = "2024年交通运输仓储和邮政业增长了多少？"
    assert asked_pairs(SERVICES, asked) == "交通运输仓储和邮政业营业收入增长8.6%"
    assert asked_pairs(LOANS, "2022年贷款余额增长多少？") == "金融机构本外币贷款余额增长6.7%"
    # A question naming every item, or none, has nothing to pick.
    assert asked_pairs(LOANS, "存款和贷款余额分别增长多少？") == ""
    assert asked_pairs(LOANS, "增长了多少？") == ""


def test_item_lists() -> None:
    assert item_lists("批发、零售销售额分别增长12.9%、8.4%") == [("批发", "零售销售额")]
    assert item_lists("加快发展现代金融、大健康") == [("加快发展现代金融", "大健康")]
    # Runs holding figures are clauses, not names.
    assert item_lists("建成口袋公园117个、山城步道107公里") == []


# seeds/001 in normal form: a plain list, each item with its own figure, no 分别.
BUILT = "建成山城步道90公里、山城绿道157公里、口袋公园100个,盘活停车泊位5.3万个"


def test_listed_pairs_read_a_plain_list() -> None:
    got = [(p.item, p.figure.raw, BUILT[slice(*p.figure.span)]) for p in listed_pairs(BUILT)]
    assert got == [
        ("建成山城步道", "90公里", "90公里"),
        ("山城绿道", "157公里", "157公里"),
        ("口袋公园", "100个", "100个"),
    ]
    # Not a list of items: one figure, a run with two figures, a run with none.
    assert listed_pairs("盘活停车泊位5.3万个") == []
    assert listed_pairs("地区生产总值30145.79亿元增长6.1%、工业增长6.6%") == []
    assert listed_pairs("汽车、手机出口增长23.8%") == []


def test_a_figure_of_a_plain_list_given_to_another_item_is_misaligned() -> None:
    # The model's "实际建成90公里山城绿道" took 山城步道's figure.
    wrong = misaligned("实际建成90公里山城绿道", fig("90公里"), BUILT)
    assert wrong is not None and wrong.item == "建成山城步道"
    assert misaligned("建成山城绿道157公里", fig("157公里"), BUILT) is None
    assert misaligned("建成山城步道90公里", fig("90公里"), BUILT) is None
    # Naming no item of the list, the sentence may restate it in its own words.
    assert misaligned("新修散步的步道90公里", fig("90公里"), BUILT, "绿道有多长") is None


def test_a_figure_and_its_growth_are_not_two_items() -> None:
    gdp = "全年地区生产总值达到32193.15亿元、增长5.7%,规上工业增加值增长7.3%"
    assert contradicted("规上工业增加值增长7.3%", fig("7.3%"), gdp) is None
    assert misaligned("地区生产总值增长5.7%", fig("5.7%"), gdp) is None


def test_a_pair_said_together_does_not_give_one_of_it() -> None:
    from qa.text.respective import said_together

    trade = "外贸进出口达到8158.4亿元，增长2%"
    assert said_together("2022年重庆外贸出口额是多少亿元", trade)
    assert not said_together("2022年重庆外贸进出口额是多少亿元", trade)
    # 分别 gives each of the pair its own figure.
    assert not said_together("本外币贷款余额增长多少", "本外币存贷款余额分别增长8%、6.7%")
    # A magnitude before a unit is no pair; nor is a word that only ends with one.
    assert not said_together("涉及多少美元", "金额3.9亿美元")
    assert not said_together("多少个农贸市场", "打造20个标准化菜市场")
