"""Worked examples for qa.text.labels: a figure stated under another figure's label."""

from __future__ import annotations

from qa.text.labels import labelled_figures, relabelled, stated_labels, taken_apart
from qa.text.numbers import extract_figures

# seeds/000 in normal form: the city's signed contracts and the funds that arrived.
INVEST = (
    "全市新签约招商项目2903个，正式合同金额18571亿元，到位资金5149.7亿元、增长9.2%，资金到位率27.7%"
)
GDP = "地区生产总值30145.79亿元、增长6.1%，规上工业增加值增长6.6%"


def last_figure(text: str):  # type: ignore[no-untyped-def]
    return extract_figures(text)[-1]


def test_label_readings_are_whole_words_without_linking_words() -> None:
    sentence = "西洽会签约的重大项目实际到位资金为18571亿元"
    start = last_figure(sentence).span[0]
    assert stated_labels(sentence, start) == ["重大项目实际到位资金", "实际到位资金", "到位资金"]
    # 增长 and 比上年 say how, not what: the label is the indicator before them.
    sentence = "规上工业增加值比上年增长6.6%"
    assert "规上工业增加值" in stated_labels(sentence, last_figure(sentence).span[0])
    # Nothing but a year before the figure: no label.
    assert stated_labels("2022年：71万人", 6) == []


def test_labelled_figures_are_right_after_the_label() -> None:
    assert [f.raw for f in labelled_figures(INVEST, "到位资金")] == ["5149.7亿元"]
    # A verb may stand between ("增加值增长6.6%"), a comma or a number may not.
    assert [f.raw for f in labelled_figures(GDP, "规上工业增加值")] == ["6.6%"]
    assert labelled_figures("到位资金方面，全年5149.7亿元", "到位资金") == []


def test_a_neighbouring_figure_under_the_asked_label_is_caught() -> None:
    sentence = "2023年第五届西洽会签约的重大项目实际到位资金为18571亿元。"
    label, other = relabelled(sentence, last_figure(sentence), INVEST) or ("", None)
    assert (label, other.raw if other else None) == ("到位资金", "5149.7亿元")


def test_a_figure_under_its_own_label_passes() -> None:
    for sentence in ("正式合同金额为18571亿元", "到位资金达到5149.7亿元", "到位资金增长9.2%"):
        assert relabelled(sentence, last_figure(sentence), INVEST) is None


def test_a_label_of_a_figure_in_another_unit_says_nothing() -> None:
    # 地区生产总值 stands before 30145.79亿元; its growth 6.1% follows later in the clause.
    sentence = "2023年重庆地区生产总值比上年增长6.1%"
    assert relabelled(sentence, last_figure(sentence), GDP) is None


def test_a_label_in_the_users_own_words_says_nothing() -> None:
    # The passage never puts 钱袋子 before a figure: the check cannot tell, so it passes.
    sentence = "全市的钱袋子一共有18571亿元"
    assert relabelled(sentence, last_figure(sentence), INVEST) is None


def test_a_figure_later_in_the_labels_sentence_passes() -> None:
    # The label is right before the milestone 3万亿元; the sentence goes on to the figure.
    passage = "全年地区生产总值迈上3万亿元新台阶,达到30145.79亿元,增长6.1%。"
    sentence = "2023年重庆地区生产总值达到30145.79亿元"
    assert relabelled(sentence, last_figure(sentence), passage) is None


def test_a_figure_later_in_the_sentence_after_another_items_figure_is_not_the_labels() -> None:
    # 1366家 counts 市级专精特新中小企业, and 累计3694家 goes on from it, not from 单项冠军企业.
    passage = "累计创建国家级专精特新“小巨人”企业286家、单项冠军企业13家,新增市级专精特新中小企业1366家、累计3694家。"
    sentence = "2023年重庆单项冠军企业累计3694家"
    label, other = relabelled(sentence, last_figure(sentence), passage) or ("", None)
    assert label == "单项冠军企业" and other is not None and other.raw == "13家"


# seeds/002 and seeds/000 in normal form: a 2022 passage on freight, a 2023 one on parcels.
FREIGHT = "重庆经西部陆海新通道运输14.8万标箱、增长32%。渝满俄班列开行2000列、增长91%"
PARCELS = "全市客运量增长47.8%，恢复到疫情前的124.6%，快递业务量增长27%"


def test_a_figure_under_a_label_another_passage_gives_another_figure_is_caught() -> None:
    sentence = "2022年重庆快递业务量比上年增长了32%"
    found = taken_apart(sentence, last_figure(sentence), [FREIGHT], [PARCELS])
    assert found is not None
    assert (found[0], found[1].raw) == ("快递业务量", "27%")


def test_a_label_the_figures_own_passage_names_passes() -> None:
    # The passage holding 32% names 西部陆海新通道 itself: no other passage is asked.
    sentence = "重庆经西部陆海新通道运输增长32%"
    assert taken_apart(sentence, last_figure(sentence), [FREIGHT], [PARCELS]) is None
    # A label no other passage puts before a figure in the same unit says nothing.
    sentence = "2022年重庆港口吞吐量增长32%"
    assert taken_apart(sentence, last_figure(sentence), [FREIGHT], [PARCELS]) is None
