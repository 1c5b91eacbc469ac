"""The read path as named steps: candidates (``candidates``: rewrite, retrieve,
reword) -> scope -> draft -> verify and choose -> compose -> script.

Every answer, from any backend, passes the same verification; a model that
fails or times out falls back to the extractive answer, and the answer says so.
Each step that changes or decides something records a ``Check``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from qa.answer.candidates import coverage_of, find_candidates, first_line
from qa.answer.compare import comparison_note
from qa.answer.evidence import ANSWERS, Similarity, similarity
from qa.answer.gate import (
    MIN_COVERAGE,
    gives_asked_figure,
    in_scope,
    place_scope,
    topic_coverage,
    years_covered,
)
from qa.answer.prompt import build_messages, pack_passages
from qa.answer.retrieve import expand_query, expand_years, per_year_questions
from qa.schema import Answer, Check, Filters, History, Passage
from qa.settings import Settings
from qa.text.script import is_traditional, normal_form, to_simplified, to_traditional

if TYPE_CHECKING:
    from qa.answer.rerank import Reranker
    from qa.answer.verify import Verified
    from qa.api import ReportQA

# The extractive answer replaces a verified model answer that covers less of the
# question's topic words (``topic_coverage``) than it does, by more than this margin.
RELEVANCE_MARGIN = 0.1
OFF_POINT = "模型回答未涉及问题的要点"


@dataclass
class _Run:
    """One question on its way through the chain: what the steps read and record."""

    question: str  # as asked
    standalone: str
    norm: str  # normal form of ``standalone``
    tokens: list[str]
    idf: Mapping[str, float]
    settings: Settings
    chosen: str  # the concrete backend
    label: str
    started: float
    answer: Answer
    embeddings: Embeddings | None = None
    reranker: Reranker | None = None
    # Loads the judge (``ReportQA.helper_model``), set when a model wrote the draft.
    helper: Callable[[], BaseChatModel] | None = None
    checks: list[Check] = field(default_factory=list)
    meaning: Similarity | None = None  # computed only when the wording alone is weak
    # The extractive answer checked beside a model's draft: when neither answers, it is
    # what the reports give nearest the question.
    nearest: Verified | None = None
    # The answer not chosen (the model's, or the extractive one) and whether the model
    # wrote it: a question asking a name is given it when the judge rejects the chosen one.
    other: tuple[Verified, bool] | None = None

    @property
    def quoted_label(self) -> str:
        """The backend shown when a source sentence is given in place of the model's."""
        return f"{self.label}（改用抽取式回答）"


def run_chain(
    qa: ReportQA,
    question: str,
    history: History,
    filters: Filters | None,
    backend: str | None,
) -> Iterator[str | Answer]:
    """Yields draft pieces as a model writes them, then the final, verified ``Answer``."""
    run = _start(qa, question, history, filters, backend)
    passages = run.answer.passages
    refusal = _scope(run, passages)
    if isinstance(refusal, Check):
        yield _refuse(run, refusal, passages)
        return
    passages = refusal
    # The extractive answer scores sentences by shared wording: ask in the reports' words
    # too (gdp -> 地区生产总值), as retrieval does.
    wording = expand_query(run.norm)
    draft = yield from _draft(qa, run, wording, passages)
    yield _compose(run, draft, wording, passages)


def _start(
    qa: ReportQA,
    question: str,
    history: History,
    filters: Filters | None,
    backend: str | None,
) -> _Run:
    """Rewrite a follow-up, retrieve its candidates and pack them to the context budget."""
    from qa.answer.llm import backend_label, resolve_backend

    started = time.perf_counter()
    settings = qa.settings if backend is None else qa.settings.replace(backend=backend)
    chosen = resolve_backend(settings)
    found = find_candidates(qa, question, history, filters, settings, chosen)
    label = backend_label(settings, chosen)
    standalone = found.standalone
    return _Run(
        question=question,
        standalone=standalone,
        norm=found.norm,
        tokens=found.tokens,
        idf=qa.index.keyword.idf,
        settings=settings,
        chosen=chosen,
        label=label,
        started=started,
        answer=Answer(
            text="", standalone_question=standalone, backend=label, passages=found.passages
        ),
        embeddings=qa.index.embeddings,
        reranker=qa.reranker(),
        checks=found.checks,
    )


def _scope(run: _Run, passages: list[Passage]) -> list[Passage] | Check:
    """The passages of the asked year, kind and place, or the check that refuses.

    Example: a 2021 question over reports of 2022-2025 -> ``Check("year_not_covered", …)``.
    """
    norm_q = run.norm
    if passages and not years_covered(norm_q, passages):
        years = "、".join(str(y) for y in expand_years(norm_q))
        return Check("year_not_covered", f"报告中没有 {years} 年的内容")
    if not passages:
        return Check("retrieval_weak", "没有检索到段落")
    coverage = coverage_of(run.tokens, passages, run.idf)
    if coverage < MIN_COVERAGE:
        # The question's words are not the reports': ask whether its meaning is. (Adding
        # the dense-only top 5 here found 4 more of the 39 dev paraphrase answers but
        # its distractors cost 3 answers already found: not kept.)
        run.meaning = similarity(run.standalone, passages, run.embeddings, run.reranker)
        detail = f"问题要点在段落中的覆盖率 {coverage:.2f}，语义相近度 {run.meaning.best:.2f}"
        if run.meaning.best < ANSWERS:
            return Check("retrieval_weak", detail)
        run.checks.append(Check("semantic_match", detail))
    missing, placed = place_scope(norm_q, passages)
    scoped = in_scope(norm_q, placed)
    if not scoped:
        what = "、".join(missing) if missing else "所问年份和类型（目标或完成情况）"
        return Check("out_of_scope", f"段落中没有{what}的内容")
    if len(scoped) < len(passages):
        dropped = len(passages) - len(scoped)
        run.checks.append(Check("scoped", f"只用所问年份、类型或地区的段落（略去 {dropped} 段）"))
    return scoped


def _extract(run: _Run, wording: str, passages: list[Passage]) -> str:
    """The extractive answer; when the wording finds nothing, by meaning as well."""
    from qa.answer.extractive import extractive_answer
    from qa.answer.refusal import REFUSAL

    text = extractive_answer(wording, passages, meaning=run.meaning)
    if text == REFUSAL and run.meaning is None:
        run.meaning = similarity(run.standalone, passages, run.embeddings, run.reranker)
        text = extractive_answer(wording, passages, meaning=run.meaning)
        if text != REFUSAL:
            run.checks.append(
                Check("semantic_match", f"按语义选句（相近度 {run.meaning.best:.2f}）")
            )
    return text


def _draft(
    qa: ReportQA, run: _Run, wording: str, passages: list[Passage]
) -> Generator[str, None, str]:
    """The backend's draft, streamed; a failing model gives way to the extractive one."""
    from qa.answer.extractive import focus_passages

    if run.chosen == "extractive":
        return _extract(run, wording, passages)
    settings, draft = run.settings, ""
    try:
        model = qa.chat_model(run.chosen)
        run.helper = lambda: qa.helper_model(run.chosen)
        shown = passages
        if run.chosen == "local":
            focused = focus_passages(wording, passages, meaning=run.meaning)
            shown = pack_passages(focused, settings.local_context_tokens)
        # The model's time runs from its first request: building a missing index (about a
        # minute on the first question after setup) or retrieval must not eat into it.
        drafting = time.perf_counter()
        for piece in model.stream(build_messages(run.standalone, shown)):
            text = piece.content if isinstance(piece.content, str) else ""
            if text:
                if run.answer.first_token_seconds is None:
                    run.answer.first_token_seconds = time.perf_counter() - run.started
                draft += text
                yield text
            if time.perf_counter() - drafting > settings.llm_timeout:
                raise TimeoutError(f"模型超过 {settings.llm_timeout:.0f} 秒未完成")
    except Exception as exc:
        reason = first_line(exc)
        if settings.openai_api_key:
            # A server may echo the key in its error; it must not reach the answer.
            reason = reason.replace(settings.openai_api_key, "***")
        run.checks.append(Check("backend_fallback", f"{run.label} 不可用：{reason}"))
        run.label = f"抽取式（{run.label} 不可用，已改用抽取式回答）"
        run.answer.backend = run.label
        return _extract(run, wording, passages)
    return draft


def _compose(run: _Run, draft: str, wording: str, passages: list[Passage]) -> Answer:
    """The verified answer (or the refusal it turns into), with differences computed in code."""
    from qa.answer.given import as_sentence
    from qa.answer.refusal import refusal_text

    verified, answers = _choose(run, draft, wording, passages)
    run.checks.extend(verified.checks)
    base = run.answer
    base.draft = draft
    base.checks = run.checks
    if not answers:
        if not verified.refused:
            # The passages speak of the topic but not in the asked unit (a growth rate
            # for 多少亿元): a near miss.
            run.checks.append(Check("figure_missing", "回答中没有所问单位的相关数字"))
            return _near_miss(run, verified, passages)
        nearest = run.nearest
        if nearest is not None and not nearest.refused and nearest.supported_sentences:
            # Nothing the model wrote holds up, and the nearest source sentence does not
            # give the asked figure either: say what it gives instead.
            run.checks.append(Check("figure_missing", "原文最相近的句子没有给出所问的数字"))
            return _near_miss(run, nearest, passages, quoted=True)
        base.refused = True
        base.text = refusal_text(passages)
        return _finish(run)
    base.citations = list(verified.cited)
    base.text = as_sentence(verified) if _model_wrote(run) else verified.text
    if _off_the_question(run, verified, _model_wrote(run)) and not _take_other(run):
        return _near_miss(run, verified, passages)
    note = comparison_note(run.standalone, base.text, base.citations)
    if note:
        base.text += "\n" + note
        run.checks.append(Check("computed_in_code", note))
    return _finish(run)


def _near_miss(
    run: _Run, verified: Verified, passages: list[Passage], quoted: bool = False
) -> Answer:
    """A refusal that says what the reports give instead, with that citation:
    "文档中没有相关信息。相关内容：报告给出的是：全市客运量增长47.8%[1]。". ``quoted``:
    ``verified`` holds source sentences, whoever wrote the draft."""
    from qa.answer.given import what_is_given
    from qa.answer.refusal import refusal_text

    base = run.answer
    base.refused = True
    if verified.supported_sentences and verified.cited:
        base.citations = list(verified.cited)
        restated = _model_wrote(run) and not quoted
        base.text = refusal_text(passages, note=what_is_given(verified, passages, restated))
    else:
        base.citations = []
        base.text = refusal_text(passages)
    return _finish(run)


def _model_wrote(run: _Run) -> bool:
    """The answer is the model's own writing, not source sentences."""
    return run.helper is not None and "抽取式" not in run.answer.backend


def _choose(run: _Run, draft: str, wording: str, passages: list[Passage]) -> tuple[Verified, bool]:
    """The verified draft, or the extractive answer where it is better; and whether it
    answers (gives a figure in the asked unit on the asked topic).

    The model gave nothing usable (only a header, nothing it cited holds its figures, no
    figure in the asked unit, or "the passages do not say") although the gates found
    passages in scope, it left out some of the years asked, or it answers beside the
    point (水利投资 for 工业投资: every figure checks out, but the asked topic words are
    missing; 26 of 163 golden answers, none made worse): the extractive answer from the
    same passages, when it clears its own threshold and gives the asked figure, is
    better. On the golden set the 1.5B model refused questions whose answer was a
    passage sentence (绿色贷款余额超6800亿元); the extractive answer refuses all 15
    unanswerable ones, so believing it loses no refusal.
    """
    from qa.answer.verify import verify_answer

    verified = verify_answer(draft, passages, run.standalone)
    answers = _gives_figure(run, verified)
    if run.chosen == "extractive" or run.answer.backend != run.label:
        return verified, answers
    rescue = verify_answer(_extract(run, wording, passages), passages, run.standalone)
    run.nearest = rescue
    rescues = _gives_figure(run, rescue)
    why = _rescue_reason(run, verified, answers, rescue) if rescues else None
    if why == OFF_POINT and _selector_keeps_model(run, verified, rescue):
        why = None
    if not why:
        run.other = (rescue, False) if rescues and answers else None
        return verified, answers
    run.other = (verified, True) if answers else None
    run.checks.extend(verified.checks)
    run.checks.append(Check("extractive_backstop", f"{why}，改用原文句子"))
    run.answer.backend = run.quoted_label
    return rescue, True


# Sentences of one answer the judge reads, each on its own (about 0.8 s each locally).
MAX_JUDGED = 3


def _off_the_question(run: _Run, verified: Verified, wrote: bool) -> bool:
    """The model, as a judge, says none of the answer's sentences answers the question
    asked (each is judged alone, by the passage words that hold its figure: a right
    figure beside a neighbouring one still counts)."""
    from qa.answer.judge import answers_question, evidence
    from qa.answer.markers import strip_markers
    from qa.text.respective import asked_pairs

    if run.helper is None or not run.settings.judge or run.answer.backend.startswith("抽取式"):
        return False
    verdicts = []
    for sentence in verified.supported_sentences[:MAX_JUDGED]:
        try:
            # Source sentences are judged whole; a model's, by the words it restates.
            shown = evidence(sentence, verified.cited) if wrote else normal_form(sentence)
            # Of figures given respectively (分别), the judge reads the asked item's.
            shown = asked_pairs(strip_markers(shown), run.norm) or strip_markers(shown)
            verdict = answers_question(run.helper(), run.standalone, shown)
        except Exception as exc:  # a judge that fails leaves the verified answer as it is
            run.checks.append(Check("judge_failed", first_line(exc)))
            return False
        if verdict is not False:
            return False
        verdicts.append(verdict)
    if not verdicts:
        return False
    run.checks.append(Check("judge_not_answered", "模型判断：所引句子没有回答所问的指标"))
    return True


def _take_other(run: _Run) -> bool:
    """For a question asking a name, place or time: the answer not chosen, when the judge
    takes it although it rejected the chosen one (a source sentence that repeats the
    question's words beside the model's right name, or the model's sentence that names
    nobody beside a source sentence that does). Amounts are left to the near-miss refusal:
    there the judge accepts a neighbouring figure too often to be asked twice."""
    from qa.answer.gate import asks_figure
    from qa.answer.given import as_sentence

    if run.other is None or asks_figure(run.norm):
        return False
    other, wrote = run.other
    run.other = None
    if _off_the_question(run, other, wrote):
        return False
    run.checks.append(Check("judge_chose_other", "模型判断：所选回答没有回答问题，改用另一回答"))
    run.answer.backend = run.label if wrote else run.quoted_label
    run.answer.citations = list(other.cited)
    run.answer.text = as_sentence(other) if wrote else other.text
    return True


def _gives_figure(run: _Run, verified: Verified) -> bool:
    """Some sentence gives a figure in the asked unit and aspect, on the asked topic.
    A model's sentence is read in its passage's words: it may restate the question
    around a neighbouring figure ("全年一共运送了600万人次" from 日最高客运量)."""
    from qa.answer.judge import evidence

    on_topic = run.meaning is not None and run.meaning.best >= ANSWERS
    sentences = verified.supported_sentences
    sources = [evidence(s, verified.cited) for s in sentences] if _model_wrote(run) else None
    return not verified.refused and gives_asked_figure(
        run.norm, run.tokens, sentences, run.idf, on_topic, sources
    )


def _rescue_reason(run: _Run, verified: Verified, answers: bool, rescue: Verified) -> str | None:
    """Why the extractive answer beats the model's, or None."""
    from qa.answer.judge import evidence

    asked_years = {y for y, _ in per_year_questions(run.norm)}

    def years_of(v: Verified) -> int:
        return len(asked_years & {p.year for p in v.cited})

    def covers(v: Verified, restated: bool = False) -> float:
        # A model's sentence is read with the passage words that hold its figure too: a
        # bare "94.6%[1]。" restates nothing, yet its passage names the asked topic.
        texts = [normal_form(s) for s in v.supported_sentences]
        if restated:
            texts += [evidence(s, v.cited) for s in v.supported_sentences]
        return topic_coverage(run.tokens, texts, run.idf)

    if not answers:
        return "模型未能给出可核对的回答"
    if years_of(rescue) > years_of(verified):
        return "模型回答缺少所问的部分年份"
    restated = _model_wrote(run)
    if not asked_years and covers(rescue) > covers(verified, restated) + RELEVANCE_MARGIN:
        return OFF_POINT
    return None


def _selector_keeps_model(run: _Run, verified: Verified, rescue: Verified) -> bool:
    """The model, shown the question beside its own answer (in its passage's words) and
    the source sentence that covers more of the question's words, takes its own answer.
    Shared words are no proof of an answer: a headline that repeats the question ("《X》
    的导演是谁，一直是话题") covers it better than the sentence naming the director."""
    from qa.answer.judge import choose_answer, evidence
    from qa.answer.markers import strip_markers

    if run.helper is None or not run.settings.judge:
        return False
    if not verified.supported_sentences or not rescue.supported_sentences:
        return False
    mine = strip_markers(evidence(verified.supported_sentences[0], verified.cited))
    source = normal_form(strip_markers(rescue.supported_sentences[0]))
    if mine.strip(" 。.") in source:
        # The source sentence says what the model said, as a whole sentence ("东京[1]。"
        # beside "…出生于东京…"): nothing to choose.
        return False
    try:
        choice = choose_answer(run.helper(), run.standalone, mine, source)
    except Exception as exc:  # no verdict: the lexical choice stands
        run.checks.append(Check("judge_failed", first_line(exc)))
        return False
    if choice != 0:
        said = {1: "原文句子回答了问题", -1: "两句都没有回答问题", None: "没有给出判断"}[choice]
        run.checks.append(Check("selector_not_kept", f"模型判断：{said}，不保留模型回答"))
        return False
    run.checks.append(Check("selector_kept_model", "模型判断：模型回答给出了所问的内容，保留"))
    return True


def _refuse(run: _Run, check: Check, nearby: list[Passage]) -> Answer:
    from qa.answer.refusal import refusal_text

    run.checks.append(check)
    base = run.answer
    base.text, base.refused, base.checks = refusal_text(nearby), True, run.checks
    return _finish(run)


def _finish(run: _Run) -> Answer:
    # Answer in the script the user asked in; citations keep the source's own text.
    answer = run.answer
    convert = to_traditional if is_traditional(run.question) else to_simplified
    answer.text = convert(answer.text)
    answer.seconds = time.perf_counter() - run.started
    return answer
