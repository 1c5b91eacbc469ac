"""Named entities (places, organisations, people, other proper names) in a text.

jieba's part-of-speech tagger marks them (``ns`` place, ``nr`` person, ``nt``
organisation, ``nz`` other proper noun) from its dictionary and HMM, so no list of
one city's districts is needed. It over-tags a little (科学城 as a name); that is
harmless where it is used: an entity counts as missing only when it occurs in none
of the texts an answer may draw on, and a word copied from a passage always does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from qa.text.provinces import abbreviated_in
from qa.text.script import normal_form

_TAGS = ("ns", "nr", "nt", "nz", "nrt", "nrfg")
PERSONS = ("nr", "nrt", "nrfg")
# Administrative suffixes: 成都市 names 成都, 重庆地区 names 重庆.
_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|地区|省|市|区|县)$")


@lru_cache(maxsize=1)
def tagger():  # type: ignore[no-untyped-def]
    """jieba's part-of-speech tagger (``jieba.posseg``), loaded once with its log quiet."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba.posseg


def words(text: str) -> list[str]:
    """jieba's words of ``text``, blanks left out, with its log quiet.

    Example: ``words("老百姓日常 买东西")`` -> ``["老百姓", "日常", "买", "东西"]``.
    """
    import jieba

    jieba.setLogLevel(60)
    return [w for w in jieba.cut(text) if w.strip()]


def tagged_entities(text: str, tags: Sequence[str] = _TAGS) -> dict[str, str]:
    """Proper names in ``text`` (normal form) of the given jieba ``tags``, in order,
    without repeats, each with the tag of its first occurrence.

    Example: ``tagged_entities("这部电影由巩俐主演")`` -> ``{"巩俐": "nr"}``.
    """
    seen: dict[str, str] = {}
    for word, flag in tagger().cut(normal_form(text)):
        if flag in tags and len(word) > 1 and not re.search(r"\d", word):
            seen.setdefault(word, flag)
    return seen


def named_entities(text: str, tags: Sequence[str] = _TAGS) -> list[str]:
    """Proper names in ``text``: ``named_entities("这部电影由巩俐主演")`` -> ``["巩俐"]``."""
    return list(tagged_entities(text, tags))


def core_name(entity: str) -> str:
    """A place without its administrative suffix: ``core_name("重庆地区")`` -> ``"重庆"``."""
    core = _SUFFIX.sub("", entity)
    return core if len(core) > 1 else entity


def mentioned(entity: str, text: str) -> bool:
    """``entity`` occurs in ``text`` (normal form) whole, without its administrative suffix,
    by its provincial abbreviation (``provinces``: 四川 in "川渝联合"), or word by word
    (重庆江北机场 in a text naming 重庆 and 江北国际机场).

    Example: ``mentioned("重庆江北机场", "重庆 江北国际机场旅客吞吐量")`` -> True;
    ``mentioned("成都市", "重庆市地区生产总值")`` -> False.
    """
    if entity in text or core_name(entity) in text:
        return True
    if abbreviated_in(entity, text):  # 上海 in "沪渝直达快线"
        return True
    import jieba

    tagger()  # quiets jieba's log
    parts = [w for w in jieba.cut_for_search(entity) if len(w) > 1 and w != entity]
    return len(parts) > 1 and all(w in text for w in parts)


def missing_entities(sentence: str, allowed: Sequence[str]) -> list[str]:
    """Entities of ``sentence`` found in none of the ``allowed`` texts (normal form),
    an entity also counting as found by its name without 市/省/区/地区.

    Example: ``missing_entities("成都市地区生产总值增长6.1%", ["全市地区生产总值增长6.1%"])``
    -> ``["成都市"]``; with the question "重庆地区生产总值" among ``allowed``,
    ``missing_entities("重庆地区生产总值增长6.1%", …)`` -> ``[]``.
    """
    return missing_from(named_entities(sentence), allowed)


def missing_from(entities: Iterable[str], allowed: Sequence[str]) -> list[str]:
    """The ``entities`` found in none of the ``allowed`` texts (see ``missing_entities``).

    Example: ``missing_from(["成都市", "重庆"], ["重庆市地区生产总值"])`` -> ``["成都市"]``.
    """
    text = " ".join(normal_form(t) for t in allowed)
    return [e for e in entities if not mentioned(e, text)]


# Characters of the common nouns of landforms and waters. A word made of them alone
# (江河, 河湖, 山川) is a kind of place, not a place, though jieba tags it ``ns``: "江河
# 湖库的水面" asks about no place a passage must name. 长江 or 海南 keep a proper part.
_LANDFORM = frozenset("江河湖海库山川水溪泉塘池渠岛洋")


def places(text: str) -> list[str]:
    """The place names of ``text``: ``places("成都市2024年地区生产总值")`` -> ``["成都市"]``;
    ``places("从江河湖库清走的漂浮垃圾")`` -> ``[]``."""
    return [
        w
        for w, flag in tagger().cut(normal_form(text))
        if flag == "ns" and len(w) > 1 and not set(w) <= _LANDFORM
    ]
