"""What a near-miss refusal says the reports give: the sentences that held up, in
their passages' words, numbered as the passages shown beside the refusal. Pure."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qa.answer.markers import MARKER, marker_numbers

if TYPE_CHECKING:
    from qa.answer.verify import Verified
    from qa.schema import Passage


def what_is_given(verified: Verified, passages: list[Passage], restated: bool) -> str:
    """ "报告给出的是：…" with the supported sentences of ``verified``; ``restated``: a
    model wrote them, so they are said in their passages' words, not in its restatement.

    Example: a model's "2024年重庆汽车总产量达到95.3万辆[1]。" citing a passage shown
    second, "…新能源汽车产量达到95.3万辆,…" -> "报告给出的是：…新能源汽车产量达到95.3万辆[2]。".
    """
    said = in_source_words(verified) if restated else verified.text
    return f"报告给出的是：{renumber(said, verified.cited, passages)}"


# Words that only link a figure to its subject ("就业率实际达到了多少"): the missing
# thing is named without them.
_LINK = re.compile(r"(?:实际)?(?:达到|达|为|是|有|在|约|大约|大概|总共|一共)+$")


def what_is_missing(question: str) -> str:
    """ "报告没有给出“…”的数据；" naming what an amount question asks for, "" for any other
    question (a name or a list has no figure to miss).

    Example: ``what_is_missing("2023年重庆轨道交通全年客运量是多少亿人次？")`` ->
    ``"报告没有给出“2023年重庆轨道交通全年客运量”的数据；"``;
    ``what_is_missing("2024年重庆高校毕业生就业率实际达到了多少？")`` ->
    ``"报告没有给出“2024年重庆高校毕业生就业率”的实际数据；"``; ``"重庆的市长是谁？"`` -> ``""``.
    """
    from qa.answer.gate import asks_figure
    from qa.answer.referent import as_statement
    from qa.text.script import normal_form

    # Only a 多少 or 几 is cut cleanly from its question ("占多大比重" would leave "占比重").
    if not asks_figure(normal_form(question)) or not re.search(r"多少|几", question):
        return ""
    stated = as_statement(question.strip())
    link = _LINK.search(stated)
    thing = stated[: link.start() if link else None].strip("，,、 ")
    # "实际达到了多少" asks the result: the refusal says it is the result that is missing.
    which = "实际" if link and "实际" in link.group() else ""
    # A year alone ("2024年实际达到了多少家？" once its asking goes) names nothing.
    named = re.sub(r"(?:19|20)\d\d年?|[^\u4e00-\u9fff]", "", thing)
    return f"报告没有给出“{thing}”的{which}数据；" if len(named) >= 2 else ""


def in_source_words(verified: Verified) -> str:
    """Each supported sentence as the words of its passage that hold its figure
    (``judge.evidence``), with its markers.

    Example: "2024年重庆汽车总产量达到95.3万辆[1]。" citing "…新能源汽车产量达到95.3万辆,…"
    -> "…新能源汽车产量达到95.3万辆[1]。".
    """
    from qa.answer.judge import evidence

    pieces = [
        evidence(s, verified.cited, whole_clauses=True) + "".join(MARKER.findall(s))
        for s in verified.supported_sentences
    ]
    return "；".join(pieces) + "。"


def as_sentence(verified: Verified, question: str = "") -> str:
    """The answer text, or, when a model wrote only figures ("94.6%[1]。"), the words of
    its passages that hold them, or, when it wrote only a name its passage holds word for
    word ("东京[1]。" for 梁邦彦出生于什么地方), that passage's sentence: an answer reads
    as a sentence, not a bare number or name.

    Example: "94.6%[1]。" citing "…普惠性幼儿园覆盖率达到94.6%,…" ->
    "…普惠性幼儿园覆盖率达到94.6%[1]。"; so is "24个妇女儿童综合服务体[1]。", which opens
    with its figure; "全年增长6.1%[1]。" stays as it is.
    """
    from qa.answer.markers import WORD, strip_markers
    from qa.text.numbers import extract_figures
    from qa.text.script import normal_form

    plain = normal_form(strip_markers(verified.text))
    figures = extract_figures(plain)
    # "24个妇女儿童综合服务体[1]。" opens with its figure: a noun phrase, no sentence.
    opens = bool(figures) and figures[0].span[0] == 0
    for f in reversed(figures):
        plain = plain[: f.span[0]] + plain[f.span[1] :]
    if not figures:
        return _named_in_source(verified, question) or verified.text
    if WORD.search(plain) and not opens:
        return verified.text
    return in_source_words(verified)


# An answer this short, in one clause, that restates none of the question's words and
# that its passage holds word for word, is a name, not a sentence.
BARE_CHARS = 12
_CLAUSE = re.compile(r"[，,；;：:]")


def _named_in_source(verified: Verified, question: str) -> str | None:
    """The sentence of a cited passage that holds a bare name the model wrote, with the
    model's markers; None when the answer is a sentence of its own (it restates some of
    the question's words, or is longer than one short clause).

    Example: "东京[1]。" citing "梁邦彦是一位在日朝鲜人，出生于东京，血型O型。" ->
    "梁邦彦是一位在日朝鲜人，出生于东京，血型O型[1]。".
    """
    from qa.answer.markers import split_sentences, strip_markers
    from qa.text.script import normal_form
    from qa.text.wording import char_bigrams

    if len(verified.supported_sentences) != 1:
        return None
    name = normal_form(strip_markers(verified.text)).strip(" 。.！!")
    if not name or len(name) > BARE_CHARS or _CLAUSE.search(name):
        return None
    restated = {g for g in char_bigrams(name) & char_bigrams(normal_form(question)) if len(g) > 1}
    if restated:
        return None
    for passage in verified.cited:
        for sentence in split_sentences(passage.text):
            if name in normal_form(sentence):
                body = strip_markers(sentence).rstrip("。.；;！!？? ")
                return body + "".join(MARKER.findall(verified.text)) + "。"
    return None


def renumber(text: str, cited: list[Passage], passages: list[Passage]) -> str:
    """Markers numbering ``cited`` -> markers numbering ``passages``.

    Example: with ``cited == [p2]`` and ``passages == [p1, p2]``, ``"甲[1]。"`` -> ``"甲[2]。"``.
    """
    where = {i: passages.index(p) + 1 for i, p in enumerate(cited, 1) if p in passages}

    def shift(m: re.Match[str]) -> str:
        return "".join(f"[{where[k]}]" for k in marker_numbers(m.group()) if k in where)

    return MARKER.sub(shift, text)
