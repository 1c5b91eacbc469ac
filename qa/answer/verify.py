"""Checks on a generated answer: every figure it keeps is traced to a passage it cites.

Pure functions over the draft text and the retrieved passages. Rules, in order:

1. Citation markers outside ``1..len(passages)`` are dropped (``invalid_citation``).
2. Each figure in a sentence must occur (or an exact equivalent) in a passage that
   sentence cites. An uncited sentence whose figures one passage holds gets that
   marker (``citation_added``; when several passages hold them, the one sharing most
   wording). A cited sentence whose figures are elsewhere gets its markers corrected
   (``citation_corrected``). A figure found in no passage removes its sentence
   (``unsupported_number``). A figure the question itself contains needs only to occur
   in *some* passage; bare years are never figures.
   A figure a passage gives "respectively" (分别) to another item than the one the
   sentence names removes its sentence (``misaligned_figure``; ``qa.text.respective``).
   A figure its passages only ever state with a bound (``100处以上``, ``近20%``,
   ``3%以内``) gets that bound back when the sentence drops it: "100处" claims more
   than the source does (``qualifier_restored``).
3. The model saying the passages lack the answer (``没有相关信息``, ``未提及`` …) in its
   first sentence, or with nothing else supported, refuses (``model_refused``).
4. Injection and boilerplate rule: a sentence that looks like instructions
   (``系统提示``, ``忽略以上`` …) is removed even when a passage holds it verbatim:
   reports do not address an assistant, so such a passage is planted text
   (``injection_removed``). An uncited sentence without
   figures survives only when the answer has a supported sentence and it is short
   (<= 80 characters) or half its wording is in the passages (``uncited_removed``).
5. Copies of the prompt's passage headers are cut from the draft first; a cited
   sentence that is only a section heading or a report title is removed
   (``heading_removed``); see ``qa.boilerplate``.
6. A passage stays cited only if it holds the claim: one of the sentence's figures,
   or ``MIN_CLAIM`` of its own wording (``qa.wording.claim_share``); other markers go
   (``citation_pruned``). A sentence without figures that none of its passages holds
   is re-cited to a passage that does (``citation_corrected``) or removed
   (``unsupported_claim``): a name with a wrong character (渝铜线 for 璧铜线) has no
   figure to fail on.
7. A cited sentence naming a place, organisation or person (jieba's name tags) that
   neither its passages, their titles nor the question contain is removed
   (``unsupported_name``): 成都 in a sentence cited to a 重庆 passage. In a sentence
   without figures, a person must be in its passages or their titles: the question
   naming them is not enough. Where the question names what a retrieved document is
   about (its title), the sentence must cite that document or a passage naming it
   (``off_subject``): another person's birthplace answers nothing about this one.
8. With no cited sentence left, the answer refuses (``nothing_supported``).

Markers are renumbered 1..n in order of first appearance; ``cited`` follows them.
The per-sentence checks of rules 2, 6 and 7 are in ``qa.answer.sentence_checks``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from qa.answer.boilerplate import (
    is_heading,
    looks_like_instruction,
    strip_echoed_headers,
    trailing_markers,
)
from qa.answer.markers import (
    CLOSERS,
    MARKER,
    WORD,
    marker_numbers,
    parse_citations,
    segments,
    split_sentences,
    strip_markers,
)
from qa.answer.refusal import refusal_text
from qa.answer.sentence_checks import (
    Context,
    Item,
    check_figures,
    check_names,
    check_pairs,
    check_subject,
    check_wording,
    restore_qualifiers,
)
from qa.schema import Check, Passage
from qa.text.numbers import extract_figures, supported_among
from qa.text.script import normal_form
from qa.text.wording import containment

__all__ = [
    "Verified",
    "parse_citations",
    "split_sentences",
    "strip_markers",
    "supporting_sentences",
    "unsupported_figures",
    "verify_answer",
]

_REFUSED = re.compile(
    r"没有相关信息|无相关信息|未提及|没有提及|没有提到|未提到|无法回答|不能回答|文档中没有|"
    r"没有找到|未找到|未涉及|没有涉及|(?:文档|资料|材料|段落|上下文|提供的内容)[^。]{0,8}不包含|"
    r"not mention|no (?:relevant )?information",
    re.IGNORECASE,
)


@dataclass
class Verified:
    """The answer after checking. ``text`` carries markers ``[1]..[n]`` matching ``cited``."""

    text: str
    cited: list[Passage] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    refused: bool = False
    supported_sentences: list[str] = field(default_factory=list)
    removed_sentences: list[str] = field(default_factory=list)


def _norm(p: Passage) -> str:
    return p.norm or normal_form(p.text)


def supporting_sentences(answer_sentence: str, passage: Passage) -> list[str]:
    """The passage's own sentences (source script) that best support ``answer_sentence``.

    Sentences sharing figures come first (up to three); otherwise the one with most
    shared wording, if it shares at least a fifth.

    Example: for a passage holding ``…达到30145.79亿元，增长6.1%。川渝…9万亿元。`` and the
    answer ``地区生产总值增长6.1%[1]`` -> ``["…达到30145.79亿元，增长6.1%。"]``.
    """
    answer = normal_form(strip_markers(answer_sentence))
    figures = extract_figures(answer)
    scored: list[tuple[int, float, str]] = []
    for sent in split_sentences(passage.text):
        norm = normal_form(sent)
        own = extract_figures(norm)
        shared = sum(1 for f in figures if supported_among(f, own, norm))
        scored.append((shared, containment(answer, norm), sent))
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    with_figures = [s for shared, _, s in scored if shared > 0]
    if with_figures:
        return with_figures[:3]
    return [s for _, overlap, s in scored[:1] if overlap >= 0.2]


def unsupported_figures(answer_text: str, cited: list[Passage]) -> list[str]:
    """Figures in the answer found in none of the cited passages (as written, no repeats).

    Example: ``unsupported_figures("达到30145.79亿元，人口3300万人[1]", [gdp_passage])``
    -> ``["3300万人"]``.
    """
    norms = [_norm(p) for p in cited]
    figs = [extract_figures(n) for n in norms]
    out: list[str] = []
    for f in extract_figures(normal_form(strip_markers(answer_text))):
        held = any(supported_among(f, pf, n) for pf, n in zip(figs, norms, strict=True))
        if not held and f.raw not in out:
            out.append(f.raw)
    return out


_LEADING = "。，,；;：:、！!？? \n"


def _nearest(question: str, passages: list[Passage], cited: list[int]) -> list[Passage]:
    """Passages worth pointing at when refusing: close to the question, else those cited."""
    if question:
        q = normal_form(question)
        scores = [containment(q, _norm(p)) for p in passages]
        ranked = sorted(range(len(passages)), key=lambda i: -scores[i])
        near = [passages[i] for i in ranked[:2] if scores[i] >= 0.3]
        if near:
            return near
    return [passages[k - 1] for k in cited[:2]]


def _render(item: Item, mapping: dict[int, int]) -> str:
    def group(numbers: list[int]) -> str:
        return "".join(f"[{mapping[k]}]" for k in dict.fromkeys(numbers) if k in mapping)

    sentence = item.sentence.rstrip()
    if not item.rewrite:
        return MARKER.sub(lambda m: group(marker_numbers(m.group())), sentence)
    body = strip_markers(sentence).rstrip()
    cut = len(body.rstrip("。！？!?；;" + CLOSERS))
    return body[:cut] + group(item.markers) + body[cut:]


def verify_answer(
    draft: str, passages: list[Passage], question: str = "", found: Sequence[Passage] = ()
) -> Verified:
    """Check ``draft`` against ``passages`` (see the module rules) and renumber its markers.

    Example: with passages ``[p_gdp]`` holding ``达到30145.79亿元，增长6.1%``,
    ``verify_answer("地区生产总值30145.79亿元[1]。常住人口3300万人[1]。", [p_gdp]).text``
    -> ``"地区生产总值30145.79亿元[1]。"`` with an ``unsupported_number`` check.
    ``found`` are the passages retrieved but not shown (rule 2's labels read them too).
    """
    checks: list[Check] = []
    norms = [_norm(p) for p in passages]
    asked = normal_form(question)
    ctx = Context(
        norms,
        [extract_figures(n) for n in norms],
        extract_figures(asked),
        asked,
        [normal_form(p.title) for p in passages],
        [_norm(p) for p in found if p not in passages],
    )
    items, refusal_at = _read_items(draft, passages, ctx, checks)
    answer = [i for i, it in enumerate(items) if i not in refusal_at]
    supported = [i for i in answer if items[i].keep and items[i].markers]
    _drop_uncited([items[i] for i in answer], bool(supported), norms, checks)
    first_content = next(
        (i for i, it in enumerate(items) if WORD.search(strip_markers(it.sentence))), 0
    )
    refused = bool(refusal_at) and (refusal_at[0] == first_content or not supported)
    if refused:
        checks.append(Check("model_refused", "模型表示文档中没有答案"))
    elif not supported:
        checks.append(Check("nothing_supported", "没有可溯源到段落的句子"))
    return _assemble(items, supported, not refused, question, passages, checks)


def _read_items(
    draft: str, passages: list[Passage], ctx: Context, checks: list[Check]
) -> tuple[list[Item], list[int]]:
    """The draft's sentences after rules 1-6, and where it says the passages do not answer."""
    items: list[Item] = []
    refusal_at: list[int] = []
    for sentence, sep in segments(trailing_markers(strip_echoed_headers(draft, passages)).strip()):
        numbers = [k for m in MARKER.finditer(sentence) for k in marker_numbers(m.group())]
        for k in dict.fromkeys(k for k in numbers if not 1 <= k <= len(passages)):
            checks.append(Check("invalid_citation", f"删去无效引用[{k}]"))
        item = Item(sentence, sep, [k for k in numbers if 1 <= k <= len(passages)])
        norm = normal_form(strip_markers(sentence))
        if _REFUSED.search(norm):
            refusal_at.append(len(items))
        check_figures(item, norm, ctx, checks)
        if item.keep and item.figures:
            check_pairs(item, norm, ctx, checks)
        if item.keep and item.figures:
            restore_qualifiers(item, ctx, checks)
        if item.keep and looks_like_instruction(norm):
            item.keep = False
            checks.append(Check("injection_removed", f"删去疑似指令文本：{sentence}"))
        elif item.keep and item.markers and not WORD.search(norm):
            item.keep = False  # a bare marker cites nothing
        elif item.keep and item.markers and not item.figures and is_heading(norm, passages):
            item.keep = False
            checks.append(Check("heading_removed", f"删去只复述标题的文字：{sentence}"))
        elif item.keep and item.markers:
            check_wording(item, norm, ctx, checks)
            if item.keep:
                check_names(item, norm, ctx, checks)
            if item.keep:
                check_subject(item, ctx, checks)
        items.append(item)
    return items, refusal_at


def _drop_uncited(
    answer: list[Item], any_supported: bool, norms: list[str], checks: list[Check]
) -> None:
    """Uncited, figureless text stays only as glue beside supported sentences, and only
    while short or mostly the passages' own words."""
    for it in answer:
        if it.keep and not it.markers and not it.figures:
            norm = normal_form(strip_markers(it.sentence))
            if not any_supported or (len(norm) > 80 and containment(norm, "\n".join(norms)) < 0.5):
                it.keep = False
                checks.append(Check("uncited_removed", f"删去无出处的文字：{it.sentence}"))


def _assemble(
    items: list[Item],
    supported: list[int],
    not_refused: bool,
    question: str,
    passages: list[Passage],
    checks: list[Check],
) -> Verified:
    """Kept sentences with markers renumbered in order of first citation."""
    answered = bool(supported) and not_refused
    # A refusing answer keeps only its cited sentences, as the "相关内容" pointer.
    kept = [i for i, it in enumerate(items) if it.keep] if answered else supported
    order = list(dict.fromkeys(k for i in kept for k in items[i].markers))
    mapping = {old: new for new, old in enumerate(order, 1)}
    cited = [passages[k - 1] for k in order]
    rendered = [(_render(items[i], mapping), items[i].sep, i in supported) for i in kept]
    removed = [it.sentence.strip() for it in items if not it.keep]
    body = re.sub(r"\n{3,}", "\n\n", "".join(s + sep for s, sep, _ in rendered).strip())
    # A draft opening with a stray "。" (the prompt ends in "：") must not read "。2024年…".
    body = body.lstrip(_LEADING)
    # "增长6.1%，[1]。" reads as a fragment: the clause mark goes, the marker stays.
    body = re.sub(r"[，,；;、：:]+((?:\[\d+\])+)", r"\1", body)
    # "…355座厕所。[1]" (the model's full stop before its marker): the marker belongs
    # to the sentence, inside its full stop, as everywhere else in an answer.
    body = re.sub(r"([。！？!?；;])((?:\[\d+\])+)", r"\2\1", body)
    sentences = [s.strip() for s, _, ok in rendered if ok]
    if answered:
        return Verified(body, cited, checks, False, sentences, removed)
    if body:
        return Verified(refusal_text([], body), cited, checks, True, sentences, removed)
    near = _nearest(question, passages, [k for it in items for k in it.markers])
    return Verified(refusal_text(near), near, checks, True, sentences, removed)
