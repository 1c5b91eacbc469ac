"""Named entities and the ones an answer states that its sources do not."""

from __future__ import annotations

from qa.text.entities import missing_entities, missing_from, named_entities, tagged_entities


def test_people_and_places_are_found() -> None:
    assert named_entities("这部电影是张艺谋导演的，由巩俐主演。") == ["张艺谋", "巩俐"]
    assert "成都市" in named_entities("成都市2024年地区生产总值是多少")


def test_a_place_not_in_the_sources_is_missing() -> None:
    sources = ["全市地区生产总值达到30145.79亿元，增长6.1%。"]
    assert missing_entities("成都市地区生产总值增长6.1%", sources) == ["成都市"]


def test_a_place_the_user_named_or_a_shorter_form_is_not_missing() -> None:
    sources = ["全市地区生产总值增长6.1%", "2023年重庆地区生产总值是多少？"]
    assert missing_entities("重庆地区生产总值增长6.1%", sources) == []
    # 成都市 counts as found when a source says 成都.
    assert missing_entities("成都市经济总量增长", ["成渝地区双城经济圈：成都经济总量"]) == []


def test_traditional_script_compares_in_normal_form() -> None:
    assert missing_entities("由鞏俐主演", ["巩俐主演了这部电影"]) == []


def test_names_are_tagged_once_and_checked_against_sources() -> None:
    tagged = tagged_entities("这部电影是张艺谋导演的，由巩俐主演。")
    assert tagged == {"张艺谋": "nr", "巩俐": "nr"}
    assert missing_from(tagged, ["巩俐主演了这部电影"]) == ["张艺谋"]
    assert missing_from(["成都市"], ["成渝地区双城经济圈：成都经济总量"]) == []


def test_a_landform_noun_is_no_place() -> None:
    from qa.text.entities import places

    # jieba tags 河湖 and 江河 as places; they name kinds of water, not a place.
    assert places("2022年重庆从江河湖库的水面上清走了多少吨漂浮垃圾？") == ["重庆"]
    assert places("长江干流重庆段水质") == ["长江", "重庆"]
