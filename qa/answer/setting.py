"""Whether a figure counts the thing asked or a thing the question names as its setting.

"2024年上线的行业大脑一共接入了多少家企业？" asks a number of 企业; in "上线行业大脑6个"
the 6 counts the 行业大脑 that the question names before its 多少, as the setting of
what it asks. 个 may stand for 家, the topic words are all there, yet the figure is a
near miss. "评选出的夜间经济示范区，一年带动了多少夜间消费额？" is the same: the
passage counts the 示范区 (5个), not the 消费额.

The rule is grammar, not vocabulary: the noun written right before the figure is read
from the question's own words, split at its 多少 into the setting (before) and the
thing asked (after). A paraphrase names the asked thing in other words than the
passage, so its figure's noun is in neither part and nothing is decided here.

Pure functions.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.answer.aspect import CLAUSE_END, clause_before
from qa.text.numbers import Figure

# A place (ns), a person (nr) or an organisation (nt) is where or whose, not what is
# counted; a question's place is in its setting as a rule.
_COUNTED_FLAGS = re.compile(r"n[zg]?$|vn$")


def split_question(norm_question: str, asked_end: int | None = None) -> tuple[str, str] | None:
    """The question's setting (before its first 多少) and the thing asked (after it, or
    after its unit ending at ``asked_end``, up to the clause's end); None when it asks no
    thing by name ("是多少？").

    Example: ``split_question("行业大脑接入了多少家企业？", 9)`` ->
    ``("行业大脑接入了", "企业")``; ``split_question("gdp是多少？")`` -> None.
    """
    found = re.search(r"多少", norm_question)
    if found is None:
        return None
    start = asked_end if asked_end is not None else found.end()
    rest = norm_question[start:]
    end = CLAUSE_END.search(rest)
    asked = rest[: end.start() if end else None].strip()
    if not re.match(r"[\u4e00-\u9fff]{2}", asked):
        return None
    return norm_question[: found.start()], asked


def noun_before(text: str, figure: Figure) -> str | None:
    """The noun written right before ``figure`` in its clause, None when a verb or
    nothing stands there.

    Example: for 6个 in "上线行业大脑6个" -> ``"大脑"``; for 113个 in
    "成功创建全国示范性老年友好型社区113个" -> ``"社区"``; "新增10个" -> None.
    """
    from qa.text.entities import tagger

    clause = clause_before(text, figure.span[0])
    words = [w for w in tagger().cut(clause) if w.word.strip()]
    if not words or len(words[-1].word) < 2 or not _COUNTED_FLAGS.match(words[-1].flag):
        return None
    return str(words[-1].word)


def counts_setting(parts: tuple[str, str] | None, text: str, figure: Figure) -> bool:
    """The figure counts a thing the question names only as its setting: the noun right
    before it is in the setting and not in the thing asked.

    Example: with ``split_question("2024年重庆上线的行业大脑一共接入了多少家企业？", …)``,
    6个 in "累计建成183个智能工厂,上线行业大脑6个" -> True; 183个 there -> False
    (a verb stands before it).
    """
    if parts is None:
        return False
    setting, asked = parts
    noun = noun_before(text, figure)
    return noun is not None and noun in setting and noun not in asked


def names_asked(parts: tuple[str, str], texts: list[str]) -> bool:
    """Some word of the thing asked, not of the setting as well, is written in ``texts``.

    Example: with the thing asked "企业", "上线行业大脑6个，接入企业超过2万家" -> True;
    with 夜间消费额 after the setting 夜间经济示范区, "夜间经济示范区5个" -> False.
    """
    return any(w in t for w in _asked_words(*parts) for t in texts)


@lru_cache(maxsize=64)
def _asked_words(setting: str, asked: str) -> tuple[str, ...]:
    """The words of the thing asked that the setting does not use, cut once per question
    (every sentence of every answer is read against them)."""
    import jieba

    return tuple(w for w in jieba.cut(asked) if len(w) > 1 and w not in setting)
