"""The read path: rewrite -> retrieve -> gate -> pack -> generate -> verify -> script.

Every answer, from any backend, passes the same verification; a model that
fails or times out falls back to the extractive answer, and the answer says so.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from qa.clean import is_traditional, normal_form, to_simplified, to_traditional
from qa.compare import comparison_note
from qa.prompt import build_messages, pack_passages
from qa.retrieve import expand_query, expand_years, hybrid_search, per_year_questions
from qa.rewrite import standalone_question
from qa.schema import Answer, Check, Passage

# Question words that say nothing about the topic; coverage is measured without them.
_GENERIC = frozenset(
    "重庆 重庆市 全市 我市 市 报告 政府 多少 是 什么 哪些 情况 增长 年 达到 主要 工作 "
    "预期 目标 完成 实际 数据 相关 介绍 一下 请问 分别 比较 变化 元 万元 亿元 万亿元".split()
)
MIN_COVERAGE = 0.5


def topic_coverage(
    q_tokens: list[str], passages: list[Passage], idf: Mapping[str, float] | None = None
) -> float:
    """IDF-weighted share of the question's topic words found in the passages; a word
    the reports write otherwise (``gdp`` -> 地区生产总值, see ``SYNONYMS``) counts in
    their wording. Rare words weigh most: a question about 成都 is not answered by
    passages that match only its common words. Words the corpus never uses get the
    mean weight (paraphrases use such words too).

    Example: tokens ``["医院", "数量"]`` against passages that mention neither -> 0.0.
    """
    from qa.retrieve import SYNONYMS

    topic = [t for t in dict.fromkeys(q_tokens) if t not in _GENERIC and not t.isdigit()]
    if not topic:
        return 1.0
    text = " ".join(p.norm or normal_form(p.text) for p in passages)
    default = sum(idf.values()) / len(idf) if idf else 1.0

    def weight(t: str) -> float:
        return max(idf.get(t, default), 0.1) if idf else 1.0

    found = [t for t in topic if t in text or (t in SYNONYMS and SYNONYMS[t] in text)]
    return sum(weight(t) for t in found) / sum(weight(t) for t in topic)


def years_covered(norm_question: str, passages: list[Passage]) -> bool:
    """False when the question names years and no passage speaks of any of them
    (the reports cover 2022-2025: a 2019 question must not get another year's figure).

    Example: "2019年gdp" against passages of 2023 and 2024 -> False.
    """
    asked = set(expand_years(norm_question))
    known = {p.year for p in passages if p.year} | {y for p in passages for y in p.doc_years}
    return not asked or not known or bool(asked & known)


def retrieve_for(
    qa: Any, question: str, filters: Mapping[str, Any] | None
) -> tuple[list[Passage], list[Check]]:
    """Top passages; a question over several years gets the best of each year in turn."""
    passages = hybrid_search(qa.index, question, k=qa.settings.k, filters=filters)
    parts = per_year_questions(normal_form(question))
    if not parts or (filters and "year" in filters):
        return passages, []
    return passages, [Check("per_year_retrieval", "、".join(str(y) for y, _ in parts))]


def _finish(answer: Answer, question: str, started: float) -> Answer:
    # Answer in the script the user asked in; citations keep the source's own text.
    answer.text = (to_traditional if is_traditional(question) else to_simplified)(answer.text)
    answer.seconds = time.perf_counter() - started
    return answer


def run_chain(
    qa: Any,
    question: str,
    history: Sequence[Any],
    filters: Mapping[str, Any] | None,
    backend: str | None,
) -> Iterator[str | Answer]:
    from qa.extractive import extractive_answer
    from qa.llm import backend_label, resolve_backend
    from qa.verify import refusal_text, verify_answer

    started = time.perf_counter()
    settings = qa.settings if backend is None else qa.settings.replace(backend=backend)
    chosen = resolve_backend(settings)
    label = backend_label(settings, chosen)
    standalone = standalone_question(question, history)
    checks: list[Check] = []
    if standalone != question:
        checks.append(Check("rewritten", standalone))
    passages, more = retrieve_for(qa, standalone, filters)
    checks.extend(more)
    budget = settings.local_context_tokens if chosen == "local" else settings.context_tokens
    passages = pack_passages(passages, budget)
    tokens = qa.index.tokenizer.tokens(normal_form(standalone).lower())
    coverage = topic_coverage(tokens, passages, qa.index.keyword.idf)
    base = Answer(text="", standalone_question=standalone, backend=label, passages=passages)

    if passages and not years_covered(normal_form(standalone), passages):
        years = "、".join(str(y) for y in expand_years(normal_form(standalone)))
        checks.append(Check("year_not_covered", f"报告中没有 {years} 年的内容"))
        base.text, base.refused, base.checks = refusal_text(passages), True, checks
        yield _finish(base, question, started)
        return
    if not passages or coverage < MIN_COVERAGE:
        checks.append(Check("retrieval_weak", f"问题要点在段落中的覆盖率 {coverage:.2f}"))
        base.text, base.refused, base.checks = refusal_text(passages), True, checks
        yield _finish(base, question, started)
        return

    draft = ""
    # The extractive answer scores sentences by shared wording: ask in the reports' words
    # too (gdp -> 地区生产总值), as retrieval does.
    wording = expand_query(normal_form(standalone))
    if chosen == "extractive":
        draft = extractive_answer(wording, passages)
    else:
        try:
            model = qa.chat_model(chosen)
            for piece in model.stream(build_messages(standalone, passages)):
                text = piece.content if isinstance(piece.content, str) else ""
                if text:
                    if base.first_token_seconds is None:
                        base.first_token_seconds = time.perf_counter() - started
                    draft += text
                    yield text
                if time.perf_counter() - started > settings.llm_timeout:
                    raise TimeoutError(f"模型超过 {settings.llm_timeout:.0f} 秒未完成")
        except Exception as exc:
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            if settings.openai_api_key:
                # A server may echo the key in its error; it must not reach the answer.
                reason = reason.replace(settings.openai_api_key, "***")
            checks.append(Check("backend_fallback", f"{label} 不可用：{reason}"))
            label = f"抽取式（{label} 不可用，已改用抽取式回答）"
            base.backend = label
            draft = extractive_answer(wording, passages)

    verified = verify_answer(draft, passages, standalone)
    checks.extend(verified.checks)
    base.draft = draft
    base.checks = checks
    base.refused = verified.refused
    if verified.refused:
        base.text = refusal_text(passages)
        yield _finish(base, question, started)
        return
    base.citations = list(verified.cited)
    base.text = verified.text
    note = comparison_note(standalone, base.text, base.citations)
    if note:
        base.text += "\n" + note
        checks.append(Check("computed_in_code", note))
    yield _finish(base, question, started)
