"""Follow-up questions become self-contained questions before retrieval."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from qa.answer.referent import place_span, swap_counted, there_named
from qa.answer.rewrite import (
    dated,
    exchanges,
    is_follow_up,
    standalone_question,
    user_turns,
)

GDP_2023 = "2023年重庆地区生产总值是多少？"
TUPLES = [(GDP_2023, "2023年重庆地区生产总值达到30145.79亿元[1]。")]
DICTS = [
    {"role": "user", "content": GDP_2023},
    {"role": "assistant", "content": "2023年重庆地区生产总值达到30145.79亿元[1]。"},
]


@pytest.mark.parametrize("history", [TUPLES, DICTS], ids=["tuples", "role-dicts"])
def test_another_year(history: list[Any]) -> None:
    assert standalone_question("那2024年呢？", history) == "2024年重庆地区生产总值是多少？"


@pytest.mark.parametrize("history", [TUPLES, DICTS], ids=["tuples", "role-dicts"])
def test_another_indicator(history: list[Any]) -> None:
    assert (
        standalone_question("那规上工业增加值呢？", history) == "2023年重庆规上工业增加值是多少？"
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("那么2022年的呢？", "2022年重庆地区生产总值是多少？"),
        ("2024年呢", "2024年重庆地区生产总值是多少？"),
        ("那2024年呢?", "2024年重庆地区生产总值是多少？"),
        # full-width digits, as Chinese input methods type them
        ("那２０２４年呢？", "2024年重庆地区生产总值是多少？"),
        ("其中工业投资呢？", "2023年重庆工业投资是多少？"),
    ],
)
def test_follow_up_variants(question: str, expected: str) -> None:
    assert standalone_question(question, TUPLES) == expected


def test_several_new_years_replace_the_one_asked_before() -> None:
    out = standalone_question("那2022年和2024年呢？", TUPLES)
    assert out == "2022年和2024年重庆地区生产总值是多少？"


def test_another_year_and_the_target() -> None:
    out = standalone_question("那2024年的目标呢？", TUPLES)
    assert out == "2024年重庆地区生产总值的目标是多少？"
    # A year and the kind alone name no topic: the question before gives it.
    out = standalone_question("2024年的目标是多少？", TUPLES)
    assert out == "2024年重庆地区生产总值的目标是多少？"
    # The target of a change is the growth target.
    growth = [("2023年重庆接待过夜游客人数增长了多少？", "…")]
    out = standalone_question("2024年的目标是多少？", growth)
    assert out == "2024年重庆接待过夜游客人数增长的目标是多少？"
    # Verbs one after another are one action, planned as one.
    jobs = [("2024年重庆城镇新增就业多少人？", "…")]
    assert standalone_question("那2025年的目标呢？", jobs) == "2025年重庆城镇计划新增就业多少人？"
    # A question naming its own topic is its own.
    assert (
        standalone_question("2024年税收收入的目标是多少？", growth)
        == "2024年税收收入的目标是多少？"
    )


@pytest.mark.parametrize(
    ("base", "question", "expected"),
    [
        # the target, then the result, of the same indicator
        (GDP_2023, "那目标呢？", "2023年重庆地区生产总值的目标是多少？"),
        ("2023年重庆社会消费品零售总额增长多少？", "那目标呢？", "2023年重庆社会消费品零售总额增长的目标是多少？"),
        ("2024年重庆计划新增多少个停车位？", "实际完成了多少？", "2024年重庆实际新增多少个停车位？"),
        # 实际 says which kind, it names no thing: the same count, of the result
        ("2024年重庆计划新增多少平方米城市绿地？", "实际新增了多少？",
         "2024年重庆实际新增多少平方米城市绿地？"),
        ("2024年重庆税收的增长目标是多少？", "那实际呢？", "2024年重庆税收的增长实际是多少？"),
        # how the target went: the result of the same indicator
        ("2022年重庆社会消费品零售总额增速的目标是多少？", "最后实际完成得怎么样？",
         "2022年重庆社会消费品零售总额增速实际是多少？"),
        ("2022年重庆文化产业增加值增速的目标定的是多少？", "实际完成得怎么样？",
         "2022年重庆文化产业增加值增速实际是多少？"),
        # how much more than the year before
        ("2023年重庆新引进人才多少人？", "比上年增长了多少？", "2023年重庆新引进人才比上年增长了多少？"),
        ("2022年重庆城镇新增就业多少人？", "比上年多了多少？", "2022年重庆城镇新增就业比上年多了多少？"),
        # another year, brought by 到, asking a change of a share (增加值 is no change)
        ("2023年重庆战略性新兴产业增加值占规上工业增加值的比重是多少？", "到2024年提高到多少了？",
         "2024年重庆战略性新兴产业增加值占规上工业增加值的比重提高到多少了？"),
        # 有 says there is some: it is no part of what changed
        ("2022年末重庆市场主体总量有多少户？", "比上年增长了多少？",
         "2022年末重庆市场主体总量比上年增长了多少？"),
        # the change is of what was counted, not of the verb that carried it to its level
        ("2024年重庆空气质量优良天数达到了多少天？", "比上年多了几天？",
         "2024年重庆空气质量优良天数比上年多了几天？"),
        # the result of a target, asked with its unit
        ("2022年重庆高新技术企业数量的预期目标是多少家？", "实际达到了多少家？",
         "2022年重庆高新技术企业数量实际是多少家？"),
        # the result of a word that takes the place of the one whose target was asked
        ("2024年重庆技术合同交易额的目标是多少？", "实际成交额是多少？",
         "2024年重庆技术合同成交额实际是多少？"),
        # another indicator of the same kind
        ("2023年重庆本外币存款余额增长了多少？", "贷款呢？", "2023年重庆本外币贷款余额增长了多少？"),
        ("2022年城镇居民收入增长多少？", "换成农村居民呢？", "2022年农村居民收入增长多少？"),
        # pronouns
        ("截至2024年碳市场累计成交多少万吨？", "这个数在2023年是多少？", "截至2023年碳市场累计成交多少万吨？"),
        ("2023年林带新建了多少万亩？", "它2024年又建了多少？", "2024年林带新建了多少万亩？"),
        # the pronoun stands for what was counted, or asked about
        ("2022年重庆新引进了多少家创新机构？", "它们累计有多少家了？", "2022年重庆创新机构累计有多少家了？"),
        (GDP_2023, "它的增速是多少？", "2023年重庆地区生产总值增速是多少？"),
        # a follow-up naming an indicator of its own keeps it, with the year before
        ("2024年重庆力争高新技术企业突破多少家？", "那新培育专精特新企业的目标是多少家？",
         "2024年重庆新培育专精特新企业的目标是多少家？"),
    ],
)  # fmt: skip
def test_follow_ups_over_one_base(base: str, question: str, expected: str) -> None:
    assert standalone_question(question, [(base, "…")]) == expected


@pytest.mark.parametrize(
    ("base", "question", "expected"),
    [
        ("2023年重庆科技型企业达到多少家？", "专精特新企业呢？", "2023年重庆专精特新企业达到多少家？"),
        ("2025年重庆计划推进多少个两江四岸整体提升项目？", "城市功能品质提升示范项目呢？",
         "2025年重庆计划推进多少个城市功能品质提升示范项目？"),
        ("2023年产业优化升级领域年度计划完成投资多少？", "城市更新提升领域呢？",
         "2023年城市更新提升领域年度计划完成投资多少？"),
        # a place right before the noun is its kind (中欧班列), replaced with its bracket
        ("2023年中欧班列（成渝）开行了多少列？", "那渝满俄班列呢？",
         "2023年渝满俄班列开行了多少列？"),
        # a place before the whole phrase is the question's place, and stays
        ("2023年重庆中欧班列开行了多少列？", "那渝满俄班列呢？",
         "2023年重庆渝满俄班列开行了多少列？"),
        # a name in quotation marks modifies the noun as one word
        ("2023年成都国家级专精特新“小巨人”企业累计有多少家？", "单项冠军企业呢？",
         "2023年成都单项冠军企业累计有多少家？"),
    ],
)  # fmt: skip
def test_a_phrase_with_the_same_head_noun_takes_the_place_of_the_one_asked(
    base: str, question: str, expected: str
) -> None:
    assert standalone_question(question, [(base, "…")]) == expected


def test_another_group_of_two_words_takes_the_place_of_the_group_asked() -> None:
    # 全体居民 is cut 全体 + 居民: the two together are what 农村居民 replaces.
    history = [("2022年成都全体居民人均可支配收入增长了多少？", "…")]
    assert (
        standalone_question("农村居民呢？", history)
        == "2022年成都农村居民人均可支配收入增长了多少？"
    )


def test_a_word_of_the_same_kind_replaces_the_whole_word_asked() -> None:
    # 服务业 for 农业: jieba cuts 重庆 + 农业, and no part of 重庆 is kept ("重庆重服务业").
    history = [("2023年成都农业增加值增长了多少？", "…")]
    assert standalone_question("那服务业呢？", history) == "2023年成都服务业增加值增长了多少？"
    # ...and a shorter one replaces it whole (服务业 -> 农业, not 服农业).
    history = [("2023年成都服务业增加值增长了多少？", "…")]
    assert standalone_question("那农业呢？", history) == "2023年成都农业增加值增长了多少？"


def test_another_indicator_after_a_change_asks_its_change() -> None:
    # 几天 counts the days of the indicator before; the change asked stays, in no unit.
    history = [("2024年成都空气质量优良天数是多少天？", "…"), ("比上年增加了几天？", "…")]
    assert standalone_question("PM2.5浓度呢？", history) == "2024年成都PM2.5浓度比上年增加了多少？"
    # A verb of the thing before (开行 of 班列) is not asked of another thing.
    history = [("2024年成都中欧班列开行了多少列？", "…")]
    assert standalone_question("那货运量呢？", history) == "2024年成都货运量是多少？"


def test_a_follow_up_of_a_follow_up_keeps_what_the_first_changed() -> None:
    history = [("2023年重庆本外币存款余额增长了多少？", "…"), ("那贷款余额呢？", "…")]
    assert standalone_question("2022年的呢？", history) == "2022年重庆本外币贷款余额增长了多少？"


def test_traditional_follow_up() -> None:
    history = [("2023年重慶地區生產總值是多少？", "…")]
    assert standalone_question("那2024年呢？", history) == "2024年重慶地區生產總值是多少？"


def test_year_with_a_base_that_has_no_year() -> None:
    history = [("重庆地区生产总值是多少？", "…")]
    assert standalone_question("那2024年呢？", history) == "2024年重庆地区生产总值是多少？"


def test_chained_follow_ups_use_the_last_self_contained_question() -> None:
    history = [
        (GDP_2023, "…30145.79亿元[1]。"),
        ("那2024年呢？", "…32193.15亿元[1]。"),
    ]
    assert standalone_question("那2022年呢？", history) == "2022年重庆地区生产总值是多少？"
    dicts = [
        {"role": "user", "content": GDP_2023},
        {"role": "assistant", "content": "…"},
        {"role": "user", "content": "那2024年呢？"},
        {"role": "assistant", "content": "…"},
    ]
    assert standalone_question("那2022年呢？", dicts) == "2022年重庆地区生产总值是多少？"


def test_the_latest_full_question_is_the_base() -> None:
    history = [
        (GDP_2023, "…"),
        ("2024年重庆规上工业增加值增长多少？", "…"),
    ]
    assert standalone_question("那2023年呢？", history) == "2023年重庆规上工业增加值增长多少？"


@pytest.mark.parametrize(
    "question",
    [
        "2024年重庆新能源汽车产量是多少？",
        "重庆2022年、2023年、2024年空气质量优良天数分别是多少天？",
        "2024年重庆计划建设多少公里山城绿道？实际建成多少？",
    ],
)
@pytest.mark.parametrize("history", [TUPLES, DICTS], ids=["tuples", "role-dicts"])
def test_full_questions_are_unchanged(question: str, history: list[Any]) -> None:
    assert standalone_question(question, history) == question


def test_without_history_nothing_changes() -> None:
    assert standalone_question("那2024年呢？", []) == "那2024年呢？"


def test_only_follow_ups_in_history_changes_nothing() -> None:
    assert standalone_question("那2024年呢？", [("那2023年呢？", "…")]) == "那2024年呢？"


def test_is_follow_up() -> None:
    assert is_follow_up("那2024年呢？")
    assert is_follow_up("那規上工業增加值呢？")
    assert not is_follow_up(GDP_2023)
    assert is_follow_up("2024年的目标是多少？")
    assert not is_follow_up("2024年税收收入的目标是多少？")
    # The unit a figure is asked in names nothing of its own.
    assert is_follow_up("实际达到了多少家？")
    assert is_follow_up("到2024年提高到多少了？")
    assert is_follow_up("比上年多了几天？")
    assert not is_follow_up("实际达到了多少家企业？")
    assert not is_follow_up("？")
    # How it went is a follow-up only when it says whether the target or the result.
    assert is_follow_up("最后实际完成得怎么样？")
    assert not is_follow_up("结果怎么样？")
    assert not is_follow_up("目标完成情况如何？")
    too_long = "那么" + "重庆地区生产总值增长" * 5 + "呢？"  # too long to be elliptical
    assert not is_follow_up(too_long)


def test_user_turns_reads_both_formats_and_skips_blanks() -> None:
    assert user_turns(TUPLES) == [GDP_2023]
    assert user_turns(DICTS) == [GDP_2023]
    mixed: list[Any] = [
        ["甲？", "答"],
        {"role": "assistant", "content": "乙"},
        {"role": "user", "content": "  "},
        (),
        {"role": "user", "content": "丙？"},
    ]
    assert user_turns(mixed) == ["甲？", "丙？"]


def asking_over(found: dict[str, list[str]]) -> Callable[[str, str], str]:
    """A follow-up asked after a base question, the reports' passages naming a phrase
    being ``found[phrase]``."""

    def ask(base: str, follow_up: str) -> str:
        return standalone_question(follow_up, [(base, "…")], lambda p: found.get(p, []))

    return ask


def test_a_thing_the_reports_count_after_the_same_verb_takes_the_counted_things_place() -> None:
    # seeds/004 and 000: the verb the question counts with stands right before the new
    # thing, and a figure right after it gives the unit to ask in.
    found = {
        "养老床位": ["新增公办幼儿园学位1.7万个、托位4万个。新增养老床位4080张。"],
        "专项国债资金": ["争取中央预算内投资169.2亿元、争取专项国债资金242亿元。"],
        "山城步道": ["建成口袋公园117个、山城步道107公里"],
    }

    ask = asking_over(found)

    assert ask("2023年重庆新增公办幼儿园学位多少个？", "养老床位呢？") == (
        "2023年重庆新增养老床位多少张？"
    )
    assert ask("2023年重庆争取到了多少中央预算内投资？", "专项国债资金呢？") == (
        "2023年重庆争取专项国债资金多少亿元？"
    )
    # Another verb (建成, not 新增) before it: the count is not carried over.
    assert ask("2023年重庆新增城市绿地多少平方米？", "山城步道呢？") == "2023年山城步道是多少？"


def test_another_item_of_a_list_the_reports_give_takes_the_asked_items_place() -> None:
    found = {
        "零售": ["批发、零售销售额分别增长12.9%、8.4%"],
        "交通运输仓储和邮政业": ["租赁和商务服务业、交通运输仓储和邮政业营业收入分别增长9%、7%"],
        "零售销售额": ["批发销售额、零售销售额分别增长12.9%、8.4%"],
    }

    def mentions(phrase: str) -> list[str]:
        return found.get(phrase, [])

    def ask(base: str, follow_up: str) -> str:
        return standalone_question(follow_up, [(base, "…")], mentions)

    # The two words share no character: only the reports' list says they go together.
    assert ask("2024年重庆批发销售额增长了多少？", "零售呢？") == "2024年重庆零售销售额增长了多少？"
    assert ask("2024年重庆租赁和商务服务业营业收入增长了多少？", "交通运输仓储和邮政业呢？") == (
        "2024年重庆交通运输仓储和邮政业营业收入增长了多少？"
    )
    # Listed whole, the item is replaced whole.
    assert ask("2024年重庆批发销售额增长了多少？", "零售销售额呢？") == (
        "2024年重庆零售销售额增长了多少？"
    )
    # Without such a list, the rules' question stands.
    assert standalone_question("零售呢？", [("2024年重庆批发销售额增长了多少？", "…")]) == (
        "2024年重庆零售增长了多少？"
    )


def test_a_common_word_is_looked_up_with_the_question_it_follows() -> None:
    listed = "城镇、农村居民低保标准分别提高至每人每月717元、581元"

    def mentions(phrase: str) -> list[str]:
        # 农村 alone finds other rural passages; with the question's words, the list.
        return [listed] if "低保" in phrase else ["农村卫生厕所普及率达到87.8%"]

    base = "2022年重庆城镇居民低保标准提高到每人每月多少元？"
    assert standalone_question("农村的呢？", [(base, "…")], mentions) == (
        "2022年重庆农村居民低保标准提高到每人每月多少元？"
    )


def test_a_count_of_nothing_named_counts_what_the_question_before_counted() -> None:
    workshops = [("2023年重庆新建了多少个数字化车间？", "…")]
    # A year and the kind are all it adds: the same count, planned for 2024.
    assert standalone_question("2024年计划新建多少个？", workshops) == (
        "2024年重庆计划新建多少个数字化车间？"
    )
    experts = [("2022年重庆新增了几位国家“杰青”？", "…")]
    # Asked by another measure word, the noun leads: not "多少人国家“杰青”".
    assert standalone_question("累计有多少人了？", experts) == "2022年重庆国家“杰青”累计有多少人？"
    assert (
        standalone_question("2023年累计有多少人？", experts) == "2023年重庆国家“杰青”累计有多少人？"
    )
    firms = [("截至2023年重庆累计有多少家国家级专精特新企业？", "…")]
    assert standalone_question("当年新增多少家？", firms) == (
        "2023年重庆新增多少家国家级专精特新企业？"
    )


def test_a_count_after_a_question_asking_which_things_counts_those_things() -> None:
    projects = [("按2023年的计划，重庆中心城区要建成哪些重大项目？", "…")]
    # The count's own verb takes the place of the one before 哪些.
    assert standalone_question("新开工的有多少个？", projects) == (
        "按2023年的计划，重庆中心城区要新开工多少个重大项目？"
    )
    reforms = [("2024年重庆要推进哪些改革？", "…")]
    assert standalone_question("一共有多少个？", reforms) == "2024年重庆要推进多少个改革？"
    # A count naming a thing of its own is not of those things.
    assert "哪些" not in standalone_question("区县有多少个？", reforms)
    assert "改革" not in standalone_question("区县有多少个？", reforms)


def test_this_and_a_noun_point_to_the_phrase_that_noun_ends() -> None:
    from qa.answer.referent import referent

    asked = [("2025年重庆的重点民生实事里有城乡供水一体化工程吗？", "…")]
    assert standalone_question("这个工程计划实施多少个？", asked) == (
        "2025年重庆城乡供水一体化工程计划实施多少个？"
    )
    # Only a noun points: a verb after the pronoun leaves the earlier rules.
    assert referent("2023年重庆规上工业增加值增长多少？", "增长了多少") is None
    assert referent("2023年重庆新建了多少个口袋公园？", "工程计划实施多少个") is None


def test_a_count_naming_its_own_topic_stays_as_asked() -> None:
    workshops = [("2023年重庆新建了多少个数字化车间？", "…")]
    # 就业 is not in the question before: this asks about something else.
    assert standalone_question("2023年重庆新增就业多少人？", workshops) == (
        "2023年重庆新增就业多少人？"
    )
    # A question before that counts nothing gives nothing to count.
    gdp = [("2023年重庆地区生产总值是多少？", "…")]
    assert standalone_question("2024年新增多少个？", gdp) == "2024年新增多少个？"


def test_a_follow_up_naming_what_it_counts_keeps_its_own_topic() -> None:
    hospitals = [("截至2024年重庆累计建成多少家三甲医院？", "…")]
    # 区县域卫生次中心 stands before the count: it is what is counted, not 三甲医院.
    found = ["累计建成三甲医院55家、区县域卫生次中心32家"]
    rewritten = standalone_question(
        "当年区县域卫生次中心建成了多少家？", hospitals, lambda p: found
    )
    assert "区县域卫生次中心" in rewritten and "三甲医院" not in rewritten


def test_a_count_may_add_a_verb_the_reports_count_the_same_noun_with() -> None:
    renewal = [("2023年重庆实施了多少个城市更新项目？", "…")]

    def mentions(phrase: str) -> list[str]:
        return ["持续推进226个城市更新示范项目"] if phrase == "城市更新项目" else []

    assert standalone_question("2024年计划推进多少个？", renewal, mentions) == (
        "2024年重庆计划推进多少个城市更新项目？"
    )
    # A verb alone names nothing new: the count is of the same projects, done otherwise.
    assert standalone_question("2024年计划推进多少个？", renewal) == (
        "2024年重庆计划推进多少个城市更新项目？"
    )


def test_another_noun_the_reports_count_in_the_asked_unit_takes_the_counted_nouns_place() -> None:
    found = {
        "山城步道": ["建成口袋公园117个、山城步道90公里"],
        "口袋公园": ["更新提质41个城市公园，增加100个口袋公园"],
        "研发投入": ["全社会研发投入增长12%、强度2.5%"],
    }

    ask = asking_over(found)

    assert ask("2024年重庆建成了多少公里山城绿道？", "山城步道呢？") == (
        "2024年重庆建成了多少公里山城步道？"
    )
    # The counted noun and the kind (计划) stay as the question before asked them.
    assert ask("2023年重庆计划更新提质多少个城市公园？", "口袋公园呢？") == (
        "2023年重庆计划更新提质多少个口袋公园？"
    )
    # Never counted in 个, 研发投入 is asked as an indicator of its own.
    assert ask("2023年重庆新建了多少个数字化车间？", "研发投入呢？") == "2023年重庆研发投入是多少？"
    assert swap_counted("2023年重庆新建了多少个数字化车间？", "研发投入", found["研发投入"]) is None
    # A time is no counted noun, even where the reports count beside it.
    by_april = "2025年4月前重庆力争贯通多少个实战应用？"
    assert swap_counted(by_april, "年底", ["4月贯通实战应用超过200个、年底超过260个"]) is None


def test_an_amount_asked_without_a_time_is_asked_of_the_conversations_years() -> None:
    turns = [("2022年重庆新实施了多少个智能化改造项目？", "…")]
    assert standalone_question("新认定了多少个智能工厂？", turns) == (
        "2022年重庆新认定了多少个智能工厂？"
    )
    # After a target asked, a question that says no kind asks a target too; one that
    # says its kind keeps it.
    planned = [("2024年重庆计划新增多少个城镇义务教育学位？", "…")]
    assert standalone_question("学前教育普惠率要保持在多少？", planned) == (
        "2024年重庆计划学前教育普惠率要保持在多少？"
    )
    assert (
        standalone_question("实际新建了多少所幼儿园？", planned) == "2024年实际新建了多少所幼儿园？"
    )
    # A question with a time of its own, or asking no amount, is left alone.
    assert dated("去年新认定了多少个智能工厂？", turns[0][0]) is None
    assert dated("2023年新认定了多少个智能工厂？", turns[0][0]) is None
    assert dated("什么是智能工厂？", turns[0][0]) is None
    # A question naming no thing at all asks of what the question before asked about.
    about = "2022年重庆生活垃圾处理设施建设情况怎么样？"
    assert dated("新（扩）建了多少座？", about) == (
        "2022年重庆生活垃圾处理设施建设情况新（扩）建了多少座？"
    )
    # A third turn is read over the second one as rewritten.
    assert (
        standalone_question(
            "数字化车间呢？",
            [*turns, ("新认定了多少个智能工厂？", "…")],
            lambda p: ["新认定智能工厂22个、数字化车间160个"] if p == "数字化车间" else [],
        )
        == "2022年重庆新认定了多少个数字化车间？"
    )


@pytest.mark.parametrize(
    ("before", "question", "expected"),
    [
        # A bare 这 is the figure just asked for.
        (
            "2022年重庆市级重大项目中，乡村振兴板块完成了多少投资？",
            "这相当于年度计划的百分之多少？",
            "2022年重庆市级重大项目中，乡村振兴板块完成投资相当于年度计划的百分之多少？",
        ),
        (GDP_2023, "这比上年增长了多少？", "2023年重庆地区生产总值比上年增长了多少？"),
        # A comparison with no subject compares that figure.
        (
            "2022年重庆市级重大项目全年完成了多少投资？",
            "比年度计划超出了多少？",
            "2022年重庆市级重大项目全年完成投资比年度计划超出了多少？",
        ),
        (
            "2023年重庆民间投资（不含房地产）增长了多少？",
            "比全市投资增速高出多少？",
            "2023年重庆民间投资（不含房地产）增长比全市投资增速高出多少？",
        ),
        # The change is said once.
        (
            "2023年重庆社会消费品零售总额增长多少？",
            "比上年增长了多少？",
            "2023年重庆社会消费品零售总额比上年增长了多少？",
        ),
    ],
)
def test_a_bare_this_or_a_comparison_without_subject_speaks_of_the_figure_asked_before(
    before: str, question: str, expected: str
) -> None:
    assert is_follow_up(question)
    assert standalone_question(question, [(before, "…")]) == expected


def test_this_with_a_measure_word_is_not_a_bare_this() -> None:
    # "这项政策" names what it points to: not read as the figure asked before.
    got = standalone_question("这项政策有多少条？", [(GDP_2023, "…")])
    assert "地区生产总值" not in got


def test_then_means_the_year_the_answer_gave_to_a_question_asking_when() -> None:
    history = [("重庆是在哪一年实现“县县通高速”的？", "重庆在2022年实现“县县通高速”[1]。")]
    got = standalone_question("当年有多少公里高速公路建成通车？", history)
    assert got == "2022年重庆有多少公里高速公路建成通车？"
    # A reply naming several years does not say which one: nothing is assumed.
    vague = [("重庆是在哪一年实现“县县通高速”的？", "2021年启动，2022年实现[1]。")]
    assert "2022年" not in standalone_question("当年有多少公里高速公路建成通车？", vague)


def test_exchanges_pair_each_question_with_its_reply() -> None:
    assert exchanges(DICTS) == [(GDP_2023, "2023年重庆地区生产总值达到30145.79亿元[1]。")]
    assert exchanges([(GDP_2023, "")]) == [(GDP_2023, "")]


@pytest.mark.parametrize(
    ("before", "question", "expected"),
    [
        # 打算 asks the plan; the count keeps its noun, 计划 goes before the verb.
        (
            "2023年重庆新增了多少城市绿地？",
            "那2024年打算再新增多少？",
            "2024年重庆计划新增多少城市绿地？",
        ),
        (
            "2023年重庆新建、改造了多少座城市公厕？",
            "那2024年打算新建改造多少座？",
            "2024年重庆计划新建、改造多少座城市公厕？",
        ),
        # "到2025年": the preposition goes with the year; "定的" asks nothing new.
        (
            "2023年重庆全体居民人均可支配收入增长了多少？",
            "到2025年，这个指标的目标定的是多少？",
            "2025年重庆全体居民人均可支配收入增长的目标是多少？",
        ),
    ],
)
def test_a_follow_up_asking_the_plan_asks_the_same_indicator_s_target(
    before: str, question: str, expected: str
) -> None:
    assert standalone_question(question, [(before, "…")]) == expected


@pytest.mark.parametrize(
    ("before", "question", "expected"),
    [
        # 第二年 is the year after the one asked before; "定的" asks nothing new.
        (
            "2023年重庆固定资产投资增长了多少？",
            "第二年定的增长目标是多少？",
            "2024年重庆固定资产投资增长的目标是多少？",
        ),
        (
            "2023年重庆固定资产投资增长了多少？",
            "那前一年呢？",
            "2022年重庆固定资产投资增长了多少？",
        ),
        # A result asked after a target: 实际 goes with the verb, or takes the target's place.
        (
            "2024年重庆力争高新技术企业突破多少家？",
            "那当年实际达到了多少家？",
            "2024年重庆高新技术企业实际突破多少家？",
        ),
        (
            "2024年重庆巴渝和美乡村创建达标率的目标是多少？",
            "实际达到了多少？",
            "2024年重庆巴渝和美乡村创建达标率实际是多少？",
        ),
        # A target asked after a result is not said as done (突破了 reads as the result).
        (
            "2024年重庆技术合同成交额实际突破了多少亿元？",
            "那当初定的目标是多少？",
            "2024年重庆技术合同成交额目标突破多少亿元？",
        ),
        # A count done otherwise (完工 for 开工) counts the same thing, in its own year.
        (
            "2024年重庆打算新开工多少个轨道站点步行便捷提升项目？",
            "那2023年完工投用了多少个？",
            "2023年重庆完工投用了多少个轨道站点步行便捷提升项目？",
        ),
        # What the count was of is named before the plan: it stays.
        (
            "2024年重庆城中村改造打算滚动推进多少个项目？",
            "那2024年实际加力实施了多少个？",
            "2024年重庆城中村改造实际加力实施了多少个项目？",
        ),
        # 当年 at the head of a long question is the year asked before.
        (
            "2022年重庆全市能耗强度下降了多少？",
            "当年编制的碳达峰行动计划提出了多少项绿色低碳行动？",
            "2022年重庆编制的碳达峰行动计划提出了多少项绿色低碳行动？",
        ),
    ],
)
def test_a_follow_up_counts_its_year_and_kind_from_the_question_before(
    before: str, question: str, expected: str
) -> None:
    assert standalone_question(question, [(before, "…")]) == expected


def test_a_comparison_with_the_year_before_is_no_year_of_its_own() -> None:
    got = standalone_question("比上一年高多少？", [("2023年重庆地区生产总值增长了多少？", "…")])
    assert "2022年" not in got


def test_a_follow_up_keeps_the_place_until_it_names_another() -> None:
    history = [("2024年重庆市属重点国企增加值增长了多少？", "…")]
    assert standalone_question("民营经济呢？", history) == "2024年重庆民营经济增长了多少？"
    chengdu = [("2023年成都市地区生产总值是多少？", "…")]
    assert standalone_question("那2024年呢？", chengdu) == "2024年成都市地区生产总值是多少？"
    assert "成都" not in standalone_question("那重庆呢？", chengdu)


def test_it_stands_for_what_the_question_before_named_first() -> None:
    before = "2023年重庆做大的西部陆海新通道跨区域综合运营平台，是由几个省份的多少家股东共建的？"
    assert standalone_question("它在海外设立了几家公司？", [(before, "…")]) == (
        "2023年重庆做大的西部陆海新通道跨区域综合运营平台在海外设立了几家公司？"
    )
    # 它们 are the things counted.
    firms = [("2022年重庆新引进了多少家国内外知名创新机构？", "…")]
    assert "创新机构" in standalone_question("它们累计有多少家了？", firms)


NORTHEAST_SIGHTS = [("2023年重庆渝东北地区新增了多少个A级旅游景区？", "")]


def test_a_share_with_no_subject_is_of_the_figure_before() -> None:
    history = NORTHEAST_SIGHTS
    assert standalone_question("占全市的比重是多少？", history) == (
        "2023年重庆渝东北地区新增A级旅游景区占全市的比重是多少？"
    )


def test_there_stands_for_the_place_asked_before() -> None:
    history = NORTHEAST_SIGHTS
    assert standalone_question("那里的专精特新企业达到了多少家？", history) == (
        "2023年重庆渝东北地区专精特新企业达到了多少家？"
    )
    # No place before: nothing to stand for, and the words stay as typed.
    assert there_named("当地的GDP呢？", "地区生产总值是多少？") == "当地的GDP呢？"
    assert place_span("2023年重庆GDP是多少？") == "重庆"


def test_a_follow_up_naming_the_topic_again_is_asked_of_its_year() -> None:
    history = [("2023年重庆新增了多少张养老床位？", "")]
    assert standalone_question("那2022年全市养老床位总共达到多少张？", history) == (
        "2022年重庆全市养老床位总共达到多少张？"
    )
    # One naming nothing of the question before stays beside it.
    history = [("2023年重庆新开工改造城镇老旧小区多少平方米？", "")]
    assert standalone_question("那2024年打算改造多大面积？", history).startswith(
        "2024年重庆新开工改造城镇老旧小区多少平方米？"
    )


def test_those_things_keep_their_that() -> None:
    # 那些 points at things; only a leading 那 that leans on the conversation goes.
    base = "2024年重庆计划实施多少个市级重大项目？"
    assert dated("那些已经在建的项目计划完成投资多少亿元？", base) == (
        "2024年那些已经在建的项目计划完成投资多少亿元？"
    )
    assert dated("那当年计划开工多少个项目？", base) == "2024年计划开工多少个项目？"


def test_an_amount_asked_of_nothing_named_is_of_the_thing_counted_before() -> None:
    # 投资 right after 多少 is the amount asked; the projects stay what it is of.
    history = [("2024年重庆有多少个川渝共建重点项目完成了年度投资？", "")]
    assert standalone_question("完成了多少投资？", history) == (
        "2024年重庆川渝共建重点项目完成了多少投资？"
    )
    counted = [("2022年重庆新实施了多少个智能化改造项目？", "")]
    assert standalone_question("新认定了多少个智能工厂？", counted) == (
        "2022年重庆新认定了多少个智能工厂？"
    )


def test_a_part_the_reports_write_before_what_was_asked_goes_after_its_time_and_place() -> None:
    base = "2023年重庆市级重大建设项目年度计划完成投资多少？"
    said = ["民生领域计划实施市级重大建设项目229个（暂列），总投资约2237亿元"]
    history = [(base, "…")]
    assert (
        standalone_question("其中民生领域呢？", history, lambda words: said)
        == "2023年重庆民生领域市级重大建设项目年度计划完成投资多少？"
    )
    # A part the reports never write before it is an indicator of its own.
    other = ["工业投资增长13.3%"]
    assert standalone_question("其中工业投资呢？", history, lambda words: other) != (
        "2023年重庆工业投资市级重大建设项目年度计划完成投资多少？"
    )
