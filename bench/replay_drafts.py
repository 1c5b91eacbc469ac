"""Replay the model drafts an eval recorded through the current chain, without the model.

    qa eval --backend local --json out/local.json          # ~15 min: records each draft
    python bench/replay_drafts.py out/local.json out/replay.json [--index-dir DIR]

Every golden item is asked again; where the model would be called, a fake chat model
streams the draft the eval recorded for that question. Retrieval, gates, verification,
the extractive backstop and scoring are the real ones, so a change to any of them is
measured on the 1.5B model's own drafts in under a minute. The drafts hold only while
what the model is shown (retrieval, focusing, the prompt) is unchanged; latency figures
of a replay mean nothing. Prints the overall metrics of the recording and of the replay.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel  # noqa: E402
from langchain_core.messages import AIMessage  # noqa: E402

from qa.api import ReportQA  # noqa: E402
from qa.evaluation.evaluate import aggregate, by_type, load_golden, score_item  # noqa: E402
from qa.settings import Settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recorded", help="eval JSON written by `qa eval --json` (local backend)")
    parser.add_argument("out", nargs="?", help="write the replay's eval JSON here")
    parser.add_argument("--golden", help="golden file (default: the packaged one)")
    parser.add_argument("--index-dir", help="index to retrieve from (default: QA_INDEX_DIR)")
    args = parser.parse_args()
    recorded = json.loads(Path(args.recorded).read_text(encoding="utf-8"))
    drafts = {r["question"]: r.get("draft", "") for r in recorded["items"]}
    settings = Settings.load(index_dir=args.index_dir, backend="local", progress=False)
    qa = ReportQA(settings)
    asking = {"question": ""}

    def chat_model(backend: str) -> Any:
        draft = drafts.get(asking["question"])
        if draft is None:
            raise SystemExit(f"no recorded draft for: {asking['question']}")
        return GenericFakeChatModel(messages=iter([AIMessage(content=draft)]))

    qa.chat_model = chat_model  # type: ignore[method-assign]
    results = []
    for item in load_golden(Path(args.golden) if args.golden else None):
        asking["question"] = item.question
        results.append(score_item(item, qa.ask(item.question), settings.k))
    replay = {
        "backend": "replay",
        "overall": aggregate(results, settings.k),
        "by_type": by_type(results, settings.k),
        "items": [asdict(r) for r in results],
    }
    print(f"{'metric':28s} {'recorded':>9s} {'replay':>9s}")
    # Timings of a replay mean nothing (the model is not run); every other figure is shown.
    for key in [k for k in replay["overall"] if not k.startswith(("latency", "ttft"))]:
        print(f"{key:28s} {recorded['overall'][key]:9.3f} {replay['overall'][key]:9.3f}")
    if args.out:
        Path(args.out).write_text(json.dumps(replay, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
