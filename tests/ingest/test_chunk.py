"""Chunking: headings, year/kind of a section, token-budgeted packing, and the real seeds.

The first half works on real lines and hand-made units (pure); the second half
chunks every cleaned seed report and checks what a reader of a citation relies
on: budgets, metadata, and which year and kind a passage speaks of.
"""

from __future__ import annotations

import itertools
from functools import cache

import pytest
from conftest import ALL_DOCS, DOC_000, DOC_001, DOC_002, DOC_004, SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.ingest.chunk import (
    TABLE_SEP,
    Heading,
    chunk_document,
    classify,
    context_text,
    count_tokens,
    heading_of,
    pack,
    sections,
    split_sentences,
)
from qa.schema import Chunk

BUDGET = 400
OVERLAP = 60


# --- headings -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("一、2023年国民经济和社会发展规划执行情况",
         Heading(1, "一、2023年国民经济和社会发展规划执行情况")),
        # A heading that runs into its paragraph is cut at the first 。, then at ， if long.
        ("（一）扎实推动成渝地区双城经济圈建设走深走实，全方位融入、全方位推进。召开建设成渝地区",
         Heading(2, "（一）扎实推动成渝地区双城经济圈建设走深走实，全方位融入、全方位推进")),
        ("一是打表推进“十项行动”“四张清单”。印发实施《重庆市推动成渝地区双城经济圈建设行动方案》",
         Heading(3, "一是打表推进“十项行动”“四张清单”")),
        ("2024年主要预期目标", Heading(1, "2024年主要预期目标")),
        ("2023年工作回顾", Heading(1, "2023年工作回顾")),
        ("二、2024年工作回顧", Heading(1, "二、2024年工作回顧")),
        ("(三)抓教育興科技", Heading(2, "(三)抓教育興科技")),
        ("附件2", Heading(0, "附件2")),
        ("1．地区生产总值增长6%左右", Heading(3, "1．地区生产总值增长6%左右")),
    ],
)  # fmt: skip
def test_heading_of_real_lines(line: str, expected: Heading) -> None:
    assert heading_of(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "2023年，面对严峻复杂的国际环境和艰巨繁重的改革发展稳定任务，全市上下坚持……",
        "地区生产总值迈上3万亿元新台阶，达到30145.79亿元，增长6.1%。",
        "一、推动高质量发展｜2023年预期目标：6以上",  # a table row is never a heading
        "6.1%的增长",  # a decimal is not a "6." list number
        "- 地区生产总值**30145.79**亿元,增长**6.1%**",
    ],
)
def test_prose_and_table_rows_are_not_headings(line: str) -> None:
    assert heading_of(line) is None


def test_a_very_long_heading_is_bounded() -> None:
    head = heading_of("（二）" + "很长的标题" * 40)
    assert head is not None and head.level == 2 and len(head.text) <= 60


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (["一、2023年国民经济和社会发展规划执行情况", "（四）加快构建现代化产业体系"],
         (2023, "result")),
        (["二、2024年国民经济和社会发展计划草案", "（一）扎实推动成渝地区双城经济圈建设"],
         (2024, "plan")),
        (["2024年主要预期目标"], (2024, "plan")),
        (["2023年工作回顾", "1 扎实推进成渝地区双城经济圈建设"], (2023, "result")),
        (["一、2024年工作回顧"], (2024, "result")),  # traditional script
        (["二、2023年国民经济和社会发展计划总体考虑", "（一）宏观形势判断"], (2023, "plan")),
        (["附件2", "2023年主要预期目标"], (2023, "plan")),
        (["（一）宏观形势判断"], (None, None)),
        # "取得新成效" in a plan heading is a promise, not a result (001 part 二).
        (["二、2025年主要任務", "(八)聚力打造高品質生活宜居地,在富民惠民安民上取得新成效"],
         (2025, "plan")),
        (["一、2023年执行情况", "（八）深入推进数字重庆建设，全面深化改革取得新成效"],
         (2023, "result")),
        # The deepest heading decides: a plan section inside a review part stays a plan.
        (["一、2023年工作回顾", "（三）2024年预期目标"], (2024, "plan")),
    ],
)  # fmt: skip
def test_classify(path: list[str], expected: tuple[int | None, str | None]) -> None:
    assert classify(path) == expected


def test_sections_carry_year_and_kind_forward() -> None:
    text = "\n".join(
        [
            "序言一段。",
            "一、2023年国民经济和社会发展规划执行情况",
            "总的情况。",
            "（一）扎实推动双城经济圈建设。",
            "一是打表推进。具体内容。",
            "二、2024年计划草案",
            "（一）稳增长。",
            "三、做好政府自身建设",  # no year, no kind: continues the part before
            "（一）加强作风建设。",
        ]
    )
    got = [(" > ".join(s.path), s.year, s.kind, s.lines[0]) for s in sections(text, 2023, "other")]
    assert got == [
        ("", 2023, "other", "序言一段。"),
        ("一、2023年国民经济和社会发展规划执行情况", 2023, "result",
         "一、2023年国民经济和社会发展规划执行情况"),
        # "（一）扎实推动双城经济圈建设。" alone is folded into the deeper section's path.
        ("一、2023年国民经济和社会发展规划执行情况 > （一）扎实推动双城经济圈建设 > 一是打表推进",
         2023, "result", "一是打表推进。具体内容。"),
        ("二、2024年计划草案 > （一）稳增长", 2024, "plan", "（一）稳增长。"),
        # No year, no kind of its own: continues the part before.
        ("三、做好政府自身建设 > （一）加强作风建设", 2024, "plan", "（一）加强作风建设。"),
    ]  # fmt: skip


# --- sentences and packing --------------------------------------------------------


def test_split_sentences_keeps_punctuation() -> None:
    assert split_sentences("增长6.1%。达到5.5左右；完成") == ["增长6.1%。", "达到5.5左右；", "完成"]
    assert split_sentences("没有句号") == ["没有句号"]


def test_count_tokens() -> None:
    assert count_tokens("") == 0
    assert count_tokens("地区生产总值") == 6
    assert count_tokens("a b") == 2


def _len(text: str) -> int:
    return len(text)


A, B, C, D = "a" * 10, "b" * 10, "c" * 10, "d" * 10


def test_pack_budget_and_overlap_worked_example() -> None:
    units = [(A, True), (B, False), (C, False)]
    # Budget 25 holds two 10-unit sentences; overlap 10 repeats the last one.
    assert pack(units, 25, 10, _len) == [A + B, B + C]
    assert pack([*units, (D, False)], 25, 10, _len) == [A + B, B + C, C + D]
    # No overlap: each sentence once.
    assert pack([*units, (D, False)], 25, 0, _len) == [A + B, C + D]
    # Everything fits: one chunk.
    assert pack(units, 100, 10, _len) == [A + B + C]


def test_pack_marks_paragraph_starts_with_newlines() -> None:
    assert pack([(A, True), (B, True), (C, False)], 100, 0, _len) == [A + "\n" + B + C]


def test_pack_never_cuts_a_sentence_that_fits() -> None:
    s1, s2, s3 = "甲" * 12 + "。", "乙" * 11 + "。", "丙" * 11 + "。"
    chunks = pack([(s1, True), (s2, False), (s3, False)], 24, 0, _len)
    assert chunks == [s1, s2 + s3]
    for s in (s1, s2, s3):
        assert sum(c.count(s) for c in chunks) == 1


def test_pack_cuts_only_a_sentence_alone_over_budget() -> None:
    long_one = "甲甲甲甲，乙乙乙乙，丙丙丙丙，丁丁丁丁。"  # 20 characters
    chunks = pack([("短句。", True), (long_one, False), ("尾句。", False)], 10, 0, _len)
    assert all(len(c) <= 10 for c in chunks)
    # Cut at commas, nothing lost, the short sentences whole.
    assert "".join(chunks) == "短句。" + long_one + "尾句。"
    assert any(c.startswith("甲甲甲甲，") for c in chunks)
    # A comma-less over-long run is cut by length.
    assert pack([("x" * 25, True)], 10, 0, _len) == ["x" * 10, "x" * 10, "x" * 5]


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=30),
    budget=st.integers(min_value=5, max_value=60),
    overlap=st.integers(min_value=0, max_value=30),
)
def test_pack_properties(sizes: list[int], budget: int, overlap: int) -> None:
    """Every chunk fits; every sentence that fits appears whole, in order; none is lost."""
    units = [(chr(0x4E00 + i) * n, i % 3 == 0) for i, n in enumerate(sizes)]
    chunks = pack(units, budget, overlap, _len)
    # The budget covers the paragraph breaks too.
    assert all(0 < len(c) <= budget for c in chunks), [len(c) for c in chunks]
    flat = "".join(c.replace("\n", "") for c in chunks)
    for text, _ in units:
        if len(text) <= budget:
            assert any(text in c.replace("\n", "") for c in chunks)
        assert text[0] in flat
    # Without overlap, nothing is repeated and nothing dropped.
    plain = pack(units, budget, 0, _len)
    assert "".join(c.replace("\n", "") for c in plain) == "".join(t for t, _ in units)


# --- chunk_document on small text -----------------------------------------------------


def _info(doc: str = "t.txt") -> object:
    from qa.schema import DocInfo

    return DocInfo(doc=doc, title="测试报告", years=(2022, 2023))


def test_table_rows_kept_whole_and_not_overlapped() -> None:
    rows = [f"指标{i}（%）｜2023年预期目标：{i}.5左右｜2022年预计完成：{i}.1" for i in range(1, 40)]
    text = "\n".join(["附件2", "2023年主要预期目标", "说明一句。", *rows])
    chunks = chunk_document(
        _info(),
        text,
        max_tokens=80,
        overlap_tokens=40,
        default_year=2022,  # type: ignore[arg-type]
    )
    table = [c for c in chunks if c.is_table]
    assert table, "table rows make table chunks"
    seen: list[str] = []
    for c in table:
        assert count_tokens(c.text) <= 80
        assert c.year == 2023 and c.kind == "plan"
        for line in c.text.split("\n"):
            assert line in rows  # whole rows, never cut
            seen.append(line)
    assert seen == rows  # each row once, in order: no overlap
    assert all(TABLE_SEP not in c.text for c in chunks if not c.is_table)


def test_chunk_ids_are_stable_and_distinct() -> None:
    text = "一、2023年工作回顾\n" + "。".join(f"第{i}句话内容较长一些" for i in range(200)) + "。"
    kwargs = {"max_tokens": 100, "overlap_tokens": 20, "default_year": 2023}
    first = chunk_document(_info(), text, **kwargs)  # type: ignore[arg-type]
    again = chunk_document(_info(), text, **kwargs)  # type: ignore[arg-type]
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first) > 3
    assert [c.index for c in first] == list(range(len(first)))
    other = chunk_document(_info("u.txt"), text, **kwargs)  # type: ignore[arg-type]
    assert not {c.id for c in first} & {c.id for c in other}


def test_context_text_carries_title_and_section_in_simplified_form() -> None:
    chunk = Chunk(
        id="x", doc="d", text="地區生產總值達到32193.15億元", norm="地区生产总值达到32193.15亿元",
        section="一、2024年工作回顧", year=2024, kind="result", index=0,
    )  # fmt: skip
    ctx = context_text(chunk, "重慶市人民政府工作報告")
    assert ctx.splitlines() == [
        "重庆市人民政府工作报告 一、2024年工作回顾",
        "地区生产总值达到32193.15亿元",
    ]


# --- the real seeds ---------------------------------------------------------------------


@cache
def seed_chunks(name: str) -> tuple[Chunk, ...]:
    from qa.ingest.corpus import load_catalog, load_document

    doc = load_document(SEEDS / name, load_catalog(SEEDS))
    assert not hasattr(doc, "reason"), doc
    return tuple(
        chunk_document(
            doc.info,  # type: ignore[union-attr]
            doc.text,  # type: ignore[union-attr]
            max_tokens=BUDGET,
            overlap_tokens=OVERLAP,
            default_year=doc.default_year,  # type: ignore[union-attr]
            default_kind=doc.default_kind,  # type: ignore[union-attr]
        )
    )


@pytest.mark.parametrize("name", ALL_DOCS)
def test_every_seed_chunk_fits_the_budget(name: str) -> None:
    chunks = seed_chunks(name)
    assert len(chunks) >= 3
    for c in chunks:
        assert count_tokens(c.text) <= BUDGET, (c.section, c.text[:80])


@pytest.mark.parametrize("name", ALL_DOCS)
def test_every_seed_chunk_has_section_year_and_kind(name: str) -> None:
    chunks = seed_chunks(name)
    for c in chunks:
        assert c.text.strip() and c.norm.strip()
        assert c.year in {2022, 2023, 2024, 2025}, (c.section, c.year)
        assert c.kind in {"result", "plan", "other"}
    # Only a preamble before the first heading may lack a heading path.
    with_section = [c for c in chunks if c.section]
    assert len(with_section) >= len(chunks) - 2
    first_sectioned = next(i for i, c in enumerate(chunks) if c.section)
    assert all(c.section for c in chunks[first_sectioned:])


def test_no_seed_sentence_is_split_between_chunks() -> None:
    """A sentence that fits the budget lies wholly inside some chunk."""
    from qa.ingest.corpus import load_catalog, load_document

    for name in (DOC_000, DOC_004):
        doc = load_document(SEEDS / name, load_catalog(SEEDS))
        chunks = seed_chunks(name)
        for line in doc.text.splitlines():  # type: ignore[union-attr]
            if TABLE_SEP in line or not line.strip() or heading_of(line.strip()):
                continue
            for sentence in split_sentences(line.strip()):
                if count_tokens(sentence) <= BUDGET:
                    assert any(sentence in c.text for c in chunks), sentence[:60]


def _part(chunk: Chunk) -> str:
    return chunk.section.split(" > ")[0]


def test_001_review_is_2024_result_and_plans_are_2025() -> None:
    chunks = seed_chunks(DOC_001)
    part1 = [c for c in chunks if _part(c).startswith("一、")]
    part2 = [c for c in chunks if _part(c).startswith("二、")]
    assert len(part1) >= 5 and len(part2) >= 2
    assert all((c.year, c.kind) == (2024, "result") for c in part1), {
        (c.section, c.year, c.kind) for c in part1 if (c.year, c.kind) != (2024, "result")
    }
    assert all((c.year, c.kind) == (2025, "plan") for c in part2), {
        (c.section, c.year, c.kind) for c in part2 if (c.year, c.kind) != (2025, "plan")
    }
    gdp = [c for c in part1 if "32193.15" in c.text]
    assert gdp, "the 2024 GDP figure is in a part-一 passage"
    # Shown text keeps the source's traditional script; the normal form is simplified.
    assert "地區生產總值" in gdp[0].text and "地区生产总值" in gdp[0].norm
    assert "(xiàn)" not in gdp[0].text and "(chǎn)" not in gdp[0].text


def test_002_appendix_2_rows_are_2023_targets() -> None:
    chunks = seed_chunks(DOC_002)
    appendix2 = [c for c in chunks if c.section.startswith("附件2")]
    table2 = [c for c in appendix2 if c.is_table]
    assert table2, "附件2's indicator rows are table chunks"
    # The rows and the explanation after them (目标值设置情况及主要考虑) are 2023 targets.
    assert all((c.year, c.kind) == (2023, "plan") for c in appendix2), {
        (c.section, c.year, c.kind) for c in appendix2 if (c.year, c.kind) != (2023, "plan")
    }
    rows = [r for c in table2 for r in c.text.split("\n")]
    assert all(TABLE_SEP in r for r in rows)
    assert any(r.startswith("地区生产总值") for r in rows), rows[:5]
    table1 = [c for c in chunks if c.section.startswith("附件1") and c.is_table]
    assert table1 and all(c.year == 2022 for c in table1)


def test_002_appendix_1_explanations_are_2022_results() -> None:
    """附件1 reports how 2022's targets were met; its prose must not inherit part 三's 2023 plans."""
    chunks = seed_chunks(DOC_002)
    appendix1 = [c for c in chunks if c.section.startswith("附件1")]
    assert len(appendix1) >= 5
    assert all((c.year, c.kind) == (2022, "result") for c in appendix1), {
        (c.section, c.year, c.kind) for c in appendix1 if (c.year, c.kind) != (2022, "result")
    }


def test_no_seed_chunk_is_only_a_heading_that_its_successor_repeats() -> None:
    """ "附件2" or a table's group heading alone is no passage: it would crowd out real ones."""
    for name in ALL_DOCS:
        chunks = seed_chunks(name)
        for before, after in itertools.pairwise(chunks):
            head = heading_of(before.text)
            if "\n" in before.text or head is None or before.text.rstrip("。") != head.text:
                continue
            assert not after.section.startswith(before.section + " > "), (name, before.text)
            assert not (after.is_table and after.section == before.section), (name, before.text)


def test_bare_heading_sections_fold_into_the_next() -> None:
    text = "附件2 2023年计划草案\n一、推动高质量发展\n地区生产总值增速（%）｜2023年预期：6以上"
    chunks = chunk_document(_info(), text, max_tokens=100, overlap_tokens=0, default_year=2022)  # type: ignore[arg-type]
    assert [(c.text, c.section, c.year, c.kind, c.is_table) for c in chunks] == [
        ("地区生产总值增速（%）｜2023年预期：6以上", "附件2 2023年计划草案 > 一、推动高质量发展",
         2023, "plan", True)
    ]  # fmt: skip
    # A heading with content of its own, or followed by one of its level, stays.
    text = "一、强化政治铸魂，做明白人。\n二、强化依法行政，做执法者。"
    assert (
        len(chunk_document(_info(), text, max_tokens=100, overlap_tokens=0, default_year=2024)) == 2
    )  # type: ignore[arg-type]


def test_000_first_part_is_2023_results() -> None:
    chunks = seed_chunks(DOC_000)
    gdp = [c for c in chunks if "30145.79" in c.text]
    assert gdp and all((c.year, c.kind) == (2023, "result") for c in gdp)
    assert gdp[0].section.startswith("一、2023年国民经济和社会发展规划执行情况")


def test_004_targets_section_is_2024_plan() -> None:
    chunks = seed_chunks(DOC_004)
    targets = [c for c in chunks if "2024年主要预期目标" in c.section]
    assert targets and all((c.year, c.kind) == (2024, "plan") for c in targets)
    review = [c for c in chunks if "30145.79" in c.text]
    assert review and all(c.year == 2023 for c in review)
    assert all("**" not in c.text for c in chunks)  # markdown bold removed
