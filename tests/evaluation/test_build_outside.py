"""bench/build_outside.py: the pure selection logic, on a tiny synthetic SQuAD-format dict."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "build_outside.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_outside", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


bo = _load()


def qa(qid: str, question: str, context: str, *answers: str) -> dict:
    return {
        "id": qid,
        "question": question,
        "answers": [{"text": a, "answer_start": context.find(a)} for a in answers],
    }


def article(aid: str, title: str, context: str, qas: list[dict]) -> dict:
    return {"id": aid, "title": title, "paragraphs": [{"id": aid, "context": context, "qas": qas}]}


def make(i: int) -> dict:
    """Article DEV_i about 城市i, answer 甲i乙; its second question's answer 丙i丁."""
    ctx = f"城市{i}是一座城市。它的别名是甲{i}乙。它的市花是丙{i}丁。"
    return article(
        f"DEV_{i}",
        f"城市{i}",
        ctx,
        [
            qa(f"DEV_{i}_QUERY_0", f"城市{i}的别名是什么？", ctx, f"甲{i}乙", f"甲{i}乙"),
            qa(f"DEV_{i}_QUERY_1", f"城市{i}的市花是什么？", ctx, f"丙{i}丁"),
        ],
    )


# Ids out of order and with digit runs of different length: DEV_2 must sort before DEV_10.
DATA = {"version": "v1.0", "data": [make(i) for i in (10, 2, 7, 3, 12, 5, 1, 11)]}


def test_natural_order_and_even_spacing() -> None:
    assert sorted(["DEV_10", "DEV_2", "DEV_1"], key=bo.natural_key) == ["DEV_1", "DEV_2", "DEV_10"]
    assert bo.evenly_spaced("abcdef", 3) == ["a", "c", "e"]
    assert bo.evenly_spaced("ab", 5) == ["a", "b"]
    assert bo.evenly_spaced("ab", 0) == []


def test_select_is_deterministic_and_well_formed() -> None:
    docs, items = bo.select(DATA, n_articles=4, n_unanswerable=2)
    again = bo.select(json.loads(json.dumps(DATA)), n_articles=4, n_unanswerable=2)
    assert (docs, items) == again
    # Sorted ids 1 2 3 5 7 10 11 12, evenly spaced 4 of 8 -> 1 3 7 11.
    assert [a.id for _, a in docs] == ["DEV_1", "DEV_3", "DEV_7", "DEV_11"]
    assert [name for name, _ in docs] == [
        "000_城市1.txt",
        "001_城市3.txt",
        "002_城市7.txt",
        "003_城市11.txt",
    ]
    assert [it["id"] for it in items] == [f"o{n:03d}" for n in range(1, 7)]
    assert [it["split"] for it in items] == ["dev", "test"] * 3

    outside = [it for it in items if it["type"] == "outside"]
    assert len(outside) == 4
    first = outside[0]
    assert first["question"] == "城市1的别名是什么？"  # the first usable question
    assert first["answer"] == "甲1乙" and first["must_include"] == ["甲1乙"]
    assert first["doc"] == "000_城市1.txt"
    assert first["evidence"] == "它的别名是甲1乙。"
    assert first["year"] is None and first["kind"] is None
    for it, (_name, art) in zip(outside, docs, strict=True):
        text = bo.document_text(art)
        assert text.splitlines()[0] == art.title
        assert it["must_include"][0] in it["evidence"] and it["evidence"] in text


def test_unanswerable_come_from_left_out_articles_and_miss_the_corpus() -> None:
    docs, items = bo.select(DATA, n_articles=4, n_unanswerable=10)
    corpus = "".join(bo.document_text(a) for _, a in docs)
    unanswerable = [it for it in items if it["type"] == "unanswerable"]
    # One per left-out article (2 5 10 12), in id order.
    assert [it["source_id"] for it in unanswerable] == [
        "DEV_2_QUERY_0",
        "DEV_5_QUERY_0",
        "DEV_10_QUERY_0",
        "DEV_12_QUERY_0",
    ]
    for it in unanswerable:
        assert it["must_include"] == [] and it["doc"] is None and it["evidence"] == ""
    # The rule itself: no answer string of theirs occurs in the corpus.
    answers = {q["id"]: q["answers"] for a in DATA["data"] for q in a["paragraphs"][0]["qas"]}
    for it in unanswerable:
        assert all(a["text"] not in corpus for a in answers[it["source_id"]])


def test_answers_found_in_the_corpus_are_not_unanswerable() -> None:
    data = json.loads(json.dumps(DATA))
    # Article 2's first answer also appears in article 1 (in the corpus): skip to its
    # second question. Article 5's title appears in the corpus: skip the article.
    data["data"][1]["paragraphs"][0]["qas"][0]["answers"][0]["text"] = "一座城市"
    data["data"][6]["paragraphs"][0]["context"] += "城市5在它的北面。"
    _, items = bo.select(data, n_articles=4, n_unanswerable=10)
    ids = [it["source_id"] for it in items if it["type"] == "unanswerable"]
    assert ids == ["DEV_2_QUERY_1", "DEV_10_QUERY_0", "DEV_12_QUERY_0"]


def test_too_short_or_missing_answers_are_skipped() -> None:
    ctx = "乙城是一座城市。它有3座桥。它的别名是乙乙城。"
    data = {
        "data": [
            article(
                "DEV_1",
                "乙城",
                ctx,
                [
                    qa("DEV_1_QUERY_0", "有几座桥？", ctx, "3"),  # one character: too short
                    {
                        "id": "DEV_1_QUERY_1",
                        "question": "？",
                        "answers": [{"text": "不在文中", "answer_start": 0}],
                    },
                    qa("DEV_1_QUERY_2", "别名是什么？", ctx, "乙乙城"),
                ],
            ),
            article("DEV_2", "", "没有标题的文章。", []),  # no title: dropped
        ]
    }
    docs, items = bo.select(data, n_articles=5, n_unanswerable=0)
    assert len(docs) == 1 and len(items) == 1
    assert items[0]["source_id"] == "DEV_1_QUERY_2"
    assert items[0]["evidence"] == "它的别名是乙乙城。"


def test_same_title_records_are_joined_with_shifted_offsets() -> None:
    a = "甲城很大。别名丁丁。"
    b = "甲城很老。市花丁丁。"
    data = {
        "data": [
            article("DEV_3", "甲城", b, [qa("DEV_3_QUERY_0", "市花？", b, "丁丁")]),
            article("DEV_1", "甲城", a, [qa("DEV_1_QUERY_0", "别名？", a, "丁丁")]),
        ]
    }
    (art,) = bo.articles_from_squad(data)
    assert art.id == "DEV_1" and art.text == a + "\n" + b
    assert [art.text[q.start : q.start + 2] for q in art.questions] == ["丁丁", "丁丁"]
    assert bo.evidence_sentence(art.text, "丁丁", art.questions[1].start) == "市花丁丁。"


@pytest.mark.parametrize(
    ("title", "expected"),
    [("2009年马其顿总统选举", "2009年马其顿总统选举"), ("A/B: c", "A-B-c"), ("///", "article")],
)
def test_slug(title: str, expected: str) -> None:
    assert bo.slug(title) == expected
