"""China's provincial-level regions by their one-character abbreviations (简称).

Reports of any Chinese region name their neighbours and partners by these (沪渝直达快线,
川渝联合实施, 京津冀协同), so a question naming 上海 or 四川 is about a passage that
never writes the full name. The table holds the official abbreviations of the 34
provincial-level divisions, the same for every corpus, not a list of one city's places.

An abbreviation counts only inside a compound of abbreviations (川渝, 渝湘黔, 粤港澳),
where it can only mean a region. Alone, 川 is a river and 鲁 a surname. 新 (新疆) and
台 (台湾) never count: they begin everyday words next to another abbreviation
(新台阶, 新港, 新青年), and a wrong match would let a question about 新疆 through the
place check.
"""

from __future__ import annotations

import re

# Full name -> its abbreviations (the first is the official one).
ABBREVIATIONS: dict[str, str] = {
    "北京": "京",
    "天津": "津",
    "河北": "冀",
    "山西": "晋",
    "内蒙古": "蒙",
    "辽宁": "辽",
    "吉林": "吉",
    "黑龙江": "黑",
    "上海": "沪",
    "江苏": "苏",
    "浙江": "浙",
    "安徽": "皖",
    "福建": "闽",
    "江西": "赣",
    "山东": "鲁",
    "河南": "豫",
    "湖北": "鄂",
    "湖南": "湘",
    "广东": "粤",
    "广西": "桂",
    "海南": "琼",
    "重庆": "渝",
    "四川": "川蜀",
    "贵州": "黔贵",
    "云南": "滇云",
    "西藏": "藏",
    "陕西": "陕秦",
    "甘肃": "甘陇",
    "青海": "青",
    "宁夏": "宁",
    "新疆": "新",
    "香港": "港",
    "澳门": "澳",
    "台湾": "台",
}
_AMBIGUOUS = frozenset("新台")
_CHARS = "".join(sorted({c for a in ABBREVIATIONS.values() for c in a} - _AMBIGUOUS))
_COMPOUND = re.compile(f"[{_CHARS}]{{2,}}")
_SUFFIX = re.compile(r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|省|市)$")


def abbreviation_of(place: str) -> str:
    """The abbreviations of a provincial-level ``place``, or "" for any other place.

    Example: ``abbreviation_of("上海市")`` -> ``"沪"``; ``abbreviation_of("成都")`` -> ``""``.
    """
    return ABBREVIATIONS.get(_SUFFIX.sub("", place), "")


def abbreviated_in(place: str, text: str) -> bool:
    """``text`` names the provincial-level ``place`` by its abbreviation, inside a
    compound of abbreviations.

    Example: ``abbreviated_in("上海", "沪渝直达快线开行1196艘次")`` -> True;
    ``abbreviated_in("四川", "川渝联合实施攻关项目")`` -> True;
    ``abbreviated_in("新疆", "迈上新台阶")`` -> False; ``abbreviated_in("四川", "山川")`` -> False.
    """
    short = set(abbreviation_of(place)) - _AMBIGUOUS
    if not short:
        return False
    return any(short & set(m.group(0)) for m in _COMPOUND.finditer(text))
