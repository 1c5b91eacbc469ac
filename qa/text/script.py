"""Script and normal form: traditional/simplified conversion (OpenCC) and the
normal form used for matching (simplified, half-width, single spaces). Pure.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    # OpenCC tables take ~0.1 s to load; one converter per config is plenty.
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Example: ``to_simplified("地區生產總值")`` -> ``"地区生产总值"``."""
    return str(_converter("t2s").convert(text))


def to_traditional(text: str) -> str:
    """Example: ``to_traditional("地区生产总值")`` -> ``"地區生產總值"``."""
    return str(_converter("s2t").convert(text))


def is_traditional(text: str) -> bool:
    """True when more than one character in ten of the CJK ones changes under t2s.

    Example: ``is_traditional("重慶的經濟")`` -> True; ``is_traditional("重庆")`` -> False.
    """
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not cjk:
        return False
    simplified = to_simplified("".join(cjk))
    changed = sum(1 for a, b in zip(cjk, simplified, strict=False) if a != b)
    return changed >= 1 and changed * 10 >= len(cjk)


_SPACES = re.compile(r"[^\S\n]+")
_BREAKS = re.compile(r"\s*\n\s*")


def normal_form(text: str) -> str:
    """Simplified script, half-width letters/digits/punctuation, single spaces; line
    breaks are kept (one per break), because a table row's cells must not run into
    the next row's (``…：2.35\n万人发明专利…`` is not "2.35万人").

    Example: ``normal_form("地區生產總值２０２４年，增長５．７％")``
    -> ``"地区生产总值2024年,增长5.7%"``.
    """
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return _BREAKS.sub("\n", _SPACES.sub(" ", text)).strip()
