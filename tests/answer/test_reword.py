"""The question in the reports' words: what the model's reply must be to be used."""

from __future__ import annotations

import json

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from qa.answer.reword import messages, parse, reword

Q = "2024年重庆城里打算给上小学初中的孩子多提供多少个上学名额？"


def test_a_reply_in_report_wording_is_used() -> None:
    assert parse('{"报告说法": "2024年重庆新增义务教育学位多少个？"}', Q) == (
        "2024年重庆新增义务教育学位多少个？"
    )


def test_a_reply_that_changes_drops_or_adds_a_year_is_not() -> None:
    assert parse('{"报告说法": "2023年重庆新增义务教育学位多少个？"}', Q) is None
    assert parse('{"报告说法": "重庆新增义务教育学位多少个？"}', Q) is None
    assert parse('{"报告说法": "2024年和2025年新增学位多少个？"}', Q) is None


def test_an_empty_echoed_overlong_or_unparseable_reply_is_not() -> None:
    assert parse('{"报告说法": ""}', Q) is None
    assert parse(json.dumps({"报告说法": Q}), Q) is None
    assert parse(json.dumps({"报告说法": "2024年" + "学位" * 80}), Q) is None
    assert parse("新增义务教育学位", Q) is None
    assert parse('{"说法": "2024年新增学位"}', Q) is None
    assert parse('{"报告说法": 2024}', Q) is None


def test_the_model_is_shown_the_question_alone() -> None:
    msgs = messages(Q)
    assert msgs[1] == {"role": "user", "content": Q}
    # Its examples ask about no place or topic of the bundled reports.
    assert "重庆" not in msgs[0]["content"]


def test_a_model_without_a_grammar_still_gives_a_wording_or_none() -> None:
    model = FakeListChatModel(
        responses=['{"报告说法": "2024年重庆新增义务教育学位多少个？"}', "好的"]
    )
    assert reword(model, Q) == "2024年重庆新增义务教育学位多少个？"
    assert reword(model, Q) is None
