"""Web chat over the reports (gradio): ``build_app(qa)`` and ``serve(settings)``.

Imported lazily so ``import ui`` does not pull in gradio.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_app", "serve"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from ui import app

        return getattr(app, name)
    raise AttributeError(name)
