"""A context that evaluates each system prompt's start once: every call begins at
exactly that start, loaded only when the context holds another one."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from qa.answer.prefixes import KeptStarts, shared_length, system_of


class _Context:
    """Stands in for llama_cpp.Llama: a prompt's tokens are its characters; records,
    for each call, the system prompt and how many tokens it started from."""

    def __init__(self) -> None:
        self.input_ids = np.zeros(256, dtype=np.intc)
        self.n_tokens = 0
        self.log: list[str] = []

    def create_chat_completion(self, **kwargs: Any) -> dict[str, Any]:
        messages = kwargs["messages"]
        system, user = messages[0]["content"], messages[1]["content"]
        prompt = [ord(c) for c in f"<{system}><{user}>"]
        kept = shared_length(list(self.input_ids[: self.n_tokens]), prompt)
        if user not in ("甲", "乙"):
            self.log.append(f"{system} from {kept}")
        if user == "失败":
            self.n_tokens = kept + 1  # a failure part way through the prompt
            raise RuntimeError("boom")
        self.input_ids[: len(prompt)] = prompt
        self.n_tokens = len(prompt)
        return {"choices": [{"message": {"content": "{}"}}]}

    def save_state(self) -> Any:
        from llama_cpp import LlamaState

        return LlamaState(
            input_ids=self.input_ids.copy(),
            scores=np.ones((512, 8), dtype=np.single),
            n_tokens=self.n_tokens,
            llama_state=b"kv",
            llama_state_size=2,
            seed=0,
        )

    def load_state(self, state: Any) -> None:
        assert state.scores.shape[0] == 1  # kept without its batch of logits
        self.log.append("load")
        self.input_ids = state.input_ids.copy()
        self.n_tokens = state.n_tokens


def _msgs(system: str, user: str = "问题") -> list[dict[str, str]]:
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def test_the_system_prompt_is_the_first_message_when_it_is_a_system_one() -> None:
    assert system_of(_msgs("判断")) == "判断"
    assert system_of([{"role": "user", "content": "问题"}]) == ""
    assert system_of([]) == ""
    assert shared_length([1, 2, 3], [1, 2, 4]) == 2 and shared_length([], [1]) == 0


def test_every_call_starts_at_its_system_prompts_end_whatever_came_before() -> None:
    context = _Context()
    starts = KeptStarts(context)
    starts.complete(_msgs("judge", "问题一"))
    starts.complete(_msgs("judge", "问题二"))  # "<judge><问题" is shared: still from 8
    starts.complete(_msgs("pick"))
    starts.complete(_msgs("judge", "问题三"))  # the judge's start is loaded back
    # "<judge><" is 8 tokens, "<pick><" 7.
    assert context.log == ["judge from 8", "judge from 8", "pick from 7", "load", "judge from 8"]
    assert starts.kept == 2


def test_a_failed_call_makes_the_next_one_load_its_start() -> None:
    context = _Context()
    starts = KeptStarts(context)
    starts.complete(_msgs("pick"))
    with pytest.raises(RuntimeError):
        starts.complete(_msgs("pick", "失败"))
    starts.complete(_msgs("pick"))
    assert context.log == ["pick from 7", "pick from 7", "load", "pick from 7"]


def test_beyond_the_most_kept_other_prompts_run_as_they_come() -> None:
    context = _Context()
    starts = KeptStarts(context, most=1)
    for system in ("a", "b", "a"):
        starts.complete(_msgs(system))
    assert starts.kept == 1
    assert context.log == ["a from 4", "b from 1", "load", "a from 4"]
