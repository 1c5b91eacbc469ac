"""Client/server mode against a real Chroma server (``chroma run`` from the chromadb package).

One server per module, on a free loopback port, with its data in a tmp folder;
each test uses a collection prefix of its own, so tests do not see each other's
generations. The manifest, record manager and embedding cache stay in the local
``index_dir``; each generation is a collection ``<prefix>-g<N>`` on the server.

The small corpus (000 + 004) starts from the session index's embedding cache, so
only what a test adds or changes is embedded. The SIGKILL test embeds 001 for real.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DOC_000, DOC_001, DOC_004, copy_seeds

from qa.api import ReportQA
from qa.ingest.pipeline import ingest
from qa.settings import PROJECT_ROOT, Settings
from qa.store.index import CURRENT, MANIFEST, IndexError_, Manifest, current_generation

pytestmark = pytest.mark.slow

HOST = "127.0.0.1"
GDP_Q = "2023年重庆地区生产总值是多少？"
MARKER = "青蛙跳跃测试计划"
NEW_PARAGRAPH = f"\n\n2024年将实施{MARKER}，目标是建成九百九十九个示范点。\n"
HEARTBEAT_WAIT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _heartbeat(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/api/v2/heartbeat", timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def chroma_run(data: Path, port: int) -> Iterator[int]:
    """A real ``chroma run`` on ``port`` over ``data`` (restartable on the same two);
    yields the port once it answers, terminated at the end."""
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        found = shutil.which("chroma")
        assert found, "the chroma CLI (installed with chromadb) is missing"
        exe = Path(found)
    log_path = data.parent / f"chroma-{port}.log"
    log = log_path.open("ab")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(data), "--port", str(port), "--host", HOST],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + HEARTBEAT_WAIT
        while not _heartbeat(port):
            assert proc.poll() is None, log_path.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, f"no heartbeat within {HEARTBEAT_WAIT:.0f} s"
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real ``chroma run`` on a free port for the module; yields the port."""
    with chroma_run(tmp_path_factory.mktemp("chroma-server") / "data", free_port()) as port:
        yield port


def _client(port: int) -> Any:
    import chromadb

    return chromadb.HttpClient(host=HOST, port=port)


def _collections(port: int, prefix: str) -> set[str]:
    names = {c if isinstance(c, str) else c.name for c in _client(port).list_collections()}
    return {n for n in names if re.fullmatch(rf"{re.escape(prefix)}-g\d+", n)}


def _cache_entries(settings: Settings) -> int:
    cache = settings.index_dir / "embed_cache"
    return sum(1 for p in cache.iterdir() if p.is_file()) if cache.exists() else 0


def _warm_cache(seed_index: tuple[Settings, Any], settings: Settings) -> None:
    """Copy from the session index's cache the vectors of exactly this corpus's passages
    (key: namespace + sha256 of the embedded text, as ``CacheBackedEmbeddings`` writes it):
    anything else the test adds is embedded for real."""
    from qa.ingest.corpus import load_corpus
    from qa.ingest.pipeline import to_documents
    from qa.store.embed import embedder_id
    from qa.store.keyword import Tokenizer

    namespace = re.sub(r"[^A-Za-z0-9_.-]", "_", embedder_id(settings)) + "-"
    source = seed_index[0].index_dir / "embed_cache"
    target = settings.index_dir / "embed_cache"
    target.mkdir(parents=True, exist_ok=True)
    sources, _ = load_corpus([settings.seeds_dir])
    tokenizer = Tokenizer()
    for src in sources:
        for doc in to_documents(src, settings, tokenizer):
            key = namespace + hashlib.sha256(doc.page_content.encode("utf-8")).hexdigest()
            if (source / key).exists():
                shutil.copyfile(source / key, target / key)


def server_settings(
    seed_index: tuple[Settings, Any], root: Path, port: int, prefix: str
) -> Settings:
    copy_seeds(root / "seeds", (DOC_004, DOC_000))
    settings = Settings(
        seeds_dir=root / "seeds",
        index_dir=root / "index",
        progress=False,
        chroma_host=HOST,
        chroma_port=port,
        collection=prefix,
    )
    _warm_cache(seed_index, settings)
    return settings


def _doc_ids(settings: Settings, doc: str) -> set[str]:
    handle = ReportQA(settings, build_if_missing=False).index
    return {cid for cid, m in zip(handle.ids, handle.metadatas, strict=True) if m["doc"] == doc}


def _docs(settings: Settings) -> set[str]:
    return {str(m["doc"]) for m in ReportQA(settings, build_if_missing=False).index.metadatas}


# --- the happy path ----------------------------------------------------------------------
def test_ingest_search_and_answer_against_a_server(
    seed_index: tuple[Settings, Any],
    chroma_server: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = server_settings(seed_index, tmp_path, chroma_server, "happy")
    cache_before = _cache_entries(settings)
    report = ingest(settings)
    assert report.changed and report.generation == 1 and report.files == 2
    assert report.added == report.chunks > 40
    assert _cache_entries(settings) == cache_before  # every vector came from the cache
    # The vectors live on the server; the local folder keeps a record of the manifest.
    gen = current_generation(settings.index_dir)
    assert gen is not None and not (gen / "chroma").exists()
    assert {p.name for p in gen.iterdir()} == {MANIFEST}
    assert _collections(chroma_server, "happy") == {"happy-g1"}

    qa = ReportQA(settings, build_if_missing=False)
    handle = qa.index
    # The keyword side holds exactly the collection's chunks, position by position.
    col = _client(chroma_server).get_collection("happy-g1")
    assert col.count() == handle.size == handle.keyword.size == report.chunks
    got = col.get(ids=handle.ids, include=["metadatas"])
    tokens = {
        cid: str(m["tokens"]).split() for cid, m in zip(got["ids"], got["metadatas"], strict=True)
    }
    assert set(tokens) == set(handle.ids)
    assert handle.keyword.lengths == [len(tokens[cid]) for cid in handle.ids]
    # Opening reads the chunks page by page (an unpaged read of ~33k fails in Chroma):
    # small pages give the same chunks in the same order.
    monkeypatch.setattr("qa.store.index.GET_PAGE", 7)
    paged = ReportQA(settings, build_if_missing=False).index
    assert (paged.ids, paged.metadatas) == (handle.ids, handle.metadatas)
    monkeypatch.undo()

    # The server's nearest neighbours are the exact ones (see qa.store.index.EF_SEARCH).
    import numpy as np

    stored = col.get(include=["embeddings"])
    vectors = np.asarray(stored["embeddings"])
    for question in (GDP_Q, MARKER, "新能源汽车产量", "城镇调查失业率", "2024年预期目标"):
        vector = np.asarray(handle.embeddings.embed_query(question))
        exact = {stored["ids"][i] for i in np.argsort(-(vectors @ vector))[:5]}
        found = handle.store.similarity_search_by_vector_with_relevance_scores(vector, k=5)
        assert {d.id for d, _ in found} == exact, question

    top = qa.retrieve(GDP_Q)
    assert any("30145.79" in p.text and p.doc == DOC_004 for p in top)
    only_000 = qa.retrieve("地区生产总值", filters={"doc": DOC_000})  # a where clause, server-side
    assert only_000 and {p.doc for p in only_000} == {DOC_000}
    answer = qa.ask(GDP_Q, backend="extractive")
    assert not answer.refused and "30145.79" in answer.text and answer.citations
    assert answer.citations[0].doc == DOC_004

    # Re-ingest: nothing to do, nothing embedded, same generation.
    started = time.perf_counter()
    again = ingest(settings)
    assert time.perf_counter() - started < 15
    assert (again.embedded, again.added, again.deleted, again.changed) == (0, 0, 0, False)
    assert again.generation == 1 and _collections(chroma_server, "happy") == {"happy-g1"}


def test_changed_file_updates_only_its_chunks_in_place(
    seed_index: tuple[Settings, Any], chroma_server: int, tmp_path: Path
) -> None:
    settings = server_settings(seed_index, tmp_path, chroma_server, "change")
    ingest(settings)
    ids_000, ids_004 = _doc_ids(settings, DOC_000), _doc_ids(settings, DOC_004)
    # A reader that does not look for newer generations on its own (refresh_seconds).
    reader = ReportQA(settings.replace(refresh_seconds=3600), build_if_missing=False)
    assert reader.retrieve(GDP_Q)  # opened on generation 1
    cache_before = _cache_entries(settings)

    path = settings.seeds_dir / DOC_004
    path.write_text(path.read_text(encoding="utf-8") + NEW_PARAGRAPH, encoding="utf-8")
    report = ingest(settings)

    # The report's new version is written beside the old one in the same collection
    # (no copy of the others); only its new text is embedded.
    new_004 = _doc_ids(settings, DOC_004)
    assert report.changed and report.generation == 2 and report.unchanged_files == 1
    assert report.added == len(new_004) and report.deleted == len(ids_004)
    assert 0 < _cache_entries(settings) - cache_before <= 2  # only the new paragraph
    assert _doc_ids(settings, DOC_000) == ids_000  # the other report is untouched
    assert not new_004 & ids_004
    assert _collections(chroma_server, "change") == {"change-g1"}
    col = _client(chroma_server).get_collection("change-g1")
    assert col.count() == len(ids_000) + len(ids_004) + len(new_004)
    # The reader still on generation 1 reads the old version whole, never the new one;
    # reload sees generation 2.
    assert not [p for p in reader.retrieve(MARKER) if MARKER in p.text]
    assert reader.index.size == len(ids_000) + len(ids_004)
    reader.reload()
    assert [p for p in reader.retrieve(MARKER) if MARKER in p.text and p.doc == DOC_004]

    # One more change: the version only generation 1 read goes; generation 2's stay,
    # for readers still on it, until the next ingest.
    (settings.seeds_dir / DOC_000).unlink()
    report = ingest(settings)
    assert report.generation == 3 and report.deleted == len(ids_000) and report.added == 0
    assert _collections(chroma_server, "change") == {"change-g1"}
    assert col.count() == len(ids_000) + len(new_004)
    assert sorted(p.name for p in settings.index_dir.glob("gen-*")) == ["gen-00002", "gen-00003"]
    assert _docs(settings) == {DOC_004}
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n\n" + NEW_PARAGRAPH)
    assert ingest(settings).generation == 4
    assert col.count() == len(new_004) + len(_doc_ids(settings, DOC_004))


def test_collection_missing_on_the_server_is_refused_with_the_fix(
    seed_index: tuple[Settings, Any], chroma_server: int, tmp_path: Path
) -> None:
    settings = server_settings(seed_index, tmp_path, chroma_server, "gone")
    ingest(settings)
    _client(chroma_server).delete_collection("gone-g1")  # the server lost its data
    # What is indexed is the server's word, not this folder's manifest.
    with pytest.raises(IndexError_, match=rf"{HOST}:{chroma_server}.*gone.*qa ingest"):
        ReportQA(settings, build_if_missing=False).retrieve(GDP_Q)
    # The next ingest builds everything again (from the embedding cache): the lost
    # collection is never built upon, so no report is dropped silently.
    path = settings.seeds_dir / DOC_004
    path.write_text(path.read_text(encoding="utf-8") + NEW_PARAGRAPH, encoding="utf-8")
    report = ingest(settings)
    assert report.changed and report.unchanged_files == 0 and report.added == report.chunks
    assert _docs(settings) == {DOC_000, DOC_004}


def test_a_fresh_server_is_built_not_taken_for_the_local_manifest(
    seed_index: tuple[Settings, Any], chroma_server: int, tmp_path: Path
) -> None:
    """An index folder used before (here with the embedded store) and a fresh server:
    ``qa ingest`` builds on the server instead of reporting every file unchanged."""
    settings = server_settings(seed_index, tmp_path, chroma_server, "fresh")
    embedded = settings.replace(chroma_host="")
    assert ingest(embedded).changed  # a local manifest now says both files are indexed
    cache_before = _cache_entries(settings)
    report = ingest(settings)
    assert report.changed and report.unchanged_files == 0 and report.added == report.chunks
    assert _cache_entries(settings) == cache_before  # every vector came from the cache
    assert _collections(chroma_server, "fresh") == {"fresh-g2"}
    assert _docs(settings) == {DOC_000, DOC_004}
    top = ReportQA(settings, build_if_missing=False).retrieve(GDP_Q)
    assert any("30145.79" in p.text for p in top)


def test_a_second_machine_sees_the_same_index_and_follows_updates(
    seed_index: tuple[Settings, Any], chroma_server: int, tmp_path: Path
) -> None:
    """Another index folder (another machine) on the same server: it opens the server's
    index without ingesting, finds nothing to do, and its open reader follows an
    ingest made elsewhere within ``refresh_seconds``."""
    settings = server_settings(seed_index, tmp_path / "a", chroma_server, "shared")
    ingest(settings)
    other = settings.replace(index_dir=tmp_path / "b" / "index", refresh_seconds=0.0)
    reader = ReportQA(other, build_if_missing=False)
    assert any("30145.79" in p.text for p in reader.retrieve(GDP_Q))
    assert not [p for p in reader.retrieve(MARKER) if MARKER in p.text]
    path = settings.seeds_dir / DOC_004
    path.write_text(path.read_text(encoding="utf-8") + NEW_PARAGRAPH, encoding="utf-8")
    assert ingest(settings).generation == 2
    # No reload: the next question notices generation 2 on the server.
    assert [p for p in reader.retrieve(MARKER) if MARKER in p.text and p.doc == DOC_004]
    # The second machine, with the same reports, has nothing to ingest.
    shutil.copytree(settings.seeds_dir, tmp_path / "b" / "seeds")
    again = ingest(other.replace(seeds_dir=tmp_path / "b" / "seeds"))
    assert not again.changed and again.generation == 2 and again.unchanged_files == 2


# --- the server is not there --------------------------------------------------------------
def test_unreachable_server_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    port = free_port()  # nothing listens here
    copy_seeds(tmp_path / "seeds", (DOC_004,))
    settings = Settings(
        seeds_dir=tmp_path / "seeds",
        index_dir=tmp_path / "index",
        progress=False,
        chroma_host=HOST,
        chroma_port=port,
    )
    for attempt in (lambda: ingest(settings), lambda: ReportQA(settings).retrieve(GDP_Q)):
        started = time.perf_counter()
        with pytest.raises(IndexError_) as info:
            attempt()
        assert time.perf_counter() - started < 10
        assert f"{HOST}:{port}" in str(info.value) and "Chroma" in str(info.value)
        assert not list(tmp_path.glob("index/gen-*"))
        assert not list(tmp_path.rglob(MANIFEST)) and not (tmp_path / "index" / CURRENT).exists()


def test_server_going_away_after_ingest_is_a_clear_error(
    seed_index: tuple[Settings, Any], chroma_server: int, tmp_path: Path
) -> None:
    settings = server_settings(seed_index, tmp_path, chroma_server, "away")
    ingest(settings)
    elsewhere = settings.replace(chroma_port=free_port())
    with pytest.raises(IndexError_, match=f"{HOST}:{elsewhere.chroma_port}"):
        ReportQA(elsewhere, build_if_missing=False).retrieve(GDP_Q)
    gen = current_generation(settings.index_dir)
    assert gen is not None and gen.name == "gen-00001"  # untouched


# --- a writer killed mid-way --------------------------------------------------------------
def test_sigkill_mid_ingest_keeps_the_old_index_and_the_next_run_finishes(
    seed_index: tuple[Settings, Any], chroma_server: int, tmp_path: Path
) -> None:
    settings = server_settings(seed_index, tmp_path, chroma_server, "kill")
    ingest(settings)
    ids_004_before = _doc_ids(settings, DOC_004)
    seeds, index_dir = settings.seeds_dir, settings.index_dir
    # Add a longer report that is not in the cache (~110 passages: two batches of 64)
    # and change one.
    copy_seeds(seeds, (DOC_000, DOC_001, DOC_004))
    with (seeds / DOC_004).open("a", encoding="utf-8") as fh:
        fh.write(NEW_PARAGRAPH)
    cache_before = _cache_entries(settings)
    env = {
        **os.environ,
        "QA_CHROMA_HOST": HOST,
        "QA_CHROMA_PORT": str(chroma_server),
        "QA_COLLECTION": "kill",
    }
    stderr_path = tmp_path / "ingest.stderr"
    with stderr_path.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "qa.cli", "--index-dir", str(index_dir),
             "--seeds-dir", str(seeds), "ingest"],
            stdout=subprocess.DEVNULL, stderr=err, cwd=PROJECT_ROOT, env=env,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline and proc.poll() is None:
                if _cache_entries(settings) > cache_before:  # a batch has been embedded
                    break
                time.sleep(0.2)
            assert proc.poll() is None, (
                "ingest ended before it could be killed: "
                + stderr_path.read_text(errors="replace")[-2000:]
            )
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=30) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    cache_at_kill = _cache_entries(settings)

    # Readers still get generation 1, whole; the killed run's collection is a leftover.
    assert os.readlink(index_dir / CURRENT) == "gen-00001"
    assert not (index_dir / "gen-00002" / MANIFEST).exists()
    assert _collections(chroma_server, "kill") == {"kill-g1"}  # updated in place
    old = ReportQA(settings, build_if_missing=False)
    assert _docs(settings) == {DOC_000, DOC_004}
    assert not [p for p in old.retrieve(MARKER) if MARKER in p.text]
    assert any("30145.79" in p.text for p in old.retrieve(GDP_Q))

    # The next run is not blocked, reuses the killed run's embeddings, and cleans up.
    report = ingest(settings)
    assert report.changed and report.generation == 3
    assert _cache_entries(settings) - cache_at_kill < report.added
    assert _collections(chroma_server, "kill") == {"kill-g1"}
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-00001", "gen-00003"]
    assert _docs(settings) == {DOC_000, DOC_001, DOC_004}
    gen = current_generation(index_dir)
    assert gen is not None and set(Manifest.read(gen / MANIFEST).docs) == {
        DOC_000,
        DOC_001,
        DOC_004,
    }
    new = ReportQA(settings, build_if_missing=False)
    assert [p for p in new.retrieve(MARKER) if MARKER in p.text and p.doc == DOC_004]
    assert any("32193.15" in p.text for p in new.retrieve("2024年重庆地区生产总值是多少？"))
    col = _client(chroma_server).get_collection("kill-g1")
    assert new.index.size == new.index.keyword.size == report.chunks
    # The killed run's chunks were used, not written twice; generation 1's versions
    # stay for its readers until the next ingest.
    assert col.count() == report.chunks + len(ids_004_before)
