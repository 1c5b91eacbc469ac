"""Another qualifier of the same indicator: the question asks 城镇居民人均可支配收入, the
sentence that answers gives 全体居民人均可支配收入. Every word of the indicator but its
qualifier is shared, so word overlap and the model judge both take the neighbour's figure.

The reports themselves say the qualifier is part of a name: the asked qualified phrase
occurs word for word in some passage at hand (another year's 城镇居民人均可支配收入), while
the answering sentence writes the same phrase under another qualifier. No list of
qualifiers is read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache

# The shared part of the indicator, at least this many characters.
MIN_PHRASE = 4
_HANZI2 = re.compile(r"[\u4e00-\u9fff]{2}")


def other_qualifier(
    norm_question: str, source: str, texts: Sequence[str]
) -> tuple[str, str] | None:
    """``(asked, given)`` when ``source`` writes a phrase of the question under another
    two-character qualifier than the question's, and the question's qualified phrase is
    written in one of ``texts``; None otherwise.

    A qualifier that is a place the question names, a year, or shares a character with
    the other (规上 and 以上 of 规模以上: one name written short and long) is no sibling.

    Example: ``other_qualifier("2022年城镇居民人均可支配收入增长多少",
    "全体居民人均可支配收入增长5.5%", ["城镇居民人均可支配收入增长5.1%"])`` ->
    ``("城镇", "全体")``; with ``texts`` that never write 城镇居民人均可支配收入 -> None.
    """
    places = _places(norm_question)
    matcher = SequenceMatcher(None, norm_question, source, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        phrase = norm_question[a : a + size]
        if size < MIN_PHRASE or a < 2 or b < 2 or not _HANZI2.match(phrase):
            continue
        asked, given = norm_question[a - 2 : a], source[b - 2 : b]
        if not (_HANZI2.fullmatch(asked) and _HANZI2.fullmatch(given)) or "年" in asked:
            continue
        if set(asked) & set(given) or asked in source or any(asked in p for p in places):
            continue
        if any(asked + phrase in t for t in texts):
            return asked, given
    return None


# "…事项中，能全程网上办理的有多少项": the whole before 中, the part's condition before 的;
# "…新增就业的人员中，高校毕业生有多少人": the part named before 有 (是, 占).
_PART = re.compile(
    r"^(?P<whole>.+?)中[，,](?P<part>[^，,。？?]+?)(?:的|有|是|占)(?=[^，,。？?]*(?:多少|几))"
)
_CONTENT = ("n", "v", "a", "d")


def part_missing(norm_question: str, source: str) -> str | None:
    """The condition a question puts on a part of a whole ("…事项中，能全程网上办理的有多少
    项"), when ``source`` has none of its own words: its figure is then the whole's
    (2000项 of all the 事项), not the part's. None when the question asks no part, or
    the source speaks of it in some word.

    Only words of two characters or more that the whole does not already use count, and
    no place or time: "从重庆始发的" asks of 始发.

    Example: ``part_missing("2023年中欧班列（成渝）中，从重庆始发的班列开行了多少列",
    "中欧班列（成渝）开行折算列5291列")`` -> ``"从重庆始发"``;
    ``part_missing("…对接事项中，已基本落实到位的有多少项", "已基本落实到位150项")`` -> None.
    """
    asked = _part_words(norm_question)
    if asked is None or any(w in source for w in asked[1]):
        return None
    return asked[0]


# Each answer sentence is read against the same question: its words are read once.
@lru_cache(maxsize=64)
def _places(norm_question: str) -> tuple[str, ...]:
    from qa.answer.region import tagged_places

    return tuple(tagged_places(norm_question))


@lru_cache(maxsize=64)
def _part_words(norm_question: str) -> tuple[str, tuple[str, ...]] | None:
    """The part a question asks of a whole and the words of its own, or None."""
    from qa.text.entities import tagger

    m = _PART.search(norm_question)
    if m is None:
        return None
    whole, part = m.group("whole"), m.group("part")
    own = tuple(
        w.word
        for w in tagger().cut(part)
        if len(w.word) > 1
        and w.flag.startswith(_CONTENT)
        and w.flag not in ("ns", "nr", "t")
        and w.word not in whole
    )
    return (part, own) if own else None
