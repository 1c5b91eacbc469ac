"""The optional cross-encoder: a real (tiny, untrained) one loaded from disk, and the
offline failures: an uncached hub name, junk folders, a plain encoder."""

from __future__ import annotations

import math
import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from qa.answer.rerank import BATCH_SIZE, Reranker, RerankerUnavailable, load_reranker

QUESTION = "城市低保标准每月多少钱"
SENTENCES = ["城市低保标准提高到717元。", "人均体育场地面积2.1平方米。", "新建机场1个。"]


def _vocab() -> list[str]:
    cjk = [chr(c) for c in range(0x4E00, 0x4E00 + 300)]
    extra = list("0123456789城市低保标准每月多少钱提高到元人均体育场地面积平方米新建机场个。，？")
    return ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *dict.fromkeys(cjk + extra)]


def build_tiny(folder: Path, num_labels: int | None = 1) -> Path:
    """A real BERT cross-encoder folder, as ``save_pretrained`` writes one; ``None``
    labels saves a plain encoder (no classification head), like an embedder's folder."""
    import torch
    from transformers import (
        BertConfig,
        BertForSequenceClassification,
        BertModel,
        BertTokenizerFast,
    )

    folder.mkdir(parents=True, exist_ok=True)
    vocab = _vocab()
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), model_max_length=128)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=num_labels or 1,
    )
    torch.manual_seed(0)
    model: Any = BertModel(config) if num_labels is None else BertForSequenceClassification(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny(tmp_path_factory.mktemp("tiny-ce"))


@pytest.fixture(scope="module")
def reranker(tiny: Path) -> Reranker:
    loaded = load_reranker(str(tiny))
    assert loaded is not None
    return loaded


def test_empty_name_means_no_reranker() -> None:
    assert load_reranker("") is None
    assert load_reranker("   ") is None


def test_a_real_tiny_cross_encoder_loads_from_its_folder(reranker: Reranker) -> None:
    scores = reranker.scores(QUESTION, SENTENCES)
    assert len(scores) == 3
    assert all(isinstance(s, float) and 0.0 <= s <= 1.0 for s in scores)
    assert reranker.scores(QUESTION, SENTENCES) == scores  # deterministic (eval mode)
    assert reranker.scores(QUESTION, []) == []


def test_scores_keep_the_sentences_order_across_batches(reranker: Reranker) -> None:
    # More than one batch, of mixed lengths (predict sorts by length internally),
    # plus one sentence longer than the tiny model's 128 positions.
    sentences = [SENTENCES[i % 3] * (1 + i % 4) for i in range(BATCH_SIZE + 4)]
    sentences.append("城市低保标准" * 60)
    scores = reranker.scores(QUESTION, sentences)
    assert len(scores) == len(sentences)
    assert all(0.0 <= s <= 1.0 for s in scores)
    one_by_one = [reranker.scores(QUESTION, [s])[0] for s in sentences[:5]]
    assert all(math.isclose(a, b, abs_tol=1e-5) for a, b in zip(one_by_one, scores, strict=False))
    reversed_scores = reranker.scores(QUESTION, sentences[::-1])
    assert all(
        math.isclose(a, b, abs_tol=1e-5) for a, b in zip(reversed_scores[::-1], scores, strict=True)
    )


def test_a_two_label_classifier_scores_its_second_label(tmp_path: Path) -> None:
    loaded = load_reranker(str(build_tiny(tmp_path / "two", num_labels=2)))
    assert loaded is not None and loaded.num_labels == 2
    scores = loaded.scores(QUESTION, SENTENCES)
    assert len(scores) == 3 and all(0.0 <= s <= 1.0 for s in scores)


def test_an_uncached_hub_name_fails_fast_without_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from huggingface_hub import constants, try_to_load_from_cache

    name = "BAAI/bge-reranker-base"
    if isinstance(try_to_load_from_cache(name, "config.json"), str):
        pytest.skip(f"{name} is in this machine's Hugging Face cache")
    lookups: list[object] = []

    def no_network(host: object, *args: object, **kwargs: object) -> Any:
        lookups.append(host)
        raise OSError("the test forbids network access")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    offline_before = (constants.HF_HUB_OFFLINE, os.environ.get("HF_HUB_OFFLINE"))
    start = time.monotonic()
    with pytest.raises(RerankerUnavailable) as caught:
        load_reranker(name)
    assert time.monotonic() - start < 30
    message = str(caught.value)
    assert "QA_RERANKER" in message and name in message
    assert "缓存" in message and "cache" in message
    assert message.index("请") < message.index("Download")  # Chinese first, then English
    assert lookups == []  # not even a DNS lookup for huggingface.co
    # The offline switch was for the load only.
    assert (constants.HF_HUB_OFFLINE, os.environ.get("HF_HUB_OFFLINE")) == offline_before


@pytest.mark.parametrize("junk", ["empty", "text", "bad_config", "bad_weights"])
def test_a_folder_of_junk_is_not_a_cross_encoder(tmp_path: Path, junk: str) -> None:
    folder = tmp_path / "junk"
    folder.mkdir()
    if junk == "text":
        (folder / "README.md").write_text("这不是模型\n", encoding="utf-8")
    elif junk == "bad_config":
        (folder / "config.json").write_text("{not json", encoding="utf-8")
    elif junk == "bad_weights":
        build_tiny(folder)
        (folder / "model.safetensors").write_bytes(b"\x00garbage" * 10)
    with pytest.raises(RerankerUnavailable) as caught:
        load_reranker(str(folder))
    message = str(caught.value)
    assert "QA_RERANKER" in message and "不是可加载的 cross-encoder" in message
    assert "not a loadable cross-encoder" in message


def test_a_plain_encoder_without_a_trained_head_is_refused(tmp_path: Path) -> None:
    # CrossEncoder would load it with a random classifier and score at random.
    folder = build_tiny(tmp_path / "encoder", num_labels=None)
    with pytest.raises(RerankerUnavailable, match="QA_RERANKER"):
        load_reranker(str(folder))


def test_a_classifier_with_other_labels_is_refused(tmp_path: Path) -> None:
    folder = build_tiny(tmp_path / "nli", num_labels=3)  # e.g. an NLI model
    with pytest.raises(RerankerUnavailable, match="QA_RERANKER"):
        load_reranker(str(folder))


def test_a_missing_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(RerankerUnavailable, match="不是一个存在的模型文件夹") as caught:
        load_reranker(str(tmp_path / "nowhere"))
    assert "QA_RERANKER" in str(caught.value)


def test_importing_qa_does_not_import_sentence_transformers() -> None:
    import subprocess
    import sys

    code = "import sys, qa, qa.answer.rerank; print('sentence_transformers' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "False"
