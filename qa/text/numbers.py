"""Figures with units in Chinese report text, and when two of them are the same quantity.

Pure functions. A *figure* is a number a reader could check against a source:
``30145.79亿元``, ``6.1%``, ``近20%``, ``1倍多``, ``第2``, ``三年``. Years (``2023年``),
months and days, list ordinals (``一是``, ``(三)``, ``1.``), citation markers
(``[1]``) and identifiers (``5G``, ``PM2.5``) are not figures.

Equivalence is exact: ``3万亿元`` is ``30000亿元`` but ``2.6%`` is not ``2.63%``,
and a percentage only ever equals a percentage. In the examples below
``fig(s)`` stands for ``extract_figures(s)[0]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

# Magnitude prefixes that scale a base unit. 千/百 are left out on purpose:
# they start real units (千瓦, 千米, 百分点) far more often than they scale one.
_MAGNITUDES = MappingProxyType({"万亿": 12, "亿": 8, "万": 4})

# fmt: off
_BASE_UNITS = (
    "个百分点", "百分点", "%", "‰", "元", "美元", "人次", "人", "户", "公里", "千米", "厘米", "毫米",
    "公分", "米",
    "平方公里", "平方米", "立方米", "公顷", "亩", "公斤", "斤", "吨", "千克", "微克", "毫克", "千瓦时",
    "千瓦", "标箱",
    "辆", "件", "个月", "个", "项", "家", "座", "套", "条", "所", "张", "台", "处", "栋", "间",
    "列", "艘", "架次", "名", "位", "次", "种", "批", "场", "部", "册", "头", "株", "棵", "只",
    "天", "周", "小时", "年", "倍", "岁",
)
# fmt: on
# Longest first so 个百分点 wins over 个, 人次 over 人, 千瓦时 over 千瓦.
_UNIT_RE = "|".join(sorted((re.escape(u) for u in _BASE_UNITS), key=len, reverse=True))
_MAG_RE = "万亿|亿|万"

_ARABIC = re.compile(
    r"(?P<pre>近|约|超过|超|逾)?"
    r"(?<![A-Za-z0-9.])(?P<sign>-)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?)"
    r"(?![A-Za-z0-9])"
    r"(?P<inner>多|余)?"
    # PDF extraction leaves stray spaces ("200 万亩", "500亿元 以上") and markdown
    # bold splits figures in infographics ("**30145.79**亿元").
    rf"(?:(?:[ ]|\*\*?)(?={_MAG_RE}|{_UNIT_RE}))?"
    rf"(?P<mag>{_MAG_RE})?"
    # "23万余张", "1.5万多人": the unit follows the magnitude's 余 or 多.
    rf"(?:(?<=[万亿])(?P<over>多|余)(?={_UNIT_RE}))?"
    rf"(?P<unit>{_UNIT_RE})?"
    r"(?:[ ]?(?P<post>左右|以上|以下|以内|多))?"
)
# 签约, 预约, 节约 end in 约 but say nothing about the number that follows.
_NOT_APPROX = "签预节合制条公履契大"

_CN_DIGITS = MappingProxyType(
    dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
)
_CN_SMALL = MappingProxyType({"十": 10, "百": 100, "千": 1000})
# Units a Chinese numeral may carry and still be a checkable figure. 个 and 位 are
# excluded: 两个确立 and 两位数 are slogans and phrases, not quantities.
_CN_UNITS = "个百分点|百分点|倍|年|元|人|家|座|所|项|条|公里|户|张|套|辆|亩|天|周|个月"
_CHINESE = re.compile(
    r"(?<![第数几之每零〇一二两三四五六七八九十百千])"
    r"(?P<num>[一二两三四五六七八九十][零〇一二两三四五六七八九十百千]*)"
    rf"(?P<mag>{_MAG_RE})?(?P<unit>{_CN_UNITS})"
    r"(?P<post>左右|以上|多)?"
    r"(?!数)"
)
_RANK_CN = re.compile(r"第(?P<num>[一二三四五六七八九十]{1,3})(?=位|名|[,.;:、)\]。，；：）]|\s|$)")
_RANK_SKIP = re.compile(r"章|节|部分|条|款|季度|产业|批|次|届|期|号|个|年|步|阶段")
# Citation markers and date parts are masked, not parsed.
_MARKER = re.compile(r"[\[【［]\s*\d+(?:\s*[,，、\-–~]\s*\d+)*\s*[\]】］]")
_ROW_SEP = re.compile(r"[|｜]")
_ROW_UNIT = re.compile(r"[(（]\s*(?P<unit>[^()（）|｜]{1,8}?)\s*[)）]")
_RANGE_DASH = re.compile(r"\s*(?:[-~～—–]|至|到)\s*(?=\d)")


@dataclass(frozen=True)
class Figure:
    """One figure as written.

    ``value`` is the number as written (3 for ``3万亿元``), ``unit`` keeps its
    magnitude (``万亿元``), ``span`` is (start, end) of ``raw`` in the text.

    Example: ``Figure("近20%", 20.0, "%", (3, 7), "20", "近")``.
    """

    raw: str
    value: float
    unit: str
    span: tuple[int, int]
    number: str = ""  # digits as written without separators, e.g. "30145.79"
    qualifier: str = ""  # 近 约 超 左右 以上 多 …: kept for display, ignored by equality

    def scaled(self) -> tuple[Decimal, str]:
        """The exact quantity in its base unit.

        Example: ``extract_figures("3万亿元")[0].scaled()`` -> ``(Decimal("3E+12"), "元")``.
        """
        number = _decimal(self.number) if self.number else Decimal(repr(self.value))
        for mag, power in _MAGNITUDES.items():
            if self.unit.startswith(mag):
                return number.scaleb(power), self.unit[len(mag) :]
        return number, self.unit


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(0)


def _fold_width(text: str) -> str:
    """Full-width digits and ``．％－`` to ASCII without changing length (spans stay valid).

    Example: ``_fold_width("５．７％")`` -> ``"5.7%"``.
    """
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF10 <= code <= 0xFF19 or ch in "．％－［］｜（）":
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def chinese_to_int(text: str) -> int | None:
    """Value of a simple Chinese numeral, or None when it is not one.

    Example: ``chinese_to_int("二十三")`` -> 23; ``chinese_to_int("两")`` -> 2;
    ``chinese_to_int("三百零五")`` -> 305; ``chinese_to_int("地")`` -> None.
    """
    total, digit = 0, None
    for ch in text:
        if ch in "零〇":
            if digit is not None:
                return None  # 二〇二三 is a year spelled out
        elif ch in _CN_DIGITS:
            if digit is not None:
                # 一二三 is a list, not a number.
                return None
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            total += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def _is_year(num: str, mag: str, unit: str) -> bool:
    return not mag and unit in ("", "年") and re.fullmatch(r"(19|20)\d\d", num) is not None


def _row_unit(line: str) -> tuple[str, int] | None:
    """Unit stated in a table row's label cell, and where the value cells begin.

    Example: ``_row_unit("地区生产总值增速(%)|2022年预期目标:5.5左右")`` -> ``("%", 12)``.
    """
    cells = _ROW_SEP.split(line)
    if len(cells) < 2:
        return None
    offset = 0
    for cell in cells[:-1]:
        offset += len(cell) + 1
        m = _ROW_UNIT.search(cell)
        if m and re.fullmatch(rf"(?:{_MAG_RE})?(?:{_UNIT_RE})|{_MAG_RE}", m["unit"]):
            return m["unit"], offset
    return None


# A bare value in a row's cells (not the year of a column head such as 2022年预期目标).
_ROW_VALUE = re.compile(
    rf"(?<![0-9.])(\d+(?:\.\d+)?)(?![0-9]|\.[0-9]|\s*(?:[年月日]|{_MAG_RE}|{_UNIT_RE}))"
)


def spell_row(row: str) -> str:
    """A table row (``名称（单位）｜列：值｜…``) as a sentence, the label's unit written
    after each bare value, so the answer reads 5.4% where the row says （%）…5.4.

    Example: ``spell_row("城镇调查失业率（%）｜2022年预期目标：5.5以内｜2022年预计完成：5.4")``
    -> ``"城镇调查失业率：2022年预期目标5.5%以内，2022年预计完成5.4%"``; a row whose
    label gives no unit, and text that is not a row, come back unchanged.
    """
    found = _row_unit(row)
    if found is None:
        return row
    unit, start = found
    label = re.sub(rf"[(（]\s*{re.escape(unit)}\s*[)）]", "", row[: start - 1])
    cells = [c.strip() for c in _ROW_SEP.split(row[start:]) if c.strip()]
    spelled = [
        _ROW_VALUE.sub(lambda m: m[1] + unit, re.sub(r"\s*[:：]\s*", "", c, count=1)) for c in cells
    ]
    return f"{label.strip()}：{'，'.join(spelled)}"


def _arabic(text: str, masked: str, base: int) -> list[Figure]:
    out: list[Figure] = []
    row = _row_unit(masked)
    for m in _ARABIC.finditer(masked):
        num = m["num"].replace(",", "")
        mag, unit = m["mag"] or "", m["unit"] or ""
        start = m.start("num") if m["sign"] is None else m.start("sign")
        if _is_year(num, mag, unit) or masked.startswith(("月", "日"), m.end("num")):
            continue
        if masked[max(0, start - 1) : start] == "第":
            continue  # ranks are handled by _ranks
        if not mag and not unit:
            if row and m.start() >= row[1]:
                unit = row[0]
            elif dash := _RANGE_DASH.match(masked, m.end()):
                # 3-5年, 5.5～6%: the first end of a range shares the second's unit.
                nxt = _ARABIC.match(masked, dash.end())
                if nxt and (nxt["mag"] or nxt["unit"]):
                    mag, unit = nxt["mag"] or "", nxt["unit"] or ""
        if not mag and not unit and "." not in num and (len(num) < 3 or _is_year(num, "", "")):
            continue  # a bare small integer or year is a list number, code or date
        if unit == "百分点":
            unit = "个百分点"
        pre = m["pre"]
        before = masked[max(0, m.start("pre") - 1) : m.start("pre")] if pre else ""
        if pre == "约" and before and before in _NOT_APPROX:
            pre = None
        qual = "".join(q for q in (pre, m["inner"], m["over"], m["post"]) if q)
        s = start if pre is None else m.start("pre")
        sign = "-" if m["sign"] else ""
        out.append(
            Figure(
                raw=text[s : m.end()],
                value=float(sign + num),
                unit=mag + unit,
                span=(base + s, base + m.end()),
                number=sign + num,
                qualifier=qual,
            )
        )
    return out


def _chinese(text: str, masked: str, base: int) -> list[Figure]:
    out: list[Figure] = []
    for m in _CHINESE.finditer(masked):
        value = chinese_to_int(m["num"])
        if value is None or (m["num"] == "一" and not m["mag"]):
            continue  # 一年, 一项 are idiom far more often than a count
        unit = m["unit"] if m["unit"] != "百分点" else "个百分点"
        out.append(
            Figure(
                raw=text[m.start() : m.end()],
                value=float(value),
                unit=(m["mag"] or "") + unit,
                span=(base + m.start(), base + m.end()),
                number=str(value),
                qualifier=m["post"] or "",
            )
        )
    return out


def _ranks(text: str, masked: str, base: int) -> list[Figure]:
    out: list[Figure] = []
    for m in re.finditer(r"第(?P<num>\d+)", masked):
        if _RANK_SKIP.match(masked, m.end()):
            continue  # 第3章, 第2批: section and batch numbers
        out.append(Figure(text[m.start() : m.end()], float(m["num"]), "第", _at(m, base), m["num"]))
    for m in _RANK_CN.finditer(masked):
        value = chinese_to_int(m["num"])
        if value:
            raw = text[m.start() : m.end()]
            out.append(Figure(raw, float(value), "第", _at(m, base), str(value)))
    return out


def _at(m: re.Match[str], base: int) -> tuple[int, int]:
    return base + m.start(), base + m.end()


def extract_figures(text: str) -> list[Figure]:
    """All figures in ``text``, in order of position.

    Table rows (``名称（%）｜列：值｜…``) give the label's unit to bare values.

    Example: ``[(f.raw, f.value, f.unit) for f in extract_figures(
    "2023年地区生产总值达到30145.79亿元，增长6.1%")]``
    -> ``[("30145.79亿元", 30145.79, "亿元"), ("6.1%", 6.1, "%")]``;
    ``extract_figures("地区生产总值增速（%）｜2022年预计完成：2.6")[0].unit`` -> ``"%"``.
    """
    folded = _fold_width(text)
    figures: list[Figure] = []
    base = 0
    for line in folded.split("\n"):
        original = text[base : base + len(line)]
        masked = _MARKER.sub(lambda m: " " * len(m.group()), line)
        figures += _arabic(original, masked, base)
        figures += _chinese(original, masked, base)
        figures += _ranks(original, masked, base)
        base += len(line) + 1
    return sorted(figures, key=lambda f: f.span)


def equivalent(a: Figure, b: Figure) -> bool:
    """Same quantity in the same kind of unit, exactly; qualifiers are ignored.

    Example: ``equivalent(fig("3万亿元"), fig("30000亿元"))`` -> True;
    ``equivalent(fig("71.9万人"), fig("719000人"))`` -> True;
    ``equivalent(fig("2.6%"), fig("2.63%"))`` -> False;
    ``equivalent(fig("6.1%"), fig("6.1亿元"))`` -> False.
    """
    return a.scaled() == b.scaled()


def supported_among(fig: Figure, figures: list[Figure], text: str) -> bool:
    """``fig`` matches one of ``figures`` (already extracted from ``text``) or occurs in it.

    Beyond exact equivalence two looser matches count, both still the same digits:
    a unitless number matches the same number with any unit (``2.6`` in a ``（%）``
    row), and a unit that only adds a base to a bare magnitude (``3200万人`` against
    ``3200万``).

    Example: ``supported_among(fig("2.6"), extract_figures("增速(%)|2.6"), "增速(%)|2.6")`` -> True.
    """
    for other in figures:
        if equivalent(fig, other):
            return True
        same_digits = _decimal(other.number) == _decimal(fig.number)
        if not fig.unit and same_digits and other.unit != "第":
            return True
        if other.unit in _MAGNITUDES and fig.unit.startswith(other.unit) and same_digits:
            return True
    # Last resort: the very characters occur, bounded so 6.1% never matches 16.1%.
    core = fig.number + fig.unit
    pattern = rf"(?<![0-9.]){re.escape(core)}(?![0-9]|\.[0-9])"
    return bool(fig.number) and re.search(pattern, _fold_width(text).replace(",", "")) is not None


def figure_supported(fig: Figure, passage_text: str) -> bool:
    """The figure, or an exact equivalent, occurs in ``passage_text`` (a normal form).

    Example: ``figure_supported(fig("30000亿元"), "迈上3万亿元新台阶")`` -> True;
    ``figure_supported(fig("2.63%"), "增长2.6%")`` -> False.
    """
    return supported_among(fig, extract_figures(passage_text), passage_text)
