"""The first step of the read path: which question is asked, and the passages that may
answer it.

A follow-up is made standalone (rules, or the model when ``condense`` is on), the
question is searched (each asked year in turn), and a question whose words the
passages found mostly lack has its candidates reordered by their closest sentence or
figure clause as well (``sentence_rank``); with a model and ``reword`` on, it is first
searched again in the reports' own wording, the two rankings fused. The passages are
packed to the context budget. Every change of question or passages records a
``Check``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from qa.answer.gate import MIN_COVERAGE, passage_texts, topic_coverage
from qa.answer.prompt import pack_passages
from qa.answer.retrieve import fuse_passages, hybrid_search, per_year_questions
from qa.answer.rewrite import Mentions, standalone_question
from qa.schema import Check, Filters, History, Passage
from qa.settings import Settings
from qa.text.script import normal_form

if TYPE_CHECKING:
    from qa.api import ReportQA


@dataclass
class Candidates:
    standalone: str  # the question answered, shown to the user
    norm: str  # its normal form
    tokens: list[str]
    passages: list[Passage]
    checks: list[Check]


def find_candidates(
    qa: ReportQA,
    question: str,
    history: History,
    filters: Filters | None,
    settings: Settings,
    chosen: str,
) -> Candidates:
    """The standalone question and its passages, packed to ``settings.context_tokens``."""
    mentions = _mentions(qa, filters)
    standalone = standalone_question(question, history, mentions)
    checks = [Check("rewritten", standalone)] if standalone != question else []
    if checks and chosen != "extractive" and settings.condense:
        standalone = _condensed(qa, chosen, question, history, standalone, checks, mentions)
    norm = normal_form(standalone)
    tokens = qa.index.tokenizer.tokens(norm.lower())
    wide, per_year = retrieve_for(qa, standalone, filters)
    checks += per_year  # a check when each asked year was searched in turn
    k = settings.k
    weak = bool(wide) and coverage_of(tokens, wide[:k], qa.index.keyword.idf) < MIN_COVERAGE
    if weak and chosen != "extractive" and settings.reword:
        wide = _reworded(qa, chosen, standalone, filters, wide, checks)
    if weak and not per_year:  # a question over several years keeps each year's best
        wide = _by_sentences(qa, standalone, wide, checks)
    passages = wide[:k]
    # Gates and verification see the full budget; the local model is shown a smaller,
    # focused prompt (``chain._draft``). Packing first to the local budget made the
    # coverage gate refuse questions whose passages were only cut away for prompt size.
    passages = pack_passages(passages, settings.context_tokens)
    return Candidates(standalone, norm, tokens, passages, checks)


def retrieve_for(
    qa: ReportQA, question: str, filters: Filters | None
) -> tuple[list[Passage], list[Check]]:
    """The passages as deep as the search fetches (``fetch_k``; the first ``k`` are the
    answer's unless reordered); a question over several years gets the best of each
    year in turn."""
    settings = qa.settings
    depth = max(settings.fetch_k, settings.k)
    passages = hybrid_search(qa.index, question, k=depth, filters=filters)
    parts = per_year_questions(normal_form(question))
    if not parts or (filters and "year" in filters):
        return passages, []
    return passages, [Check("per_year_retrieval", "、".join(str(y) for y, _ in parts))]


def coverage_of(tokens: list[str], passages: list[Passage], idf: Mapping[str, float]) -> float:
    """How much of the question's topic the passages, or their reports' titles, name;
    a title says what all its passages are about (重庆, 2023年…)."""
    titles = list(dict.fromkeys(normal_form(p.title) for p in passages))
    return topic_coverage(tokens, passage_texts(passages) + titles, idf)


def _mentions(qa: ReportQA, filters: Filters | None) -> Mentions:
    """The passages found for a phrase, as normalised texts; each phrase is searched once
    per question (the history's follow-ups are rewritten again for the rules and for
    the condenser)."""

    @cache
    def lookup(phrase: str) -> tuple[str, ...]:
        found = hybrid_search(qa.index, normal_form(phrase), k=qa.settings.k, filters=filters)
        return tuple(p.norm or normal_form(p.text) for p in found)

    return lookup


def first_line(exc: Exception) -> str:
    """An error's first line, short enough for a check's detail."""
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _condensed(
    qa: ReportQA,
    chosen: str,
    question: str,
    history: History,
    ruled: str,
    checks: list[Check],
    mentions: Mentions,
) -> str:
    """The model's standalone question when it passes its check, else the rules' one."""
    from qa.answer.condense import condense
    from qa.answer.rewrite import base_question

    base = base_question(history, mentions)
    if base is None:
        return ruled
    try:
        better = condense(qa.helper_model(chosen), base, question)
    except Exception as exc:  # the rules' question stands; the answer step will say more
        checks.append(Check("condense_failed", first_line(exc)))
        return ruled
    if not better or better == ruled:
        return ruled
    checks.append(Check("rewritten_by_model", better))
    return better


def _reworded(
    qa: ReportQA,
    chosen: str,
    question: str,
    filters: Filters | None,
    passages: list[Passage],
    checks: list[Check],
) -> list[Passage]:
    """The passages found with the question and with its wording in the reports' terms,
    fused; the question's own when the model gives no usable wording."""
    from qa.answer.reword import reword

    try:
        wording = reword(qa.helper_model(chosen), question)
    except Exception as exc:  # the question's own passages stand
        checks.append(Check("reword_failed", first_line(exc)))
        return passages
    if wording is None:
        return passages
    checks.append(Check("reworded", wording))
    settings = qa.settings
    more = hybrid_search(qa.index, wording, k=len(passages), filters=filters)
    return fuse_passages([passages, more], settings.rrf_k)


def _by_sentences(
    qa: ReportQA, question: str, passages: list[Passage], checks: list[Check]
) -> list[Passage]:
    """The first ``sentence_rank.DEPTH`` passages reordered by their closest sentence
    or figure clause too; as they were when nothing can be scored."""
    from qa.answer.evidence import closeness
    from qa.answer.sentence_rank import DEPTH, by_closest_sentence, pieces

    depth = passages[:DEPTH]
    each = [pieces(p) for p in depth]
    keys = list(dict.fromkeys(k for ks in each for k in ks))
    try:
        scored = closeness(question, keys, qa.index.embeddings, qa.reranker())
    except Exception as exc:  # the search's order stands
        checks.append(Check("sentence_rank_failed", first_line(exc)))
        return passages
    if not scored:
        return passages
    raw = {k: r for k, (_, r) in zip(keys, scored, strict=True)}
    closest = [max((raw[k] for k in ks), default=0.0) for ks in each]
    ranked = by_closest_sentence(depth, closest, qa.settings.rrf_k)
    k = qa.settings.k
    if [p.id for p in ranked[:k]] != [p.id for p in passages[:k]]:
        checks.append(Check("sentence_ranked", f"按最相近的句子重排了前 {len(depth)} 段"))
    return ranked
