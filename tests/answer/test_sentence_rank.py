"""Candidates reordered by their closest sentence, fused with the search's order."""

from __future__ import annotations

from qa.answer.sentence_rank import by_closest_sentence
from qa.schema import Passage


def _p(name: str) -> Passage:
    return Passage(
        doc=f"{name}.txt", title=name, year=2023, section="", text=name, score=1.0, id=name
    )


def test_the_worked_example() -> None:
    found = [_p(c) for c in "abcdefgh"]
    closest = [0.87, 0.86, 0.85, 0.84, 0.83, 0.82, 0.81, 0.91]
    ranked = by_closest_sentence(found, closest, rrf_k=60)
    # h: 2/67 + 1/60 = 0.0465 passes f: 2/65 + 1/66 = 0.0459, not e: 2/64 + 1/65 = 0.0466.
    assert "".join(p.id for p in ranked) == "abcdehfg"


def test_the_search_order_counts_twice() -> None:
    found = [_p(c) for c in "abc"]
    # Equal weights would put b first (second by search, first by sentence).
    assert [p.id for p in by_closest_sentence(found, [0.80, 0.91, 0.85], rrf_k=60)] == list("abc")


def test_ties_keep_the_search_order() -> None:
    found = [_p(n) for n in "abcd"]
    assert [p.id for p in by_closest_sentence(found, [0.5] * 4, rrf_k=60)] == list("abcd")


def test_nothing_in_nothing_out() -> None:
    assert by_closest_sentence([], [], rrf_k=60) == []
