"""Shared wording between an answer and a passage, by character bigrams.

Chinese has no spaces, and the reports' phrases are long compounds (市郊铁路璧铜线):
bigrams of characters measure overlap without a word segmenter, and a single wrong
character in a name (渝铜线 for 璧铜线) costs two of its bigrams. Pure functions over
normal forms (``qa.clean.normal_form``).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]+")
# Characters that join a claim rather than make it: a bigram holding one says nothing
# about whether the passage supports the claim (是渝, 路是).
_FUNCTION = frozenset("的了是和与及等为在有将对把被之其并也都这那")


def char_bigrams(text: str) -> set[str]:
    """Character bigrams within runs of CJK, letters and digits (a one-character run is kept whole).

    Example: ``sorted(char_bigrams("总值6.1%"))`` -> ``["1", "值6", "总值"]``.
    """
    out: set[str] = set()
    for run in _WORD.findall(text):
        if len(run) == 1:
            out.add(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def containment(part: str, whole: str) -> float:
    """Share of ``part``'s bigrams found in ``whole`` (both normal forms).

    Example: ``containment("地区生产总值", "全年地区生产总值达到")`` -> 1.0.
    """
    grams = char_bigrams(part)
    return len(grams & char_bigrams(whole)) / len(grams) if grams else 0.0


def claim_bigrams(sentence: str, question: str = "") -> set[str]:
    """What ``sentence`` says beyond ``question``: its bigrams with a character the
    question lacks (two question characters side by side, 年力 from 2024年力争, only
    rejoin the question's words), without those holding a joining character (的, 是 …).

    Example: ``sorted(claim_bigrams("2024年力争通车的是渝铜线", "2024年重庆力争通车的是哪条线？"))``
    -> ``["渝铜", "铜线"]``.
    """
    asked = set(question)
    grams = char_bigrams(sentence)
    return {g for g in grams if not _FUNCTION.intersection(g) and not asked.issuperset(g)}


def claim_share(sentence: str, passage: str, question: str = "") -> float:
    """Share of the sentence's own claim (``claim_bigrams``) found in ``passage``; a
    sentence that only restates the question is measured on all its wording.

    Example: ``claim_share("市郊铁路是渝铜线", "力争建成通车市郊铁路璧铜线",
    "力争建成通车的市郊铁路是哪条线？")`` -> 0.5 (铜线 of 渝铜, 铜线).
    """
    grams = claim_bigrams(sentence, question) or char_bigrams(sentence)
    if not grams:
        return 1.0
    return len(grams & char_bigrams(passage)) / len(grams)
