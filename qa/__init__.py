"""Question answering over Chinese government reports, every figure traced to a passage.

``from qa import ReportQA`` is cheap: models and the index load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Answer", "Passage", "ReportQA", "Settings"]

if TYPE_CHECKING:
    from qa.api import ReportQA
    from qa.schema import Answer, Passage
    from qa.settings import Settings


def __getattr__(name: str) -> Any:
    # Lazy so `import qa` and `qa --help` stay fast.
    if name == "ReportQA":
        from qa.api import ReportQA

        return ReportQA
    if name in ("Answer", "Passage"):
        from qa import schema

        return getattr(schema, name)
    if name == "Settings":
        from qa.settings import Settings

        return Settings
    raise AttributeError(name)
