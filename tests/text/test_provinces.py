"""Provincial-level regions named by their abbreviations (沪, 川, 湘) in compounds."""

from __future__ import annotations

import pytest

from qa.text.entities import mentioned, missing_entities
from qa.text.provinces import ABBREVIATIONS, abbreviated_in, abbreviation_of


def test_every_provincial_region_has_an_abbreviation() -> None:
    assert len(ABBREVIATIONS) == 34
    assert abbreviation_of("上海市") == "沪"
    assert abbreviation_of("广西壮族自治区") == "桂"
    assert abbreviation_of("成都") == ""  # a city, not a province


@pytest.mark.parametrize(
    ("place", "text"),
    [
        ("上海", "沪渝直达快线开行1196艘次"),
        ("四川", "川渝联合实施关键核心技术攻关项目101项"),
        ("湖南", "建成渝湘高铁重庆至黔江段"),
        ("贵州", "秀山渝鄂湘黔毗邻地区"),
        ("香港", "粤港澳大湾区"),
        ("重庆市", "深化川渝合作"),
    ],
)
def test_an_abbreviation_in_a_compound_names_the_region(place: str, text: str) -> None:
    assert abbreviated_in(place, text)
    assert mentioned(place, text)


@pytest.mark.parametrize(
    ("place", "text"),
    [
        ("四川", "山川秀美"),  # 川 alone is a river
        ("山东", "鲁班工坊"),  # 鲁 alone is a surname
        ("新疆", "经济总量迈上新台阶"),  # 新 and 台 begin everyday words
        ("台湾", "建设新台阶"),
        ("成都", "成渝地区双城经济圈"),  # not a province: no abbreviation
    ],
)
def test_an_abbreviation_alone_or_ambiguous_does_not(place: str, text: str) -> None:
    assert not abbreviated_in(place, text)


def test_an_answer_naming_the_region_in_full_is_supported_by_its_abbreviation() -> None:
    source = "沪渝直达快线开行1196艘次"
    assert missing_entities("重庆到上海的直达快线开行1196艘次", [source]) == []
    assert missing_entities("重庆到天津的直达快线开行1196艘次", [source]) == ["天津"]
