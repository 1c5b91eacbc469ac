"""A figure's aspect: a level or a change, of a year or of one day."""

from __future__ import annotations

import pytest

from qa.answer.aspect import Aspect, asked_aspect, clause_before, figure_aspects, fits
from qa.answer.gate import gives_asked_figure

LEVEL, CHANGE = Aspect(change=False, per_day=False), Aspect(change=True, per_day=False)
DAY = Aspect(change=False, per_day=True)
DAY_LEVEL = Aspect(change=False, per_day=True, total=True)  # "日最高…突破600万人次"
# A level reached ("达到", "增至", "总量"): the stock, not what one year added.
STOCK = Aspect(change=False, per_day=False, total=True)


def aspects(text: str) -> list[tuple[str, Aspect]]:
    return [(f.raw, a) for f, a in figure_aspects(text)]


def test_a_sentence_gives_a_level_and_a_change() -> None:
    assert aspects("全年地区生产总值达到30145.79亿元、增长6.1%") == [
        ("30145.79亿元", STOCK),
        ("6.1%", CHANGE),
    ]


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("城市低保标准提高到每人每月717元", LEVEL),  # the new level, not the rise
        ("港口吞吐量净增1570万吨", CHANGE),
        ("PM2.5浓度同比下降8.4%", CHANGE),
        ("比上年增加4天", CHANGE),
        ("空气质量优良天数达到329天、增加4天", CHANGE),
        ("规上工业增加值3000亿元", LEVEL),  # 增加值 is value added, not a rise
        ("机构数量增加到50个", LEVEL),
        # A year's new jobs: 新增 alone is no change, but what the year adds.
        ("城镇新增就业73.8万人", Aspect(False, False, total=False)),
        ("累计建成三甲医院55家", Aspect(False, False, total=True)),
        ("日最高客运量突破600万人次", DAY_LEVEL),  # a level passed
        ("通车里程突破1100公里", STOCK),
        ("新增城市绿地超过1000万平方米", Aspect(False, False, total=False)),
        ("地区生产总值增长（%）｜6左右", CHANGE),  # a table row is one clause
        ("｜常住人口城镇化率（%）｜70｜", LEVEL),
        # A change word qualifying another rate gives that rate's level...
        ("新能源汽车对全市汽车整车产量增长贡献率达90%", LEVEL),
        # ...but the change's own rate is the change.
        ("工业投资增长率达到10%", CHANGE),
        ("增速达到6%", CHANGE),
    ],
)
def test_the_words_before_a_figure_say_what_it_measures(text: str, aspect: Aspect) -> None:
    assert aspects(text)[-1][1] == aspect


def test_a_rise_in_prices_is_a_change_and_daily_life_is_no_day() -> None:
    assert aspects("居民消费价格涨幅3%左右")[0][1] == CHANGE
    assert aspects("降幅收窄到2%")[0][1] == CHANGE
    # 日常 (daily life) and a date's 日 ask no one day's figure; 日 on its own does.
    assert asked_aspect("2024年老百姓日常买东西的物价上涨幅度控制在多少？") == CHANGE
    assert not asked_aspect("2024年5月20日前建成多少个基站？").per_day
    assert asked_aspect("2023年轨道交通日客运量最高达到多少万人次？").per_day


def test_a_clause_ends_at_a_comma_like_mark() -> None:
    text = "地区生产总值达到30145.79亿元、增长6.1%"
    assert clause_before(text, text.index("6.1")) == "增长"
    assert clause_before("增长6.1%", 2) == "增长"


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("2023年重庆地区生产总值增长多少？", CHANGE),
        ("2023年老百姓到手的收入比上年涨了多少？", CHANGE),
        ("2024年重庆希望网络文学这一摊生意的规模涨多少？", CHANGE),
        ("2024年重庆的房价降几个百分点？", CHANGE),
        ("2024年重庆新增多少所幼儿园？", Aspect(False, False, total=False)),
        ("2022年城市低保标准提高到多少？", LEVEL),
        # 多少了 asks how much now: its 少了 is no "fewer"
        ("2024年重庆战略性新兴产业增加值占规上工业增加值的比重提高到多少了？", LEVEL),
        # 至少 is "at least", not "up to": the growth rate is still asked.
        ("2024年重庆希望数字产业的价值增速至少要到多少？", CHANGE),
        ("2025年重庆希望货物联运的量增加多少？", CHANGE),
        ("2024年规上工业增加值是多少？", LEVEL),
        ("2024年轨道交通全年一共运送了多少人次？", LEVEL),
        ("2024年轨道交通每天运送多少人次？", DAY),
        ("2024年重庆新增了多少家三甲医院？", Aspect(False, False, total=False)),
        ("截至2024年重庆累计建成了多少家三甲医院？", Aspect(False, False, total=True)),
        ("2022年重庆当年整治完成了多少家涉气中小微企业？", Aspect(False, False, total=False)),
        ("截至2023年底重庆全市养老床位总数是多少张？", Aspect(False, False, total=True)),
        # 总共 asks how many there are, unless 新增 says what was added; 一共 says neither.
        ("2023年重庆三甲医院总共有多少家？", Aspect(False, False, total=True)),
        ("2023年重庆总共新增了多少家三甲医院？", Aspect(False, False, total=False)),
        ("2022年重庆一共多出了多少个停车位？", LEVEL),
        # What follows the counted noun describes the things counted.
        ("2023年重庆打算挑出多少家大医院带头提升水平？", LEVEL),
        ("2023年重庆的三甲医院比上年增加了多少家？", CHANGE),
    ],
)
def test_what_a_question_asks(question: str, aspect: Aspect) -> None:
    assert asked_aspect(question) == aspect


def test_a_figure_fits_only_the_aspect_asked() -> None:
    assert fits(CHANGE, CHANGE) and fits(LEVEL, LEVEL) and fits(DAY, DAY)
    assert not fits(CHANGE, LEVEL) and not fits(LEVEL, CHANGE)
    assert not fits(LEVEL, DAY)  # one day's figure is not the year's
    new, total = Aspect(False, False, total=False), Aspect(False, False, total=True)
    assert not fits(new, total) and not fits(total, new)
    assert fits(new, LEVEL) and fits(LEVEL, total)  # one side does not say
    rate = Aspect(False, False, per_people=True)  # "每万人19个"
    assert not fits(LEVEL, rate) and fits(rate, rate)


@pytest.mark.parametrize(
    ("question", "sentence", "gives"),
    [
        (
            "2023年重庆新能源汽车产量比上年增长了百分之多少？",
            "新能源汽车产量达到50万辆，贡献率达90%",
            False,
        ),
        ("2023年重庆港口货物吞吐量总共是多少万吨？", "港口吞吐量净增1570万吨", False),
        ("2024年重庆轨道交通全年一共运送了多少人次？", "轨道交通日最高客运量突破600万人次", False),
        ("2023年重庆地区生产总值增长多少？", "地区生产总值达到30145.79亿元、增长6.1%", True),
        ("2023年重庆地区生产总值是多少亿元？", "地区生产总值达到30145.79亿元、增长6.1%", True),
        ("2022年重庆城市低保标准是每人每月多少元？", "城市低保标准提高到每人每月717元", True),
        # A rate per so many people is no count of the things, unless that is asked.
        ("2022年重庆5G基站总数有多少个？", "5G基站数量达到每万人19个", False),
        ("2022年重庆平均每一万人拥有几个5G信号塔？", "5G基站数量达到每万人19个", True),
    ],
)
def test_the_asked_figure_must_measure_what_is_asked(
    question: str, sentence: str, gives: bool
) -> None:
    assert gives_asked_figure(question, list(question), [sentence], on_topic=True) is gives


def test_a_restated_figure_is_read_in_its_passage_words() -> None:
    source = "轨道交通运营里程达到575公里、日最高客运量突破600万人次"
    said = "2024年重庆轨道交通全年一共运送了600万人次"
    assert aspects(said)[-1][1] == LEVEL  # the restatement dropped 日最高
    assert [a for _, a in figure_aspects(said, source)] == [DAY_LEVEL]
    q = "2024年重庆轨道交通全年一共运送了多少人次？"
    assert not gives_asked_figure(q, list(q), [said], on_topic=True, sources=[source])
    # Only the figures the sentence states count, not their neighbours in the passage.
    asked = "2023年重庆新增的经营主体里，企业有多少户？"
    fragment, held = "增长21.8%", "新增经营主体64.8万户、增长21.8%"
    assert not gives_asked_figure(asked, list(asked), [fragment], on_topic=True, sources=[held])


def test_a_table_cell_is_read_with_its_rows_label() -> None:
    row = "固定资产投资增速(%)|2022年预期目标:6左右|2022年预计完成:0.7"
    assert [a for _, a in figure_aspects(row)] == [CHANGE, CHANGE]
    spelled = "固定资产投资增速：2022年预期目标6%左右，2022年预计完成0.7%"
    assert [a for _, a in figure_aspects(spelled)] == [CHANGE, CHANGE]
    assert [a for _, a in figure_aspects("常住人口城镇化率：2022年预计完成70%")] == [LEVEL]
    q = "2022年重庆固定资产投资增速预计完成多少？"
    assert gives_asked_figure(q, list(q), [row], on_topic=True)


def test_a_question_asking_a_level_and_a_change_or_two_years_constrains_neither() -> None:
    assert asked_aspect("2023年重庆新增经营主体多少户？增长了多少？") is None
    assert asked_aspect("重庆新能源汽车产量2024年比2023年多了多少？") is None
    q = "2023年重庆新增经营主体多少户？增长了多少？"
    assert gives_asked_figure(q, list(q), ["新增经营主体64.8万户、增长21.8%"], on_topic=True)


def test_a_running_total_covers_the_items_listed_after_it() -> None:
    # 、 lists items under the words before them: every one is a running total...
    listed = "高标准建设两江协同创新区,累计引进开放式、国际化新型研发机构50家"
    assert [a.total for _, a in figure_aspects(listed)] == [True]
    hospitals = "累计建成三甲医院55家、区县域卫生次中心32家"
    assert [a.total for _, a in figure_aspects(hospitals)] == [True, True]
    # ...unless an item says otherwise: the nearest word wins.
    mixed = "累计建成三甲医院55家、新增区县域卫生次中心32家"
    assert [a.total for _, a in figure_aspects(mixed)] == [True, False]
    # A comma ends the list: the next clause says nothing of totals.
    assert [a.total for _, a in figure_aspects("累计建成55家,接入企业2万家")] == [True, None]
    # What a year adds is no running total.
    asked = asked_aspect("2022年两江协同创新区当年新引进了多少家新型研发机构?")
    assert not fits(asked, figure_aspects(listed)[0][1])


def test_a_bare_list_item_shares_the_words_before_the_list() -> None:
    assert aspects("批发、零售销售额分别增长12.9%、8.4%") == [("12.9%", CHANGE), ("8.4%", CHANGE)]
    # Asked "整体提升多少家医院的周边环境", the hospitals' count is the answer.
    assert aspects("整体提升100所学校、50家医院周边环境") == [("100所", CHANGE), ("50家", CHANGE)]
    # An item with words of its own is read in them.
    assert aspects("增长6.1%、总量达到3000亿元") == [("6.1%", CHANGE), ("3000亿元", STOCK)]


def test_a_time_said_before_the_asking_part_holds_for_it() -> None:
    asked = asked_aspect("截至2023年底,重庆农村公路总里程有多少公里?")
    assert asked is not None and asked.total is True
    # What a year newly built or rebuilt is no running total.
    [(_, given)] = figure_aspects("新改建“四好农村路”3360公里")
    assert given.total is False and not fits(asked, given)


def test_a_level_reached_is_the_stock_unless_it_says_what_was_added() -> None:
    # "养老床位达到23万余张" is how many beds there are, not how many were added.
    assert [a.total for _, a in figure_aspects("养老床位达到23万余张")] == [True]
    assert [a.total for _, a in figure_aspects("城镇新增就业达到73.9万人")] == [False]
    assert not gives_asked_figure(
        "2022年重庆新增了多少张养老床位？", [], ["养老床位达到23万余张[1]。"], None, True
    )
    assert gives_asked_figure(
        "2022年重庆养老床位总共达到多少张？", [], ["养老床位达到23万余张[1]。"], None, True
    )


def test_a_list_item_shares_the_words_back_to_the_last_comma() -> None:
    from qa.answer.aspect import list_clause

    firms = "科技型企业“双倍增”计划深入实施，总量分别达到5.85万、7565家"
    assert list_clause(firms, firms.index("7565")) == "总量分别达到5.85万、"
