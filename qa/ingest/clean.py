"""Cleaning raw report text, and the normal form used for matching.

Pure functions. The source's own script is kept in what users see; the
normal form (simplified, half-width, single spaces) is for matching only.
"""

from __future__ import annotations

import re
import unicodedata

from qa.ingest.mojibake import SYLLABLES, TONES, is_mojibake_char, repair_mojibake
from qa.ingest.tables import rebuild_tables
from qa.text.script import is_traditional, normal_form, to_simplified, to_traditional

__all__ = [
    "clean_document",
    "is_mojibake_char",
    "is_traditional",
    "normal_form",
    "reflow",
    "repair_mojibake",
    "strip_markdown",
    "strip_page_markers",
    "strip_pinyin",
    "to_simplified",
    "to_traditional",
]


_PINYIN = re.compile(rf"\((?=[a-z ]*[{TONES}])({SYLLABLES})\)")


def strip_pinyin(text: str) -> str:
    """Remove ASCII-parenthesised pinyin annotations, keep real parentheses.

    Example: ``strip_pinyin("發(fā)展(FDI)國際(地區(qū))")`` -> ``"發展(FDI)國際(地區)"``.
    """
    return _PINYIN.sub("", text)


_PAGE_MARKER = re.compile(r"[（(]\s*(?:上接|下转|下轉|转|轉|接)\s*第?\s*\d+\s*版\s*[）)]")


def strip_page_markers(text: str) -> str:
    """Remove newspaper page markers. Example: ``"（上接10版）智能"`` -> ``"智能"``."""
    return _PAGE_MARKER.sub("", text)


_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
# Stacked marks ("- - 增长", "# # 标题", "* • 项目") go in one pass, so cleaning is idempotent.
_BULLET = re.compile(r"^(?:[ \t]*[-*+•][ \t]+)+", re.M)
_MD_HEADING = re.compile(r"^(?:[ \t]*#{1,6}[ \t]+)+", re.M)


def strip_markdown(text: str) -> str:
    """Drop bold marks, bullets and ``#`` heading marks; keep the words.

    Example: ``strip_markdown("- 增长**6.1%**")`` -> ``"增长6.1%"``. A ``#`` glued to
    a word (``#民间投资增速``, a table's "of which" mark) is content, not markdown.
    """
    # Removing one mark can expose another ("- # 标题", "****增长****"); repeat until stable.
    while True:
        stripped = _MD_HEADING.sub("", _BULLET.sub("", _BOLD.sub(r"\2", text)))
        if stripped == text:
            return stripped
        text = stripped


_CN = "一二三四五六七八九十"
HEADING = re.compile(
    rf"^(?:附件\s*\d|[{_CN}]+、|[（(][{_CN}]+[）)]|[{_CN}]+是|\d{{1,2}}[．.、](?!\d))"
)
_TERMINAL = "。！？；：!?;:"
_CLOSERS = "”’」』）)"


def _ends_sentence(line: str) -> bool:
    line = line.rstrip()
    while line and line[-1] in _CLOSERS and len(line) > 1 and line[-2] in _TERMINAL + _CLOSERS:
        line = line[:-1]
    return bool(line) and line[-1] in _TERMINAL


def _width(line: str) -> int:
    # Newspapers set CJK, full-width and quote marks two columns wide, digits one.
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in line)


def _wrap_width(lines: list[str]) -> int:
    """The column width of a hard-wrapped text, 0 when lines are not wrapped.

    Wrapped newspaper columns give many lines that stop mid-sentence at nearly
    the same width; paragraph-per-line texts (and 004's short items) do not.
    """
    open_ = sorted(_width(ln) for ln in lines if ln and "｜" not in ln and not _ends_sentence(ln))
    if len(open_) < 5 or len(open_) * 2 < sum(1 for ln in lines if ln):
        return 0
    median = open_[len(open_) // 2]
    near = sum(1 for w in open_ if abs(w - median) <= 8)
    return median if median >= 30 and near * 3 >= len(open_) * 2 else 0


def _mend_page_breaks(lines: list[str]) -> str:
    # Paragraph-per-line texts (000) still have a few paragraphs cut mid-word by
    # a page break ("…重庆四川党" / blank line / "政联席会议…"). Only a long line
    # followed by a blank line is joined: titles and 004's items are short and keep
    # their lines; cleaned text has no blank lines, so a second pass joins nothing
    # (idempotence); a bare page number is never glued into a sentence.
    out: list[str] = []
    for line in lines:
        k = max((n for n, ln in enumerate(out) if ln), default=-1)
        prev = out[k] if k >= 0 else ""
        joins = (
            k < len(out) - 1
            and len(prev) >= 60
            and not _ends_sentence(prev)
            and "｜" not in prev + line
            and not line.isdigit()
        )
        if line and joins and not HEADING.match(line):
            out[k:] = [prev + line]
        else:
            out.append(line)
    return "\n".join(out)


def reflow(text: str) -> str:
    """Join newspaper hard wraps; keep paragraph boundaries.

    In a hard-wrapped text (003) a line that stops mid-sentence goes on in the
    next non-blank line, also across a column break's blank line. A sentence
    end or a table row ends the paragraph, and so does a short line before a
    blank line or a heading (``一、`` ``（一）`` ``一是`` ``1．``). Other texts
    keep their lines; only a long paragraph cut by a page break is mended.
    Example: ``"推动布局\\n低空经济发展。"`` (wrapped text) -> ``"推动布局低空经济发展。"``.
    """
    lines = [ln.strip(" \t\u3000") for ln in text.split("\n")]
    width = _wrap_width(lines)
    if not width:
        return _mend_page_breaks(lines)
    out: list[str] = []
    buf = last = ""  # the paragraph so far and its last physical line
    gap = False  # a blank line since `last`
    for line in lines:
        if not line:
            gap = True
            continue
        short = _width(last) < width - 8  # a title, or a line a page marker shortened
        if buf and (
            _ends_sentence(buf)
            or "｜" in buf + line
            or (short and (gap or HEADING.match(line) is not None))
        ):
            out.append(buf)
            buf = ""
        glue = " " if (buf[-1:] + line[:1]).isascii() and (buf[-1:] + line[:1]).isalpha() else ""
        buf, last, gap = buf + glue + line, line, False
    return "\n".join([*out, buf] if buf else out)


_LONE_Q = re.compile(r"(?<=[\u3400-\u9fff，。、；：”）])\?|\?(?=[\u3400-\u9fff“（])")


def clean_document(raw: str) -> str:
    """The whole pipeline; one paragraph, heading or table row per line.

    Mojibake -> pinyin -> page markers -> markdown -> tables -> reflow -> trim.
    The source script is kept; a question mark next to Chinese text becomes
    full-width (``成就?新`` -> ``成就？新``). Idempotent.
    Example: ``clean_document("  - 增长**6.1%**\\n\\n\\n（下转10版）")`` -> ``"增长6.1%"``.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = repair_mojibake(text)
    text = strip_pinyin(text)
    text = strip_page_markers(text)
    text = strip_markdown(text)
    text = rebuild_tables(text)
    text = reflow(text)
    text = _LONE_Q.sub("？", text)
    lines = (re.sub(r"[ \t\u3000]+$", "", ln).lstrip(" \t\u3000") for ln in text.split("\n"))
    return "\n".join(ln for ln in lines if ln)
