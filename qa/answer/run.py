"""One question on its way through the read path: what its steps read and record.

``chain`` builds a ``Run`` per question and passes it through the named steps; each
step reads what came before and appends its ``Check``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from qa.answer.evidence import Similarity
from qa.schema import Answer, Check
from qa.settings import Settings

if TYPE_CHECKING:
    from qa.answer.rerank import Reranker
    from qa.answer.select import Window
    from qa.answer.verify import Verified


@dataclass
class Run:
    """One question on its way through the chain: what the steps read and record."""

    question: str  # as asked
    standalone: str
    norm: str  # normal form of ``standalone``
    tokens: list[str]
    idf: Mapping[str, float]
    settings: Settings
    chosen: str  # the concrete backend
    label: str
    started: float
    answer: Answer
    embeddings: Embeddings | None = None
    reranker: Reranker | None = None
    # Loads the judge (``ReportQA.helper_model``), set when a model wrote the draft.
    helper: Callable[[], BaseChatModel] | None = None
    checks: list[Check] = field(default_factory=list)
    meaning: Similarity | None = None  # computed only when the wording alone is weak
    # The extractive answer checked beside a model's draft: when neither answers, it is
    # what the reports give nearest the question.
    nearest: Verified | None = None
    # The answer not chosen (the model's, or the extractive one) and whether the model
    # wrote it: a question asking a name is given it when the judge rejects the chosen one.
    other: tuple[Verified, bool] | None = None
    # The window chosen as the answer on the weak path (``chain._select``); its passage
    # is the first.
    selected: Window | None = None

    @property
    def quoted_label(self) -> str:
        """The backend shown when a source sentence is given in place of the model's."""
        return f"{self.label}（改用抽取式回答）"


def model_wrote(run: Run) -> bool:
    """The answer is the model's own writing, not source sentences."""
    return run.helper is not None and "抽取式" not in run.answer.backend
