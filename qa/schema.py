"""Typed results shared by the write and read paths (no behaviour, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# Retrieval filters, e.g. {"doc": "000_e3173ead8c29be09.txt", "year": 2023, "kind": "result"}.
Filters = Mapping[str, str | int]
# The conversation so far: (user, assistant) pairs or {"role": …, "content": …} messages.
History = Sequence[tuple[str, str] | Mapping[str, str]]


@dataclass(frozen=True)
class DocInfo:
    """One report: catalogue entry or what was inferred from its text and name."""

    doc: str  # file name, e.g. "000_e3173ead8c29be09.txt"
    title: str
    issuer: str = ""
    date: str = ""  # ISO date when known
    years: tuple[int, ...] = ()
    kind: str = "report"  # plan_report | work_report | infographic | report
    script: str = "simplified"  # simplified | traditional


@dataclass(frozen=True)
class Chunk:
    """A retrievable unit. ``text`` is what users see (source script, cleaned);
    ``norm`` is its simplified normal form, used for matching only."""

    id: str
    doc: str
    text: str
    norm: str
    section: str  # heading path, " > " separated
    year: int | None  # the year the section speaks of
    kind: str  # result | plan | other
    index: int  # position within the document
    is_table: bool = False


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk as the API returns it."""

    doc: str
    title: str
    year: int | None
    section: str
    text: str
    score: float
    kind: str = "other"
    id: str = ""
    norm: str = ""
    doc_years: tuple[int, ...] = ()
    is_table: bool = False


@dataclass(frozen=True)
class Check:
    """One verification step that fired, e.g. ``Check("unsupported_number", "删去：…")``."""

    name: str
    detail: str = ""


@dataclass
class Answer:
    text: str
    citations: list[Passage] = field(default_factory=list)
    refused: bool = False
    standalone_question: str = ""
    backend: str = ""
    checks: list[Check] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)  # everything retrieved
    draft: str = ""  # model text before verification, when it differs
    seconds: float = 0.0
    first_token_seconds: float | None = None
