"""A llama.cpp context that evaluates each system prompt once, and every prompt's rest
in one piece after it, whatever came before.

llama.cpp reuses the longest prefix a prompt shares with the tokens its context last
saw. Two things followed from that:

- **Time.** The helper context reads several system prompts in turn (which words are
  places, the reports' wording, which sentence answers, whether an answer answers):
  each switch evaluated a system prompt of 150-250 tokens again, 2-4 s at the ~60
  prompt tokens/s of a 1.5B model on 2 cores.
- **Answers that depended on the question before.** Where the evaluated prompt is
  split (after the system prompt, or after words the previous prompt shared) changes
  the float sums, and a borderline verdict with them: the judge rejected "从业人员达到
  43.8万人" for 研发人员总量 in a fresh context and accepted it after another judgement.

``KeptStarts`` evaluates each system prompt on its own once (``_prime``), keeps that
state, and before every call puts the context back to exactly that start: by
forgetting the tokens after it when the context still holds it, else by loading it
(~0.2 s). Each prompt's rest is then evaluated from the same start, in one piece.

Example::

    starts = KeptStarts(llama)                      # a llama_cpp.Llama
    starts.complete(judge_messages, ...)   # evaluates the judge's system prompt, then the rest
    starts.complete(pick_messages, ...)    # the picker's
    starts.complete(judge_messages_2, ...) # loads the judge's start: only the rest is read
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from llama_cpp import LlamaState

# States are a few MB each (the evaluated tokens' keys and values); beyond this many
# system prompts the rest run as llama.cpp alone would.
MOST_KEPT = 8
# Two user turns that differ in their first token: where their prompts part is where
# the system prompt's start ends.
_PROBES = ("甲", "乙")


class _Context(Protocol):
    n_tokens: int

    @property
    def input_ids(self) -> Any: ...
    def create_chat_completion(self, **kwargs: Any) -> Any: ...
    def save_state(self) -> LlamaState: ...
    def load_state(self, state: LlamaState) -> None: ...


def system_of(messages: list[dict[str, str]]) -> str:
    """Example: ``system_of([{"role": "system", "content": "判断…"}, …])`` -> ``"判断…"``;
    ``""`` when the first message is not a system one."""
    if messages and messages[0].get("role") == "system":
        return messages[0].get("content", "")
    return ""


def shared_length(a: list[int], b: list[int]) -> int:
    """Example: ``shared_length([1, 2, 3], [1, 2, 4])`` -> 2."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class KeptStarts:
    """Calls on one llama.cpp context, each from the kept start of its system prompt."""

    def __init__(self, context: _Context, most: int = MOST_KEPT) -> None:
        self._context = context
        self._most = most
        self._starts: dict[str, tuple[LlamaState, int]] = {}
        self._last: str | None = None  # whose start the context holds

    def complete(self, messages: list[dict[str, str]], **kwargs: Any) -> Any:
        """``create_chat_completion(messages=messages, **kwargs)`` from the kept start."""
        with self.start_of(system_of(messages)):
            return self._context.create_chat_completion(messages=messages, **kwargs)

    @contextmanager
    def start_of(self, system: str) -> Iterator[None]:
        """The context at ``system``'s start for the calls inside; one that fails leaves
        the context's tokens unknown, so the next call loads its start."""
        self.rewind(system)
        held, self._last = self._last, None
        yield
        self._last = held

    def rewind(self, system: str) -> None:
        """Put the context back to the end of ``system``'s start, evaluating it first
        when it has not been yet; a context past ``MOST_KEPT`` prompts is left alone."""
        start = self._starts.get(system)
        if start is None and system and len(self._starts) < self._most:
            start = self._starts[system] = self._prime(system)
        if start is None:
            self._last = None
            return
        state, length = start
        if self._last != system:
            self._context.load_state(state)
        self._context.n_tokens = min(self._context.n_tokens, length)
        self._last = system

    @property
    def kept(self) -> int:
        """How many system prompts have their start kept."""
        return len(self._starts)

    def _prime(self, system: str) -> tuple[LlamaState, int]:
        """The context's state after ``system``'s start alone, and its length in tokens."""
        self._last = None
        seen = []
        for probe in _PROBES:
            msgs = [{"role": "system", "content": system}, {"role": "user", "content": probe}]
            self._context.create_chat_completion(messages=msgs, max_tokens=1, temperature=0.0)
            seen.append([int(t) for t in self._context.input_ids[: self._context.n_tokens]])
        self._last = system
        return _light(self._context.save_state()), shared_length(*seen)


def _light(state: LlamaState) -> LlamaState:
    """``state`` without its logits but one row: llama-cpp-python copies a batch of them
    (512 x 152k floats, 311 MB for Qwen2.5) into every state, and they are neither
    written (logits stay in llama.cpp unless ``logits_all``) nor read after a load
    (``load_state`` broadcasts the one row)."""
    from llama_cpp import LlamaState

    return LlamaState(
        input_ids=state.input_ids,
        scores=state.scores[-1:].copy(),
        n_tokens=state.n_tokens,
        llama_state=state.llama_state,
        llama_state_size=state.llama_state_size,
        seed=state.seed,
    )
