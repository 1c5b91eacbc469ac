"""The read path as named steps: candidates (``candidates``: rewrite, retrieve,
reword) -> scope -> draft -> verify and choose (``decide``) -> compose -> script. A
question not in the reports' words whose answer falls short gets a second look: the
clause run that means it is selected (``select``) and drafted from again.

Every answer, from any backend, passes the same verification; a model that
fails or times out falls back to the extractive answer, and the answer says so.
Each step that changes or decides something records a ``Check``.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from qa.answer.candidates import coverage_of, find_candidates, first_line
from qa.answer.compare import comparison_note
from qa.answer.decide import choose, extract, off_the_question, take_other
from qa.answer.evidence import ANSWERS, similarity
from qa.answer.gate import MIN_COVERAGE, asks_figure, in_scope, years_covered
from qa.answer.prompt import LOCAL_HEADING_CHARS, build_messages, pack_passages
from qa.answer.retrieve import expand_query, expand_years, per_year_questions
from qa.answer.run import Run, model_wrote
from qa.schema import Answer, Check, Filters, History, Passage
from qa.text.numbers import extract_figures
from qa.text.script import is_traditional, to_simplified, to_traditional

if TYPE_CHECKING:
    from qa.answer.verify import Verified
    from qa.api import ReportQA


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
    scoped = _scope(qa, run, passages)
    if isinstance(scoped, Check):
        yield _refuse(run, scoped, passages)
        return
    before = _copy(run)
    passages = _select(qa, run, scoped) if run.settings.select else scoped
    # The extractive answer scores sentences by shared wording: ask in the reports' words
    # too (gdp -> 地区生产总值), as retrieval does.
    wording = expand_query(run.norm)
    draft = yield from _draft(qa, run, wording, passages)
    answer = _compose(run, draft, wording, passages)
    if _looks_again(before, run, answer):
        answer = yield from _second_look(qa, before, answer, wording, scoped)
    yield answer


def _start(
    qa: ReportQA,
    question: str,
    history: History,
    filters: Filters | None,
    backend: str | None,
) -> Run:
    """Rewrite a follow-up, retrieve its candidates and pack them to the context budget."""
    from qa.answer.llm import backend_label, resolve_backend

    started = time.perf_counter()
    settings = qa.settings if backend is None else qa.settings.replace(backend=backend)
    chosen = resolve_backend(settings)
    found = find_candidates(qa, question, history, filters, settings, chosen)
    label = backend_label(settings, chosen)
    standalone = found.standalone
    return Run(
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


def _scope(qa: ReportQA, run: Run, passages: list[Passage]) -> list[Passage] | Check:
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
    missing, placed = _places(qa, run, passages)
    scoped = in_scope(norm_q, placed)
    if not scoped:
        what = "、".join(missing) if missing else "所问年份和类型（目标或完成情况）"
        return Check("out_of_scope", f"段落中没有{what}的内容")
    if len(scoped) < len(passages):
        dropped = len(passages) - len(scoped)
        run.checks.append(Check("scoped", f"只用所问年份、类型或地区的段落（略去 {dropped} 段）"))
    return scoped


def _places(qa: ReportQA, run: Run, passages: list[Passage]) -> tuple[list[str], list[Passage]]:
    """The asked places no passage names, and the passages naming them all
    (``region.place_scope``). Where the tags would refuse or drop passages, the model,
    when there is one, reads which tagged words say where (河沟 in "整治了多少公里河沟"
    does not)."""
    from qa.answer import region

    asked = region.tagged_places(run.norm)
    missing, placed = region.place_scope(run.norm, passages, asked)
    narrows = bool(missing) or len(placed) < len(passages)
    if not narrows or run.chosen == "extractive" or not run.settings.judge:
        return missing, placed
    try:
        read = region.read_places(qa.helper_model(run.chosen), run.norm, asked)
    except Exception as exc:  # a reader that fails leaves the tags
        run.checks.append(Check("places_unread", first_line(exc)))
        return missing, placed
    if read is None or read == asked:
        return missing, placed
    dropped = "、".join(w for w in asked if w not in read)
    run.checks.append(Check("places_read", f"所问地区：{'、'.join(read)}（{dropped}不是地区）"))
    return region.place_scope(run.norm, passages, read)


def _copy(run: Run) -> Run:
    """The run as it stands, to be taken up again: its answer and checks are its own."""
    return replace(run, answer=replace(run.answer), checks=list(run.checks))


def _looks_again(before: Run, run: Run, answer: Answer) -> bool:
    """Whether the answer from the passages as found fell short on the weak path (the
    question's words are not the reports'), where a sentence chosen by meaning may
    answer: it refused, or the model said the passages lack the answer and a source
    sentence chosen by its words took its place (on the dev halves that sentence was
    wrong for 9 of 11 such questions). The weak path is read from ``before``, the run
    before its draft: the extractive answer may compute ``meaning`` later on any path."""
    if not run.settings.second_look or run.settings.select or before.meaning is None:
        return False
    if run.chosen == "extractive" or run.helper is None:
        return False
    names = {c.name for c in answer.checks}
    if "backend_fallback" in names:
        return False  # a model that failed once is not asked twice
    return answer.refused or {"model_refused", "extractive_backstop"} <= names


def _second_look(
    qa: ReportQA, run: Run, first: Answer, wording: str, passages: list[Passage]
) -> Generator[str, None, Answer]:
    """The answer drafted again from the one clause run chosen by meaning and picked by
    the model (``_select``). When both refuse, the first refusal stands (it says what
    the passages as found give). ``run`` is the run as it was before the first draft.
    """
    picked = _select(qa, run, passages)
    if run.selected is None:
        return first
    run.checks.append(Check("second_look", "首次回答没有给出答案，按语义选句后重新回答"))
    run.answer.first_token_seconds = first.first_token_seconds
    yield "\n"
    draft = yield from _draft(qa, run, wording, picked)
    again = _compose(run, draft, wording, picked)
    return first if first.refused and again.refused else again


def _select(qa: ReportQA, run: Run, passages: list[Passage]) -> list[Passage]:
    """On the weak path, the window that answers (``qa.answer.select``), its passage
    first: by meaning, then picked by the model among the closest when one is at hand."""
    if run.meaning is None:
        return passages
    from qa.answer import select
    from qa.answer.gate import asks_figure

    if not select.selects(run.norm, bool(per_year_questions(run.norm))):
        return passages
    found = select.windows(passages, asks_figure(run.norm))
    ranked = select.close_enough(
        select.by_meaning(run.standalone, found, run.embeddings, run.reranker)
    )
    if not ranked:
        return passages
    choice = 0
    if run.chosen != "extractive" and run.settings.judge:
        try:
            got = select.picked(qa.helper_model(run.chosen), run.standalone, ranked)
            choice = 0 if got is None else got
        except Exception as exc:  # a selector that fails leaves the closest in meaning
            run.checks.append(Check("selector_failed", first_line(exc)))
    passages, run.selected = select.selected_first(passages, ranked[choice])
    run.checks.append(Check("sentence_selected", f"按语义选句：{run.selected.text[:40]}"))
    return passages


def _draft(
    qa: ReportQA, run: Run, wording: str, passages: list[Passage]
) -> Generator[str, None, str]:
    """The backend's draft, streamed; a failing model gives way to the extractive one."""
    from qa.answer.extractive import focus_passages

    if run.chosen == "extractive":
        return extract(run, wording, passages)
    settings, draft = run.settings, ""
    try:
        model = qa.chat_model(run.chosen)
        run.helper = lambda: qa.helper_model(run.chosen)
        shown = passages
        # Each prompt token costs the small local model time: short headers.
        heading = LOCAL_HEADING_CHARS if run.chosen == "local" else None
        if run.chosen == "local" and run.selected is not None:
            # The small model given the whole passage takes its neighbouring figure.
            first, window = passages[0], run.selected
            shown = [replace(first, text=window.text, norm=window.norm if first.norm else "")]
        elif run.chosen == "local":
            focused = focus_passages(wording, passages, meaning=run.meaning)
            shown = pack_passages(focused, settings.local_context_tokens, heading)
        # The model's time runs from its first request: building a missing index (about a
        # minute on the first question after setup) or retrieval must not eat into it.
        drafting = time.perf_counter()
        for piece in model.stream(build_messages(run.standalone, shown, heading)):
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
        return extract(run, wording, passages)
    return draft


def _compose(run: Run, draft: str, wording: str, passages: list[Passage]) -> Answer:
    """The verified answer (or the refusal it turns into), with differences computed in code."""
    from qa.answer.given import as_sentence
    from qa.answer.refusal import refusal_text

    verified, answers = choose(run, draft, wording, passages)
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
    base.text = as_sentence(verified, run.standalone) if model_wrote(run) else verified.text
    if off_the_question(run, verified, model_wrote(run)) and not take_other(run):
        return _near_miss(run, verified, passages)
    note = comparison_note(run.standalone, base.text, base.citations)
    if note:
        base.text += "\n" + note
        run.checks.append(Check("computed_in_code", note))
    return _finish(run)


def _near_miss(
    run: Run, verified: Verified, passages: list[Passage], quoted: bool = False
) -> Answer:
    """A refusal that says what is missing and what the reports give instead, with that
    citation: "文档中没有相关信息。报告没有给出“2023年重庆轨道交通全年客运量”的数据；报告给出
    的是：全市客运量增长47.8%[1]。". ``quoted``:
    ``verified`` holds source sentences, whoever wrote the draft. For an amount asked, what
    is given holds a figure: the nearest source sentence stands in for a model's header."""
    from qa.answer.given import what_is_given, what_is_missing
    from qa.answer.refusal import REFUSAL, refusal_text

    base = run.answer
    base.refused = True
    figure = asks_figure(run.norm)
    if figure and not _states_figure(verified) and run.nearest and _states_figure(run.nearest):
        # A model's header ("计划/预期目标[1]。") tells nothing given for an amount asked:
        # the nearest source sentence with a figure does.
        verified, quoted = run.nearest, True
    if verified.cited and (_states_figure(verified) if figure else verified.supported_sentences):
        base.citations = list(verified.cited)
        restated = model_wrote(run) and not quoted
        given = what_is_given(verified, passages, restated)
        missing = what_is_missing(run.standalone)
        base.text = f"{REFUSAL}。{missing}{given}" if missing else refusal_text(passages, given)
    else:
        base.citations = []
        base.text = refusal_text(passages)
    return _finish(run)


def _states_figure(verified: Verified) -> bool:
    """Some supported sentence of ``verified`` holds a figure."""
    from qa.answer.markers import strip_markers

    return any(extract_figures(strip_markers(s)) for s in verified.supported_sentences)


def _refuse(run: Run, check: Check, nearby: list[Passage]) -> Answer:
    from qa.answer.refusal import refusal_text

    run.checks.append(check)
    base = run.answer
    base.text, base.refused, base.checks = refusal_text(nearby), True, run.checks
    return _finish(run)


def _finish(run: Run) -> Answer:
    # Answer in the script the user asked in; citations keep the source's own text.
    answer = run.answer
    convert = to_traditional if is_traditional(run.question) else to_simplified
    answer.text = convert(answer.text)
    answer.seconds = time.perf_counter() - run.started
    return answer
