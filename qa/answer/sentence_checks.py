"""Verification's checks of one answer sentence against the passages it cites: its
figures (rule 2 of ``qa.answer.verify``), the items of a 分别 group and the labels they
go with, the bounds its source gives them, its wording (rule 6) and its names (rule 7).

Each check reads an ``Item`` (one draft sentence and its markers) in a ``Context`` (the
passages' normal forms and figures, the question) and records a ``Check`` when it
removes the sentence, corrects its markers or restores a bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.schema import Check
from qa.text.numbers import Figure, equivalent, extract_figures, supported_among
from qa.text.wording import claim_share, containment


@dataclass
class Item:
    sentence: str
    sep: str
    markers: list[int]  # passage numbers (1-based, draft numbering) after checks
    rewrite: bool = False  # markers differ from the draft's: put them at the end
    keep: bool = True
    figures: list[Figure] = field(default_factory=list)  # the sentence's own


@dataclass
class Context:
    norms: list[str]
    figures: list[list[Figure]]
    question: list[Figure]
    asked: str  # the question's normal form
    titles: list[str] = field(default_factory=list)
    # Passages found but not shown (another year's, another place's): what they label
    # tells where a label the model gives a figure belongs.
    others: list[str] = field(default_factory=list)

    def holds(self, f: Figure, k: int) -> bool:
        """Passage ``k`` (1-based) states figure ``f``."""
        return supported_among(f, self.figures[k - 1], self.norms[k - 1])


# A passage is cited for a claim only when it holds the claim: one of the sentence's
# figures, or at least this share of its own wording (``claim_share``). A name with one
# wrong character (渝铜线 for 璧铜线) keeps half of its bigrams, so the bar sits above 0.5.
MIN_CLAIM = 0.6


def check_figures(item: Item, norm: str, ctx: Context, checks: list[Check]) -> None:
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
    return _belongs_to(relabelled(norm, f, passage), f)


def _belongs_to(label: tuple[str, Figure] | None, f: Figure) -> str | None:
    """What a check says of a figure another label goes with: "快递业务量是27%，不是32%"."""
    return f"{label[0]}是{label[1].raw}，不是{f.raw}" if label else None


def _taken_apart(norm: str, f: Figure, ctx: Context) -> str | None:
    """Why figure ``f`` goes with another label: the label the sentence gives it is in
    no passage holding it, and another passage found (shown or scoped out) puts it
    before another figure (``qa.text.labels.taken_apart``)."""
    from qa.text.labels import taken_apart

    # Any passage that states the figure may give it its label, cited or not.
    holding = [k for k in range(1, len(ctx.norms) + 1) if ctx.holds(f, k)]
    others = [n for k, n in enumerate(ctx.norms, 1) if k not in holding] + ctx.others
    return _belongs_to(taken_apart(norm, f, [ctx.norms[k - 1] for k in holding], others), f)


def check_pairs(item: Item, norm: str, ctx: Context, checks: list[Check]) -> None:
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
        if holders and not any(wrong):
            wrong = [_taken_apart(norm, f, ctx)]
        if holders and all(wrong):
            item.keep = False
            why = next(w for w in wrong if w)
            checks.append(Check("misaligned_figure", f"段落中{why}，删去：{item.sentence}"))
            return


def restore_qualifiers(item: Item, ctx: Context, checks: list[Check]) -> None:
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


def check_wording(item: Item, norm: str, ctx: Context, checks: list[Check]) -> None:
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


def check_names(item: Item, norm: str, ctx: Context, checks: list[Check]) -> None:
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


def check_subject(item: Item, ctx: Context, checks: list[Check]) -> None:
    """Where the question names what a retrieved document is about (its title: 生濑胜久
    in "生濑胜久是在哪里出生的？"), a sentence must cite that document or a passage that
    names it: a birthplace cited to another person's article answers about someone else,
    and every word of it is in its passage."""
    subjects = {t for t in ctx.titles if len(t) > 1 and t in ctx.asked}
    if not subjects:
        return
    cited = list(dict.fromkeys(item.markers))
    if any(
        ctx.titles[k - 1] in subjects or any(s in ctx.norms[k - 1] for s in subjects) for k in cited
    ):
        return
    item.keep = False
    named = "、".join(sorted(subjects))
    checks.append(Check("off_subject", f"所引段落不是关于{named}的，删去：{item.sentence}"))
