"""Optional cross-encoder: how well each sentence answers the question, judged jointly.

Whether a passage sentence answers a question can be judged three ways:

(a) the embedder's similarity (``qa.answer.evidence``, the default): question and
    sentence are embedded apart and compared by cosine; cheap, and the embedder is
    already loaded for retrieval;
(b) the chat model as a judge (``qa.answer.judge``): the most understanding, but a
    model call per question;
(c) a cross-encoder (this module): question and sentence are read together by one
    small transformer that outputs a relevance score, which tells "mentions the same
    words" from "answers it" better than (a) at a fraction of the cost of (b).

(c) is off by default because no cross-encoder weights ship with the offline install.
A user with Hugging Face hub access would set ``QA_RERANKER`` to a Chinese
cross-encoder such as ``BAAI/bge-reranker-base`` or ``BAAI/bge-reranker-v2-m3`` (or
to the folder it was downloaded to). Loading never goes online: a hub name that is not
already in the local cache fails at once with ``RerankerUnavailable``, whose message
says how to provide the model.

``sentence_transformers`` (and with it torch) is imported only by ``load_reranker``,
so ``import qa`` stays fast.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder

BATCH_SIZE = 16
# The opening of a long sentence is enough to judge it, and keeps every pair well
# inside a reranker's 512-token window.
MAX_CHARS = 300

_OFFLINE_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


class RerankerUnavailable(RuntimeError):
    """The configured cross-encoder cannot be loaded (missing, not cached, or not one)."""


def _sigmoid(x: float) -> float:
    # Split by sign so a large |x| neither overflows exp nor loses the result.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _raw(scores: object) -> object:
    """Identity activation: ``predict`` hands back the model's raw logits."""
    return scores


class Reranker:
    """A loaded cross-encoder that scores (question, sentence) pairs in 0..1, on CPU.

    How raw outputs become 0..1: ``predict`` is always asked for the raw logits
    (identity activation), whatever activation the model folder saved, so a score is
    never squashed twice or not at all. Then, by the classifier's label count:

    * 1 label (every reranker: bge-reranker-*, ms-marco-*): the single output is a
      relevance logit, trained with a sigmoid/BCE loss, so its sigmoid is the score;
    * 2 labels (a not-relevant / relevant classifier): softmax, and the probability
      of label 1 is the score.

    ``load_reranker`` refuses any other label count.
    """

    def __init__(self, model: CrossEncoder, name: str = "") -> None:
        self.model = model
        self.name = name
        self.num_labels = int(model.num_labels)
        if self.num_labels not in (1, 2):
            raise ValueError(f"a reranker has 1 or 2 labels, not {self.num_labels}")

    def scores(self, question: str, sentences: Sequence[str]) -> list[float]:
        """One score in 0..1 per sentence, in order; ``[]`` for no sentences.

        Example: ``scores("城市低保标准是多少", ["城市低保标准提高到717元。", "新建机场1个。"])``
        -> two floats, the first near 1 with a trained reranker (values illustrative)."""
        if not sentences:
            return []
        pairs = [(question.strip(), s.strip()[:MAX_CHARS]) for s in sentences]
        raw = self.model.predict(
            pairs,
            batch_size=BATCH_SIZE,
            show_progress_bar=False,
            activation_fn=_raw,
            convert_to_numpy=True,
            device="cpu",
        )
        rows = raw.tolist()
        if self.num_labels == 1:
            return [_sigmoid(float(x)) for x in rows]
        out: list[float] = []
        for no, yes in rows:
            # softmax over two logits, second class: sigmoid of their difference.
            out.append(_sigmoid(float(yes) - float(no)))
        return out


@contextmanager
def _offline() -> Iterator[None]:
    """``HF_HUB_OFFLINE=1`` for the duration of a load, restored afterwards.

    The variable alone is not enough once ``huggingface_hub`` is imported: it is read
    into ``constants.HF_HUB_OFFLINE`` at import, and that constant is what the hub
    client consults at call time (even with ``local_files_only=True`` it otherwise
    makes a request of its own to huggingface.co, to build its user-agent). So both
    are set, and both restored, leaving the rest of the process as it was.
    """
    from huggingface_hub import constants

    saved_env = {var: os.environ.get(var) for var in _OFFLINE_VARS}
    saved_flag = constants.HF_HUB_OFFLINE
    for var in _OFFLINE_VARS:
        os.environ[var] = "1"
    constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = saved_flag
        for var, value in saved_env.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def _looks_like_path(name: str) -> bool:
    """A hub name is ``org/model`` or ``model``; anything else was meant as a folder."""
    return name.startswith(("/", ".", "~")) or "\\" in name or name.count("/") > 1


def _remedy(name: str) -> tuple[str, str]:
    if _looks_like_path(name) or Path(name).expanduser().exists():
        name = "BAAI/bge-reranker-base"  # the example to download in place of a bad folder
    zh = (
        f"请在能访问 Hugging Face 的机器上下载该模型（例如 `hf download {name} --local-dir <文件夹>`），"
        "把文件夹拷到本机并将 QA_RERANKER 设为该文件夹的路径；"
        "或将 QA_RERANKER 留空，改用嵌入模型的相似度。"
    )
    en = (
        f"Download it on a machine with hub access (e.g. `hf download {name} --local-dir <folder>`),"
        " copy the folder here and set QA_RERANKER to its path;"
        " or leave QA_RERANKER empty to use the embedder's similarity."
    )
    return zh, en


def _in_cache(name: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except Exception:  # not a valid repo id, unreadable cache: not there either way
        return False


def _unavailable(name: str, local: Path, reason: str) -> RerankerUnavailable:
    zh_fix, en_fix = _remedy(name)
    if local.is_dir():
        zh = f"重排序模型（cross-encoder）{name!r} 所在的文件夹不是可加载的 cross-encoder（{reason}）。"
        en = f"The reranker folder {name!r} is not a loadable cross-encoder ({reason})."
    elif local.exists() or _looks_like_path(name):
        zh = f"重排序模型（cross-encoder）{name!r} 不是一个存在的模型文件夹。"
        en = f"The reranker {name!r} is not an existing model folder."
    elif _in_cache(name):
        zh = f"本机 Hugging Face 缓存中的重排序模型（cross-encoder）{name!r} 无法加载（{reason}）。"
        en = f"The reranker {name!r} is in the local Hugging Face cache but cannot be loaded ({reason})."
    else:
        zh = (
            f"无法加载重排序模型（cross-encoder）{name!r}：它不是本地文件夹，"
            "也不在本机的 Hugging Face 缓存中，而加载时不会联网下载。"
        )
        en = (
            f"Cannot load the reranker (cross-encoder) {name!r}: it is not a local folder"
            " and not in this machine's Hugging Face cache, and loading never goes online."
        )
    return RerankerUnavailable(f"{zh}{zh_fix}\n{en} {en_fix}")


def _has_scoring_head(model: CrossEncoder) -> bool:
    """False for a plain encoder (an embedder's folder, say): CrossEncoder would load
    it with a freshly initialised, untrained classifier and score at random."""
    from sentence_transformers.cross_encoder.modules.logit_score import LogitScore

    if any(isinstance(module, LogitScore) for module in model.modules()):
        return True  # an LLM reranker scoring by its next-token logits
    hf_model = model.model
    architectures = getattr(getattr(hf_model, "config", None), "architectures", None)
    if not architectures:
        return True  # nothing recorded: give it the benefit of the doubt
    return any("SequenceClassification" in str(arch) for arch in architectures)


def load_reranker(name: str) -> Reranker | None:
    """The cross-encoder ``name`` (a local folder or a cached hub name), or None for "".

    Example: ``load_reranker("")`` -> None; ``load_reranker("/models/bge-reranker-base")``
    -> a ``Reranker``; ``load_reranker("BAAI/bge-reranker-base")`` on a machine whose
    cache lacks it -> ``RerankerUnavailable`` at once, without touching the network.
    """
    name = name.strip()
    if not name:
        return None
    local = Path(name).expanduser()
    target = str(local) if local.exists() else name
    try:
        from sentence_transformers import CrossEncoder

        with _offline():
            model = CrossEncoder(target, device="cpu", local_files_only=True)
    except Exception as exc:
        raise _unavailable(name, local, f"{type(exc).__name__}: {exc}") from exc
    if not _has_scoring_head(model):
        raise _unavailable(name, local, "no trained classification head / 没有训练过的分类头")
    try:
        return Reranker(model, name)
    except ValueError as exc:
        raise _unavailable(name, local, str(exc)) from exc
