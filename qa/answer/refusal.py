"""What a refusal says: the fixed sentence, then where the reports speak nearby.

A user told "not in the reports" should still see where to look, e.g. the 2023 target
when the 2023 result was asked.
"""

from __future__ import annotations

from qa.schema import Passage

REFUSAL = "文档中没有相关信息"


def _describe(p: Passage, with_title: bool = True) -> str:
    section = p.section.split(" > ")[-1].strip()[:30] if p.section else ""
    kind = {"result": "执行结果", "plan": "计划目标"}.get(p.kind, "")
    when = f"（{p.year}年{kind}）" if p.year else (f"（{kind}）" if kind else "")
    title = f"《{p.title}》" if p.title and with_title else ""
    return f"{title}{section or ('' if title else p.doc)}{when}"


def refusal_text(passages: list[Passage], note: str = "") -> str:
    """``REFUSAL``, then a pointer to related content: ``note`` if given, else the passages.

    Example: ``refusal_text([])`` -> ``"文档中没有相关信息"``;
    ``refusal_text([Passage(doc="d", title="2023年报告", year=2023, section="一、执行情况",
    text="…", score=1.0, kind="result")])``
    -> ``"文档中没有相关信息。相关内容：《2023年报告》一、执行情况（2023年执行结果）[1]"``.
    """
    pointers = [
        # The same report twice reads better without its (long) title repeated.
        f"{_describe(p, i == 1 or p.title != passages[i - 2].title)}[{i}]"
        for i, p in enumerate(passages, 1)
    ]
    related = note.strip() or "；".join(pointers)
    return f"{REFUSAL}。相关内容：{related}" if related else REFUSAL
