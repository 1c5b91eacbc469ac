"""``qa eval``: the golden set through the whole product, scored per item and by type.

Scores: retrieval hit@k and MRR; answer accuracy (every ``must_include`` present);
refusal accuracy on unanswerable items; false-refusal rate; unsupported-number
rate (an answer with a figure found in none of its cited passages); citation
precision (cited passages from the gold report holding a gold string);
wrong-entity rate (an answer naming a place, organisation or person that is in
none of its cited passages nor the question); for near misses, whether the
refusal says what the reports give instead; latency p50/p95 and time to first token. ``--baseline`` runs the naive
pipeline on the same items in the same run.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.evaluation.scoring import (
    GoldItem,
    answer_correct,
    contains_any,
    hit_rank,
    holds_evidence,
    load_golden,
    mean,
    percentile,
)
from qa.schema import Answer, Passage
from qa.settings import Settings

if TYPE_CHECKING:
    from qa.api import ReportQA


@dataclass
class ItemResult:
    id: str
    type: str
    question: str
    answer: str
    refused: bool
    correct: bool | None  # None for unanswerable items
    rank: int | None
    unsupported: list[str]
    citations: int
    good_citations: int
    gold_doc_citations: int
    seconds: float
    first_token_seconds: float | None
    checks: list[str] = field(default_factory=list)
    draft: str = ""  # the model's text before verification, so checks can be replayed
    standalone: str = ""  # the question as the chain rewrote it (dialogues)
    wrong_entities: list[str] = field(default_factory=list)
    says_related: bool | None = None  # near misses: the refusal gives what exists


def citation_ok(p: Passage, item: GoldItem, same_doc: bool = False) -> bool:
    """The passage holds one of the gold figures or phrases (``same_doc``: and is from a
    gold report). Another report stating the same figure is evidence too: 000 and 004
    both give 2023's 30145.79亿元."""
    docs = {item.doc, *(m.get("doc") for m in item.more)}
    if same_doc and p.doc not in docs:
        return False
    return any(holds_evidence(p.text, m) for m in item.must_include)


def unsupported_in(answer: Answer) -> list[str]:
    """Figures of the answer found in none of its cited passages, sentence by sentence
    (a unitless table figure must not take the unit of the sentence before), leaving out
    the note computed in code (``（程序计算：…）``), whose figures are new by design."""
    from qa.answer.verify import split_sentences, unsupported_figures
    from qa.text.script import normal_form

    if answer.refused:
        return []
    out: list[str] = []
    for sentence in split_sentences(answer.text):
        if "程序计算" in normal_form(sentence):
            continue
        out += [f for f in unsupported_figures(sentence, answer.citations) if f not in out]
    return out


def wrong_entities_in(answer: Answer, question: str) -> list[str]:
    """Names the answer states that none of its cited passages (nor their titles, nor the
    question) contains: 成都 in an answer cited to a 重庆 passage."""
    from qa.answer.verify import split_sentences
    from qa.text.entities import missing_entities

    if answer.refused:
        return []
    allowed = [question, *(f"{p.title} {p.text}" for p in answer.citations)]
    out: list[str] = []
    for sentence in split_sentences(answer.text):
        if "程序计算" not in sentence:
            out += [e for e in missing_entities(sentence, allowed) if e not in out]
    return out


def spread(items: list[GoldItem], limit: int | None) -> list[GoldItem]:
    """``limit`` items evenly spaced over the set, so a short run still covers every type.

    Example: ``spread([a, b, c, d], 2)`` -> ``[a, c]``.
    """
    if not limit or limit >= len(items):
        return items
    return [items[i * len(items) // limit] for i in range(limit)]


def score_item(item: GoldItem, answer: Answer, k: int) -> ItemResult:
    unsupported = unsupported_in(answer)
    asked = " ".join([*item.turns, item.question, answer.standalone_question])
    good = sum(1 for p in answer.citations if citation_ok(p, item)) if item.answerable else 0
    good_doc = (
        sum(1 for p in answer.citations if citation_ok(p, item, same_doc=True))
        if item.answerable
        else 0
    )
    return ItemResult(
        id=item.id,
        type=item.type,
        question=item.question,
        answer=answer.text,
        refused=answer.refused,
        correct=(not answer.refused and answer_correct(answer.text, item))
        if item.answerable
        else None,
        rank=hit_rank(answer.passages[:k], item) if item.answerable else None,
        unsupported=unsupported,
        citations=len(answer.citations),
        good_citations=good,
        gold_doc_citations=good_doc,
        seconds=answer.seconds,
        first_token_seconds=answer.first_token_seconds,
        checks=[c.name for c in answer.checks],
        draft=answer.draft,
        standalone=answer.standalone_question,
        wrong_entities=wrong_entities_in(answer, asked),
        says_related=(answer.refused and contains_any(answer.text, item.related))
        if item.related
        else None,
    )


def aggregate(results: list[ItemResult], k: int) -> dict[str, float | int]:
    answerable = [r for r in results if r.correct is not None]
    unanswerable = [r for r in results if r.correct is None]
    answered = [r for r in results if not r.refused]
    cited = [r for r in answerable if not r.refused and r.citations]
    ttft = [r.first_token_seconds for r in results if r.first_token_seconds is not None]
    near = [r for r in results if r.says_related is not None]
    return {
        "n": len(results),
        f"hit@{k}": mean([1.0 if r.rank is not None else 0.0 for r in answerable]),
        "mrr": mean([1.0 / r.rank if r.rank else 0.0 for r in answerable]),
        "answer_accuracy": mean([1.0 if r.correct else 0.0 for r in answerable]),
        "refusal_accuracy": mean([1.0 if r.refused else 0.0 for r in unanswerable]),
        "false_refusal_rate": mean([1.0 if r.refused else 0.0 for r in answerable]),
        "unsupported_number_rate": mean([1.0 if r.unsupported else 0.0 for r in answered]),
        "wrong_entity_rate": mean([1.0 if r.wrong_entities else 0.0 for r in answered]),
        "near_miss_says_related": mean([1.0 if r.says_related else 0.0 for r in near]),
        "citation_precision": (
            sum(r.good_citations for r in cited) / sum(r.citations for r in cited)
            if cited
            else float("nan")
        ),
        "citation_precision_gold_doc": (
            sum(r.gold_doc_citations for r in cited) / sum(r.citations for r in cited)
            if cited
            else float("nan")
        ),
        "latency_p50": percentile([r.seconds for r in results], 50),
        "latency_p95": percentile([r.seconds for r in results], 95),
        "ttft_p50": percentile(ttft, 50) if ttft else float("nan"),
        "ttft_p95": percentile(ttft, 95) if ttft else float("nan"),
    }


def by_type(results: list[ItemResult], k: int) -> dict[str, dict[str, float | int]]:
    groups: dict[str, list[ItemResult]] = defaultdict(list)
    for r in results:
        groups[r.type].append(r)
    return {t: aggregate(rs, k) for t, rs in sorted(groups.items())}


def run_baseline(
    items: list[GoldItem], settings: Settings, backend: str, k: int
) -> list[ItemResult]:
    """The naive pipeline on the same items: no structure, no hybrid, no verification."""
    from qa.answer.extractive import extractive_answer
    from qa.answer.llm import make_chat_model
    from qa.evaluation.baseline import NaiveBaseline
    from qa.store.embed import make_embedder

    naive = NaiveBaseline(settings.seeds_dir, make_embedder(settings))
    model = make_chat_model(settings, backend) if backend != "extractive" else None
    results = []
    for item in items:
        t0 = time.perf_counter()
        # The naive pipeline has no conversation: it sees the last turn with the earlier
        # ones before it, as a plain chat UI would send them.
        question = " ".join([*item.turns, item.question])
        if model is not None:
            text, passages = naive.answer(question, model, k)
        else:
            passages = naive.retrieve(question, k)
            text = extractive_answer(question, passages)
        # No verification: every passage counts as cited, as a plain RAG UI would show them.
        answer = Answer(text=text, citations=passages, passages=passages, backend="baseline")
        answer.refused = "没有相关信息" in text
        answer.seconds = time.perf_counter() - t0
        results.append(score_item(item, answer, k))
    return results


def chart(summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = [
        "hit@5",
        "answer_accuracy",
        "refusal_accuracy",
        "false_refusal_rate",
        "unsupported_number_rate",
        "citation_precision",
    ]
    runs = {"ours": summary["overall"]}
    if "baseline" in summary:
        runs["baseline"] = summary["baseline"]["overall"]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(runs)
    for j, (name, agg) in enumerate(runs.items()):
        xs = [i + j * width for i in range(len(metrics))]
        ax.bar(xs, [float(agg.get(m, 0) or 0) for m in metrics], width, label=name)
    ax.set_xticks([i + width * (len(runs) - 1) / 2 for i in range(len(metrics))])
    ax.set_xticklabels(metrics, rotation=20, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"golden set, backend {summary['backend']}, n={summary['overall']['n']}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def ask_item(qa: ReportQA, item: GoldItem) -> Answer:
    """The item's question, after its earlier turns were asked and answered in the
    same conversation, as a user in the chat would have done."""
    history: list[tuple[str, str]] = []
    for turn in item.turns:
        history.append((turn, qa.ask(turn, history=list(history)).text))
    return qa.ask(item.question, history=history)


def evaluate(
    settings: Settings,
    golden: Path | Sequence[Path] | None = None,
    limit: int | None = None,
    baseline: bool = False,
    progress: bool = True,
    split: str | None = None,
) -> dict[str, Any]:
    from qa.answer.llm import resolve_backend
    from qa.api import ReportQA

    k = settings.k
    paths: list[Path | None] = (
        [golden] if golden is None or isinstance(golden, Path) else list(golden)
    )
    items = spread([i for path in paths for i in load_golden(path, split)], limit)
    qa = ReportQA(settings)
    backend = resolve_backend(settings)
    results: list[ItemResult] = []
    bar: Any = items
    if progress:
        from tqdm import tqdm

        bar = tqdm(items, desc="评估 eval", unit="题")
    for item in bar:
        results.append(score_item(item, ask_item(qa, item), k))
    summary: dict[str, Any] = {
        "backend": backend,
        "split": split or "all",
        "overall": aggregate(results, k),
        "by_type": by_type(results, k),
        "items": [asdict(r) for r in results],
    }
    if baseline:
        base = run_baseline(items, settings, backend, k)
        summary["baseline"] = {
            "overall": aggregate(base, k),
            "by_type": by_type(base, k),
            "items": [asdict(r) for r in base],
        }
    return summary


def main(args: argparse.Namespace, settings: Settings) -> int:
    summary = evaluate(
        settings,
        [Path(g) for g in args.golden] if args.golden else None,
        limit=args.limit,
        baseline=args.baseline,
        progress=settings.progress,
        split=args.split,
    )
    runs = [("ours", summary["overall"])]
    if "baseline" in summary:
        runs.append(("baseline", summary["baseline"]["overall"]))
    for name, agg in runs:
        print(f"[{name}] backend={summary['backend']}")
        for key, value in agg.items():
            print(
                f"  {key:24s} {value:.3f}" if isinstance(value, float) else f"  {key:24s} {value}"
            )
    print("by type (answer accuracy / hit@5 / false refusals; refusal accuracy):")
    for t, agg in summary["by_type"].items():
        print(
            f"  {t:18s} n={agg['n']:3d}  acc {agg['answer_accuracy']:.2f}  "
            f"hit {agg['hit@5']:.2f}  false-ref {agg['false_refusal_rate']:.2f}  "
            f"refusal {agg['refusal_accuracy']:.2f}"
        )
    if args.json_out:
        out = Path(args.json_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
        chart(summary, Path(args.chart) if args.chart else out.with_suffix(".png"))
        print(f"wrote {out} and {Path(args.chart) if args.chart else out.with_suffix('.png')}")
    return 0
