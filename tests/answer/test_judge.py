"""The model as a judge: its two labels parse, anything else is no verdict."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from qa.answer.judge import NO, YES, answers_question, messages, parse


def test_labels_parse_and_anything_else_is_no_verdict() -> None:
    assert parse('{"判断": "回答了"}') is True
    assert parse('{"判断": "没有回答"}') is False
    assert parse('{"判断": "也许"}') is None
    assert parse("好的") is None
    assert parse("[1, 2]") is None


def test_the_model_sees_the_question_and_the_answer_only() -> None:
    msgs = messages("2023年重庆轨道交通客运量是多少？", "全市客运量增长47.8%。" * 20)
    assert msgs[0]["role"] == "system" and "只输出JSON" in msgs[0]["content"]
    user = msgs[1]["content"]
    assert user.startswith(
        "问题：2023年重庆轨道交通客运量是多少？\n资料句子：全市客运量增长47.8%。"
    )
    assert len(user) < 200  # the answer is cut: the judge reads a sentence, not a page


class _Llama:
    """Stands in for llama_cpp.Llama: records the schema it was asked to follow."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.kwargs: dict[str, Any] = {}

    def create_chat_completion(self, **kwargs: Any) -> dict[str, Any]:
        self.kwargs = kwargs
        return {"choices": [{"message": {"content": self.reply}}]}


class _LocalModel:
    def __init__(self, reply: str) -> None:
        self.client = _Llama(reply)


def test_a_local_model_is_constrained_by_the_schema() -> None:
    model = _LocalModel('{"判断": "没有回答"}')
    assert answers_question(model, "q", "a") is False  # type: ignore[arg-type]
    fmt = model.client.kwargs["response_format"]
    assert fmt["type"] == "json_object" and fmt["schema"]["properties"]["判断"]["enum"] == [YES, NO]


def test_a_chat_model_without_a_grammar_still_gives_a_verdict_or_none() -> None:
    assert answers_question(FakeListChatModel(responses=['{"判断": "回答了"}']), "q", "a") is True
    assert answers_question(FakeListChatModel(responses=["我认为回答了"]), "q", "a") is None


def test_a_figures_clause_starts_after_a_comma_and_names_its_indicator() -> None:
    from qa.answer.judge import clause_start

    text = "完成营造林503万亩,森林覆盖率稳定在55%以上"
    assert text[clause_start(text, text.index("55%")) :] == "森林覆盖率稳定在55%以上"
    # "增长6.1%" alone names nothing: the clause before it is shown too.
    gdp = "地区生产总值30145亿元,增长6.1%"
    assert clause_start(gdp, gdp.index("6.1%")) == 0
    # A table row is one clause.
    row = "说明\n城镇新增就业(万人)|2023年预期:60"
    assert row[clause_start(row, row.index("60")) :] == "城镇新增就业(万人)|2023年预期:60"


def test_the_judge_reads_the_passage_words_that_hold_the_answers_figure() -> None:
    from qa.answer.judge import evidence
    from qa.schema import Passage

    text = "高速公路建设提速,新能源汽车产量达到95.3万辆,汽车产业增加值增长26.7%。川渝合作加深。"
    cited = [Passage(doc="a.txt", title="T", year=2024, section="", text=text, score=1.0)]
    # The model's restatement names the asked indicator; its passage names another.
    said = "2024年重庆汽车总产量达到95.3万辆[1]。"
    assert evidence(said, cited) == "高速公路建设提速,新能源汽车产量达到95.3万辆"
    # The judge reads the figure's clause alone: other indicators before it mislead it.
    assert evidence(said, cited, clause_only=True) == "新能源汽车产量达到95.3万辆"
    # Two figures: up to the end of the last one's clause.
    both = "新能源汽车产量95.3万辆，汽车产业增加值增长26.7%[1]。"
    assert evidence(both, cited).endswith("汽车产业增加值增长26.7%")
    # A sentence whose figure no passage holds, or with none, is judged as written.
    assert (
        evidence("涪陵工业园区升格为国家级经开区[1]。", cited) == "涪陵工业园区升格为国家级经开区。"
    )


def test_words_shown_to_a_user_start_at_a_clause() -> None:
    from qa.answer.judge import evidence
    from qa.schema import Passage

    text = (
        "加快培育优质经营主体,新增上市企业10家、其中科创板2家、科技型企业、高新技术企业"
        "“双倍增”计划深入实施,总量分别达到5.85万、7565家,新增经营主体64.8万户、增长21.8%。"
    )
    cited = [Passage(doc="a.txt", title="T", year=2023, section="", text=text, score=1.0)]
    said = "2023年重庆新增的经营主体中，企业有64.8万户[1]。"
    # 60 characters before the figure start inside a list ("10家、其中科创板…").
    assert evidence(said, cited).startswith("10家、")
    assert evidence(said, cited, whole_clauses=True) == (
        "总量分别达到5.85万、7565家,新增经营主体64.8万户、增长21.8%"
    )
    # A figure whose own clause is too short to name its subject keeps the clause before.
    short = "地区生产总值达到30145.79亿元,增长6.1%。"
    gdp = [Passage(doc="a.txt", title="T", year=2023, section="", text=short, score=1.0)]
    assert evidence("增长6.1%[1]。", gdp, whole_clauses=True) == short.rstrip("。")


# --- the model as a selector between two answers --------------------------------------


def test_the_selectors_labels_parse_and_anything_else_is_no_verdict() -> None:
    from qa.answer.judge import parse_choice

    assert parse_choice('{"答案": "甲"}') == 0
    assert parse_choice('{"答案": "乙"}') == 1
    assert parse_choice('{"答案": "都没有"}') == -1
    assert parse_choice('{"答案": "丙"}') is None
    assert parse_choice("乙") is None


def test_the_selector_sees_the_question_and_both_sentences_cut_short() -> None:
    from qa.answer.judge import select_messages

    msgs = select_messages("《山城记》的导演是谁？", "《山城记》由王某执导", "话题" * 200)
    assert msgs[0]["role"] == "system" and "只输出JSON" in msgs[0]["content"]
    user = msgs[1]["content"]
    assert user.startswith("问题：《山城记》的导演是谁？\n甲：《山城记》由王某执导\n乙：话题")
    assert user.endswith("哪一句给出了问题的答案？") and len(user) < 250


def test_the_selector_is_constrained_by_its_schema() -> None:
    from qa.answer.judge import FIRST, NEITHER, SECOND, choose_answer

    model = _LocalModel('{"答案": "乙"}')
    assert choose_answer(model, "q", "a", "b") == 1  # type: ignore[arg-type]
    fmt = model.client.kwargs["response_format"]
    assert fmt["schema"]["properties"]["答案"]["enum"] == [FIRST, SECOND, NEITHER]


def test_a_pick_names_one_of_the_numbered_sentences() -> None:
    from qa.answer.judge import parse_pick, pick_messages

    assert parse_pick('{"答案": "2"}', 4) == 1
    assert parse_pick('{"答案": "0"}', 4) is None  # none of them: no verdict
    assert parse_pick('{"答案": "5"}', 4) is None
    assert parse_pick("2", 4) is None
    shown = pick_messages("q", ["a", "b"])[1]["content"]
    assert shown == "问题：q\n1. a\n2. b\n哪一句给出了问题的答案？"
