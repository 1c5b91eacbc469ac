"""Citation markers and sentences in an answer: ``[1]``, ``【2】``, ``[1-3]``, and where a
sentence ends (markers and closing quotes stay with the sentence they follow).

Pure functions; ``verify`` checks each sentence, ``extractive`` and ``compare`` split with them.
"""

from __future__ import annotations

import re

_LABEL = r"(?:文档|资料|来源|段落|片段|passage|doc|source)?\s*"
MARKER = re.compile(
    rf"[\[【［]\s*{_LABEL}\d+(?:\s*[,，、\-–~]\s*{_LABEL}\d+)*\s*[\]】］]", re.IGNORECASE
)
_TERMINATORS = "。！？!?；;\n"
CLOSERS = "”’」』）)\"'"
_SPACE_BEFORE_MARKER = re.compile(r"[ \t]+(?=[\[【［])")
_SPACES = re.compile(r"\s*")
WORD = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]+")


def parse_citations(text: str) -> list[int]:
    """Passage numbers cited in ``text``, in order of first appearance, without repeats.

    Example: ``parse_citations("增长6.1%[2][3]，见【1】与[1、2]，[4-5]")`` -> ``[2, 3, 1, 4, 5]``.
    """
    seen: list[int] = []
    for m in MARKER.finditer(text):
        for k in marker_numbers(m.group()):
            if k not in seen:
                seen.append(k)
    return seen


def marker_numbers(marker: str) -> list[int]:
    out: list[int] = []
    for m in re.finditer(r"(\d+)(?:\s*[\-–~]\s*\D*?(\d+))?", marker):
        lo, hi = int(m[1]), int(m[2] or m[1])
        # A range wider than a page of passages is a typo, not a request for them all.
        out += list(range(lo, hi + 1)) if 0 <= hi - lo <= 20 else [lo, hi]
    return out


def strip_markers(text: str) -> str:
    """Example: ``strip_markers("增长6.1%[1][2]。")`` -> ``"增长6.1%。"``."""
    return MARKER.sub("", text)


def segments(text: str) -> list[tuple[str, str]]:
    """(sentence, separator) pairs; markers and closing quotes stay with their sentence."""
    out: list[tuple[str, str]] = []
    start = i = 0
    while i < len(text):
        ch = text[i]
        i += 1
        if ch not in _TERMINATORS and not (ch == "." and _ends_sentence(text, i)):
            continue
        while True:
            while i < len(text) and text[i] in CLOSERS:
                i += 1
            m = MARKER.match(text, i) or _SPACE_BEFORE_MARKER.match(text, i)
            if not m or not m.group():
                break
            i = m.end()
        end = _SPACES.match(text, i).end()  # type: ignore[union-attr]
        out.append((text[start:i], text[i:end]))
        start = i = end
    if start < len(text):
        out.append((text[start:], ""))
    merged: list[tuple[str, str]] = []
    for sent, sep in out:
        if merged and not WORD.search(strip_markers(sent)) and MARKER.search(sent):
            prev = merged[-1][0]
            merged[-1] = (prev.rstrip() + sent.strip(), sep)  # a line holding only markers
        else:
            merged.append((sent, sep))
    return merged


def _ends_sentence(text: str, i: int) -> bool:
    # An ASCII period ends a sentence only before space or end, never inside 6.1.
    return (i >= len(text) or text[i].isspace()) and i >= 2 and not text[i - 2].isdigit()


def split_sentences(text: str) -> list[str]:
    """Sentences split at 。！？； and newlines, markers kept with their sentence.

    Example: ``split_sentences("增长6.1%。[1]达到30145.79亿元[2]；\\n完成")``
    -> ``["增长6.1%。[1]", "达到30145.79亿元[2]；", "完成"]``.
    """
    return [s.strip() for s, _ in segments(text) if s.strip()]
