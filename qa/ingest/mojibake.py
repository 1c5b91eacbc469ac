"""Repairing GBK mojibake: text decoded one byte out of step (report 001). Pure."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from qa.text.lexicon import lexicon
from qa.text.script import is_traditional, to_simplified, to_traditional

# ---------------------------------------------------------------------------
# Mojibake: GBK text decoded one byte out of step (report 001).
#
# A run looks like ``?`` + characters made of the byte pairs (trail_i, lead_i+1)
# of the original text, and ends where the decoder fell back in step: on an
# ASCII byte used as a trail (``k`` in ``ㄞk``), on a lone byte shown as ``?``,
# or on a ``?`` that swallowed the ``(`` of a pinyin annotation (``?zhàn)``).
# The file was later folded to half-width, so ``!`` ``;`` `` `` inside a run
# stand for the full-width pairs ！ ； 　. Re-encoding the run and pairing its
# bytes again recovers the text; the byte hidden by a ``?`` is recovered from
# the annotation's pinyin or from a dictionary word, else the character is lost.
# ---------------------------------------------------------------------------

TONES = "āáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ"
SYLLABLES = rf"[a-z{TONES}]+(?: [a-z{TONES}]+)*"
_ANNOTATION = re.compile(rf"\(({SYLLABLES})\)")
_Q_ANNOTATION = re.compile(rf"\?(?=[a-z ]*[{TONES}])({SYLLABLES})\)")
_ANNOTATED = re.compile(rf"([\u3400-\u9fff])\(({SYLLABLES})\)")
# (lead, trail) of a character of which one byte is unknown (-1).
_Token = str | tuple[int, int]
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# What misaligned pairs decode to and report text never uses: bopomofo (A8C5-),
# private use (GBK user areas), box drawing (A9A4-), Greek/Cyrillic (A6, A7),
# kana (A4, A5), full-width Latin (A3C1-), a lone 0x80 (€), ⌒, U+FFFD.
_MOJIBAKE = re.compile(
    "[\u3100-\u312f\ue000-\uf8ff\u2500-\u257f\u0370-\u04ff\u3040-\u30ff\uff21-\uff5a\ufffd⌒€]"
)


def is_mojibake_char(ch: str) -> bool:
    """Example: ``is_mojibake_char("ㄎ")`` -> True; ``is_mojibake_char("五")`` -> False."""
    return _MOJIBAKE.match(ch) is not None


_simplified_char = lru_cache(maxsize=4096)(to_simplified)


def _char_score(ch: str) -> float:
    # Real report characters are frequent; misaligned pairs are rare or symbols.
    if ch == "\x00":  # a lost character
        return -1.0
    if ch == "?" or is_mojibake_char(ch):
        return -3.0
    return lexicon()[1].get(_simplified_char(ch), 0.0) - 2.0 if _CJK.match(ch) else 0.5


def _plausibility(tokens: list[_Token]) -> float:
    return sum(map(_char_score, "".join(t if isinstance(t, str) else "\x00" for t in tokens)))


def _gbk(ch: str) -> bytes:
    b = ch.encode("gb18030", errors="ignore")
    return b if len(b) == 2 else b""


def _run_bytes(ch: str) -> bytes:
    """Bytes a character shown inside a run stood for (half-width folding undone)."""
    o = ord(ch)
    if ch == " ":
        return "　".encode("gbk")
    if 0x21 <= o <= 0x3F:
        return chr(o + 0xFEE0).encode("gbk")
    if ch == "€":  # cp936 shows a lone 0x80 as the euro sign
        return b"\x80"
    return bytes([o]) if o < 0x80 else _gbk(ch)


def _pair(lead: int, trail: int) -> _Token:
    ch = bytes([lead, trail]).decode("gbk", "ignore") if min(lead, trail) >= 0 else ""
    return ch or (lead, trail)


def _trail_from_pinyin(lead: int, syllable: str, readings: dict[str, Counter[str]]) -> int:
    # The annotation names the character; its lead byte must match the pending one.
    for ch, _ in readings.get(syllable, Counter()).most_common():
        b = _gbk(ch)
        if b[:1] == bytes([lead]):
            return b[1]
    return -1


def _decode_run(
    text: str, i: int, lead: int, readings: dict[str, Counter[str]], depth: int = 0
) -> tuple[list[_Token], int]:
    """Pair bytes from ``text[i]`` on with ``lead`` pending -> (tokens, end index)."""
    out: list[_Token] = []
    while True:
        if i >= len(text) or text[i] == "\n":
            # Runs fall back in step before a line end; a sentinel makes this costly.
            return [*out, (lead, -1), (-1, -1)], i
        if text[i] == "?":
            m = _Q_ANNOTATION.match(text, i)
            if m:
                trail = _trail_from_pinyin(lead, m.group(1), readings) if lead >= 0 else -1
                return [*out, _pair(lead, trail)], m.end()
            # Either the lone last byte of the run or a full-width ？ (A3BF) inside it.
            stop: list[_Token] = [*out, (lead, -1)]
            if depth < 3:
                rest, j = _decode_run(text, i + 1, 0xBF, readings, depth + 1)
                go = [*out, _pair(lead, 0xA3), *rest]
                k = max(j, i + 9)
                if _plausibility([*go, text[j:k]]) > _plausibility([*stop, text[i + 1 : k]]):
                    return go, j
            return stop, i + 1
        b = _run_bytes(text[i])
        if not b:
            return [*out, (lead, -1)], i
        out.append(_pair(lead, b[0]))
        if len(b) == 1:
            return out, i + 1
        if b[1] < 0x81:  # a single-byte character: the decoder is back in step
            return [*out, chr(b[1])], i + 1
        lead, i = b[1], i + 1


def _guess_lost(lost: tuple[int, int], left: str, right: str) -> str:
    """The reading of a half-known character that makes the best dictionary word.

    Example: lead byte 0xC6 after ``突`` -> ``破`` (突破 beats 突起 tenfold).
    """
    words = lexicon()[0]
    lead, trail = lost
    if (lead < 0) == (trail < 0):
        return ""
    pairs = [(lead, t) for t in range(0x40, 0xFF)] if lead >= 0 else []
    pairs += [(x, trail) for x in range(0x81, 0xFF)] if trail >= 0 else []
    ranked: list[tuple[int, int, str]] = []
    punct = ""
    for pair in pairs:
        if not (cand := bytes(pair).decode("gbk", "ignore")):
            continue
        ctx, at = left + _simplified_char(cand) + right, len(left)
        hits = []
        for a in range(max(0, at - 3), at + 1):
            for b in range(max(at + 1, a + 2), min(len(ctx), at + 4) + 1):
                freq = int(words.get(ctx[a:b], 0))
                # Two-character words collide by chance (飞剑 for 飞。); ask more of them.
                if freq >= (50 if b - a == 2 else 3):
                    hits.append((b - a, freq))
        if hits:
            ranked.append((*max(hits), cand))
        elif (cand == "。" and right[:1] in "“‘《（") or (
            cand == "”" and left.count("“") > left.count("”")
        ):
            punct = cand  # a sentence end before an opening quote; a closing quote
    ranked.sort(reverse=True)
    if punct and (not ranked or (ranked[0][0] < 3 and ranked[0][1] < 1000)):
        return punct  # only a common word (幸福) outweighs punctuation this likely
    if not ranked:
        return ""
    if len(ranked) > 1 and ranked[1][0] == ranked[0][0] and ranked[1][1] * 10 > ranked[0][1]:
        return ""  # two readings fit about as well: guessing would invent text
    return ranked[0][2]


def _fill(tokens: list[_Token], before: str, after: str) -> str:
    """Join decoded characters, guessing each lost one from its neighbours."""
    out = ""
    for k, tok in enumerate(tokens):
        if isinstance(tok, str):
            out += tok
            continue
        if not all(isinstance(t, str) for t in (*tokens[k - 1 : k], *tokens[k + 1 : k + 2])):
            continue  # two lost characters in a row leave too little to go on
        right = ""
        for t in tokens[k + 1 :]:
            if not isinstance(t, str):
                break
            right += t
        else:
            right += after
        left = to_simplified(_ANNOTATION.sub("", before + out)[-3:])
        out += _guess_lost(tok, left, to_simplified(_ANNOTATION.sub("", right)[:3]))
    return out


def repair_mojibake(text: str) -> str:
    """Re-pair the bytes of misaligned-GBK runs; drop what cannot be recovered.

    Example: ``repair_mojibake(" ?。ㄎ澹┮詾檎\\ue48e辶\\ue19f⌒庞诿?。")``
    -> ``" （五）以為政清廉取信于民。"`` (民 from the dictionary word 取信于民; in a
    traditional document the recovered text is converted too: 於). A ``?`` that
    starts no run (``成就?新``) is kept.
    """
    if "?" not in text:
        return text
    readings: dict[str, Counter[str]] = {}
    for ch, syllable in _ANNOTATED.findall(text):
        readings.setdefault(syllable, Counter())[ch] += 1
    traditional = is_traditional(text[:4000])
    out: list[str] = []
    last = 0
    i = text.find("?")
    while i >= 0:
        m = _Q_ANNOTATION.match(text, i)
        prev = _gbk(text[i - 1]) if i > 0 else b""
        tokens: list[_Token] | None = None
        if m and prev:
            # The annotation split a character: its first byte ends the previous one.
            # (Without the reading, the split character's first byte stays unknown.)
            trail = _trail_from_pinyin(prev[1], m.group(1), readings)
            tokens, j = _decode_run(text, m.end(), trail, readings)
        elif text[i + 1 : i + 2].strip() and not (text[i + 1].isascii() and text[i + 1].isalnum()):
            tokens, j = _decode_run(text, i + 1, -1, readings)
            if _plausibility(tokens) < _plausibility([text[i:j]]) + 2:
                tokens = None  # not a run: a real question mark or an unknown character
        if tokens is None:
            j = i + 1
            # GBK has ‰ but no ‱, so a round trip turned ‱ into '?' ("前1‰、…前1?").
            fixed = (
                "‱" if i > 0 and text[i - 1].isdigit() and "‰" in text[max(0, i - 40) : i] else "?"
            )
            out += [text[last:i], fixed]
        else:
            recovered = _fill(tokens, "".join(out[-2:]) + text[last:i], text[j : j + 12])
            out += [text[last:i], to_traditional(recovered) if traditional else recovered]
        last = j
        i = text.find("?", j)
    out.append(text[last:])
    return "".join(out)


# A pinyin annotation carries at least one tone mark: (FDI), (AI) and
# (重慶) do not, and neither does any real lowercase parenthetical.
