"""Similarity in meaning of passage sentences to a question."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from qa.answer.evidence import Similarity, calibrated, key, sentence_keys, similarity
from qa.schema import Passage


def _p(text: str) -> Passage:
    return Passage(doc="d.txt", title="t", year=2022, section="", text=text, score=1.0)


class _Axes(Embeddings):
    """Meaning by hand: each text is a unit vector on the axis of the topic it names."""

    TOPICS = ("低保", "体育", "机场")

    def _v(self, text: str) -> list[float]:
        return [1.0 if t in text else 0.0 for t in self.TOPICS] + [0.1]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._v(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._v(text)


def test_calibration() -> None:
    assert calibrated(0.80) == 0.0
    assert abs(calibrated(0.85) - 0.5) < 1e-9
    assert calibrated(0.95) == 1.0
    assert calibrated(0.3) == 0.0


def test_every_distinct_sentence_is_scored_once() -> None:
    passages = [
        _p("城市低保标准提高到717元。人均体育场地面积2.1平方米。"),
        _p("城市低保标准提高到717元。"),
    ]
    assert sentence_keys(passages) == ["城市低保标准提高到717元。", "人均体育场地面积2.1平方米。"]
    sim = similarity("最困难的家庭能领多少低保？", passages, _Axes())
    assert sim.of("城市低保标准提高到717元。") > 0.9
    assert sim.of("人均体育场地面积2.1平方米。") == 0.0
    assert sim.best == sim.of("城市低保标准提高到717元。")


def test_without_an_embedder_nothing_is_known() -> None:
    sim = similarity("q", [_p("甲。")], None)
    assert sim.best == 0.0 and sim.of("甲。") == 0.0


def test_lookup_ignores_surrounding_space() -> None:
    assert Similarity({key(" 甲。 "): 0.7}).of("甲。") == 0.7


def test_a_cross_encoder_when_set_judges_instead_of_the_embedder() -> None:
    class Scores:
        def scores(self, question: str, sentences: list[str]) -> list[float]:
            return [0.9 if "717" in s else 0.1 for s in sentences]

    passages = [_p("城市低保标准提高到717元。人均体育场地面积2.1平方米。")]
    sim = similarity("低保多少钱？", passages, _Axes(), Scores())  # type: ignore[arg-type]
    assert sim.of("城市低保标准提高到717元。") == 0.9
    assert sim.of("人均体育场地面积2.1平方米。") == 0.1


def test_every_sentence_is_scored_when_no_limit_is_set() -> None:
    passages = [_p(f"低保第{i}句。") for i in range(50)]
    assert len(sentence_keys(passages)) == 40
    assert len(sentence_keys(passages, None)) == 50
    sim = similarity("低保", passages, _Axes(), limit=None)
    assert len(sim.scores) == 50 and all(v > 0.0 for v in sim.scores.values())
