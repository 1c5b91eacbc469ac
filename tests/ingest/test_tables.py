"""Table rebuilding: worked examples on real excerpts of 002, then both whole tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa.ingest.tables import SEP, find_tables, rebuild_tables

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
RAW_002 = (SEEDS / "002_fdc06b811799f712.txt").read_text(encoding="utf-8")

# The start of 附件1's table as it arrives: the caption, a header whose value
# columns wrap ("2022年" + "预期目标"), a row before the first section, a section.
HEAD_1 = (
    "附件1\n\n2022年国民经济和社会发展计划主要指标预期目标完成情况\n\n受需求收缩……具体情况如下：\n\n"
    "2022年国民经济和社会发展计划指标完成情况\n\n"
    "\t序号\n\t指    标    名    称\n\t2022年\n预期目标\n\t2022年\n预计完成\n\n"
    "\t1\n\t地区生产总值增速（%）\n\t5.5左右\n\t2.6\n\n"
    "\t一、推动高质量发展\n\t\n\n"
    "\t2\n\t农业增加值增速（%）\n\t4左右\n\t4\n\n"
    "\t13\n\t固定资产投资增速（%）\n\t6左右\n\t0.7\n\n"
    "\t\n\t#民间投资增速（%）\n\t6左右\n\t—8.4\n\n\n"
    "注：1．加“*”为约束性指标，其他为预期性指标。\n\n附件2"
)
# The end of 附件2's table: marks * ▽ —, a row with no value cell at all, "of
# which" rows, and notes, the last one wrapped mid-word across a blank line.
TAIL_2 = (
    "2023年国民经济和社会发展计划\n\n\t序号\n\t指    标    名    称\n\t2023年预期\n\n"
    "\t34\n\t单位地区生产总值能耗下降（%）*\n\t▽\n\n"
    "\t35\n\t单位地区生产总值二氧化碳排放下降（%）*\n\t—\n\n"
    "\t36\n\t主要污染物重点工程减排量（万吨）*\n\n"
    "\t\n\t#化学需氧量（万吨）\n\t—\n\n"
    "\t五、安全发展\n\n\t37\n\t耕地保有量\n\t2665以上\n\n\n"
    "注：1．加“*”为约束性指标，其他为预期性指标。\n\n2．加“▽”指标，“十四五”规划期内统筹考虑。\n\n"
    "3．加“—”以国家下达目标值为准。\n\n4．根据目前国家统计口径，数字经济增加值统计口径为集成电路、新型显示等核"
    "\n\n心产业。\n\n\n\n"
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            HEAD_1,
            "附件1\n\n2022年国民经济和社会发展计划主要指标预期目标完成情况\n\n受需求收缩……具体情况如下：\n\n"
            "附件1 2022年国民经济和社会发展计划主要指标预期目标完成情况\n"
            "地区生产总值增速（%）｜2022年预期目标：5.5左右｜2022年预计完成：2.6\n"
            "一、推动高质量发展\n"
            "农业增加值增速（%）｜2022年预期目标：4左右｜2022年预计完成：4\n"
            "固定资产投资增速（%）｜2022年预期目标：6左右｜2022年预计完成：0.7\n"
            "固定资产投资增速（%）其中：民间投资增速（%）｜2022年预期目标：6左右｜2022年预计完成：—8.4\n"
            "注：1．加“*”为约束性指标，其他为预期性指标。\n\n附件2",
            id="annex1-head",
        ),
        pytest.param(
            TAIL_2,
            "2023年国民经济和社会发展计划\n"
            "单位地区生产总值能耗下降（%）（约束性指标）｜2023年预期：▽（“十四五”规划期内统筹考虑）\n"
            "单位地区生产总值二氧化碳排放下降（%）（约束性指标）｜2023年预期：—（以国家下达目标值为准）\n"
            "主要污染物重点工程减排量（万吨）（约束性指标）｜2023年预期：\n"
            "主要污染物重点工程减排量（万吨）其中：化学需氧量（万吨）｜2023年预期：—（以国家下达目标值为准）\n"
            "五、安全发展\n"
            "耕地保有量｜2023年预期：2665以上\n"
            "注：1．加“*”为约束性指标，其他为预期性指标。\n"
            "注：2．加“▽”指标，“十四五”规划期内统筹考虑。\n"
            "注：3．加“—”以国家下达目标值为准。\n"
            "注：4．根据目前国家统计口径，数字经济增加值统计口径为集成电路、新型显示等核心产业。\n\n\n\n",
            id="annex2-tail",
        ),
        pytest.param(
            "一是稳定房地产市场。促进市场平稳发展。\n\n\t不是表格\n\n附件：1.2022年国民经济",
            None,
            id="not-a-table",
        ),
        pytest.param(
            " （上接10版）智能装备及智能制造方面，实施“整机+零部件”\n双提升行动",
            None,
            id="003-prose",
        ),
    ],
)
def test_rebuild_tables(raw: str, expected: str | None) -> None:
    assert rebuild_tables(raw) == (raw if expected is None else expected)


# --- both tables of 002 ---------------------------------------------------------------


@pytest.fixture(scope="module")
def tables() -> list[list[str]]:
    return find_tables(RAW_002)


def _rows(table: list[str]) -> list[str]:
    return [ln for ln in table if SEP in ln]


def _raw_rows(raw: str) -> list[list[list[str]]]:
    """Each table's data rows straight from the raw text: [name, value, …] per row."""
    found = []
    for body in re.findall(r"\n\t序号\n(.*?)\n\n\n注", raw, re.S):
        rows = []
        for block in body.split("\n\n"):
            cells = [ln[1:].strip() for ln in block.split("\n") if ln.startswith("\t")]
            if len(cells) >= 2 and cells[1] and re.fullmatch(r"\d*", cells[0]):
                rows.append(cells[1:])
        found.append(rows)  # (the header's block lost "序号" to the pattern: no match)
    return found


def test_002_has_two_tables_with_exact_row_counts(tables: list[list[str]]) -> None:
    assert [len(_rows(t)) for t in tables] == [42, 46]  # 35 + 7 and 39 + 7 "of which" rows
    assert [len(r) for r in _raw_rows(RAW_002)] == [42, 46]
    assert [t[0] for t in tables] == [
        "附件1 2022年国民经济和社会发展计划主要指标预期目标完成情况",
        "附件2 2023年国民经济和社会发展计划草案",
    ]
    sections = ["一、推动高质量发展", "二、创造高品质生活", "三、内陆开放高地建设"]
    sections += ["四、山清水秀美丽之地建设", "五、安全发展"]
    for table in tables:
        assert [ln for ln in table if re.match(r"^[一二三四五]、", ln)] == sections


def test_every_row_is_one_line_with_its_headers(tables: list[list[str]]) -> None:
    for table, labels in zip(
        tables, (["2022年预期目标", "2022年预计完成"], ["2023年预期"]), strict=True
    ):
        for row in _rows(table):
            cells = row.split(SEP)
            assert [c.split("：")[0] for c in cells[1:]] == labels, row
            assert "\t" not in row and "#" not in row and not cells[0].endswith("*")


def test_no_row_merges_indicators_or_loses_a_cell(tables: list[list[str]]) -> None:
    for table, raw_rows in zip(tables, _raw_rows(RAW_002), strict=True):
        rows = _rows(table)
        for (name, *values), row in zip(raw_rows, rows, strict=True):
            label, *cells = row.split(SEP)
            assert name.strip("#*") in label, (name, row)
            shown = [c.split("：", 1)[1] for c in cells]
            for value, cell in zip(values, shown, strict=False):
                assert cell.startswith(value), (value, row)
            assert all(not c for c in shown[len(values) :]), row


@pytest.mark.parametrize(
    ("table", "row"),
    [
        (0, "地区生产总值增速（%）｜2022年预期目标：5.5左右｜2022年预计完成：2.6"),
        (0, "规上工业增加值增速（%）｜2022年预期目标：6左右｜2022年预计完成：3.2"),
        (0, "一般公共预算收入增速（%）其中：税收增速（%）｜2022年预期目标：5.5｜2022年预计完成：同口径—9.2"),
        (0, "实际利用外资（亿美元）｜2022年预期目标：100以上｜2022年预计完成：18"),
        (0, "空气质量优良天数（天）（约束性指标）｜2022年预期目标：320以上｜2022年预计完成：332"),
        (0, "单位地区生产总值二氧化碳排放下降（%）（约束性指标）｜2022年预期目标：—（国家暂未下达目标值）"
            "｜2022年预计完成：—（国家暂未下达目标值）"),
        (0, "主要污染物重点工程减排量（万吨）其中：氨氮（万吨）｜2022年预期目标：0.07｜2022年预计完成："),
        (0, "每亿元地区生产总值生产安全事故死亡人数（约束性指标）｜2022年预期目标：0.032左右"
            "｜2022年预计完成：不超过0.03"),
        (1, "地区生产总值增速（%）｜2023年预期：6以上、争取实现更好的结果"),
        (1, "固定资产投资增速（%）其中：制造业投资增速（%）｜2023年预期：12以上"),
        (1, "科技型企业（家）｜2023年预期：48000"),
        (1, "长江干流水质｜2023年预期：保持Ⅱ类"),
        (1, "常住人口城镇化率（%）｜2023年预期：较上年提升0.5个百分点"),
    ],
)  # fmt: skip
def test_exact_rows(tables: list[list[str]], table: int, row: str) -> None:
    assert row in tables[table]


def test_notes_are_kept(tables: list[list[str]]) -> None:
    assert tables[0][-3:] == [
        "注：1．加“*”为约束性指标，其他为预期性指标。",
        "注：2．加“▽”指标统计口径有变，按商务部新版统计制度，统一使用商务部反馈的实际使用外资（FDI）数据。",
        "注：3．加“—”国家暂未下达目标值。",
    ]
    assert (
        tables[1][-1]
        == "注：4．根据目前国家统计口径，数字经济增加值统计口径为集成电路、新型显示等核心产业。"
    )


def test_rebuild_keeps_the_rest_of_002() -> None:
    rebuilt = rebuild_tables(RAW_002)
    assert "\t" not in rebuilt
    lines = set(rebuilt.split("\n"))
    prose = [ln for ln in RAW_002.split("\n") if ln.strip() and not ln.startswith("\t")]
    # Only table parts changed: captions (now in the titles), wrapped header cells,
    # notes (now "注：N．…", the wrapped one joined).
    assert [ln for ln in prose if ln not in lines and f"注：{ln}" not in lines] == [
        "2022年国民经济和社会发展计划指标完成情况",
        "预期目标",
        "预计完成",
        "2023年国民经济和社会发展计划",
        "4．根据目前国家统计口径，数字经济增加值统计口径为集成电路、新型显示等核",
        "心产业。",
    ]
    assert rebuild_tables(rebuilt) == rebuilt
