"""Candidates reordered by their closest sentence or figure clause, fused with the
search's order."""

from __future__ import annotations

from qa.answer.evidence import key
from qa.answer.sentence_rank import by_closest_sentence, pieces
from qa.schema import Passage


def _p(name: str, text: str = "") -> Passage:
    return Passage(
        doc=f"{name}.txt", title=name, year=2023, section="", text=text or name, score=1.0, id=name
    )


def test_the_worked_example() -> None:
    found = [_p(c) for c in "abcdefgh"]
    closest = [0.87, 0.86, 0.85, 0.84, 0.83, 0.82, 0.81, 0.91]
    ranked = by_closest_sentence(found, closest, rrf_k=60)
    # h: 1/68 + 2/61 = 0.0475 passes c: 1/63 + 2/64 = 0.0471, not b: 1/62 + 2/63 = 0.0479.
    assert "".join(p.id for p in ranked) == "abhcdefg"


def test_the_pieces_order_counts_twice() -> None:
    found = [_p(c) for c in "abc"]
    # Equal weights would keep a first (first by search, third by its pieces).
    assert [p.id for p in by_closest_sentence(found, [0.80, 0.91, 0.85], rrf_k=60)] == list("bac")


def test_ties_keep_the_search_order() -> None:
    found = [_p(n) for n in "abcd"]
    assert [p.id for p in by_closest_sentence(found, [0.5] * 4, rrf_k=60)] == list("abcd")


def test_nothing_in_nothing_out() -> None:
    assert by_closest_sentence([], [], rrf_k=60) == []


def test_a_passage_is_scored_by_its_sentences_and_their_figure_clauses() -> None:
    text = "新增婴幼儿托位1.6万个，建成社区食堂200个，养老服务更便利。全市经济稳中向好。"
    got = pieces(_p("a", text))
    first = key("新增婴幼儿托位1.6万个，建成社区食堂200个，养老服务更便利。")
    assert got == [first, "新增婴幼儿托位1.6万个", "建成社区食堂200个", "全市经济稳中向好。"]


def test_a_sentence_of_one_clause_is_not_scored_twice() -> None:
    assert pieces(_p("a", "全市地区生产总值增长6.1%。")) == ["全市地区生产总值增长6.1%。"]
