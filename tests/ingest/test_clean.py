"""Cleaning: worked examples on real excerpts, then whole-seed acceptance.

Every input string below is copied from a seed report (000-004); where an
excerpt needs a pinyin reading from elsewhere in its report, two real
excerpts are joined.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa.ingest.clean import (
    clean_document,
    is_mojibake_char,
    is_traditional,
    reflow,
    repair_mojibake,
    strip_markdown,
    strip_page_markers,
    strip_pinyin,
    to_simplified,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
DOCS = sorted(p.name for p in SEEDS.glob("*.txt"))
PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)")
PAGE_MARKER = re.compile(r"[（(](?:上接|下转|下轉)\d+版[）)]")
Q_NEXT_TO_CJK = re.compile(r"[\u3400-\u9fff]\?|\?[\u3400-\u9fff]")
CN = "一二三四五六七八九十"
SUBHEADING = re.compile(rf"^[（(]([{CN}]+)[）)]")


@pytest.fixture(scope="module")
def cleaned() -> dict[str, str]:
    return {name: clean_document((SEEDS / name).read_text(encoding="utf-8")) for name in DOCS}


# --- repair_mojibake ----------------------------------------------------------------

# 001's heading (五): a lost full-width space, then (五)…, 民 from the word 取信于民.
HEADING_5 = (
    "“實景圖”。\n\n ?。ㄎ澹┮詾檎\ue48e辶\ue19f⌒庞诿?。堅持嚴(yán)的標(biāo)準(zhǔn),"
    "壓緊壓實(shí)管黨治黨政治責任"
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            HEADING_5,
            "“實景圖”。\n\n （五）以為政清廉取信於民。堅持嚴(yán)的標(biāo)準(zhǔn),"
            "壓緊壓實(shí)管黨治黨政治責任",
        ),
        # The run ends in "?zhàn)": the reading 戰(zhàn) (elsewhere in 001) gives the lost byte.
        (
            "首位戰(zhàn)略。\n\n  一年來,主要做了以下工作。\n\n ?。ㄒ唬┳\ue696?zhàn)略擔(dān)使命增勢能,",
            "首位戰(zhàn)略。\n\n  一年來,主要做了以下工作。\n\n （一）抓戰略擔(dān)使命增勢能,",
        ),
        # An annotation inserted inside a character: (shí) names 實, whose bytes
        # straddle 鑼 and the real 峽; "{" is 峽's second byte.
        (
            "實(shí)現(xiàn)首飛。川渝1000千伏特高壓交流工程建成投運(yùn),銅鑼?shí){、黃草峽儲氣庫",
            "實(shí)現(xiàn)首飛。川渝1000千伏特高壓交流工程建成投運(yùn),銅鑼峽、黃草峽儲氣庫",
        ),
        # The run falls back in step on "k" (辦 = DE 6B); "!" was a full-width ！ pair.
        (
            "川渝低空目視航線實(shí)現(xiàn)首飛?!按ㄓ逋ㄞk”累計發(fā)布四批次355項",
            "川渝低空目視航線實(shí)現(xiàn)首飛。“川渝通辦”累計發(fā)布四批次355項",
        ),
        # The second "?" is a full-width ？ (A3BF) inside the run, not its end.
        (
            "西部陸海新通道建設(shè)提質(zhì)增效??鐓^(qū)域綜合運(yùn)營平臺",
            "西部陸海新通道建設(shè)提質(zhì)增效跨區(qū)域綜合運(yùn)營平臺",
        ),
        # No reading for (yán) here: the first byte stays unknown, 里 and 破 come from words.
        (
            "中心城區(qū)城市道路通車?yán)锍掏黄?800公里。",
            "中心城區(qū)城市道路通車里程突破800公里。",
        ),
        # 保 (B1A3) has no second clue (社保 and 海基 fit alike): dropped, not guessed.
        ("加強(qiáng)社?;\ue2ae鸨O(jiān)管。", "加強(qiáng)社基金監(jiān)管。"),
        ("兜住基層“三?!钡拙€。筑牢廉潔防線", "兜住基層“三”底線。筑牢廉潔防線"),
        # GBK has ‰ but no ‱: the round trip left "?".
        (
            "1個學(xué)科進(jìn)入前1‰、1個學(xué)科進(jìn)入前1?。中外",
            "1個學(xué)科進(jìn)入前1‰、1個學(xué)科進(jìn)入前1‱。中外",
        ),
        # Real question marks (004) start no run.
        ("2023年重庆经济社会发展取得哪些成就?新的一年又将奋力做好哪些工作?", None),
        ("地区生产总值增速（%）｜2022年预计完成：2.6", None),
    ],
)
def test_repair_mojibake(raw: str, expected: str | None) -> None:
    assert repair_mojibake(raw) == (raw if expected is None else expected)


def test_is_mojibake_char() -> None:
    assert all(is_mojibake_char(ch) for ch in "ㄎ┮┳\ue48eΑブ⌒€\ufffd")
    assert not any(is_mojibake_char(ch) for ch in "五（）。，、“”‰×Ⅱ·—%")


# --- strip_pinyin, strip_page_markers, strip_markdown ------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("現(xiàn)在,我代表市人民政府", "現在,我代表市人民政府"),
        ("發(fā)展態(tài)勢向上向好", "發展態勢向上向好"),
        ("產(chǎn)業(yè)結構向新向優", "產業結構向新向優"),
        ("戰(zhàn)略性新興產(chǎn)業(yè)", "戰略性新興產業"),
        ("國際(地區(qū))客貨運航線", "國際(地區)客貨運航線"),
        ("國家天然氣(頁巖氣)千億方產(chǎn)能基地", "國家天然氣(頁巖氣)千億方產能基地"),
        (
            "(三)抓教育興科技育人才,創(chuàng)新創(chuàng)造活力迸發(fā)",
            "(三)抓教育興科技育人才,創新創造活力迸發",
        ),
        ("西部(重慶)科學城", "西部(重慶)科學城"),
        ("AI手機(jī)、AI PC", "AI手機、AI PC"),
        ("（FDI）数据", "（FDI）数据"),
        ("使用外資(FDI)、人工智能(AI)", "使用外資(FDI)、人工智能(AI)"),
        ("（頁巖氣）", "（頁巖氣）"),
    ],
)
def test_strip_pinyin(raw: str, expected: str) -> None:
    assert strip_pinyin(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" （上接10版）智能装备及智能制造方面", " 智能装备及智能制造方面"),
        (
            "“34项“川渝通办”事项实现“免证办”。\n\n（下转10版）",
            "“34项“川渝通办”事项实现“免证办”。\n\n",
        ),
        ("（下轉12版）", ""),
        ("(上接3版)正文", "正文"),
        ("（重庆）能级", "（重庆）能级"),
    ],
)
def test_strip_page_markers(raw: str, expected: str) -> None:
    assert strip_page_markers(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("- 地区生产总值**30145.79**亿元,增长**6.1%**", "地区生产总值30145.79亿元,增长6.1%"),
        (" - 强化双核联动共建", "强化双核联动共建"),
        ("## 2024年主要预期目标", "2024年主要预期目标"),
        ("\t#民间投资增速（%）", "\t#民间投资增速（%）"),
        ("\t空气质量优良天数（天）*", "\t空气质量优良天数（天）*"),
        ("1 扎实推进成渝地区双城经济圈建设 全市域融入、全方位推进形成**新格局**",
         "1 扎实推进成渝地区双城经济圈建设 全市域融入、全方位推进形成新格局"),
    ],
)  # fmt: skip
def test_strip_markdown(raw: str, expected: str) -> None:
    assert strip_markdown(raw) == expected


# --- reflow -------------------------------------------------------------------------

WRAPPED_003 = (
    "智能装备及智能制造方面，实施“整机+零部件”\n双提升行动，推动齿轮、轴承等装备基础件升级发展，加强工\n"
    "业机器人、数控机床等智能制造关键技术装备研发，推动布局\n低空经济发展。食品及农产品加工方面，进一步加强重庆火\n"
    "锅、重庆小面等品牌创建与推广，推动火锅产业高质量发展，\n广泛推进数字化改造，提升产品一致性与质量稳定性，形成更"
)
COLUMN_BREAK_003 = (
    "等164个在建市级重点工业项目放量。实施新一轮工业企业\n技术改造工程，积极引导汽车、电子、材料等领域头部企业带头\n"
    "开展技术改造，新实施技术改造项目1500个，力争工业技改投\n资增长15%。以“33618”现代制造业集群体系为重点，实施招\n"
    "\n大引强攻坚行动，瞄准链主龙头、关键补链企业，加强精准招\n商、专班招商、产业链招商，做好全流程全生命周期服务。抓"
)
HEADING_003 = (
    "畅游重庆，力争接待过夜游客人次增长5%左右。\n\n（五）全力构建“416”科技创新战略布局，着力打造具有全\n"
    "国影响力的科技创新中心。坚持创新制胜，强化人才引领，全\n面实施科技创新和人才强市首位战略，系统重塑市域科技创\n"
    "新体系，加快建设具有全国影响力的科技创新中心，加快形成\n西部人才中心和创新高地。\n\n"
    "一是加快构建四大科创高地的创新平台体系。围绕数智\n科技、生命健康、新材料、绿色低碳四大科创高地，高水平建设\n"
    "金凤实验室，按照“成熟一个、推进一个”原则有序推进重庆实\n验室建设。在信息技术、土木工程等领域创建全国重点实验"
)
CUT_000 = (
    "各有关市领导牵头争取和跟踪，全市各级各部门积极响应落实，向上对接乘数效应不断放大，国家赋能成效明显。"
    "国家发展改革委首次召开专题国际联席会议研究双城经济圈重大事项，首次参加重庆四川党"
)
ITEMS_004 = (
    "2024年主要预期目标\n\n地区生产总值增长6%左右\n规上工业增加值增长7%\n固定资产投资增长4%\n"
    "一般公共预算收入增长6%\n居民消费价格涨幅3%左右\n节能减排降碳指标\n完成国家下达的目标任务"
)


@pytest.mark.parametrize(
    ("raw", "expected_lines"),
    [
        (
            WRAPPED_003,
            [
                "智能装备及智能制造方面，实施“整机+零部件”双提升行动，推动齿轮、轴承等装备基础件升级发展，"
                "加强工业机器人、数控机床等智能制造关键技术装备研发，推动布局低空经济发展。食品及农产品加工方面，"
                "进一步加强重庆火锅、重庆小面等品牌创建与推广，推动火锅产业高质量发展，广泛推进数字化改造，"
                "提升产品一致性与质量稳定性，形成更"
            ],
        ),
        # A blank line from a column break inside a sentence does not end it.
        (
            COLUMN_BREAK_003,
            [
                "等164个在建市级重点工业项目放量。实施新一轮工业企业技术改造工程，积极引导汽车、电子、材料等"
                "领域头部企业带头开展技术改造，新实施技术改造项目1500个，力争工业技改投资增长15%。"
                "以“33618”现代制造业集群体系为重点，实施招大引强攻坚行动，瞄准链主龙头、关键补链企业，"
                "加强精准招商、专班招商、产业链招商，做好全流程全生命周期服务。抓"
            ],
        ),
        # A wrapped heading is joined; paragraphs and headings keep their own lines.
        (
            HEADING_003,
            [
                "畅游重庆，力争接待过夜游客人次增长5%左右。",
                "（五）全力构建“416”科技创新战略布局，着力打造具有全国影响力的科技创新中心。坚持创新制胜，"
                "强化人才引领，全面实施科技创新和人才强市首位战略，系统重塑市域科技创新体系，加快建设具有全国"
                "影响力的科技创新中心，加快形成西部人才中心和创新高地。",
                "一是加快构建四大科创高地的创新平台体系。围绕数智科技、生命健康、新材料、绿色低碳四大科创高地，"
                "高水平建设金凤实验室，按照“成熟一个、推进一个”原则有序推进重庆实验室建设。在信息技术、"
                "土木工程等领域创建全国重点实验",
            ],
        ),
        # 004 has no hard wraps: its short items stay separate lines.
        (ITEMS_004, ITEMS_004.split("\n")),
        # 000: one paragraph cut mid-word ("党" / "政联席会议") by a page break.
        (f"{CUT_000}\n\n政联席会议，首次向全国系统总结推广双城经济圈经验做法。\n\n二是加快推动",
         [f"{CUT_000}政联席会议，首次向全国系统总结推广双城经济圈经验做法。", "", "二是加快推动"]),
    ],
)  # fmt: skip
def test_reflow(raw: str, expected_lines: list[str]) -> None:
    assert reflow(raw).split("\n") == expected_lines


def test_clean_document_worked_example() -> None:
    raw = "\n\n2024年主要预期目标\n\n- 地区生产总值增长**6%**左右\n\n（下转10版）\n"
    assert clean_document(raw) == "2024年主要预期目标\n地区生产总值增长6%左右"


# --- whole seeds --------------------------------------------------------------------


@pytest.mark.parametrize("name", DOCS)
def test_seed_is_clean(cleaned: dict[str, str], name: str) -> None:
    text = cleaned[name]
    assert not PINYIN.search(text), PINYIN.findall(text)[:5]
    assert not [ch for ch in text if is_mojibake_char(ch)]
    assert not Q_NEXT_TO_CJK.search(text)
    assert not PAGE_MARKER.search(text)
    assert "**" not in text and "\t" not in text
    lines = text.split("\n")
    assert all(ln and ln == ln.strip() for ln in lines), "blank line or indentation left"


@pytest.mark.parametrize("name", DOCS)
def test_seed_cleaning_is_idempotent(cleaned: dict[str, str], name: str) -> None:
    assert clean_document(cleaned[name]) == cleaned[name]


def _parts(text: str) -> dict[str, list[str]]:
    """001's sub-headings (the text after the marker) per top-level part 一、二、三."""
    parts: dict[str, list[str]] = {}
    current = ""
    for line in text.split("\n"):
        if re.match(rf"^[{CN}]、", line):
            current = line[0]
            parts[current] = []
        elif current and SUBHEADING.match(line):
            parts[current].append(line)
    return parts


def test_001_mojibake_headings_are_recovered(cleaned: dict[str, str]) -> None:
    text = cleaned["001_a2cb04c756ef0252.txt"]
    parts = _parts(text)
    # Every sub-heading is at a line start, in order: (一)…(十), (一)…(八), (一)…(五).
    for part, count in (("一", 10), ("二", 8), ("三", 5)):
        numbers = [SUBHEADING.match(h).group(1) for h in parts[part]]  # type: ignore[union-attr]
        assert numbers == list(CN[:count]), part
    # The eight that sat in mojibake runs come back with GBK's full-width parentheses.
    recovered = {p: [h for h in hs if h.startswith("（")] for p, hs in parts.items()}
    assert {p: len(hs) for p, hs in recovered.items()} == {"一": 3, "二": 1, "三": 4}
    assert [h[:12] for h in recovered["一"]] == [
        "（一）抓戰略擔使命增勢能",
        "（二）抓製造優服務強鏈群",
        "（九）抓民生辦實事暖民心",
    ]
    assert recovered["二"][0].startswith("（二）聚力打造內陸開放國際合作引領區")
    assert [h[:10] for h in recovered["三"]] == [
        "（一）以政治鑄魂淬煉",
        "（二）以依法行政護航",
        "（三）以改革創新提效",
        "（五）以為政清廉取信",
    ]
    assert to_simplified(recovered["三"][-1]).startswith("（五）以为政清廉取信于")


def test_001_keeps_traditional_script_and_real_parentheses(cleaned: dict[str, str]) -> None:
    text = cleaned["001_a2cb04c756ef0252.txt"]
    assert is_traditional(text)
    for kept in ("(頁巖氣)", "西部(重慶)科學城", "國際(地區)", "(重慶段)", "AI手機"):
        assert kept in text, kept
    assert "銅鑼峽、黃草峽儲氣庫" in text and "“渝車出海”行動計劃" in text


def test_real_parentheses_survive_elsewhere(cleaned: dict[str, str]) -> None:
    assert "（FDI）" in cleaned["002_fdc06b811799f712.txt"]
    assert "（RCEP）" in cleaned["000_e3173ead8c29be09.txt"]
    assert "中欧班列(成渝)" in cleaned["004_3348ee11c8af0d59.txt"]


def test_003_is_reflowed(cleaned: dict[str, str]) -> None:
    text = cleaned["003_d838e4a00249e700.txt"]
    assert "推动布局低空经济发展" in text
    assert "实施招大引强攻坚行动" in text and "增加值占GDP比重提高到26%" in text
    assert text.startswith("智能装备及智能制造方面")
    for line in text.split("\n"):
        assert line[-1] in "。；：！？”", line[-20:]


def test_000_page_breaks_mended_004_items_kept(cleaned: dict[str, str]) -> None:
    assert "首次参加重庆四川党政联席会议" in cleaned["000_e3173ead8c29be09.txt"]
    lines = cleaned["004_3348ee11c8af0d59.txt"].split("\n")
    assert "地区生产总值30145.79亿元,增长6.1%" in lines
    assert "2023年重庆经济社会发展取得哪些成就？新的一年" in cleaned["004_3348ee11c8af0d59.txt"]
    assert len(lines) == 107
