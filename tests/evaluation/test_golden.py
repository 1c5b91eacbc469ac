"""The golden Q&A set (qa/data/golden.jsonl) is well formed and grounded in the raw seeds.

Fast: no models, no index. Every answerable item must quote its seed byte-for-byte
(``evidence``), and every ``must_include`` key must occur in the normal form of
that quote, so the expected answers are traceable to the reports.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from qa.ingest.clean import is_traditional, normal_form, to_simplified

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
GOLDEN = ROOT / "qa" / "data" / "golden.jsonl"

TYPES = {
    "numeric",
    "fact",
    "list",
    "table",
    "compare",
    "multi_doc",
    "traditional_doc",
    "traditional_query",
    "paraphrase",
    "unanswerable",
}
MINIMUMS = {
    "numeric": 30,
    "fact": 15,
    "list": 8,
    "table": 15,
    "compare": 8,
    "multi_doc": 6,
    "traditional_doc": 15,
    "traditional_query": 8,
    "paraphrase": 10,
    "unanswerable": 12,
}
FIELDS = {"id", "question", "answer", "must_include", "doc", "evidence", "type", "year", "kind"}
OPTIONAL = {"more"}
KINDS = {"result", "plan", None}
TABLE_DOC = "002_fdc06b811799f712.txt"
TRADITIONAL_DOC = "001_a2cb04c756ef0252.txt"

_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)")
_WS = re.compile(r"\s+")
_FULLWIDTH_DIGITS = re.compile(r"[０-９％．]")


def normalise_evidence(text: str) -> str:
    """Pinyin annotations out, simplified, NFKC, no markdown bold, no whitespace."""
    text = _PINYIN.sub("", text)
    text = normal_form(to_simplified(text))
    return _WS.sub("", text.replace("**", ""))


def normalise_key(text: str) -> str:
    return _WS.sub("", normal_form(text))


@cache
def seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def load() -> list[dict]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


ITEMS = load()
ANSWERABLE = [it for it in ITEMS if it.get("type") != "unanswerable"]


def evidences(item: dict) -> list[tuple[str, str]]:
    pairs = [(item["doc"], item["evidence"])]
    pairs += [(m["doc"], m["evidence"]) for m in item.get("more", [])]
    return pairs


def test_file_size_and_unique_ids():
    assert len(ITEMS) >= 120
    ids = [it["id"] for it in ITEMS]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert all(re.fullmatch(r"g\d{3,}", i) for i in ids)
    questions = Counter(it["question"] for it in ITEMS)
    assert not [q for q, n in questions.items() if n > 1]


def test_type_minimums():
    counts = Counter(it["type"] for it in ITEMS)
    for type_, minimum in MINIMUMS.items():
        assert counts[type_] >= minimum, (type_, counts[type_], minimum)
    assert counts["unanswerable"] >= 10


def test_answerable_items_cover_all_seeds():
    docs = {d for it in ANSWERABLE for d, _ in evidences(it)}
    assert docs == {p.name for p in SEEDS.glob("*.txt")}
    assert all(it["doc"] == TABLE_DOC for it in ITEMS if it["type"] == "table")
    assert all(it["doc"] == TRADITIONAL_DOC for it in ITEMS if it["type"] == "traditional_doc")


@pytest.mark.parametrize("item", ITEMS, ids=lambda it: it.get("id", "?"))
def test_schema(item):
    keys = set(item)
    assert keys >= FIELDS, FIELDS - keys
    assert keys <= FIELDS | OPTIONAL, keys - FIELDS - OPTIONAL
    assert item["type"] in TYPES
    assert isinstance(item["question"], str) and item["question"].strip()
    assert isinstance(item["answer"], str) and item["answer"].strip()
    assert isinstance(item["must_include"], list)
    assert all(isinstance(m, str) and m.strip() for m in item["must_include"])
    assert isinstance(item["evidence"], str)
    assert item["year"] is None or (isinstance(item["year"], int) and 2000 <= item["year"] <= 2100)
    assert not isinstance(item["year"], bool)
    assert item["kind"] in KINDS
    # Answers and keys in simplified script; keys with half-width digits/percent.
    assert not is_traditional(item["answer"]), item["answer"]
    for key in item["must_include"]:
        assert to_simplified(key) == key, key
        assert not _FULLWIDTH_DIGITS.search(key), key
    if "more" in item:
        assert item["type"] in {"compare", "multi_doc"}
        assert isinstance(item["more"], list) and item["more"]
        for extra in item["more"]:
            assert set(extra) == {"doc", "evidence"}


@pytest.mark.parametrize("item", ITEMS, ids=lambda it: it.get("id", "?"))
def test_question_script(item):
    if item["type"] == "traditional_query":
        assert is_traditional(item["question"]), item["question"]
    else:
        assert not is_traditional(item["question"]), item["question"]


@pytest.mark.parametrize(
    "item",
    [it for it in ITEMS if it["type"] == "unanswerable"],
    ids=lambda it: it["id"],
)
def test_unanswerable_items(item):
    assert item["must_include"] == []
    assert item["doc"] is None
    assert item["evidence"] == ""
    assert "more" not in item


@pytest.mark.parametrize("item", ANSWERABLE, ids=lambda it: it["id"])
def test_evidence_is_exact_substring_of_seed(item):
    assert item["must_include"], "answerable items need at least one key"
    for doc, evidence in evidences(item):
        assert (SEEDS / doc).is_file(), doc
        assert evidence, f"empty evidence for {doc}"
        assert evidence in seed(doc), f"{item['id']}: evidence not verbatim in {doc}: {evidence!r}"


@pytest.mark.parametrize("item", ANSWERABLE, ids=lambda it: it["id"])
def test_must_include_in_normalised_evidence(item):
    normalised = [normalise_evidence(ev) for _, ev in evidences(item)]
    for key in item["must_include"]:
        needle = normalise_key(key)
        assert any(needle in n for n in normalised), f"{item['id']}: {key!r} not in {normalised}"


def test_compare_and_multi_doc_use_several_evidences():
    for item in ITEMS:
        if item["type"] in {"compare", "multi_doc"}:
            assert len(evidences(item)) >= 2, item["id"]


def test_normalisation_examples():
    raw = "地區(qū)生產(chǎn)總值達(dá)到32193.15億元"
    assert normalise_evidence(raw) == "地区生产总值达到32193.15亿元"
    assert normalise_evidence("增长**6.1%**\n左右") == "增长6.1%左右"
    assert normalise_evidence("（頁巖氣）(FDI)") == "(页岩气)(FDI)"
