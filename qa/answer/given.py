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


def in_source_words(verified: Verified) -> str:
    """Each supported sentence as the words of its passage that hold its figure
    (``judge.evidence``), with its markers.

    Example: "2024年重庆汽车总产量达到95.3万辆[1]。" citing "…新能源汽车产量达到95.3万辆,…"
    -> "…新能源汽车产量达到95.3万辆[1]。".
    """
    from qa.answer.judge import evidence

    pieces = [
        evidence(s, verified.cited) + "".join(MARKER.findall(s))
        for s in verified.supported_sentences
    ]
    return "；".join(pieces) + "。"


def renumber(text: str, cited: list[Passage], passages: list[Passage]) -> str:
    """Markers numbering ``cited`` -> markers numbering ``passages``.

    Example: with ``cited == [p2]`` and ``passages == [p1, p2]``, ``"甲[1]。"`` -> ``"甲[2]。"``.
    """
    where = {i: passages.index(p) + 1 for i, p in enumerate(cited, 1) if p in passages}

    def shift(m: re.Match[str]) -> str:
        return "".join(f"[{where[k]}]" for k in marker_numbers(m.group()) if k in where)

    return MARKER.sub(shift, text)
