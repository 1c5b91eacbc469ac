"""The model's condensed follow-up is checked before it is used."""

from __future__ import annotations

from qa.answer.condense import keeps_kind, uses_only
from qa.answer.condense import parse as parse_question


def test_a_condensed_question_keeps_to_the_words_and_the_kind() -> None:

    sources = ["2023年重庆地区生产总值是多少？", "那2024年呢？"]
    assert uses_only("2024年重庆地区生产总值是多少？", sources)
    assert not uses_only("2024年成都地区生产总值是多少？", sources)
    assert not keeps_kind("2024年科技型企业实际增至多少家？", "那年的目标是多少？")
    assert keeps_kind("2024年科技型企业的目标是多少？", "那年的目标是多少？")
    assert parse_question('{"问题": " 2024年gdp是多少？ "}') == "2024年gdp是多少？"
    assert parse_question('{"问题": ""}') is None and parse_question("2024年") is None
