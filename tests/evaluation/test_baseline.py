"""The naive baseline: what it retrieves and what its model is sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import BaseMessage
from pydantic import Field

from qa.evaluation.baseline import SYSTEM_PROMPT, NaiveBaseline


class Recording(FakeListChatModel):
    """A fake chat model that keeps the messages it was sent."""

    sent: list[list[BaseMessage]] = Field(default_factory=list)

    def _call(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> str:
        self.sent.append(list(messages))
        return super()._call(messages, *args, **kwargs)


def test_the_model_gets_the_tutorial_prompt_with_numbered_chunks(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("梵语是印度的古典语言。" * 3, encoding="utf-8")
    (tmp_path / "b.txt").write_text("里昂是法国第三大城市。", encoding="utf-8")
    (tmp_path / "notes.md").write_text("不是报告", encoding="utf-8")
    naive = NaiveBaseline(tmp_path, DeterministicFakeEmbedding(size=16))
    assert naive.chunks == 2  # .txt files only, each short enough for one chunk
    model = Recording(responses=["里昂是法国第三大城市。"])
    text, passages = naive.answer("法国第三大城市是哪里？", model, k=2)
    assert text == "里昂是法国第三大城市。"
    assert {p.doc for p in passages} == {"a.txt", "b.txt"}
    system, user = model.sent[0]
    assert system.content == SYSTEM_PROMPT and "文档中没有相关信息" in system.content
    assert "[1] " in str(user.content) and "[2] " in str(user.content)
    assert str(user.content).endswith("问题：法国第三大城市是哪里？")
