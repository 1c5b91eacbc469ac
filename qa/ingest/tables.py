"""Rebuilding indicator tables that arrive flattened one cell per line.

Report 002's appendix tables come as blocks separated by blank lines, one
block per table row, each cell on its own line introduced by a tab (a header
cell may wrap onto a plain line: ``\\t2022年`` + ``预期目标``). The first block
is the header (``序号``, ``指标名称``, then the value columns). A block whose
first cell is ``一、…`` is a section row. Notes (``注：1．加“*”为约束性指标…``)
follow the table and explain its footnote marks.

Each data row becomes one line carrying its column headers, so a passage
reads on its own: ``地区生产总值增速（%）｜2022年预期目标：5.5左右｜2022年预计完成：2.6``.
Pure functions; text that is not such a table passes through unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SEP = "｜"
_SECTION = re.compile(r"^[一二三四五六七八九十]+、\S")
_ROW_NO = re.compile(r"^\d{1,3}$")
_APPENDIX = re.compile(r"^附件\s*\d+$")
_NOTE_START = re.compile(r"^(?:注[：:]\s*)?\d+[．.]")
_MARK_NOTE = re.compile(r"加“(?P<mark>[^”]{1,2})”(?:指标)?[，,]?(?:为)?(?P<meaning>[^。；]+)")
_TERMINAL = "。；！？"


@dataclass
class _Table:
    start: int  # first line index the rebuilt block replaces
    end: int  # one past the last line it replaces
    title: str
    labels: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _blocks(lines: list[str], i: int) -> tuple[list[list[str]], int]:
    """Cell blocks from line ``i`` (a header cell) on -> (blocks, index after the table).

    A tab starts a cell; a plain line right after a cell continues it; a plain
    line after a blank line (the notes) ends the table.
    """
    blocks: list[list[str]] = []
    cells: list[str] = []
    after_blank = False
    while i < len(lines):
        line = lines[i]
        if line.startswith("\t"):
            cells.append(line[1:].strip())
            after_blank = False
        elif not line.strip():
            if cells:
                blocks.append(cells)
                cells = []
            after_blank = True
        elif cells and not after_blank:
            cells[-1] += line.strip()
        else:
            break
        i += 1
    if cells:
        blocks.append(cells)
    return blocks, i


def _notes(lines: list[str], i: int) -> tuple[list[str], int]:
    """Note items after a table, wrapped items joined -> (notes, index after them)."""
    notes: list[str] = []
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        if _NOTE_START.match(line) and (notes or line.startswith("注")):
            # Every item says it is a note, so no line reads as a "2．" heading.
            notes.append(line if line.startswith("注") else f"注：{line}")
        elif notes and notes[-1][-1] not in _TERMINAL and not _APPENDIX.match(line):
            notes[-1] += line  # an item wrapped mid-word ("…新型显示等核" + "心产业。")
        else:
            break
        i += 1
    while i > 0 and not lines[i - 1].strip():
        i -= 1  # leave the blank lines that separate the next paragraph
    return notes, i


def _title(lines: list[str], header: int) -> tuple[str, int]:
    """The table's title and the first line index it replaces.

    The title is ``附件N`` plus the appendix's own title line (``附件1`` +
    ``2022年…完成情况`` -> ``附件1 2022年…完成情况``); the short caption line right
    above the header is folded into it. Without an appendix line the caption
    is the title.
    """
    k = header - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    caption = lines[k].strip() if k >= 0 else ""
    start = header
    if caption and len(caption) <= 40 and caption[-1] not in _TERMINAL + "：:，,":
        start = k
    else:
        caption = ""
    for j in range(k - 1, -1, -1):
        if lines[j].startswith("\t"):
            break  # another table's cells: the appendix line above is not this table's
        if _APPENDIX.match(lines[j].strip()):
            after = next((ln.strip() for ln in lines[j + 1 : k] if ln.strip()), "")
            return f"{lines[j].strip()} {after or caption}".strip(), start
    return caption, start


def _parse(lines: list[str], header: int) -> _Table | None:
    blocks, end = _blocks(lines, header)
    if not blocks or len(blocks[0]) < 3 or blocks[0][0] != "序号":
        return None
    title, start = _title(lines, header)
    table = _Table(start, end, title, [re.sub(r"\s+", "", c) for c in blocks[0][2:]])
    table.rows = blocks[1:]
    table.notes, table.end = _notes(lines, end)
    return table


def _meanings(notes: list[str]) -> dict[str, str]:
    """Footnote mark -> meaning: ``加“*”为约束性指标，其他为…`` -> {"*": "约束性指标"}."""
    found: dict[str, str] = {}
    for note in notes:
        for m in _MARK_NOTE.finditer(note):
            found[m.group("mark")] = m.group("meaning").split("，其他")[0].strip("，, ")
    return found


def _render(table: _Table) -> list[str]:
    meanings = _meanings(table.notes)
    out = [table.title] if table.title else []
    parent = ""
    for cells in table.rows:
        if len(cells) <= 2 and _SECTION.match(cells[0]) and not "".join(cells[1:]):
            out.append(cells[0])
            continue
        if _ROW_NO.match(cells[0]) or not cells[0]:
            cells = cells[1:]  # the row number is layout, and one (#氨氮's "33") is wrong
        if not cells:
            continue
        name, values = cells[0], cells[1:]
        values += [""] * (len(table.labels) - len(values))
        if len(values) > len(table.labels):  # never drop a cell: keep it on the last column
            values[len(table.labels) - 1 :] = ["；".join(values[len(table.labels) - 1 :])]
        mark = name[-1] if name[-1:] in meanings and name[-1:] in "*▽" else ""
        bare = name[:-1] if mark else name
        if bare.startswith("#"):
            # "#" is the tables' "of which": the row is part of the row above.
            label = f"{parent}其中：{bare[1:]}"
        else:
            label, parent = bare, bare
        if mark:
            label += f"（{meanings[mark]}）"
        parts = [label]
        for head, value in zip(table.labels, values, strict=True):
            if value in meanings:  # a cell that is only a mark, e.g. "—"
                value = f"{value}（{meanings[value]}）"
            parts.append(f"{head}：{value}")
        out.append(SEP.join(parts))
    return out + table.notes


def find_tables(text: str) -> list[list[str]]:
    """The rebuilt lines of every table in ``text`` (for inspection and tests).

    Example: for report 002 -> two lists, the first starting
    ``["附件1 2022年国民经济和社会发展计划主要指标预期目标完成情况", "地区生产总值增速（%）｜…"]``.
    """
    lines = text.split("\n")
    found = []
    for i, line in enumerate(lines):
        if line.startswith("\t") and line.strip() == "序号" and (table := _parse(lines, i)):
            found.append(_render(table))
    return found


def rebuild_tables(text: str) -> str:
    """Replace flattened tables by one line per row with its column headers.

    Example: ``"\\t序号\\n\\t指标名称\\n\\t2022年\\n预期目标\\n\\n\\t1\\n\\t地区生产总值增速（%）\\n\\t5.5左右"``
    -> ``"地区生产总值增速（%）｜2022年预期目标：5.5左右"``. Section rows (``一、推动高质量发展``)
    and notes stay lines of their own; a ``*`` becomes ``（约束性指标）`` when the notes
    say so, ``#`` (of which) names its parent row, a lone ``—`` cell gets its note.
    """
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        table = _parse(lines, i) if line.startswith("\t") and line.strip() == "序号" else None
        if table is None:
            out.append(line)
            i += 1
            continue
        if i > table.start:
            del out[len(out) - (i - table.start) :]  # the caption, folded into the title
        out.extend(_render(table))
        i = table.end
    return "\n".join(out)
