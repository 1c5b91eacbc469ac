"""The keyword side of hybrid search: jieba tokens of the simplified normal form, BM25.

Tokens are computed once at ingest and stored with each chunk in the vector
store, so the keyword index always holds exactly the chunks (and ids) the
vector store holds, in embedded and server mode alike. At larger scale this
module is the seam where a server-side full-text engine (Elasticsearch or
OpenSearch with an IK/smartcn analyzer) would replace ``KeywordIndex``: it
needs only ``search(tokens, k, mask) -> [(position, score)]``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np

_KEEP = re.compile(r"[\w\u4e00-\u9fff%.]")
_STOP = frozenset(
    "的 了 和 与 及 是 在 为 有 对 将 把 被 等 中 上 下 年 个 多少 什么 哪些 哪个 怎么 如何 "
    "吗 呢 啊 请问 请 一下 是否 情况 多 少 几 哪 其 之 以 于 而 并 或 也 都 就 这 那 该 此".split()
)


class Tokenizer:
    """A jieba tokenizer of its own (not jieba's global one), loaded on first use."""

    def __init__(self) -> None:
        self._jieba: Any = None

    def _load(self) -> Any:
        if self._jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            self._jieba = jieba.Tokenizer()
            self._jieba.initialize()
        return self._jieba

    def tokens(self, norm_text: str) -> list[str]:
        """Search-mode tokens without punctuation or stop words.

        Example: ``tokens("2023年地区生产总值增长6.1%")`` ->
        ``["2023", "地区", "生产", "总值", "生产总值", "增长", "6.1%"]`` (jieba's cut).
        """
        out: list[str] = []
        for tok in self._load().cut_for_search(norm_text):
            tok = tok.strip().lower()
            if tok and tok not in _STOP and _KEEP.search(tok):
                out.append(tok)
        return out


class KeywordIndex:
    """Okapi BM25 over token lists as an inverted index (bm25s: a sparse token x chunk
    matrix of precomputed BM25 weights), so a question costs the postings of its tokens,
    not a pass over every chunk.

    Scoring is Robertson's BM25 (k1 1.5, b 0.75), rank_bm25's formula but for idf: a
    token in more than half the chunks weighs 0 here (rank_bm25 gave it a quarter of the
    mean idf). Fusion uses scores relative to the best one, so only ranks matter. Chosen
    by ``bench/bench_keyword.py``: at 74,700 chunks a query takes 0.23 ms (rank-bm25 148
    ms, SQLite FTS5 23 ms and 40 ms with a year filter); top-30 overlap with rank-bm25
    0.988 at 1x. On the golden set (``qa eval --backend extractive``) hit@5, MRR and
    answer accuracy are unchanged. ``idf`` keeps rank_bm25's values: the answer gates
    weigh question words by it.
    """

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75) -> None:
        import bm25s

        self.size = len(docs)
        self.lengths = [len(d) for d in docs]  # tokens per chunk, by position
        self._bm25 = bm25s.BM25(method="robertson", k1=k1, b=b, dtype="float64")
        self._bm25.index([list(d) for d in docs] or [[""]], show_progress=False)

    @cached_property
    def idf(self) -> dict[str, float]:
        """Inverse document frequency of each indexed token, as rank_bm25 computes it:
        ``log((N - n + 0.5) / (n + 0.5))``, negative values raised to 0.25 x the mean."""
        # The score matrix has one column per token: a column's length is its df.
        df = np.diff(self._bm25.scores["indptr"])
        n = self.size
        raw = np.log(n - df + 0.5) - np.log(df + 0.5)
        floor = 0.25 * float(raw.mean()) if raw.size else 0.0
        return {
            tok: (float(raw[i]) if raw[i] >= 0 else floor)
            for tok, i in self._bm25.vocab_dict.items()
            if i < df.size and df[i] > 0
        }

    def scores(self, query_tokens: Sequence[str], mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every chunk (0 outside ``mask``); repeated query tokens count once."""
        if not self.size or not query_tokens:
            return np.zeros(self.size)
        weights = None if mask is None else mask.astype(np.float64)
        got = self._bm25.get_scores(list(dict.fromkeys(query_tokens)), weight_mask=weights)
        return np.asarray(got, dtype=np.float64)

    def search(
        self, query_tokens: Sequence[str], k: int, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (position, score) with a positive score, restricted to ``mask``."""
        scores = self.scores(query_tokens, mask)
        if not scores.size or k <= 0:
            return []
        # Select, then sort only the selected (a full sort of 75,000 scores is ~1 ms);
        # ties go to the earlier position, so results repeat from process to process.
        top = np.argpartition(-scores, k - 1)[:k] if k < scores.size else np.arange(scores.size)
        top = top[np.lexsort((top, -scores[top]))]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
