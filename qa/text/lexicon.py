"""jieba's dictionary as a lookup table: which strings are words, and how common
each character is. Loaded once, on first use (about 0.4 s)."""

from __future__ import annotations

import math
import os
from collections import Counter
from functools import lru_cache


@lru_cache(maxsize=1)
def lexicon() -> tuple[dict[str, str], dict[str, float]]:
    """jieba's words -> frequency, and log10 of how many words use each character.

    The word count is a cheap stand-in for character frequency: real report characters
    sit in hundreds of words, misaligned byte pairs in few.

    Example: ``"贷款" in lexicon()[0]`` -> True.
    """
    import jieba

    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as fh:
        fields = fh.read().split()  # "word freq tag" per line
    words = dict(zip(fields[0::3], fields[1::3], strict=True))
    uses = Counter("".join(fields[0::3]))
    return words, {ch: math.log10(n + 1) for ch, n in uses.items()}
