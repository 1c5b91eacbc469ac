"""``qa eval``: per-item scores, their aggregation, and the command end to end."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from qa.evaluation.evaluate import ItemResult, aggregate, by_type, citation_ok, score_item
from qa.evaluation.scoring import GOLDEN, GoldItem
from qa.schema import Answer, Check, Passage

DOC = "000_e3173ead8c29be09.txt"
GDP_TEXT = "全年地区生产总值迈上3万亿元新台阶，达到30145.79亿元，增长6.1%。"
GDP = Passage(doc=DOC, title="报告", year=2023, section="", text=GDP_TEXT, score=1.0)
OTHER = Passage(
    doc="002_fdc06b811799f712.txt",
    title="报告",
    year=2022,
    section="",
    text="全年地区生产总值超过2.9万亿元、增长2.6%。",
    score=0.5,
)
UNRELATED = Passage(
    doc=DOC, title="报告", year=2023, section="", text="新增三级医院23家。", score=0.4
)

G001 = GoldItem(
    id="g001",
    question="2023年重庆地区生产总值是多少？比上年增长多少？",
    answer="",
    must_include=("30145.79亿元", "6.1%"),
    doc=DOC,
    evidence="",
    type="numeric",
    year=2023,
    kind="result",
)
G149 = GoldItem(
    id="g149",
    question="2019年重庆地区生产总值是多少？",
    answer="",
    must_include=(),
    doc=None,
    evidence="",
    type="unanswerable",
)


def answer(text: str, citations: list[Passage], **more: object) -> Answer:
    return Answer(text=text, citations=citations, passages=list(citations), **more)  # type: ignore[arg-type]


def test_score_of_a_correct_cited_answer() -> None:
    a = answer(
        "全年地区生产总值达到30145.79亿元，增长6.1%[1]。",
        [GDP],
        seconds=1.5,
        first_token_seconds=0.2,
        checks=[Check("rewritten", "…")],
    )
    r = score_item(G001, a, k=5)
    assert r.correct is True and r.refused is False
    assert r.rank == 1
    assert r.unsupported == []
    assert (r.citations, r.good_citations) == (1, 1)
    assert (r.seconds, r.first_token_seconds) == (1.5, 0.2)
    assert r.checks == ["rewritten"]


def test_score_of_a_partial_answer_with_an_invented_figure() -> None:
    a = answer("地区生产总值达到30145.79亿元，常住人口3191.43万人[1]。", [GDP])
    r = score_item(G001, a, k=5)
    assert r.correct is False  # 6.1% missing
    assert r.unsupported == ["3191.43万人"]


def test_the_note_computed_in_code_is_not_an_unsupported_figure() -> None:
    p24 = Passage(doc=DOC, title="报告", year=2024, section="", text="增长5.7%。", score=1.0)
    a = answer(
        "2023年地区生产总值增长6.1%[1]。2024年地区生产总值增长5.7%[2]。\n"
        "（程序计算：2024年 5.7% 比 2023年 6.1% 低 0.4 个百分点）",
        [GDP, p24],
    )
    assert score_item(G001, a, k=5).unsupported == []


def test_table_figures_are_checked_sentence_by_sentence() -> None:
    """g090: a unitless table figure must not inherit the % of the row before it."""
    rows = [
        Passage(doc=DOC, title="报告", year=2022, section="", score=1.0,
                text="地区生产总值增速（%）｜2022年预期目标：5.5左右｜2022年预计完成：2.6"),
        Passage(doc=DOC, title="报告", year=2022, section="", score=1.0,
                text="每亿元地区生产总值生产安全事故死亡人数｜2022年预期目标：0.032左右"),
    ]  # fmt: skip
    a = answer(
        "地区生产总值增速（%）｜2022年预期目标：5.5左右｜2022年预计完成：2.6[1]。"
        "每亿元地区生产总值生产安全事故死亡人数｜2022年预期目标：0.032左右[2]。",
        rows,
    )
    assert score_item(G001, a, k=5).unsupported == []


def test_citation_precision_counts_passages_holding_a_gold_string() -> None:
    assert citation_ok(GDP, G001) and citation_ok(GDP, G001, same_doc=True)
    assert not citation_ok(OTHER, G001)  # another report, without the figure
    assert not citation_ok(UNRELATED, G001)  # gold report, no gold string
    restated = replace(GDP, doc="004_3348ee11c8af0d59.txt")  # 004 restates 000's figure
    assert citation_ok(restated, G001) and not citation_ok(restated, G001, same_doc=True)
    a = answer("达到30145.79亿元，增长6.1%[1]。新增三级医院23家[2]。", [GDP, UNRELATED])
    r = score_item(G001, a, k=5)
    assert (r.citations, r.good_citations, r.gold_doc_citations) == (2, 1, 1)


def test_rank_looks_at_the_top_k_passages_only() -> None:
    a = answer("文档中没有相关信息", [], refused=True)
    a.passages = [OTHER, UNRELATED, GDP]
    assert score_item(G001, a, k=3).rank == 3
    assert score_item(G001, a, k=2).rank is None


def test_unanswerable_item() -> None:
    refused = score_item(G149, answer("文档中没有相关信息", [], refused=True), k=5)
    assert refused.correct is None and refused.rank is None
    assert refused.refused and refused.unsupported == []
    answered = score_item(G149, answer("达到30145.79亿元[1]。", [GDP]), k=5)
    assert not answered.refused
    assert answered.good_citations == 0  # nothing is a good citation for it


def result(**fields: object) -> ItemResult:
    base: dict[str, object] = {
        "id": "x",
        "type": "numeric",
        "question": "?",
        "answer": "",
        "refused": False,
        "correct": True,
        "rank": 1,
        "unsupported": [],
        "citations": 1,
        "good_citations": 1,
        "gold_doc_citations": 1,
        "seconds": 1.0,
        "first_token_seconds": None,
    }
    base.update(fields)
    return ItemResult(**base)  # type: ignore[arg-type]


def test_aggregate_worked_example() -> None:
    results = [
        # answerable: correct, cited well
        result(rank=1, seconds=1.0, citations=2, good_citations=2, first_token_seconds=0.5),
        # answerable: wrong, with an invented figure, half its citations good
        result(correct=False, rank=2, unsupported=["3191.43万人"], citations=2, good_citations=1,
               seconds=2.0, first_token_seconds=1.5),
        # answerable: falsely refused, retrieval missed
        result(correct=False, refused=True, rank=None, citations=0, good_citations=0, seconds=3.0),
        # unanswerable: refused (right)
        result(type="unanswerable", correct=None, refused=True, rank=None, citations=0,
               good_citations=0, seconds=4.0),
        # unanswerable: answered (wrong)
        result(type="unanswerable", correct=None, rank=None, citations=1, good_citations=0,
               seconds=10.0),
    ]  # fmt: skip
    agg = aggregate(results, k=5)
    assert agg["n"] == 5
    assert agg["hit@5"] == pytest.approx(2 / 3)
    assert agg["mrr"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert agg["answer_accuracy"] == pytest.approx(1 / 3)
    assert agg["refusal_accuracy"] == pytest.approx(1 / 2)
    assert agg["false_refusal_rate"] == pytest.approx(1 / 3)
    # answered: items 1, 2 and 5; one of them has an unsupported figure
    assert agg["unsupported_number_rate"] == pytest.approx(1 / 3)
    # cited answerable answers: 3 good of 4 citations (unanswerable items do not count)
    assert agg["citation_precision"] == pytest.approx(3 / 4)
    assert agg["latency_p50"] == 3.0
    assert agg["latency_p95"] == 10.0
    assert agg["ttft_p50"] == 0.5
    assert agg["ttft_p95"] == 1.5


def test_aggregate_without_answerable_or_timing() -> None:
    agg = aggregate([result(type="unanswerable", correct=None, refused=True, rank=None)], k=5)
    assert agg["refusal_accuracy"] == 1.0
    assert math.isnan(agg["answer_accuracy"])
    assert math.isnan(agg["citation_precision"])
    assert math.isnan(agg["ttft_p50"])
    assert math.isnan(agg["unsupported_number_rate"])  # nothing answered


def test_by_type_groups() -> None:
    groups = by_type(
        [
            result(type="numeric"),
            result(type="numeric", correct=False),
            result(type="unanswerable", correct=None, refused=True, rank=None),
        ],
        k=5,
    )
    assert list(groups) == ["numeric", "unanswerable"]
    assert groups["numeric"]["n"] == 2
    assert groups["numeric"]["answer_accuracy"] == 0.5
    assert groups["unanswerable"]["refusal_accuracy"] == 1.0


DOCUMENTED = {
    "n",
    "hit@5",
    "mrr",
    "answer_accuracy",
    "refusal_accuracy",
    "false_refusal_rate",
    "unsupported_number_rate",
    "wrong_entity_rate",
    "near_miss_says_related",
    "citation_precision",
    "citation_precision_gold_doc",
    "latency_p50",
    "latency_p95",
    "ttft_p50",
    "ttft_p95",
}


@pytest.mark.slow
def test_qa_eval_command_writes_json_and_chart(
    seed_index: tuple[object, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from qa.cli import main

    settings, _ = seed_index
    out = tmp_path / "e.json"
    argv = ["--index-dir", str(settings.index_dir), "eval", "--limit", "8"]  # type: ignore[attr-defined]
    code = main([*argv, "--backend", "extractive", "--json", str(out)])
    assert code == 0
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert summary["backend"] == "extractive"
    assert set(summary["overall"]) == DOCUMENTED
    assert summary["overall"]["n"] == 8
    assert len(summary["items"]) == 8
    assert {"id", "question", "answer", "correct", "rank", "unsupported", "checks"} <= set(
        summary["items"][0]
    )
    assert all(set(agg) == DOCUMENTED for agg in summary["by_type"].values())
    chart = out.with_suffix(".png")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    assert "answer_accuracy" in printed and str(out) in printed
    # The first eight golden items are plain numeric facts from one report: the
    # extractive backend should find most of them.
    assert summary["overall"]["hit@5"] >= 0.75
    assert summary["overall"]["answer_accuracy"] >= 0.5
    assert summary["overall"]["unsupported_number_rate"] == 0.0


@pytest.mark.slow
def test_replay_reverifies_recorded_drafts(
    seed_index: tuple[object, object], tmp_path: Path
) -> None:
    # A recorded local-model draft with an invented GDP figure is replayed through the
    # real retrieval and verification: the figure goes, the source sentence answers.
    settings, _ = seed_index
    line = next(iter(GOLDEN.read_text(encoding="utf-8").splitlines()))
    item = json.loads(line)
    assert item["id"] == "g001"
    golden = tmp_path / "one.jsonl"
    golden.write_text(line + "\n", encoding="utf-8")
    draft = "2023年重庆地区生产总值达到31234.56亿元[1]。"
    overall = dict.fromkeys(DOCUMENTED, 0.0)
    recorded = {"overall": overall, "items": [{"question": item["question"], "draft": draft}]}
    rec, out = tmp_path / "rec.json", tmp_path / "replay.json"
    rec.write_text(json.dumps(recorded, ensure_ascii=False), encoding="utf-8")
    script = Path(__file__).resolve().parents[2] / "bench" / "replay_drafts.py"
    index_dir = str(settings.index_dir)  # type: ignore[attr-defined]
    argv = [str(rec), str(out), "--golden", str(golden), "--index-dir", index_dir]
    run = subprocess.run(
        [sys.executable, str(script), *argv], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "answer_accuracy" in run.stdout
    (result,) = json.loads(out.read_text(encoding="utf-8"))["items"]
    assert result["draft"] == draft
    assert "unsupported_number" in result["checks"] and "31234.56" not in result["answer"]
    assert "30145.79亿元" in result["answer"] and result["correct"]


# --- near misses, dialogues, names -------------------------------------------------

NEAR = GoldItem(
    id="n001",
    question="2023年重庆轨道交通全年客运量是多少亿人次？",
    answer="",
    must_include=(),
    doc=DOC,
    evidence="",
    type="near_miss",
    related=("47.8%",),
)


def test_a_near_miss_is_right_when_refused_and_better_when_it_says_what_exists() -> None:
    plain = score_item(NEAR, answer("报告中没有相关信息。", [], refused=True), k=5)
    told = score_item(
        NEAR,
        answer("报告没有给出轨道交通客运量；报告给出的是客运量增长47.8%[1]。", [], refused=True),
        k=5,
    )
    wrong = score_item(NEAR, answer("客运量增长47.8%[1]。", [GDP]), k=5)
    assert plain.correct is None and plain.says_related is False
    assert told.says_related is True
    agg = aggregate([plain, told, wrong], k=5)
    assert agg["refusal_accuracy"] == 2 / 3
    assert agg["near_miss_says_related"] == 1 / 3


def test_an_answer_naming_a_place_its_passage_does_not_is_a_wrong_entity() -> None:
    wrong = score_item(G001, answer("2023年成都地区生产总值达到30145.79亿元[1]。", [GDP]), k=5)
    right = score_item(G001, answer("2023年重庆地区生产总值达到30145.79亿元[1]。", [GDP]), k=5)
    assert wrong.wrong_entities == ["成都地区"]
    assert right.wrong_entities == []
    assert aggregate([wrong, right], k=5)["wrong_entity_rate"] == 0.5


def test_a_dialogue_is_asked_turn_by_turn_with_its_history() -> None:
    from qa.evaluation.evaluate import ask_item

    seen: list[tuple[str, list[tuple[str, str]]]] = []

    class FakeQA:
        def ask(self, question: str, history: list[tuple[str, str]]) -> Answer:
            seen.append((question, list(history)))
            return Answer(text=f"答{len(seen)}", standalone_question=question)

    item = replace(G001, type="dialogue", turns=("甲？", "乙？"), question="那丙呢？")
    assert ask_item(FakeQA(), item).text == "答3"  # type: ignore[arg-type]
    assert seen == [
        ("甲？", []),
        ("乙？", [("甲？", "答1")]),
        ("那丙呢？", [("甲？", "答1"), ("乙？", "答2")]),
    ]


def test_a_split_keeps_its_half(tmp_path: Path) -> None:
    from qa.evaluation.scoring import load_golden

    rows = [
        {
            "id": f"p{i}",
            "question": "q",
            "must_include": ["1"],
            "doc": DOC,
            "type": "paraphrase",
            "split": "dev" if i % 2 else "test",
        }
        for i in range(1, 5)
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    assert [i.id for i in load_golden(path, "dev")] == ["p1", "p3"]
    assert [i.id for i in load_golden(path, "test")] == ["p2", "p4"]
    assert len(load_golden(path)) == 4
