"""Property tests (hypothesis) of cleaning and chunking on real seed fragments mixed with noise.

Inputs are built from lines and blocks of the five seed reports (pinyin
annotations and mojibake from 001, hard wraps from 003, tab-celled tables from
002, 004's short items) mixed with random text over CJK, full-width forms,
pinyin-like parentheses, tabs, ``｜`` rows and Markdown marks. The properties:

* no function raises on any text;
* cleaning is idempotent and ``normal_form`` is a fixed point of itself;
* nothing is lost that no rule removes: every CJK character of plain simplified
  text (no markup, no parentheses, no ``?``) survives ``clean_document``, and every
  character given to ``chunk_document`` / ``pack`` / ``split_sentences`` is in a chunk.

Examples are bounded (<= 200 per test) so the file runs in well under 30 s;
no example database is written.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.ingest.chunk import chunk_document, pack, split_sentences
from qa.ingest.clean import (
    clean_document,
    normal_form,
    reflow,
    repair_mojibake,
    strip_markdown,
    strip_page_markers,
    strip_pinyin,
)
from qa.schema import DocInfo

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
FUZZ = settings(
    max_examples=int(os.environ.get("QA_FUZZ_EXAMPLES", "80")),
    deadline=None,  # OpenCC / tiktoken / jieba load on first use
    database=None,
    derandomize=True,  # the same examples on every run: CI never flips on a new draw
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _seed_lines() -> tuple[str, ...]:
    lines: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        lines.extend(ln for ln in path.read_text(encoding="utf-8").split("\n") if ln.strip())
    return tuple(ln[:400] for ln in lines)


@lru_cache(maxsize=1)
def _seed_blocks() -> tuple[str, ...]:
    """Runs of 2-14 consecutive raw lines (blank lines kept): table blocks, wraps, headings."""
    blocks: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8").split("\n")
        for start in range(0, len(raw), 7):
            blocks.append("\n".join(raw[start : start + 2 + start % 13])[:700])
    return tuple(blocks)


@lru_cache(maxsize=1)
def _plain_fragments() -> tuple[str, ...]:
    """Seed lines that are plain simplified prose: no markup, parentheses, ``?`` or tables."""
    plain = re.compile(r"^[\u4e00-\u9fff，。、；：！“”0-9.%]+$")
    return tuple(ln.strip() for ln in _seed_lines() if plain.match(ln.strip()))


NOISE_ALPHABET = (
    "重庆市地区生产总值增长亿元万人发展经济年月目标完成情况一二三四五六七八九十"
    "發展國際區質議會臺灣"  # traditional
    "０１２３４５ＡＢＣａｂｃ（）［］：；，。！？　％"  # full-width
    "abcdefghijklmnopqrstuvwxyzāáǎàēéěèīíǐìōóǒòūúǔùü"  # pinyin
    "0123456789.%()[]-*+#_•｜\t\n \u3000?"
    "“”‘’「」《》、…—～"
    "ㄎ澹┮\ue48e⌒€\ufffd"  # what GBK mojibake decodes to
)
noise = st.text(alphabet=NOISE_ALPHABET, max_size=120)
any_text = st.text(max_size=80)  # any code point, surrogates excluded
pinyin_like = st.builds(
    lambda ch, syl: f"{ch}({syl})",
    st.sampled_from("发展区质议"),
    st.sampled_from(["fā", "zhǎn", "qū", "zhì", "yì", "fa", "FDI", "GDP", "a b", "zhàn"]),
)
table_row = st.builds(
    lambda name, cells: "｜".join([name, *cells]),
    st.sampled_from(["地区生产总值", "居民消费价格涨幅（%）", "城镇新增就业（万人）"]),
    st.lists(st.sampled_from(["2023年预期目标：6左右", "完成：6.1", "\t3", "", "｜"]), max_size=4),
)


def mixed_text() -> st.SearchStrategy[str]:
    piece = st.one_of(
        st.sampled_from(_seed_lines()),
        st.sampled_from(_seed_blocks()),
        noise,
        any_text,
        pinyin_like,
        table_row,
    )
    sep = st.sampled_from(["\n", "\n\n", "", "\r\n", "\t", " "])
    return st.lists(st.tuples(piece, sep), max_size=5).map(lambda ps: "".join(p + s for p, s in ps))


def plain_simplified() -> st.SearchStrategy[str]:
    random_plain = st.text(
        alphabet="重庆市地区生产总值增长亿元发展经济目标完成，。、；：！", max_size=60
    )
    line = st.one_of(st.sampled_from(_plain_fragments()), random_plain)
    return st.lists(line, min_size=1, max_size=8).map("\n".join)


def cjk_counts(text: str) -> Counter[str]:
    return Counter(CJK.findall(text))


# --- no exception, on any text -----------------------------------------------------------
CLEANERS = (
    clean_document,
    strip_pinyin,
    strip_markdown,
    strip_page_markers,
    reflow,
    repair_mojibake,
    normal_form,
)


@FUZZ
@given(text=mixed_text())
def test_cleaners_never_raise_and_return_text(text: str) -> None:
    for fn in CLEANERS:
        out = fn(text)
        assert isinstance(out, str), fn.__name__


@FUZZ
@given(text=mixed_text())
def test_clean_document_is_idempotent(text: str) -> None:
    once = clean_document(text)
    assert clean_document(once) == once


# Found by the test above: in a hard-wrapped text (003's layout) a paragraph that stops
# mid-sentence before a page footer (page number, running title) is kept apart from
# the footer by the first pass; a second pass saw unwrapped text and glued the page
# number and title into the paragraph ("…轨道等12关于重庆市…的报告"). Page breaks are
# now mended only across a blank line, which cleaned text never has.
WRAPPED = (
    "坚持以数字重庆建设引领全面深化改革激发高质量发展内生动\n"
    "力优化整体构架健全数字重庆建设制度基础探索建立数字重庆标\n"
    "准规范体系加强数字安全和网络安全治理全方位提升城市发展能\n"
    "力服务能力治理能力迭代升级一体化智能化公共数据平台实施数\n"
    "据要素市场配置改革和私有云迁移攻坚行动集成优化服务功能推\n"
    "动六大业务板块实战实效实现水电气讯桥隧轨道等\n\n12\n\n"
    "关于重庆市2023年国民经济和社会发展规划执行情况的报告"
)


def test_clean_document_is_idempotent_across_a_page_footer() -> None:
    once = clean_document(WRAPPED)
    assert once.endswith("轨道等\n12\n关于重庆市2023年国民经济和社会发展规划执行情况的报告")
    assert clean_document(once) == once


@FUZZ
@given(text=mixed_text())
def test_clean_document_output_shape(text: str) -> None:
    out = clean_document(text)
    assert "\r" not in out and "\ufeff" not in out
    for line in out.split("\n") if out else []:
        assert line and line == line.strip(" \t\u3000")  # one trimmed paragraph per line


@FUZZ
@given(text=mixed_text())
def test_normal_form_is_a_fixed_point(text: str) -> None:
    once = normal_form(text)
    assert normal_form(once) == once
    assert "  " not in once and once == once.strip()


@FUZZ
@given(text=mixed_text())
def test_single_rules_are_idempotent(text: str) -> None:
    for fn in (strip_pinyin, strip_markdown, strip_page_markers):
        once = fn(text)
        assert fn(once) == once, fn.__name__


# Also found by the idempotence test: stacked list or heading marks ("- - 增长",
# "# # 标题", "-\t-\t关于…") lost one mark per pass, so a second pass changed the text.
@pytest.mark.parametrize("text", ["- - 增长6.1%", "-\t-\t关于重庆市的报告", "# # 标题", "* • 项目"])
def test_stacked_markdown_marks_go_in_one_pass(text: str) -> None:
    assert strip_markdown(strip_markdown(text)) == strip_markdown(text)
    assert clean_document(clean_document(text)) == clean_document(text)


# --- nothing lost that the rules do not remove ---------------------------------------------
@FUZZ
@given(text=plain_simplified())
def test_plain_simplified_text_keeps_every_cjk_character(text: str) -> None:
    out = clean_document(text)
    assert cjk_counts(out) == cjk_counts(text)
    # Only line structure may change (hard wraps joined), never the characters' order.
    assert re.sub(r"\s", "", out) == re.sub(r"\s", "", text)


@FUZZ
@given(text=mixed_text())
def test_cleaning_only_removes_cjk_it_has_a_rule_for(text: str) -> None:
    """Without ``?`` no mojibake repair runs; pinyin, page markers, markdown and tables
    rules never delete a CJK character except a page marker's own (上接/下转…版)."""
    text = text.replace("?", "").replace("？", "")
    out = clean_document(text)
    lost = cjk_counts(strip_page_markers(text)) - cjk_counts(out)
    assert not lost - _table_header_cjk(text), lost


def _table_header_cjk(text: str) -> Counter[str]:
    """CJK of flattened tables' header blocks (``\t序号`` up to the blank line): the table
    rule drops 序号 and 指标名称 by design and moves the value labels into each row."""
    found: Counter[str] = Counter()
    for m in re.finditer(r"^\t序号[ \t]*\n(?:.*\S.*\n?)*", text, re.M):
        found += cjk_counts(m.group())
    return found


@FUZZ
@given(
    units=st.lists(
        st.tuples(st.one_of(st.sampled_from(_seed_lines()), noise), st.booleans()), max_size=12
    ),
    max_tokens=st.integers(min_value=3, max_value=80),
    overlap=st.integers(min_value=0, max_value=30),
)
def test_pack_keeps_every_character_within_budget(
    units: list[tuple[str, bool]], max_tokens: int, overlap: int
) -> None:
    chunks = pack(units, max_tokens, overlap, count=len)
    together = Counter("".join(chunks))
    wanted = Counter("".join(t for t, _ in units))
    assert not wanted - together  # overlap may repeat, nothing may vanish
    for chunk in chunks:
        assert len(chunk) <= max_tokens, (chunk, max_tokens)


@FUZZ
@given(text=mixed_text())
def test_split_sentences_is_lossless(text: str) -> None:
    line = text.replace("\n", "")
    parts = split_sentences(line)
    assert "".join(parts) == line and all(parts)


@FUZZ
@given(text=mixed_text(), max_tokens=st.sampled_from([20, 60, 200]))
def test_chunk_document_keeps_every_character(text: str, max_tokens: int) -> None:
    cleaned = clean_document(text)
    info = DocInfo(doc="fuzz.txt", title="模糊测试")
    chunks = chunk_document(
        info, cleaned, max_tokens=max_tokens, overlap_tokens=10, default_year=2024
    )
    held = Counter("".join(c.text + c.section for c in chunks))
    wanted = Counter(re.sub(r"\s", "", cleaned))
    lost = wanted - held
    # A heading standing alone before a deeper one, or alone before its table, lives on
    # in the section path without its closing 。；： - those marks are all that may go.
    assert not {ch for ch in lost if ch not in "。；;：:"}, lost
    for c in chunks:
        assert c.doc == "fuzz.txt" and c.kind in {"result", "plan", "other"}
        assert c.text.strip() and c.norm == normal_form(c.text)
    assert len({c.id for c in chunks}) == len(chunks)
