"""The corpus: which files are reports, what each one is, and its cleaned text.

Reads files (UTF-8 text or Markdown only); everything after reading is pure.
A report without a catalogue entry gets its title from its first line and its
years from that title or its file name, or none.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from qa.ingest.clean import clean_document, is_traditional, normal_form
from qa.schema import DocInfo

CATALOG_FILE = "catalog.json"
TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
# A report larger than this is almost certainly not a report (a dump, a log).
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class SourceDoc:
    info: DocInfo
    path: Path
    text: str  # cleaned, source script
    sha: str  # of the raw bytes
    default_year: int | None
    default_kind: str


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


def list_sources(paths: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """Expand folders into their report files; name what is not a report and why."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_file() and p.name != CATALOG_FILE and not p.name.startswith("."):
                    if p.suffix.lower() in TEXT_SUFFIXES:
                        files.append(p)
                    else:
                        skipped.append(
                            Skipped(p, f"不是文本或 Markdown 文件（{p.suffix or '无扩展名'}）")
                        )
        elif path.is_file():
            files.append(path)
        else:
            skipped.append(Skipped(path, "文件不存在"))
    return files, skipped


def read_text(path: Path) -> str | Skipped:
    """UTF-8 text, or the reason it is not (binary, another encoding, too large)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(path, f"无法读取：{exc.strerror or exc}")
    if len(data) > MAX_FILE_BYTES:
        return Skipped(path, f"文件过大（{len(data) // 1024 // 1024} MB）")
    if b"\x00" in data[:8192]:
        return Skipped(path, "二进制文件，不是文本")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Skipped(
            path, f"不是 UTF-8 编码的文本（第 {exc.start} 字节处无法解码），请转换为 UTF-8"
        )
    if not text.strip():
        return Skipped(path, "空文件")
    return text


class CatalogError(ValueError):
    """``catalog.json`` cannot be read; the message names the file."""


def load_catalog(folder: Path) -> dict[str, dict[str, object]]:
    path = folder / CATALOG_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): dict(v) for k, v in data.items()}
    except (ValueError, TypeError, AttributeError) as exc:  # bad JSON, encoding or shape
        raise CatalogError(
            f"报告目录文件 {path} 无法读取（{exc}）。它应是 UTF-8 JSON："
            f'{{"文件名.txt": {{"title": …, "years": [2023, 2024]}}}}；请修正或删除它。'
        ) from exc


_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?=年)")


def infer_info(name: str, cleaned: str) -> DocInfo:
    """Title, years and kind of a report that has no catalogue entry.

    Example: a file ``gz2024.txt`` whose first line is ``2024年政府工作报告`` ->
    ``DocInfo(title="2024年政府工作报告", years=(2023, 2024), kind="work_report")``:
    a work report reviews the year before the one it is named for.
    """
    first = next((ln.strip() for ln in cleaned.splitlines() if ln.strip()), name)
    title = first if len(first) <= 60 else Path(name).stem
    norm_title = normal_form(title)
    kind = "report"
    if "政府工作报告" in norm_title:
        kind = "work_report"
    elif "计划" in norm_title or "规划" in norm_title:
        kind = "plan_report"
    elif "一图" in norm_title:
        kind = "infographic"
    years = sorted({int(y) for y in _YEAR.findall(norm_title)})
    if not years:
        years = sorted({int(y) for y in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", name)})
    # Never from the text: a number in an article (an essay on Sanskrit naming 1990)
    # is no year the document is about, and a wrong year hides it from year questions.
    if kind == "work_report" and len(years) == 1:
        years = [years[0] - 1, years[0]]
    script = "traditional" if is_traditional(cleaned[:4000]) else "simplified"
    return DocInfo(doc=name, title=title, years=tuple(years), kind=kind, script=script)


def load_document(path: Path, catalog: dict[str, dict[str, object]]) -> SourceDoc | Skipped:
    raw = read_text(path)
    if isinstance(raw, Skipped):
        return raw
    cleaned = clean_document(raw)
    if not cleaned.strip():
        return Skipped(path, "清洗后没有可用文本")
    inferred = infer_info(path.name, cleaned)
    entry = catalog.get(path.name, {})
    years = tuple(int(y) for y in entry.get("years", inferred.years))  # type: ignore[attr-defined]
    info = DocInfo(
        doc=path.name,
        title=str(entry.get("title", inferred.title)),
        issuer=str(entry.get("issuer", "")),
        date=str(entry.get("date", "")),
        years=years,
        kind=str(entry.get("kind", inferred.kind)),
        script=inferred.script,
    )
    default_year = entry.get("default_year", years[0] if years else None)
    return SourceDoc(
        info=info,
        path=path,
        text=cleaned,
        sha=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        default_year=int(default_year) if default_year is not None else None,  # type: ignore[call-overload]
        default_kind=str(entry.get("default_kind", "other")),
    )


def load_corpus(paths: list[Path]) -> tuple[list[SourceDoc], list[Skipped]]:
    """Every report under ``paths``, cleaned, with what was skipped and why."""
    files, skipped = list_sources(paths)
    catalogs: dict[Path, dict[str, dict[str, object]]] = {}
    docs: list[SourceDoc] = []
    for f in files:
        folder = f.parent
        if folder not in catalogs:
            catalogs[folder] = load_catalog(folder)
        result = load_document(f, catalogs[folder])
        if isinstance(result, Skipped):
            skipped.append(result)
        else:
            docs.append(result)
    return docs, skipped
