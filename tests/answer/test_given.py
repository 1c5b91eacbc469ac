"""Worked examples for qa.answer.given: what a near-miss refusal says the reports give."""

from __future__ import annotations

from qa.answer.given import as_sentence, renumber, what_is_given, what_is_missing
from qa.answer.verify import Verified
from qa.schema import Passage
from qa.text.script import normal_form


def passage(pid: str, text: str) -> Passage:
    return Passage(
        doc="d.txt",
        title="报告",
        year=2024,
        section="一",
        text=text,
        score=1.0,
        kind="result",
        id=pid,
        norm=normal_form(text),
    )


CARS = passage("cars", "汽车产业加快转型,新能源汽车产量达到95.3万辆,增长1.5倍。")
OTHER = passage("other", "全市旅游人次增长显著。")


def test_markers_follow_the_passages_shown() -> None:
    assert renumber("甲[1]。", [CARS], [OTHER, CARS]) == "甲[2]。"
    assert renumber("甲[1][2]。", [CARS, OTHER], [CARS]) == "甲[1]。"  # not shown: dropped


def test_a_models_restatement_is_said_in_its_passages_words() -> None:
    restated = "2024年重庆汽车总产量达到95.3万辆[1]。"
    verified = Verified(restated, [CARS], supported_sentences=[restated])
    given = what_is_given(verified, [OTHER, CARS], restated=True)
    assert given == "报告给出的是：汽车产业加快转型,新能源汽车产量达到95.3万辆[2]。"
    # Source sentences are quoted as they are.
    quoted = Verified("新能源汽车产量达到95.3万辆[1]。", [CARS], supported_sentences=["x"])
    assert (
        what_is_given(quoted, [CARS], restated=False)
        == "报告给出的是：新能源汽车产量达到95.3万辆[1]。"
    )


def test_a_bare_figure_is_said_in_its_passages_words() -> None:
    bare = Verified("95.3万辆[1]。", [CARS], supported_sentences=["95.3万辆[1]。"])
    assert as_sentence(bare) == "汽车产业加快转型,新能源汽车产量达到95.3万辆[1]。"
    worded = Verified("新能源汽车产量95.3万辆[1]。", [CARS], supported_sentences=["x"])
    assert as_sentence(worded) == "新能源汽车产量95.3万辆[1]。"
    # A noun phrase that opens with its figure is no sentence either.
    phrase = "95.3万辆新能源汽车[1]。"
    opened = Verified(phrase, [CARS], supported_sentences=[phrase])
    assert as_sentence(opened) == "汽车产业加快转型,新能源汽车产量达到95.3万辆[1]。"


def test_a_bare_name_is_said_in_its_passages_sentence() -> None:
    actor = passage("actor", "梁邦彦是一位在日朝鲜人，出生于东京，血型O型。后移居首尔。")
    question = "梁邦彦出生于什么地方？"
    bare = Verified("东京[1]。", [actor], supported_sentences=["东京[1]。"])
    assert as_sentence(bare, question) == "梁邦彦是一位在日朝鲜人，出生于东京，血型O型[1]。"
    # A sentence (it restates the question, or is long), or a name the passage does not
    # hold word for word, stays as written.
    for text in ["梁邦彦出生于东京[1]。", "首尔特别市[1]。", "出生于东京，血型O型[1]。"]:
        kept = Verified(text, [actor], supported_sentences=[text])
        assert as_sentence(kept, question) == text


def test_a_near_miss_refusal_names_what_is_missing() -> None:
    assert (
        what_is_missing("2023年重庆轨道交通全年客运量是多少亿人次？")
        == "报告没有给出“2023年重庆轨道交通全年客运量”的数据；"
    )
    assert (
        what_is_missing("2024年重庆高校毕业生就业率实际达到了多少？")
        == "报告没有给出“2024年重庆高校毕业生就业率”的实际数据；"
    )
    assert (
        what_is_missing("2023年重庆三甲医院总共有多少家？")
        == "报告没有给出“2023年重庆三甲医院”的数据；"
    )
    assert (
        what_is_missing("2024年重庆计划完成多少户棚户区改造？")
        == "报告没有给出“2024年重庆计划完成棚户区改造”的数据；"
    )
    # A question asking a name has no figure to miss; a year alone names nothing.
    # 有 and 是 only frame a count: they are not part of what is missing.
    assert what_is_missing("2023年重庆新增的上市企业中，有几家是在主板上市的？") == (
        "报告没有给出“2023年重庆新增的上市企业中，在主板上市的”的数据；"
    )
    assert what_is_missing("2022年重庆拥有多少家高新技术企业？") == (
        "报告没有给出“2022年重庆拥有高新技术企业”的数据；"
    )
    assert what_is_missing("重庆的市长是谁？") == ""
    assert what_is_missing("2024年实际达到了多少家？") == ""
