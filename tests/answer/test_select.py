"""The select step: windows of the passages in scope, ranked by meaning, one picked."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from qa.answer.select import (
    Window,
    by_meaning,
    close_enough,
    picked,
    selected_first,
    selects,
    windows,
)
from qa.schema import Passage


def _p(text: str, name: str = "a") -> Passage:
    return Passage(
        doc=f"{name}.txt", title=name, year=2023, section="", text=text, score=1.0, id=name
    )


class _Topical(Embeddings):
    """One axis per topic word: a text's vector counts the topic words it contains."""

    TOPICS = ("托", "公园", "低保")

    def _vector(self, text: str) -> list[float]:
        return [float(text.count(t)) + 0.01 for t in self.TOPICS]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def test_the_worked_example() -> None:
    found = windows([_p("新增婴幼儿托位1.6万个。召开大会。")], figures_only=True)
    assert found == [Window(1, 0, "新增婴幼儿托位1.6万个", "新增婴幼儿托位1.6万个")]


def test_without_a_figure_asked_every_window_counts() -> None:
    found = windows([_p("新增婴幼儿托位1.6万个。召开大会。")], figures_only=False)
    assert [w.text for w in found] == ["新增婴幼儿托位1.6万个", "召开大会"]


def test_a_window_repeated_in_another_passage_is_offered_once() -> None:
    found = windows([_p("新建公园10个。", "a"), _p("新建公园10个。", "b")], figures_only=True)
    assert [(w.passage, w.text) for w in found] == [(1, "新建公园10个")]


def test_windows_are_ranked_by_meaning() -> None:
    found = windows([_p("新建公园10个。", "a"), _p("城市低保标准提高到每人每月717元。", "b")], True)
    ranked = by_meaning("最困难的家庭每月能领多少低保？", found, _Topical())
    assert [w.passage for w, _ in ranked] == [2, 1]
    # The unrelated one is below the floor a sentence chosen by meaning must clear.
    assert [w.passage for w in close_enough(ranked)] == [2]


def test_with_nothing_to_rank_by_nothing_is_selected() -> None:
    found = windows([_p("新建公园10个。", "a"), _p("低保717元。", "b")], True)
    assert by_meaning("低保多少？", found, None) == []


def test_the_model_picks_among_the_first_few() -> None:
    ranked = [Window(1, 0, t, t) for t in ("甲10个", "乙20个", "丙30个")]
    assert picked(FakeListChatModel(responses=['{"答案": "2"}']), "q", ranked) == 1
    # "0" (none) and a reply that does not parse are no verdict.
    assert picked(FakeListChatModel(responses=['{"答案": "0"}']), "q", ranked) is None
    assert picked(FakeListChatModel(responses=["第二句"]), "q", ranked) is None


def test_one_window_is_taken_without_asking() -> None:
    silent = FakeListChatModel(responses=[])  # would raise if asked
    assert picked(silent, "q", [Window(1, 0, "甲10个", "甲10个")]) == 0


def test_several_years_or_items_are_not_one_window() -> None:
    assert selects("2023年新增多少托位?", several_years=False)
    assert not selects("2023年新增多少托位?", several_years=True)
    assert not selects("商贸和住宿业分别增长多少?", several_years=False)
    assert not selects("算力新增了多少?总共有多大?", several_years=False)


def test_the_selected_passage_comes_first() -> None:
    a, b, c = _p("甲", "a"), _p("乙", "b"), _p("丙", "c")
    order, window = selected_first([a, b, c], Window(2, 0, "乙", "乙"))
    assert order == [b, a, c] and window == Window(1, 0, "乙", "乙")
