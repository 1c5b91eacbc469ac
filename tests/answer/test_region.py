"""The region a question asks about: tagged places, the passages naming them, and the
model reading which tagged words say where."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from qa.answer.region import (
    messages,
    not_where,
    parse,
    place_scope,
    read_places,
    schema,
    tagged_places,
)
from qa.ingest.clean import normal_form
from qa.schema import Passage


def q(text: str) -> str:
    return normal_form(text)


def passage(text: str, year: int | None, title: str = "报告") -> Passage:
    doc = "001_a2cb04c756ef0252.txt"
    return Passage(doc=doc, title=title, year=year, section="", text=text, score=1.0)


def test_places_come_from_the_question_and_the_passages() -> None:
    gdp = passage("全年地区生产总值达到32193.15亿元、增长5.7%。", 2024, "重庆市人民政府工作报告")
    assert place_scope(q("成都市2024年地区生产总值是多少？"), [gdp]) == (["成都市"], [])
    assert place_scope(q("上海2023年GDP增速是多少？"), [gdp]) == (["上海"], [])
    # The place is in the report's title, not in the passage's words (全市…).
    assert place_scope(q("2024年重庆地区生产总值是多少？"), [gdp]) == ([], [gdp])
    assert place_scope(q("2023年川渝两省市经济总量突破了多少？"), [gdp]) == ([], [gdp])
    # Another province named by its abbreviation in a compound (沪渝) is named.
    ferry = passage("沪渝直达快线开行1196艘次。", 2022)
    assert place_scope(q("2022年重庆到上海的直达快船开了多少趟？"), [ferry]) == ([], [ferry])
    assert place_scope(q("2022年重庆到天津的直达快船开了多少趟？"), [ferry]) == (["天津"], [])
    # A passage naming the place is kept, the others go.
    chengdu = passage("成渝地区双城经济圈，重庆、成都双核联动。", 2024)
    assert place_scope(q("成都市2024年发展如何？"), [gdp, chengdu]) == ([], [chengdu])
    # Any region: nothing here knows which country or city the corpus is about.
    lyon = passage("法国里昂市常住人口约52万，是法国第三大城市。", None)
    assert place_scope(q("法国第三大城市有多少人口？"), [lyon]) == ([], [lyon])
    assert place_scope(q("德国第三大城市有多少人口？"), [lyon])[0] == ["德国"]
    # A quoted name is what is asked about: jieba tags its 青山 as a place.
    belt = passage("完成“两岸青山·千里林带”建设35.2万亩。", 2024)
    assert place_scope(q("2024年“两岸青山·千里林带”建了多少万亩？"), [belt]) == ([], [belt])


def test_a_place_gone_to_or_worked_with_is_not_where_the_figure_is() -> None:
    visits = passage("市领导先后走访18个国家部委和央企。", 2023, "重庆市政府工作报告")
    asked = q("2023年重庆领导为了那件大事专程跑北京争取支持，先后拜访了多少个部门？")
    assert not_where(asked, ["北京"], ["重庆"]) == ["北京"]
    assert place_scope(asked, [visits]) == ([], [visits])
    # Joined to the place the reports are about, it shares its role.
    joint = q("2022年重庆和四川合力推进的那160个大工程完成投资多少？")
    assert not_where(joint, ["四川"], ["重庆"]) == ["四川"]
    # Where it says which thing is counted, or stands alone, it is asked about.
    assert not_where(q("2022年重庆到天津的直达快船开了多少趟？"), ["天津"], ["重庆"]) == []
    assert not_where(q("2023年重庆万州区的地区生产总值是多少？"), ["万州区"], ["重庆"]) == []
    assert not_where(q("成都市2024年地区生产总值是多少？"), ["成都市"], []) == []
    # Joined to a place no passage names, it is asked about as that one is.
    assert not_where(q("2023年成都和天津的地区生产总值是多少？"), ["成都", "天津"], []) == []


def test_tags_read_landform_nouns_as_places() -> None:
    # What the model is asked to mend: jieba tags 河沟 as it tags 成都.
    assert tagged_places(q("2023年重庆把那些不大不小的河沟整治了多少公里？")) == ["重庆", "河沟"]
    assert tagged_places(q("成都市2024年“两岸青山”建设")) == ["成都市"]


def test_the_reply_can_only_name_the_tagged_words() -> None:
    words = ["重庆", "河沟"]
    assert schema(words)["properties"]["地方"]["items"]["enum"] == words
    assert parse('{"地方": ["重庆"]}', words) == ["重庆"]
    # In the question's order, without words it was not given.
    assert parse('{"地方": ["河沟", "重庆", "成都"]}', words) == ["重庆", "河沟"]
    # Naming none, or no JSON: no verdict, the tags stand.
    assert parse('{"地方": []}', words) is None
    assert parse("重庆", words) is None
    assert parse('{"地方": "重庆"}', words) is None


def test_the_model_sees_the_question_and_its_candidates() -> None:
    msgs = messages("2023年重庆整治了多少公里河沟?", ["重庆", "河沟"])
    assert "只输出JSON" in msgs[0]["content"]
    assert (
        msgs[1]["content"]
        == "问题：2023年重庆整治了多少公里河沟?\n候选：重庆、河沟\n所问的地方是哪些？"
    )


def test_a_model_reply_is_read() -> None:
    model = FakeListChatModel(responses=['{"地方": ["重庆"]}'])
    assert read_places(model, "2023年重庆整治了多少公里河沟?", ["重庆", "河沟"]) == ["重庆"]
    muddled: Any = FakeListChatModel(responses=["所问的地方是重庆"])
    assert read_places(muddled, "q", ["重庆", "河沟"]) is None
