"""A figure that counts the question's setting, not the thing asked: worked examples."""

from __future__ import annotations

from qa.answer.gate import asked_unit_at, gives_asked_figure
from qa.answer.setting import (
    beside_stated,
    counts_setting,
    names_asked,
    names_only_whole,
    noun_before,
    part_asked,
    split_question,
    stated_otherwise,
)
from qa.ingest.clean import normal_form
from qa.text.numbers import extract_figures

BRAINS = normal_form("2024年重庆上线的行业大脑一共接入了多少家企业？")
NIGHT = normal_form("2023年重庆评选出的夜间经济示范区，一年带动了多少夜间消费额？")


def parts_of(question: str) -> tuple[str, str] | None:
    at = asked_unit_at(question)
    return split_question(question, at[1] if at else None)


def test_a_question_splits_at_its_how_many() -> None:
    assert parts_of(BRAINS) == ("2024年重庆上线的行业大脑一共接入了", "企业")
    assert parts_of(NIGHT) == ("2023年重庆评选出的夜间经济示范区,一年带动了", "夜间消费额")
    # Nothing named after 多少 (or after its unit): the subject is what is asked.
    assert parts_of(normal_form("2023年重庆gdp是多少？")) is None
    assert parts_of(normal_form("2023年重庆的夜间经济示范区有多少个？")) is None


def test_the_noun_right_before_a_figure() -> None:
    text = "累计建成183个智能工厂,上线行业大脑6个"
    small, brains = extract_figures(text)
    assert noun_before(text, brains) == "大脑"
    assert noun_before(text, small) is None  # a verb stands before 183个
    # A place is where, not what is counted.
    cities = "新增国际友城和友好交流城市10个"
    assert noun_before(cities, extract_figures(cities)[0]) is None


def test_a_count_of_the_setting_is_no_count_of_the_thing_asked() -> None:
    parts = parts_of(BRAINS)
    text = "累计建成183个智能工厂,上线行业大脑6个"
    small, brains = extract_figures(text)
    assert counts_setting(parts, text, brains)
    assert not counts_setting(parts, text, small)
    assert not counts_setting(None, text, brains)
    assert parts is not None and names_asked(parts, ["上线行业大脑6个，接入企业超过2万家"])
    # 夜间 is a word of the setting too: only 消费额 names the thing asked.
    night = parts_of(NIGHT)
    assert night is not None and not names_asked(night, ["评选夜间经济示范区5个"])


def test_the_gate_refuses_a_sentence_about_the_setting() -> None:
    tokens = ["行业", "大脑", "接入", "企业"]
    sentence = "累计建成1096个数字化车间和183个智能工厂,上线行业大脑6个[1]。"
    assert not gives_asked_figure(BRAINS, tokens, [sentence], None, True)
    # The same sentence naming the thing asked answers.
    named = "上线行业大脑6个，接入企业超过2万家[1]。"
    assert gives_asked_figure(BRAINS, tokens, [named], None, True)
    night = "评选市级示范商圈3个、夜间经济示范区5个、高品质消费新场景25个[1]。"
    assert not gives_asked_figure(NIGHT, ["夜间", "消费额"], [night], None, True)


def test_a_count_of_the_thing_asked_is_left_to_the_other_checks() -> None:
    # The figure's noun (社区) is the thing asked, in the question's words or not.
    question = normal_form("2024年重庆有多少个社区获评全国级别的敬老爱老样板社区？")
    sentence = "成功创建全国示范性老年友好型社区113个[1]。"
    assert gives_asked_figure(question, ["社区", "敬老", "样板"], [sentence], None, True)


PART = normal_form("2022年底重庆的市场主体中，个体工商户有多少万户？")
INVESTED = normal_form("2022年重庆的市级重大项目中，民营企业投资的项目完成了多少投资？")


def test_a_question_may_ask_a_part_of_a_whole_it_names() -> None:
    assert part_asked(PART) == ("市场主体", "个体")
    assert part_asked(INVESTED) == ("重大项目", "民营企业")
    # The part worded as a verb or an adverb, or no part before the asking: nothing read.
    everyday = normal_form("2023年重庆的外贸里，不靠来料加工、按常规方式做的进出口买卖占多大比重？")
    assert part_asked(everyday) is None
    assert part_asked(normal_form("2023年重庆已经摆脱贫困的人里，有多少人在打工？")) is None
    assert part_asked(normal_form("2023年重庆市场主体有多少万户？")) is None
    # The part said after the count, as a relative clause.
    listed = normal_form("2023年重庆新增的上市企业中，有几家是在主板上市的？")
    assert part_asked(listed) == ("企业", "主板")
    whole = "新增上市企业10家、其中科创板2家[1]。"
    assert not gives_asked_figure(listed, ["上市", "企业", "主板"], [whole], None, True)


def test_a_sentence_naming_only_the_whole_gives_no_figure_of_the_part() -> None:
    whole = "市场主体总量达341.6万户、增长6.6%[1]。"
    assert names_only_whole(part_asked(PART), normal_form(whole), "")
    assert not gives_asked_figure(PART, ["市场主体", "个体", "工商户"], [whole], None, True)
    both = "市场主体总量达341.6万户，其中个体工商户240万户[1]。"
    assert gives_asked_figure(PART, ["市场主体", "个体", "工商户"], [both], None, True)
    # A model repeating the part over the whole's figure is read in the passage it restates.
    said = "2022年重庆的市级重大项目中，民营企业投资的项目完成了4104亿元的投资[1]。"
    source = "全年市级重大项目完成投资4104亿元"
    tokens = ["重大项目", "民营企业", "投资"]
    assert not gives_asked_figure(INVESTED, tokens, [said], None, True, [source])


def test_a_part_named_only_in_a_clause_without_a_figure_is_not_what_is_counted() -> None:
    asked = part_asked(normal_form("2023年重庆全市新增的经营主体中，企业有多少户？"))
    assert asked == ("主体", "企业")
    said = "2023年重庆全市新增的经营主体中，企业有64.8万户[1]。"
    source = "新增上市企业10家、科技型企业计划深入实施,总量达到5.85万家,新增经营主体64.8万户"
    assert names_only_whole(asked, said, source)
    # The clause of the figure stated naming the part counts it.
    assert not names_only_whole(asked, "其中企业15万户[1]。", "新增经营主体64.8万户,其中企业15万户")


def test_a_figure_outside_the_clause_of_a_stated_figure_is_about_something_else() -> None:
    text = "首批34个合作事项已完成22项，第二批50个合作事项加快推进"
    _, done, _ = extract_figures(text)
    assert not beside_stated(text, done, extract_figures("第二批50个合作事项"))
    # No sibling is named by a figure in the stated unit: the total may be theirs.
    total = "计划开工98个项目，总投资5000亿元"
    assert beside_stated(total, extract_figures("5000亿元")[0], extract_figures("98个"))
    q = normal_form("2023年川渝第二批50个合作事项已经完成了多少项？")
    assert not gives_asked_figure(q, ["合作", "事项", "完成"], [text], on_topic=True)
    assert gives_asked_figure(q, ["合作", "事项", "完成"], ["第二批50个合作事项已完成30项"])


def test_another_figure_where_the_question_states_one_names_a_sibling() -> None:
    q = normal_form("2024年重庆力争营收1000亿元以上的企业达到几家？")
    stated = extract_figures(q)
    text = "力争营收500亿元以上企业突破5家"
    assert stated_otherwise(text, extract_figures(text)[-1], q, stated)
    same = "力争营收1000亿元以上企业突破5家"
    assert not stated_otherwise(same, extract_figures(same)[-1], q, stated)
    assert not gives_asked_figure(q, ["营收", "企业"], [text], on_topic=True)
    assert gives_asked_figure(q, ["营收", "企业"], [same], on_topic=True)
    # A figure of the stated unit in other words is no sibling: the level beside a rise.
    q = normal_form("2023年重庆地区生产总值突破3万亿元后增长了多少？")
    gdp = "地区生产总值30145亿元、增长6.1%"
    assert not stated_otherwise(gdp, extract_figures(gdp)[-1], q, extract_figures(q))


def test_a_figure_said_to_be_a_share_of_the_whole_asked_is_a_parts() -> None:
    from qa.answer.setting import part_of_asked

    text = "渝东北新增a级旅游景区19个，占全市七成"
    nineteen = extract_figures(text)[0]
    assert part_of_asked(text, nineteen, "2023年重庆全市一共新增了多少个a级旅游景区？")
    # Asked of the part itself, or without naming the whole, it may answer.
    assert not part_of_asked(text, nineteen, "2023年渝东北新增了多少个a级旅游景区？")
    gdp = "民营经济增加值1.8万亿元，占全市gdp的60%"
    private = extract_figures(gdp)[0]
    assert part_of_asked(gdp, private, "2023年重庆全市gdp是多少？")
    # A whole the question does not ask (gdp) decides nothing.
    assert not part_of_asked(gdp, private, "2023年重庆全市民营经济增加值是多少？")
    assert not part_of_asked("全市gdp达到3万亿元", extract_figures("3万亿元")[0], "全市gdp是多少？")


def test_a_parts_figure_is_no_answer_to_the_whole() -> None:
    q = "2023年重庆全市一共新增了多少个a级旅游景区？"
    tokens = ["全市", "新增", "a级", "旅游", "景区"]
    assert not gives_asked_figure(q, tokens, ["渝东北新增a级旅游景区19个，占全市七成[1]。"])
    assert gives_asked_figure(q, tokens, ["全市新增a级旅游景区27个[1]。"])


def test_those_few_points_and_asks_no_count() -> None:
    # "那几个区县" are those districts: the question asks a share, not how many.
    question = normal_form("2023年重庆西边那几个区县的大中型工厂，产值在全市总产值里占了多大份额？")
    assert asked_unit_at(question) is None
    answer = "渝西地区规上工业总产值占全市比重达26.5%[1]。"
    assert gives_asked_figure(question, [], [answer], on_topic=True)
    # Asked how many, it is a count.
    assert asked_unit_at(normal_form("重庆有几个区县？")) == ("个", 5)
