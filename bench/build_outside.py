"""Build an *outside* evaluation set: documents and questions the product was never tuned on.

    python bench/build_outside.py --source SRC --out DIR [--articles 100] [--unanswerable 15] [--force]

Data: the CMRC 2018 dev set (The Second Evaluation Workshop on Chinese Machine
Reading Comprehension; Cui et al., EMNLP-IJCNLP 2019, https://github.com/ymcui/cmrc2018),
SQuAD-format file ``squad-style-data/cmrc2018_dev.json``: simplified-Chinese Wikipedia
paragraphs with crowd-written questions and answer spans. Licence: Creative Commons
Attribution-ShareAlike 4.0 International (CC BY-SA 4.0, the repository's LICENCE file);
the Wikipedia text itself is CC BY-SA as well. Anything built from it keeps that
licence and needs attribution.

``SRC`` is the dev JSON itself, a checkout of the repository, or the bare git directory
the project's fetch tool returns (read with ``git --git-dir=SRC show HEAD:<path>``).

NEVER COMMIT the fetched data or the built folder: keep ``DIR`` outside the repository
(e.g. /work/outside). Both are third-party CC BY-SA data, not part of this project.

What it writes, deterministically (articles sorted by the dataset's ids, picked evenly
spaced, no randomness):

* ``DIR/seeds/NNN_<slug>.txt`` -- one file per chosen article: its title on the first
  line, then its text (paragraphs sharing a title are joined). No ``catalog.json``: these
  documents are uncatalogued on purpose, so ingest must infer title and years itself.
* ``DIR/outside.jsonl`` -- items in the format of ``qa/data/golden.jsonl`` plus ``split``:
  - type ``outside``: for each chosen article its first question whose gold answer
    (the first annotator's text, ``MIN_ANSWER``..``MAX_ANSWER`` characters) occurs verbatim
    in the article; ``must_include`` = [that text], ``evidence`` = the context sentence
    holding it, ``doc`` = the file name;
  - type ``unanswerable``: questions of articles left out of the corpus none of whose
    answer strings (nor the article title) occur anywhere in the corpus text (compared
    NFKC, without whitespace); ``must_include`` [] and ``doc`` null.
  Items are numbered o001.. in that order; odd numbers are ``"split": "dev"``, even
  ``"split": "test"``.
* ``DIR/README.txt`` -- where the data came from and its licence.

Then score it, e.g.::

    QA_SEEDS_DIR=DIR/seeds qa --index-dir /tmp/ix_outside eval --golden DIR/outside.jsonl \
        --backend extractive --json /tmp/outside_extractive.json
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEV_PATH = "squad-style-data/cmrc2018_dev.json"
SOURCE_NAME = "CMRC 2018 dev set (https://github.com/ymcui/cmrc2018, " + DEV_PATH + ")"
LICENCE = "CC BY-SA 4.0 (Creative Commons Attribution-ShareAlike 4.0 International)"
# A one-character answer ("是", "3") matches almost any reply; a very long one is a
# sentence that no short answer quotes whole.
MIN_ANSWER = 2
MAX_ANSWER = 40
REFUSAL = "文档中没有提供这一信息，无法回答。"
_SENTENCE_END = "。！？!?；;\n"


# --- pure selection logic -------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]  # every annotator's text, first = gold
    start: int  # offset of the gold answer in the article text, -1 if unknown


@dataclass
class Article:
    id: str  # the smallest dataset id among its records
    title: str
    text: str
    questions: list[Question] = field(default_factory=list)


def natural_key(s: str) -> tuple[Any, ...]:
    """Sort key reading digit runs as numbers. Example: ``DEV_2`` < ``DEV_10``."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s))


def flat(text: str) -> str:
    """NFKC, lower case, no whitespace: how "occurs in the corpus" is decided."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def articles_from_squad(data: dict[str, Any]) -> list[Article]:
    """The dataset's articles sorted by id; records sharing a non-empty title are joined
    (paragraphs separated by a newline) and answer offsets are shifted to match. Records
    without a title are dropped: a document's first line is its title."""
    records = sorted(data["data"], key=lambda r: natural_key(str(r.get("id", ""))))
    by_title: dict[str, Article] = {}
    for rec in records:
        title = str(rec.get("title") or "").strip()
        if not title:
            continue
        art = by_title.get(title)
        if art is None:
            art = by_title[title] = Article(id=str(rec.get("id", "")), title=title, text="")
        paragraphs = sorted(
            rec.get("paragraphs", []), key=lambda p: natural_key(str(p.get("id", "")))
        )
        for para in paragraphs:
            context = str(para.get("context", ""))
            base = len(art.text) + (1 if art.text else 0)
            art.text = f"{art.text}\n{context}" if art.text else context
            qas = sorted(para.get("qas", []), key=lambda q: natural_key(str(q.get("id", ""))))
            for qa in qas:
                answers = tuple(str(a.get("text", "")).strip() for a in qa.get("answers", []))
                answers = tuple(a for a in answers if a)
                if not answers:
                    continue
                raw = qa["answers"][0]
                start = int(raw.get("answer_start", -1))
                text = str(raw.get("text", ""))
                # Trust the offset only if it points at the text (a few CMRC offsets are off).
                if start < 0 or context[start : start + len(text)] != text:
                    start = context.find(answers[0])
                else:
                    start += len(text) - len(text.lstrip())
                art.questions.append(
                    Question(
                        id=str(qa.get("id", "")),
                        question=str(qa.get("question", "")).strip(),
                        answers=answers,
                        start=base + start if start >= 0 else -1,
                    )
                )
    return sorted(by_title.values(), key=lambda a: natural_key(a.id))


def usable_question(article: Article) -> Question | None:
    """The article's first question whose gold answer occurs verbatim in its text."""
    for q in article.questions:
        gold = q.answers[0]
        if q.question and MIN_ANSWER <= len(gold) <= MAX_ANSWER and gold in article.text:
            return q
    return None


def evenly_spaced(items: Sequence[Any], n: int) -> list[Any]:
    """``n`` items evenly spaced over ``items`` (all of them if fewer).

    Example: ``evenly_spaced("abcdef", 3)`` -> ``["a", "c", "e"]``.
    """
    if n <= 0:
        return []
    if n >= len(items):
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


def evidence_sentence(text: str, answer: str, start: int) -> str:
    """The sentence of ``text`` holding ``answer`` (at ``start`` when that points at it),
    widened when the answer runs across a sentence end."""
    if start < 0 or text[start : start + len(answer)] != answer:
        start = text.find(answer)
    if start < 0:
        return ""
    end = start + len(answer)
    left = max((text.rfind(c, 0, start) for c in _SENTENCE_END), default=-1) + 1
    ends = [i for i in (text.find(c, max(end - 1, start)) for c in _SENTENCE_END) if i >= 0]
    right = min(ends) + 1 if ends else len(text)
    return text[left:right].strip()


def slug(title: str, limit: int = 24) -> str:
    """A file-name-safe form of the title (letters, digits and CJK kept).

    Example: ``slug("2009年马其顿总统选举")`` -> ``"2009年马其顿总统选举"``;
    ``slug("A/B: c")`` -> ``"A-B-c"``.
    """
    s = re.sub(r"[^\w]+", "-", unicodedata.normalize("NFKC", title)).strip("-_")
    return s[:limit].strip("-_") or "article"


def select(
    data: dict[str, Any], n_articles: int = 100, n_unanswerable: int = 15
) -> tuple[list[tuple[str, Article]], list[dict[str, Any]]]:
    """Choose the corpus and the items. Returns ``[(file name, article)]`` and the items."""
    articles = articles_from_squad(data)
    eligible = [(a, q) for a in articles if (q := usable_question(a)) is not None]
    chosen = evenly_spaced(eligible, n_articles)
    docs: list[tuple[str, Article]] = []
    items: list[dict[str, Any]] = []
    for i, (art, q) in enumerate(chosen):
        name = f"{i:03d}_{slug(art.title)}.txt"
        docs.append((name, art))
        gold = q.answers[0]
        items.append(
            {
                "question": q.question,
                "answer": gold,
                "must_include": [gold],
                "doc": name,
                "evidence": evidence_sentence(art.text, gold, q.start),
                "type": "outside",
                "year": None,
                "kind": None,
                "source_id": q.id,
            }
        )

    corpus = flat("\n".join(f"{a.title}\n{a.text}" for _, a in docs))
    in_corpus = {a.id for _, a in docs}
    candidates: list[Question] = []
    for art in articles:
        if art.id in in_corpus or flat(art.title) in corpus:
            continue
        for q in art.questions:
            if q.question and all(flat(a) not in corpus for a in q.answers):
                candidates.append(q)
                break
    for q in evenly_spaced(candidates, n_unanswerable):
        items.append(
            {
                "question": q.question,
                "answer": REFUSAL,
                "must_include": [],
                "doc": None,
                "evidence": "",
                "type": "unanswerable",
                "year": None,
                "kind": None,
                "source_id": q.id,
            }
        )

    numbered = []
    for n, it in enumerate(items, 1):
        numbered.append({"id": f"o{n:03d}", **it, "split": "dev" if n % 2 else "test"})
    return docs, numbered


def document_text(article: Article) -> str:
    return f"{article.title}\n{article.text.strip()}\n"


# --- reading and writing ---------------------------------------------------------------


def load_source(source: Path) -> dict[str, Any]:
    """The dev set from a JSON file, a checkout, or a bare git directory."""
    if source.is_file():
        return dict(json.loads(source.read_text(encoding="utf-8-sig")))
    for base in (source, source / "repo"):
        if (base / DEV_PATH).is_file():
            return load_source(base / DEV_PATH)
        if (base / "HEAD").is_file() and (base / "objects").is_dir():
            raw = subprocess.run(
                ["git", f"--git-dir={base}", "show", f"HEAD:{DEV_PATH}"],
                check=True,
                capture_output=True,
            ).stdout
            return dict(json.loads(raw.decode("utf-8-sig")))
    raise SystemExit(
        f"{source}: neither a dev JSON, a checkout, nor a git directory holding {DEV_PATH}"
    )


def write(
    out: Path, docs: Iterable[tuple[str, Article]], items: list[dict[str, Any]], force: bool
) -> None:
    seeds = out / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    docs = list(docs)
    names = {name for name, _ in docs}
    stale = sorted(p for p in seeds.iterdir() if p.name not in names)
    if stale and not force:
        raise SystemExit(
            f"{seeds} holds {len(stale)} file(s) this build does not write (e.g. {stale[0].name}); "
            "they would be ingested too. Use another --out or --force to delete them."
        )
    for p in stale:
        if p.is_file():
            p.unlink()
    for name, art in docs:
        (seeds / name).write_text(document_text(art), encoding="utf-8")
    with (out / "outside.jsonl").open("w", encoding="utf-8") as fh:
        for it in items:
            fh.write(json.dumps(it, ensure_ascii=False) + "\n")
    (out / "README.txt").write_text(
        f"Built by bench/build_outside.py from {SOURCE_NAME}.\n"
        f"Licence: {LICENCE}; text from Chinese Wikipedia (CC BY-SA).\n"
        "Cui et al., A Span-Extraction Dataset for Chinese Machine Reading Comprehension, "
        "EMNLP-IJCNLP 2019.\nDo not commit this folder.\n",
        encoding="utf-8",
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", required=True, type=Path, help="dev JSON, checkout or bare git dir")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--articles", type=int, default=100)
    ap.add_argument("--unanswerable", type=int, default=15)
    ap.add_argument("--force", action="store_true", help="delete other files in OUT/seeds")
    args = ap.parse_args(argv)

    data = load_source(args.source)
    docs, items = select(data, args.articles, args.unanswerable)
    write(args.out, docs, items, args.force)
    types = {t: sum(1 for it in items if it["type"] == t) for t in ("outside", "unanswerable")}
    splits = {s: sum(1 for it in items if it["split"] == s) for s in ("dev", "test")}
    print(f"source: {SOURCE_NAME}; licence {LICENCE}")
    print(
        f"documents {len(docs)} -> {args.out / 'seeds'}; items {len(items)} "
        f"(outside {types['outside']}, unanswerable {types['unanswerable']}; "
        f"dev {splits['dev']}, test {splits['test']}) -> {args.out / 'outside.jsonl'}"
    )
    if len(docs) < args.articles or types["unanswerable"] < args.unanswerable:
        print("warning: fewer articles or unanswerable questions than asked for", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
