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
   naming them is not enough.
8. With no cited sentence left, the answer refuses (``nothing_supported``).

Markers are renumbered 1..n in order of first appearance; ``cited`` follows them.
"""

from __future__ import annotations

import re
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
from qa.schema import Check, Passage
from qa.text.numbers import Figure, equivalent, extract_figures, supported_among
from qa.text.script import normal_form
from qa.text.wording import claim_share, containment

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


@dataclass
class _Item:
    sentence: str
    sep: str
    markers: list[int]  # passage numbers (1-based, draft numbering) after checks
    rewrite: bool = False  # markers differ from the draft's: put them at the end
    keep: bool = True
    figures: list[Figure] = field(default_factory=list)  # the sentence's own


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


@dataclass
class _Context:
    norms: list[str]
    figures: list[list[Figure]]
    question: list[Figure]
    asked: str  # the question's normal form
    titles: list[str] = field(default_factory=list)

    def holds(self, f: Figure, k: int) -> bool:
        """Passage ``k`` (1-based) states figure ``f``."""
        return supported_among(f, self.figures[k - 1], self.norms[k - 1])


# A passage is cited for a claim only when it holds the claim: one of the sentence's
# figures, or at least this share of its own wording (``claim_share``). A name with one
# wrong character (渝铜线 for 璧铜线) keeps half of its bigrams, so the bar sits above 0.5.
MIN_CLAIM = 0.6


def _check_figures(item: _Item, norm: str, ctx: _Context, checks: list[Check]) -> None:
    figures = item.figures = extract_figures(norm)
    cited = list(dict.fromkeys(item.markers))
    held = ctx.holds
    every = range(1, len(ctx.norms) + 1)
    missing = [f for f in figures if not any(held(f, k) for k in cited)]
    # A number the user typed may be echoed if some passage has it too.
    missing = [
        f
        for f in missing
        if not (any(equivalent(f, q) for q in ctx.question) and any(held(f, k) for k in every))
    ]
    if not missing:
        return
    absent = [f for f in missing if not any(held(f, k) for k in every)]
    if absent:
        item.keep = False
        raws = "、".join(f.raw for f in absent)
        checks.append(Check("unsupported_number", f"{raws} 未见于任何段落，删去：{item.sentence}"))
        return
    new = [k for k in cited if any(held(f, k) for f in figures)]
    for f in missing:
        if not any(held(f, k) for k in new):
            holders = [k for k in every if held(f, k)]
            new.append(max(holders, key=lambda k: (containment(norm, ctx.norms[k - 1]), -k)))
    raws = "、".join(f.raw for f in missing)
    if cited:
        old = "".join(f"[{k}]" for k in cited)
        fixed = "".join(f"[{k}]" for k in new)
        checks.append(Check("citation_corrected", f"{raws}：引用{old}改为{fixed}"))
    else:
        checks.append(Check("citation_added", f"{raws}：补充引用{''.join(f'[{k}]' for k in new)}"))
    item.markers, item.rewrite = new, True


def _misread(norm: str, f: Figure, passage: str, asked: str) -> str | None:
    """Why figure ``f`` of the sentence ``norm`` is not what ``passage`` says it is, or
    None: it goes with another item of a 分别 group, or the sentence's label stands before
    another figure in the passage (``qa.text.labels.relabelled``)."""
    from qa.text.labels import relabelled
    from qa.text.respective import contradicted, misaligned

    pair = misaligned(norm, f, passage, asked) or contradicted(norm, f, passage)
    if pair:
        return f"{f.raw}是{pair.item}的数字"
    label = relabelled(norm, f, passage)
    return f"{label[0]}是{label[1].raw}，不是{f.raw}" if label else None


def _check_pairs(item: _Item, norm: str, ctx: _Context, checks: list[Check]) -> None:
    """A figure a passage gives "respectively" (分别) must go with the item it is given to:
    "交通运输仓储和邮政业营业收入增长11.7%" from "租赁和商务服务业、交通运输仓储和邮政业营业收入
    分别增长11.7%、8.6%" has every figure in its passage and is still wrong. So must a
    figure the sentence labels as the passage labels another ("到位资金为18571亿元" from
    "正式合同金额18571亿元，到位资金5149.7亿元")."""
    cited = list(dict.fromkeys(item.markers))
    for f in item.figures:
        if any(equivalent(f, q) for q in ctx.question):
            continue
        holders = [k for k in cited if ctx.holds(f, k)]
        wrong = [_misread(norm, f, ctx.norms[k - 1], ctx.asked) for k in holders]
        if holders and all(wrong):
            item.keep = False
            why = next(w for w in wrong if w)
            checks.append(Check("misaligned_figure", f"段落中{why}，删去：{item.sentence}"))
            return


def _restore_qualifiers(item: _Item, ctx: _Context, checks: list[Check]) -> None:
    """A figure restated without the bound its source gives it ("建成100处" from "建成
    100处以上") is stated as the source states it. Only when every equivalent figure in
    the cited passages carries the same bound, and in the same digits and unit: the
    sentence's own wording is otherwise left alone."""
    cited = list(dict.fromkeys(item.markers))
    for f in item.figures:
        if f.qualifier or any(equivalent(f, q) for q in ctx.question):
            continue
        same = [g for k in cited for g in ctx.figures[k - 1] if equivalent(f, g)]
        bounded = {g.raw for g in same if g.qualifier}
        if not same or len(bounded) != 1 or any(not g.qualifier for g in same):
            continue
        source = same[0]
        if (source.number, source.unit) != (f.number, f.unit):
            continue
        at = re.search(rf"(?<![0-9.]){re.escape(f.raw)}(?![0-9]|\.[0-9])", item.sentence)
        if at:
            item.sentence = item.sentence[: at.start()] + source.raw + item.sentence[at.end() :]
            checks.append(Check("qualifier_restored", f"{f.raw} 按原文改为 {source.raw}"))


def _check_wording(item: _Item, norm: str, ctx: _Context, checks: list[Check]) -> None:
    cited = list(dict.fromkeys(item.markers))
    every = range(1, len(ctx.norms) + 1)
    share = {k: claim_share(norm, ctx.norms[k - 1], ctx.asked) for k in cited}
    keep = [k for k in cited if share[k] >= MIN_CLAIM]
    if item.figures:
        holds = [k for k in cited if any(ctx.holds(f, k) for f in item.figures)]
        if not holds:
            return  # only figures the question gave: nothing to judge by
        keep = [k for k in cited if k in holds or k in keep]
    elif not keep:
        share |= {
            k: claim_share(norm, ctx.norms[k - 1], ctx.asked) for k in every if k not in share
        }
        best = max(every, key=lambda k: (share[k], -k))
        if share[best] < MIN_CLAIM:
            item.keep = False
            checks.append(
                Check("unsupported_claim", f"所引段落中没有这句话的内容，删去：{item.sentence}")
            )
            return
        old = "".join(f"[{k}]" for k in cited)
        checks.append(Check("citation_corrected", f"引用{old}改为[{best}]：{item.sentence}"))
        item.markers, item.rewrite = [best], True
        return
    if len(keep) < len(cited):
        gone = "".join(f"[{k}]" for k in cited if k not in keep)
        checks.append(Check("citation_pruned", f"段落{gone}不含这句话的内容，删去其引用"))
        item.markers, item.rewrite = keep, True


def _check_names(item: _Item, norm: str, ctx: _Context, checks: list[Check]) -> None:
    """A place, organisation or person the sentence names must be in a passage it cites
    (or its title, or the question): a right figure under the wrong city's name passes
    every figure check. A sentence without a figure claims only through its names: the
    person it speaks of must be in its passages, not only in the question ("彭某用过
    某某的艺名" cited to an article on someone else)."""
    from qa.text.entities import PERSONS, missing_from, tagged_entities

    cited = list(dict.fromkeys(item.markers))
    passages = [f"{ctx.titles[k - 1]} {ctx.norms[k - 1]}" for k in cited]
    tagged = tagged_entities(norm)
    names = missing_from(tagged, [ctx.asked, *passages])
    if not item.figures:
        persons = [e for e, tag in tagged.items() if tag in PERSONS and e not in names]
        names += missing_from(persons, passages)
    if names:
        item.keep = False
        checks.append(
            Check("unsupported_name", f"{'、'.join(names)} 不见于所引段落，删去：{item.sentence}")
        )


def _render(item: _Item, mapping: dict[int, int]) -> str:
    def group(numbers: list[int]) -> str:
        return "".join(f"[{mapping[k]}]" for k in dict.fromkeys(numbers) if k in mapping)

    sentence = item.sentence.rstrip()
    if not item.rewrite:
        return MARKER.sub(lambda m: group(marker_numbers(m.group())), sentence)
    body = strip_markers(sentence).rstrip()
    cut = len(body.rstrip("。！？!?；;" + CLOSERS))
    return body[:cut] + group(item.markers) + body[cut:]


def verify_answer(draft: str, passages: list[Passage], question: str = "") -> Verified:
    """Check ``draft`` against ``passages`` (see the module rules) and renumber its markers.

    Example: with passages ``[p_gdp]`` holding ``达到30145.79亿元，增长6.1%``,
    ``verify_answer("地区生产总值30145.79亿元[1]。常住人口3300万人[1]。", [p_gdp]).text``
    -> ``"地区生产总值30145.79亿元[1]。"`` with an ``unsupported_number`` check.
    """
    checks: list[Check] = []
    norms = [_norm(p) for p in passages]
    asked = normal_form(question)
    ctx = _Context(
        norms,
        [extract_figures(n) for n in norms],
        extract_figures(asked),
        asked,
        [normal_form(p.title) for p in passages],
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
    draft: str, passages: list[Passage], ctx: _Context, checks: list[Check]
) -> tuple[list[_Item], list[int]]:
    """The draft's sentences after rules 1-6, and where it says the passages do not answer."""
    items: list[_Item] = []
    refusal_at: list[int] = []
    for sentence, sep in segments(trailing_markers(strip_echoed_headers(draft, passages)).strip()):
        numbers = [k for m in MARKER.finditer(sentence) for k in marker_numbers(m.group())]
        for k in dict.fromkeys(k for k in numbers if not 1 <= k <= len(passages)):
            checks.append(Check("invalid_citation", f"删去无效引用[{k}]"))
        item = _Item(sentence, sep, [k for k in numbers if 1 <= k <= len(passages)])
        norm = normal_form(strip_markers(sentence))
        if _REFUSED.search(norm):
            refusal_at.append(len(items))
        _check_figures(item, norm, ctx, checks)
        if item.keep and item.figures:
            _check_pairs(item, norm, ctx, checks)
        if item.keep and item.figures:
            _restore_qualifiers(item, ctx, checks)
        if item.keep and looks_like_instruction(norm):
            item.keep = False
            checks.append(Check("injection_removed", f"删去疑似指令文本：{sentence}"))
        elif item.keep and item.markers and not WORD.search(norm):
            item.keep = False  # a bare marker cites nothing
        elif item.keep and item.markers and not item.figures and is_heading(norm, passages):
            item.keep = False
            checks.append(Check("heading_removed", f"删去只复述标题的文字：{sentence}"))
        elif item.keep and item.markers:
            _check_wording(item, norm, ctx, checks)
            if item.keep:
                _check_names(item, norm, ctx, checks)
        items.append(item)
    return items, refusal_at


def _drop_uncited(
    answer: list[_Item], any_supported: bool, norms: list[str], checks: list[Check]
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
    items: list[_Item],
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
    sentences = [s.strip() for s, _, ok in rendered if ok]
    if answered:
        return Verified(body, cited, checks, False, sentences, removed)
    if body:
        return Verified(refusal_text([], body), cited, checks, True, sentences, removed)
    near = _nearest(question, passages, [k for it in items for k in it.markers])
    return Verified(refusal_text(near), near, checks, True, sentences, removed)
