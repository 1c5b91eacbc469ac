"""Worked examples for qa.text.wording: how much of a claim a passage holds."""

from __future__ import annotations

import pytest

from qa.text.wording import char_bigrams, claim_bigrams, claim_share, containment

RAIL = "加快建设成渝中线高铁、渝昆高铁，力争建成通车市郊铁路璧铜线"
RAIL_Q = "2024年重庆力争建成通车的市郊铁路是哪条线？"


def test_bigrams_stay_within_runs_of_words() -> None:
    assert sorted(char_bigrams("总值6.1%")) == ["1", "值6", "总值"]
    assert char_bigrams("，。") == set()


def test_containment_is_the_share_of_the_part_found_in_the_whole() -> None:
    assert containment("地区生产总值", "全年地区生产总值达到") == 1.0
    assert containment("渝铜线", RAIL) == 0.5  # 铜线 of 渝铜, 铜线
    assert containment("", RAIL) == 0.0


def test_the_claim_is_what_the_sentence_adds_to_the_question() -> None:
    assert claim_bigrams("市郊铁路是渝铜线", "市郊铁路是哪条线？") == {"渝铜", "铜线"}
    # 年力 only rejoins two words of the question (2024年 and 力争).
    assert claim_bigrams("2024年力争通车的是渝铜线", RAIL_Q) == {"渝铜", "铜线"}
    # 的/是 join words; a bigram holding one says nothing about the passage.
    assert claim_bigrams("建成的是璧铜线") == {"建成", "璧铜", "铜线"}


@pytest.mark.parametrize(
    ("sentence", "share"),
    [
        ("2024年力争建成通车的市郊铁路是璧铜线", 1.0),
        ("2024年力争建成通车的市郊铁路是渝铜线", 0.5),
        # Support, not correctness: a wrong name the passage holds passes.
        ("2024年力争建成通车的市郊铁路是渝昆高铁", 1.0),
        # Restating the question claims nothing: measured on all its wording.
        ("2024年力争建成通车的市郊铁路是哪条线", 8 / 19),
    ],
)
def test_claim_share(sentence: str, share: float) -> None:
    assert claim_share(sentence, RAIL, RAIL_Q) == pytest.approx(share)
