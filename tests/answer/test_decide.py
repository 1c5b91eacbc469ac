"""Worked examples for qa.answer.decide's pure parts: the reports' name for the asked
indicator."""

from __future__ import annotations

from qa.answer.decide import reported_phrase
from qa.schema import Passage
from qa.text.script import normal_form


def passage(text: str) -> Passage:
    return Passage(doc="d.txt", title="", year=2023, section="", text=text, score=1.0)


def test_the_longest_run_of_the_question_s_nouns_a_passage_writes() -> None:
    sectors = passage("农业、工业、服务业增加值分别增长4.6%、5.8%、5.9%")
    question = normal_form("2023年重庆服务业增加值总量是多少亿元？")
    assert reported_phrase(question, [sectors]) == "服务业增加值"
    industry = passage("规上工业增加值增长6.6%")
    assert reported_phrase(normal_form("2023年规上工业增加值增长多少？"), [industry]) == (
        "规上工业增加值"
    )


def test_a_question_in_everyday_words_asks_nothing_of_the_answer() -> None:
    aid = passage("城乡低保标准分别提高到每人每月717元")
    question = normal_form("2022年重庆城里最困难的家庭每人每月能领多少钱的最低生活补助？")
    assert reported_phrase(question, [aid]) is None


def test_the_kind_the_setting_and_several_indicators_ask_nothing_of_the_name() -> None:
    gdp = passage("地区生产总值增速(%)｜2023年预期目标：6以上")
    # 增速 and 预期目标 say which figure of 地区生产总值 is asked, not what it is called.
    target = normal_form("2023年重庆地区生产总值增速的预期目标是多少？")
    assert reported_phrase(target, [gdp]) is None
    # Of a count, the thing counted names it, not the setting before the 多少.
    tanks = passage("实施民生实事,安装1000台化粪池安全监测系统")
    count = normal_form("2024年重庆民生实事计划安装多少台化粪池安全监测系统？")
    assert reported_phrase(count, [tanks]) != "民生实事"
    firms = passage("高新技术企业、科技型企业分别增至8837家、69820家")
    both = normal_form("2024年重庆高新技术企业和科技型企业各是多少家？")
    assert reported_phrase(both, [firms]) is None


def test_an_aside_in_brackets_names_nothing_asked() -> None:
    share = passage("战略性新兴产业增加值占规上工业增加值的比重达32.2%,新能源汽车产量达到50万辆")
    question = normal_form(
        "2023年重庆那些新兴产业（比如新能源汽车、集成电路这类）在规上工业里占了多大份额？"
    )
    # The name is read as if the aside were not there.
    assert reported_phrase(question, [share]) == "规上工业"
