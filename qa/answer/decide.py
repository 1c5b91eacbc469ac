"""The decide step of the read path: which verified answer is given, and whether it
answers the question asked.

A model's verified draft is set beside the extractive answer from the same passages
(``choose``): the source sentences take its place when it gives nothing usable, leaves
out asked years, or covers less of the question's words, unless the model, as a
selector shown both, takes its own. The model as a judge then reads each answer
sentence alone (``off_the_question``); for a question asking a name, the answer not
chosen may be given instead (``take_other``). An answer whose passage words give the
asked indicator under another qualifier (全体居民 for 城镇居民) or the whole of an asked
part answers nothing (``qa.answer.qualifier``). Each decision records a ``Check``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qa.answer.candidates import first_line
from qa.answer.evidence import ANSWERS, similarity
from qa.answer.gate import asks_figure, gives_asked_figure, topic_coverage
from qa.answer.markers import strip_markers
from qa.answer.retrieve import per_year_questions
from qa.answer.run import Run, model_wrote
from qa.schema import Check, Passage
from qa.text.script import normal_form

if TYPE_CHECKING:
    from qa.answer.verify import Verified

# The extractive answer replaces a verified model answer that covers less of the
# question's topic words (``topic_coverage``) than it does, by more than this margin.
RELEVANCE_MARGIN = 0.1
OFF_POINT = "模型回答未涉及问题的要点"


def extract(run: Run, wording: str, passages: list[Passage]) -> str:
    """The extractive answer; when the wording finds nothing, by meaning as well."""
    from qa.answer.extractive import extractive_answer, window_answer
    from qa.answer.refusal import REFUSAL

    if run.selected is not None:
        return window_answer(
            passages, run.selected.passage, run.selected.sentence, run.selected.text
        )
    text = extractive_answer(wording, passages, meaning=run.meaning)
    if text == REFUSAL and run.meaning is None:
        run.meaning = similarity(run.standalone, passages, run.embeddings, run.reranker)
        text = extractive_answer(wording, passages, meaning=run.meaning)
        if text != REFUSAL:
            run.checks.append(
                Check("semantic_match", f"按语义选句（相近度 {run.meaning.best:.2f}）")
            )
    return text


def choose(run: Run, draft: str, wording: str, passages: list[Passage]) -> tuple[Verified, bool]:
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

    verified = verify_answer(draft, passages, run.standalone, run.answer.passages)
    answers = _gives_figure(run, verified, passages)
    if run.chosen == "extractive" or run.answer.backend != run.label:
        return verified, answers
    rescue = verify_answer(extract(run, wording, passages), passages, run.standalone)
    run.nearest = rescue
    # The source sentence is held to the reports' name for the asked indicator as the
    # model's is: a lexically close sentence on a neighbouring indicator answers nothing.
    rescues = _gives_figure(run, rescue, passages)
    why = _rescue_reason(run, verified, answers, rescue, passages) if rescues else None
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


def off_the_question(run: Run, verified: Verified, wrote: bool) -> bool:
    """The model, as a judge, says none of the answer's sentences answers the question
    asked (each is judged alone, by the passage words that hold its figure: a right
    figure beside a neighbouring one still counts)."""
    from qa.answer.judge import evidence

    if run.helper is None or not run.settings.judge or run.answer.backend.startswith("抽取式"):
        return False
    verdicts = []
    for sentence in verified.supported_sentences[:MAX_JUDGED]:
        try:
            # Source sentences are judged whole; a model's, by its figure's passage clause.
            shown = evidence(sentence, verified.cited, True) if wrote else normal_form(sentence)
            verdict = _judged(run, shown)
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


def take_other(run: Run) -> bool:
    """For a question asking a name, place or time: the answer not chosen, when the judge
    takes it although it rejected the chosen one (a source sentence that repeats the
    question's words beside the model's right name, or the model's sentence that names
    nobody beside a source sentence that does). Amounts are left to the near-miss refusal:
    there the judge accepts a neighbouring figure too often to be asked twice."""
    from qa.answer.given import as_sentence

    if run.other is None or asks_figure(run.norm):
        return False
    other, wrote = run.other
    run.other = None
    if off_the_question(run, other, wrote):
        return False
    run.checks.append(Check("judge_chose_other", "模型判断：所选回答没有回答问题，改用另一回答"))
    run.answer.backend = run.label if wrote else run.quoted_label
    run.answer.citations = list(other.cited)
    run.answer.text = as_sentence(other, run.standalone) if wrote else other.text
    return True


def _gives_figure(run: Run, verified: Verified, passages: Sequence[Passage] = ()) -> bool:
    """Some sentence gives a figure in the asked unit and aspect, on the asked topic.
    A model's sentence is read in its passage's words: it may restate the question
    around a neighbouring figure ("全年一共运送了600万人次" from 日最高客运量), and where
    the reports write the asked indicator as the question does, those words must be
    where its figure is (``reported_phrase``)."""
    from qa.answer.judge import evidence

    on_topic = run.meaning is not None and run.meaning.best >= ANSWERS
    sentences = verified.supported_sentences
    sources = [evidence(s, verified.cited) for s in sentences] if model_wrote(run) else None
    # A table cell's words are its row's label, which ``evidence`` does not hold.
    if sources and all(len(_HANZI.findall(s)) >= 4 for s in sources) and asks_figure(run.norm):
        phrase = reported_phrase(run.norm, passages)
        if phrase and not any(phrase in s for s in sources):
            return False
    if asks_figure(run.norm) and sentences and _qualified_otherwise(run, sources or sentences):
        return False
    if verified.refused:
        return False
    if gives_asked_figure(run.norm, run.tokens, sentences, run.idf, on_topic, sources):
        return True
    # Every check but the shared words holds: a question in everyday words may share
    # none with the sentence that answers it, and the model, as a judge, reads meaning.
    return (
        not on_topic
        and gives_asked_figure(run.norm, run.tokens, sentences, run.idf, True, sources)
        and _judge_vouches(run, sources or sentences)
    )


def _judged(run: Run, shown: str) -> bool | None:
    """The judge's verdict on one sentence; of figures given respectively (分别), it reads
    the asked item's. Raises what the model raises."""
    from qa.answer.judge import answers_question
    from qa.text.respective import asked_pairs

    assert run.helper is not None
    plain = strip_markers(shown)
    return answers_question(run.helper(), run.standalone, asked_pairs(plain, run.norm) or plain)


def _judge_vouches(run: Run, shown: Sequence[str]) -> bool:
    """The judge says one of the sentences (in its passage words) answers the question."""
    if run.helper is None or not run.settings.judge:
        return False
    for sentence in shown[:MAX_JUDGED]:
        try:
            verdict = _judged(run, sentence)
        except Exception as exc:  # no verdict: the words' gate stands
            run.checks.append(Check("judge_failed", first_line(exc)))
            return False
        if verdict is True:
            if all(c.name != "judge_on_topic" for c in run.checks):
                run.checks.append(Check("judge_on_topic", "模型判断：所引句子回答了所问的指标"))
            return True
    return False


def _qualified_otherwise(run: Run, sources: Sequence[str]) -> bool:
    """Every sentence gives the asked indicator under another qualifier than the
    question's (``qualifier.other_qualifier``: 全体居民… for 城镇居民…), or the whole of
    which the question asks a part (``qualifier.part_missing``)."""
    from qa.answer.qualifier import other_qualifier, part_missing

    texts = [p.norm or normal_form(p.text) for p in run.answer.passages]
    details = []
    for s in sources:
        norm = normal_form(strip_markers(s))
        other = other_qualifier(run.norm, norm, texts)
        part = None if other else part_missing(run.norm, norm)
        if other is None and part is None:
            return False
        details.append(
            f"问的是{other[0]}，原文给出的是{other[1]}" if other else f"原文没有说{part}的"
        )
    if all(c.detail != details[0] for c in run.checks):
        run.checks.append(Check("other_qualifier", details[0]))
    return True


# The kind of figure asked (预期目标, 计划) and its aspect (增速, 比重) are no part of an
# indicator's name: a passage gives "地区生产总值…增长6.1%" for 地区生产总值增速.
_KIND = re.compile(r"目标|预期|计划|任务|增速|增幅|增长|比重|占比")
_HANZI = re.compile(r"[\u4e00-\u9fff]")
# A question asking several indicators at once ("…和…各是多少") names more than one.
_SEVERAL = re.compile(r"分别|各是|各为|各有|各自|哪些")


def reported_phrase(norm_question: str, passages: Sequence[Passage]) -> str | None:
    """The longest run of two or more nouns of the question that some passage writes word
    for word: the reports' name for the asked indicator. A model that gives a figure
    whose passage words lack it has put another indicator's figure under the asked
    name ("服务业增加值总量为30145.79亿元" from "地区生产总值30145.79亿元"). None when no
    passage writes such a run: a question in everyday words asks nothing of the answer.

    Only nouns of two characters or more count, not the kind asked (预期目标) nor those of
    an aside in brackets; of a count, only the thing counted after its 多少; a question
    asking several indicators asks nothing here.

    Example: "2023年重庆服务业增加值总量是多少亿元" over a passage "服务业增加值增长5.9%"
    -> ``"服务业增加值"``.
    """
    from qa.answer.gate import asked_unit_at
    from qa.answer.rewrite import ASIDE
    from qa.answer.setting import NOUN_FLAGS, split_question
    from qa.text.entities import tagger

    if _SEVERAL.search(norm_question) or len(re.findall(r"多少|几", norm_question)) > 1:
        return None
    # An aside in brackets gives examples or limits ("（比如新能源汽车、集成电路这类）"),
    # not the name of what is asked.
    norm_question = ASIDE.sub("", norm_question)
    # Of "民生实事计划安装多少台化粪池安全监测系统", the thing counted is asked, not the
    # setting before it.
    at = asked_unit_at(norm_question)
    parts = split_question(norm_question, at[1] if at else None)
    texts = [p.norm or normal_form(p.text) for p in passages]
    words = [
        (w.word, bool(NOUN_FLAGS.match(w.flag)) and len(w.word) > 1 and not _KIND.search(w.word))
        for w in tagger().cut(parts[1] if parts else norm_question)
    ]
    best: str | None = None
    for i in range(len(words)):
        for j in range(i + 2, len(words) + 1):
            if not words[j - 1][1] or not all(nominal for _, nominal in words[i:j]):
                break
            run_ = "".join(w for w, _ in words[i:j])
            if len(run_) > len(best or "") and any(run_ in t for t in texts):
                best = run_
    return best


def _rescue_reason(
    run: Run, verified: Verified, answers: bool, rescue: Verified, passages: list[Passage]
) -> str | None:
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
    restated = model_wrote(run)
    # An amount of a name the question quotes is read in its own clause; a name asked
    # for ("《X》的导演是谁") is rightly answered without repeating the title.
    named = quoted_in_passages(run.norm, passages) if asks_figure(run.norm) else []
    if named and not _names(verified, named, restated) and _names(rescue, named):
        return "模型回答没有提到问题引号中的名称"
    if not asked_years and covers(rescue) > covers(verified, restated) + RELEVANCE_MARGIN:
        return OFF_POINT
    return None


# A name the question quotes (“无废城市细胞”, 《…》, 「…」).
_QUOTED = re.compile(r"“([^”]{2,})”|「([^」]{2,})」|《([^》]{2,})》")


def quoted_in_passages(norm_question: str, passages: list[Passage]) -> list[str]:
    """The names the question quotes that some passage writes word for word: the reports'
    own names, which an answer must name too. A quoted paraphrase ("“给工厂多放年限长的
    借款”") is in no passage and asks nothing of the answer.

    Example: "建成了多少个“无废城市细胞”" over a passage "建成“无废城市细胞”3500余个"
    -> ``["无废城市细胞"]``.
    """
    texts = [p.norm or normal_form(p.text) for p in passages]
    names = ["".join(m.groups(default="")) for m in _QUOTED.finditer(norm_question)]
    return [n for n in dict.fromkeys(names) if any(n in t for t in texts)]


def _names(v: Verified, names: list[str], restated: bool = False) -> bool:
    """Some answer sentence writes one of ``names``; for a model's (``restated``), its
    own words or the passage clause that holds its figure."""
    texts = [normal_form(strip_markers(s)) for s in v.supported_sentences]
    if restated:
        texts += [c for s in v.supported_sentences for c in _figure_clauses(s, v.cited)]
    return any(n in t for n in names for t in texts)


def _figure_clauses(sentence: str, cited: list[Passage]) -> list[str]:
    """The clauses of the cited passage words that hold the sentence's figures: the
    figure's own clause, not the one before it ("建成“无废城市细胞”3500余个,26个区县…"
    gives 26个 the clause "26个区县…").
    """
    from qa.answer.aspect import figure_clause
    from qa.answer.judge import evidence
    from qa.text.numbers import equivalent, extract_figures

    held = evidence(sentence, cited)
    asked = extract_figures(normal_form(strip_markers(sentence)))
    return [
        figure_clause(held, g)
        for g in extract_figures(held)
        if any(equivalent(f, g) for f in asked)
    ]


def _selector_keeps_model(run: Run, verified: Verified, rescue: Verified) -> bool:
    """The model, shown the question beside its own answer (in its passage's words) and
    the source sentence that covers more of the question's words, takes its own answer.
    Shared words are no proof of an answer: a headline that repeats the question ("《X》
    的导演是谁，一直是话题") covers it better than the sentence naming the director."""
    from qa.answer.judge import choose_answer, evidence

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
