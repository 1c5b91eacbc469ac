"""Check the held-out evaluation sets in qa/data: paraphrase, near-miss and dialogue items.

    .venv/bin/python scripts/check_heldout.py            # seeds from ./seeds
    .venv/bin/python scripts/check_heldout.py --seeds DIR

Verifies, for paraphrase.jsonl, nearmiss.jsonl and dialogue.jsonl:

* every line is a JSON object with the common fields (id, question, answer, must_include,
  doc, evidence, type, year, kind, split) and the extra fields of its type
  (``related`` for near misses; ``turns`` and ``standalone`` for dialogues);
* ids are unique over the three files, carry the file's prefix (p/n/d) and run 1..N in
  file order; odd numbers are ``split: "dev"``, even numbers ``split: "test"``;
* every ``must_include`` string (and every near-miss ``related`` string) occurs in the
  named seed, compared in simplified normal form (``qa.evaluation.scoring.contains_all``),
  and so does the evidence, which in turn holds those strings;
* near misses have an empty ``must_include``; dialogues have one or two earlier turns.

Exit status 0 when everything holds, 1 otherwise (each problem is printed).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa.evaluation.scoring import contains_all  # noqa: E402
from qa.text.script import normal_form  # noqa: E402

DATA = ROOT / "qa" / "data"
# file stem -> (id prefix, item type, minimum number of items)
SETS = {
    "paraphrase": ("p", "paraphrase", 60),
    "nearmiss": ("n", "near_miss", 30),
    "dialogue": ("d", "dialogue", 30),
}
COMMON = ("id", "question", "answer", "must_include", "doc", "evidence", "type", "year", "kind")
EXTRA = {"near_miss": ("related",), "dialogue": ("turns", "standalone")}
KINDS = {"result", "target"}


def load(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    items, problems = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name}:{n}: not JSON ({exc})")
            continue
        if not isinstance(item, dict):
            problems.append(f"{path.name}:{n}: not a JSON object")
            continue
        items.append(item)
    return items, problems


def strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(s, str) and s.strip() for s in value)


def check_item(
    item: dict[str, Any],
    position: int,
    prefix: str,
    type_: str,
    seed: Callable[[str], str | None],
) -> list[str]:
    where = f"{item.get('id', '?')}"
    problems = []
    fields = COMMON + EXTRA.get(type_, ()) + ("split",)
    missing = [f for f in fields if f not in item]
    if missing:
        return [f"{where}: missing fields {missing}"]
    if item["type"] != type_:
        problems.append(f"{where}: type {item['type']!r}, expected {type_!r}")
    if item["id"] != f"{prefix}{position:03d}":
        problems.append(f"{where}: expected id {prefix}{position:03d} at line {position}")
    expected_split = "dev" if position % 2 else "test"
    if item["split"] != expected_split:
        problems.append(f"{where}: split {item['split']!r}, expected {expected_split!r}")
    for f in ("question", "answer", "evidence", "doc"):
        if not isinstance(item[f], str) or not item[f].strip():
            problems.append(f"{where}: empty or non-string {f}")
    year = item["year"]
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        problems.append(f"{where}: bad year {year!r}")
    if item["kind"] not in KINDS:
        problems.append(f"{where}: kind {item['kind']!r} not in {sorted(KINDS)}")
    if not strings(item["must_include"]):
        problems.append(f"{where}: must_include is not a list of strings")
        return problems
    text = seed(item["doc"])
    if text is None:
        return [*problems, f"{where}: no seed named {item['doc']!r}"]

    if type_ == "near_miss":
        keys = item["related"]
        if item["must_include"]:
            problems.append(f"{where}: near miss with non-empty must_include")
        if not strings(keys) or not keys:
            problems.append(f"{where}: related must be a non-empty list of strings")
            return problems
    else:
        keys = item["must_include"]
        if not keys:
            problems.append(f"{where}: answerable item with empty must_include")
    for key in keys:
        if not contains_all(text, [key]):
            problems.append(f"{where}: {key!r} not in {item['doc']}")
        elif not contains_all(item["evidence"], [key]):
            problems.append(f"{where}: {key!r} not in its evidence")
    if item["evidence"].strip() and not contains_all(text, [item["evidence"]]):
        problems.append(f"{where}: evidence not in {item['doc']}: {item['evidence']!r}")

    asked = item["standalone"] if type_ == "dialogue" else item["question"]
    if isinstance(asked, str) and str(year) not in asked:
        problems.append(f"{where}: year {year} not named in {asked!r}")
    if type_ == "dialogue":
        turns = item["turns"]
        if not strings(turns) or not 1 <= len(turns) <= 2:
            problems.append(f"{where}: turns must be a list of 1 or 2 earlier questions")
        if not isinstance(item["standalone"], str) or not item["standalone"].strip():
            problems.append(f"{where}: empty standalone question")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="seed reports")
    parser.add_argument("--data", type=Path, default=DATA, help="directory of the .jsonl sets")
    args = parser.parse_args(argv)

    @cache
    def seed(name: str) -> str | None:
        path = args.seeds / name
        if not re.fullmatch(r"[\w.-]+\.txt", name) or not path.is_file():
            return None
        return normal_form(path.read_text(encoding="utf-8"))

    problems: list[str] = []
    seen: Counter[str] = Counter()
    for stem, (prefix, type_, minimum) in SETS.items():
        path = args.data / f"{stem}.jsonl"
        if not path.is_file():
            problems.append(f"missing {path}")
            continue
        items, bad = load(path)
        problems += bad
        for position, item in enumerate(items, 1):
            problems += check_item(item, position, prefix, type_, seed)
            seen[str(item.get("id"))] += 1
        questions = Counter(str(it.get("question")) for it in items if type_ != "dialogue")
        problems += [f"{stem}: question twice: {q}" for q, n in questions.items() if n > 1]
        if len(items) < minimum:
            problems.append(f"{stem}: {len(items)} items, at least {minimum} wanted")
        splits = Counter(str(it.get("split")) for it in items)
        print(f"{stem}: {len(items)} items (dev {splits['dev']}, test {splits['test']})")
    problems += [f"id {i!r} used {n} times" for i, n in seen.items() if n > 1]

    for problem in problems:
        print("  " + problem)
    print("ok" if not problems else f"{len(problems)} problem(s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
