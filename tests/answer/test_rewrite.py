"""Follow-up questions become self-contained questions before retrieval."""

from __future__ import annotations

from typing import Any

import pytest

from qa.answer.rewrite import is_follow_up, standalone_question, user_turns

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
    assert standalone_question("那规上工业增加值呢？", history) == "2023年规上工业增加值是多少？"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("那么2022年的呢？", "2022年重庆地区生产总值是多少？"),
        ("2024年呢", "2024年重庆地区生产总值是多少？"),
        ("那2024年呢?", "2024年重庆地区生产总值是多少？"),
        # full-width digits, as Chinese input methods type them
        ("那２０２４年呢？", "2024年重庆地区生产总值是多少？"),
        ("其中工业投资呢？", "2023年工业投资是多少？"),
    ],
)
def test_follow_up_variants(question: str, expected: str) -> None:
    assert standalone_question(question, TUPLES) == expected


def test_several_new_years_replace_the_one_asked_before() -> None:
    out = standalone_question("那2022年和2024年呢？", TUPLES)
    assert out == "2022年和2024年重庆地区生产总值是多少？"


def test_a_qualifier_is_kept() -> None:
    out = standalone_question("那2024年的目标呢？", TUPLES)
    assert out.startswith("2024年重庆地区生产总值是多少？") and "目标" in out


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
    assert not is_follow_up("？")
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
