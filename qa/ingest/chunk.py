"""Structure-aware chunking: heading ladder -> sections -> token-budgeted chunks.

Pure functions over cleaned text (one paragraph, heading or table row per
line). Headings follow the reports' ladder ``附件1`` > ``一、`` > ``（一）`` >
``一是``/``1．``; every chunk carries its heading path, the year its section
speaks of and whether that section reports results or plans/targets.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from qa.ingest.clean import normal_form
from qa.schema import Chunk, DocInfo
from qa.text.tokens import count_tokens

TABLE_SEP = "｜"
_CN_NUM = "一二三四五六七八九十"
# (level, pattern). Level 0 resets the whole path (an appendix table).
_LADDER: list[tuple[int, re.Pattern[str]]] = [
    (0, re.compile(r"^附件\s*\d")),
    (1, re.compile(rf"^[{_CN_NUM}]+、")),
    # A title line such as 002's "2022年国民经济和社会发展计划主要指标预期目标完成情况".
    (1, re.compile(r"^(?:19|20)\d\d年(?:[^\d，。,；;：:]{0,30})$")),
    (
        1,
        re.compile(
            r"^[^\d，。,；;]{0,16}(?:工作回顾|工作回顧|预期目标|預期目標|报告解读|報告解讀)$"
        ),
    ),
    (2, re.compile(rf"^[（(][{_CN_NUM}]+[）)]")),
    (3, re.compile(rf"^[{_CN_NUM}]+是")),
    (3, re.compile(r"^\d{1,2}(?:[．.、](?!\d)|\s+)\S")),
]
# Not a bare "成效": plan headings promise it ("在富民惠民安民上取得新成效", 001 part 二).
_RESULT_WORDS = ("执行情况", "完成情况", "工作回顾", "回顾", "主要做了", "主要成效", "取得的成效")
_PLAN_WORDS = (
    "计划草案", "主要目标", "预期目标", "目标", "任务", "计划", "总体要求",
    "重点抓好", "民生实事", "总体考虑", "重点工作", "安排",
)  # fmt: skip
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)年")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


def heading_of(line: str) -> Heading | None:
    """The heading a line opens, if any; long openers are cut at the first 。 or ，.

    Example: ``heading_of("（一）扎实推动成渝地区双城经济圈建设走深走实。一是…")``
    -> ``Heading(2, "（一）扎实推动成渝地区双城经济圈建设走深走实")``.
    """
    if TABLE_SEP in line:
        return None
    for level, pattern in _LADDER:
        if pattern.match(line):
            text = re.split(r"[。；;]", line, maxsplit=1)[0]
            if level >= 2 and len(text) > 40:
                text = re.split(r"[，,]", text, maxsplit=1)[0]
            return Heading(level, text.strip()[:60])
    return None


def classify(path: list[str]) -> tuple[int | None, str | None]:
    """Year and kind a heading path speaks of, deepest heading first.

    Example: ``classify(["一、2023年国民经济和社会发展规划执行情况", "（四）加快构建…"])``
    -> ``(2023, "result")``.
    """
    year: int | None = None
    kind: str | None = None
    for heading in reversed(path):
        norm = normal_form(heading)
        if year is None and (m := _YEAR.search(norm)):
            year = int(m.group(1))
        if kind is None:
            if any(w in norm for w in _RESULT_WORDS):
                kind = "result"
            elif any(w in norm for w in _PLAN_WORDS):
                kind = "plan"
    return year, kind


@dataclass
class _Section:
    path: list[str]
    year: int | None
    kind: str
    lines: list[str]


def sections(
    text: str, default_year: int | None, default_kind: str = "other"
) -> Iterator[_Section]:
    """Split cleaned text at headings; year and kind carry forward across top-level parts
    (a part with no year of its own, like 001's 三、, continues the one before it)."""
    path: list[Heading] = []
    carried_year, carried_kind = default_year, default_kind
    current = _Section([], default_year, default_kind, [])
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        head = heading_of(line)
        if head is not None:
            # A heading alone before a deeper one ("附件2" then "一、…") is no passage of its
            # own: its text lives on in the deeper section's path.
            bare = (
                len(current.lines) == 1
                and bool(path)
                and head.level > path[-1].level
                and current.lines[0].rstrip("。；;：: ") == path[-1].text
            )
            if current.lines and not bare:
                yield current
            path = [h for h in path if h.level < head.level] + [head]
            texts = [h.text for h in path]
            year, kind = classify(texts)
            if head.level <= 1:
                carried_year = year or carried_year
                carried_kind = kind or carried_kind
            current = _Section(texts, year or carried_year, kind or carried_kind, [])
        current.lines.append(line)
    if current.lines:
        yield current


def split_sentences(line: str) -> list[str]:
    """Example: ``split_sentences("增长6.1%。达到5.5左右；完成")`` -> ``["增长6.1%。", "达到5.5左右；", "完成"]``."""
    return [s for s in _SENTENCE_END.split(line) if s]


def _hard_split(sentence: str, max_tokens: int, count: Callable[[str], int]) -> list[str]:
    """Only a sentence longer than the whole budget is cut: at commas, else by length."""
    pieces = [p for p in re.split(r"(?<=[，,、])", sentence) if p]
    out: list[str] = []
    buf = ""
    for piece in pieces:
        while count(piece) > max_tokens:
            cut = max(1, len(piece) * max_tokens // count(piece))
            if buf:
                out.append(buf)
                buf = ""
            out.append(piece[:cut])
            piece = piece[cut:]
        if buf and count(buf + piece) > max_tokens:
            out.append(buf)
            buf = ""
        buf += piece
    if buf:
        out.append(buf)
    return out


def pack(
    units: list[tuple[str, bool]],
    max_tokens: int,
    overlap_tokens: int,
    count: Callable[[str], int] = count_tokens,
) -> list[str]:
    """Greedy packing of (sentence, starts_paragraph) units into chunks of at most
    ``max_tokens``, repeating trailing sentences up to ``overlap_tokens`` at the next start.

    Example: three 10-token sentences, budget 25, overlap 10 ->
    ``["s1s2", "s2s3"]``.
    """
    # A unit opening a paragraph costs one more token: the "\n" ``_join`` puts before it.
    sized: list[tuple[str, bool, int]] = []
    for text, new_para in units:
        n = count(text)
        if n > max_tokens:
            for i, part in enumerate(_hard_split(text, max_tokens, count)):
                starts = new_para and i == 0
                sized.append((part, starts, count(part) + starts))
        else:
            sized.append((text, new_para, n + new_para))
    chunks: list[str] = []
    window: list[tuple[str, bool, int]] = []
    fresh = 0  # sentences in the window that no earlier chunk holds
    for unit in sized:
        total = sum(u[2] for u in window)
        if window and total + unit[2] > max_tokens:
            chunks.append(_join(window))
            keep: list[tuple[str, bool, int]] = []
            kept = 0
            for u in reversed(window):
                if kept + u[2] > overlap_tokens or kept + u[2] + unit[2] > max_tokens:
                    break
                keep.insert(0, u)
                kept += u[2]
            window, fresh = keep, 0
        window.append(unit)
        fresh += 1
    if window and fresh:
        chunks.append(_join(window))
    return chunks


def _join(units: list[tuple[str, bool, int]]) -> str:
    out = ""
    for i, (text, new_para, _) in enumerate(units):
        out += ("\n" if new_para and i else "") + text
    return out


def chunk_document(
    info: DocInfo,
    text: str,
    *,
    max_tokens: int,
    overlap_tokens: int,
    default_year: int | None,
    default_kind: str = "other",
) -> list[Chunk]:
    """Cleaned report text -> chunks with heading path, year and kind.

    Table rows (``名称｜列：值｜…``) are units of their own, never cut and never
    repeated as overlap: a row is self-contained with its headers.
    """
    chunks: list[Chunk] = []
    for sec in sections(text, default_year, default_kind):
        table_rows = [ln for ln in sec.lines if TABLE_SEP in ln]
        prose = [ln for ln in sec.lines if TABLE_SEP not in ln]
        head = heading_of(prose[0]) if len(prose) == 1 else None
        if table_rows and head is not None and prose[0].rstrip("。；;：: ") == head.text:
            prose = []  # only the table's heading, which is in the rows' section path
        groups: list[tuple[list[str], bool]] = []
        if prose:
            units = [(s, i == 0) for ln in prose for i, s in enumerate(split_sentences(ln))]
            groups.append((pack(units, max_tokens, overlap_tokens), False))
        if table_rows:
            rows = [(r, True) for r in table_rows]
            groups.append((pack(rows, max_tokens, 0), True))
        for texts, is_table in groups:
            for body in texts:
                idx = len(chunks)
                digest = hashlib.sha1(f"{info.doc}\0{idx}\0{body}".encode()).hexdigest()[:16]
                chunks.append(
                    Chunk(
                        id=f"{info.doc}:{idx}:{digest}",
                        doc=info.doc,
                        text=body,
                        norm=normal_form(body),
                        section=" > ".join(sec.path),
                        year=sec.year,
                        kind=sec.kind,
                        index=idx,
                        is_table=is_table,
                    )
                )
    return chunks


def keyword_text(chunk: Chunk) -> str:
    """What BM25 indexes: heading path and text, without the title, whose years
    (``2022年…及2023年计划草案``) would otherwise match every chunk of a report."""
    return f"{normal_form(chunk.section)}\n{chunk.norm}"


def context_text(chunk: Chunk, title: str) -> str:
    """What is embedded and keyword-indexed: title and heading path give a chunk
    the year and kind its own sentences often leave implicit."""
    head = normal_form(f"{title} {chunk.section}")
    return f"{head}\n{chunk.norm}"
