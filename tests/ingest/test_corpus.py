"""The corpus: which files are reports, their metadata, and why others are skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ALL_DOCS, DOC_000, DOC_001, DOC_004, SEEDS, copy_seeds

from qa.ingest.corpus import (
    Skipped,
    SourceDoc,
    infer_info,
    list_sources,
    load_catalog,
    load_corpus,
    load_document,
    read_text,
)

REPORT = "重庆市2021年国民经济和社会发展计划执行情况的报告\n\n一、2021年计划执行情况\n\n全市地区生产总值增长8.3%。\n"


def test_catalogue_metadata_is_applied() -> None:
    docs, skipped = load_corpus([SEEDS])
    assert skipped == []
    by_name = {d.info.doc: d for d in docs}
    assert sorted(by_name) == sorted(ALL_DOCS)
    d000 = by_name[DOC_000]
    assert d000.info.title == "关于重庆市2023年国民经济和社会发展规划执行情况及2024年计划草案的报告"
    assert d000.info.issuer == "重庆市发展和改革委员会"
    assert d000.info.years == (2023, 2024)
    assert d000.info.kind == "plan_report"
    assert d000.default_year == 2023 and d000.default_kind == "other"
    assert by_name["003_d838e4a00249e700.txt"].default_kind == "plan"
    assert by_name[DOC_004].info.kind == "infographic"
    assert by_name[DOC_001].info.script == "traditional"
    assert d000.info.script == "simplified"
    for d in docs:
        assert len(d.sha) == 64 and d.text.strip()


def test_cleaned_text_is_what_gets_indexed() -> None:
    d001 = load_document(SEEDS / DOC_001, load_catalog(SEEDS))
    assert isinstance(d001, SourceDoc)
    assert "32193.15" in d001.text
    assert "(xiàn)" not in d001.text  # pinyin annotations removed
    d004 = load_document(SEEDS / DOC_004, load_catalog(SEEDS))
    assert isinstance(d004, SourceDoc)
    assert "**" not in d004.text and "30145.79" in d004.text


def test_file_without_catalogue_entry_gets_inferred_info(tmp_path: Path) -> None:
    (tmp_path / "plan2021.txt").write_text(REPORT, encoding="utf-8")
    docs, skipped = load_corpus([tmp_path])
    assert skipped == []
    (doc,) = docs
    assert doc.info.title == "重庆市2021年国民经济和社会发展计划执行情况的报告"
    assert doc.info.years == (2021,)
    assert doc.info.kind == "plan_report"
    assert doc.default_year == 2021
    assert doc.default_kind == "other"


def test_catalogue_entry_is_matched_by_file_name_only(tmp_path: Path) -> None:
    copy_seeds(tmp_path, (DOC_004,))
    (tmp_path / "extra.md").write_text("# 2022年工作回顾\n\n内容。\n", encoding="utf-8")
    docs, _ = load_corpus([tmp_path])
    by_name = {d.info.doc: d for d in docs}
    assert by_name[DOC_004].info.title == "一图速读：2024年重庆市政府工作报告"
    assert by_name["extra.md"].info.years == (2022,)


@pytest.mark.parametrize(
    ("name", "text", "title", "years", "kind"),
    [
        ("gz2024.txt", "2024年政府工作报告\n正文", "2024年政府工作报告", (2023, 2024), "work_report"),
        ("notes.txt", "一图读懂：2023年报告\n正文", "一图读懂：2023年报告", (2023,), "infographic"),
        ("plan_2021.md", "关于计划的报告\n正文", "关于计划的报告", (2021,), "plan_report"),
        # No year in title or name: none, whatever years the text names.
        ("x.txt", "某某报告\n2022年增长。2022年完成。2023年目标。2021年", "某某报告", (), "report"),
        ("fan.txt", "梵语\n梵语在1990年代……1990年出版", "梵语", (), "report"),
        # A first line too long to be a title: the file name stands in.
        ("long_2020.txt", "很" * 80 + "\n正文", "long_2020", (2020,), "report"),
        # Traditional script titles are classified through the simplified normal form.
        ("t.txt", "重慶市人民政府工作報告（2025年）\n", "重慶市人民政府工作報告（2025年）", (2024, 2025),
         "work_report"),
    ],
)  # fmt: skip
def test_infer_info(name: str, text: str, title: str, years: tuple[int, ...], kind: str) -> None:
    info = infer_info(name, text)
    assert (info.title, info.years, info.kind) == (title, years, kind)
    assert info.doc == name


def test_infer_info_detects_the_script() -> None:
    assert infer_info("a.txt", "重慶市人民政府工作報告\n經濟運行穩中有進").script == "traditional"
    assert infer_info("a.txt", "重庆市人民政府工作报告\n经济运行稳中有进").script == "simplified"


def test_binary_file_is_skipped_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "scan.txt"
    path.write_bytes(b"%PDF-1.7\x00\x01\x02binary")
    result = read_text(path)
    assert isinstance(result, Skipped) and "二进制" in result.reason


def test_gbk_file_is_skipped_with_a_reason_naming_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(REPORT.encode("gbk"))
    result = read_text(path)
    assert isinstance(result, Skipped)
    assert "UTF-8" in result.reason


def test_utf8_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(REPORT.encode("utf-8-sig"))
    assert read_text(path) == REPORT


@pytest.mark.parametrize("content", [b"", b"   \n\n\t  \n"])
def test_empty_file_is_skipped(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    result = read_text(path)
    assert isinstance(result, Skipped) and "空文件" in result.reason


def test_too_large_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qa.ingest import corpus

    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.txt"
    path.write_text("字" * 100, encoding="utf-8")
    result = read_text(path)
    assert isinstance(result, Skipped) and "过大" in result.reason


def test_folder_listing_skips_non_text_and_hidden_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.md").write_text(REPORT, encoding="utf-8")
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    (tmp_path / "README").write_text("x", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "catalog.json").write_text("{}", encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "d.TXT").write_text(REPORT, encoding="utf-8")
    files, skipped = list_sources([tmp_path])
    assert [f.name for f in files] == ["a.txt", "b.md", "d.TXT"]
    reasons = {s.path.name: s.reason for s in skipped}
    assert set(reasons) == {"c.pdf", "README"}
    assert ".pdf" in reasons["c.pdf"] and "无扩展名" in reasons["README"]


def test_missing_path_is_skipped(tmp_path: Path) -> None:
    files, skipped = list_sources([tmp_path / "nope.txt"])
    assert files == [] and skipped[0].reason == "文件不存在"


def test_a_bad_file_does_not_stop_the_rest(tmp_path: Path) -> None:
    copy_seeds(tmp_path, (DOC_004,))
    (tmp_path / "gbk.txt").write_bytes(REPORT.encode("gbk"))
    (tmp_path / "bin.md").write_bytes(b"\x00\x00\x00")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    docs, skipped = load_corpus([tmp_path])
    assert [d.info.doc for d in docs] == [DOC_004]
    assert sorted(s.path.name for s in skipped) == ["bin.md", "empty.txt", "gbk.txt", "image.png"]
    assert all(s.reason for s in skipped)


def test_named_files_are_read_whatever_their_suffix(tmp_path: Path) -> None:
    path = tmp_path / "report.text"
    path.write_text(REPORT, encoding="utf-8")
    docs, skipped = load_corpus([path])
    assert [d.info.doc for d in docs] == ["report.text"] and skipped == []


def test_catalogue_file_is_json_keyed_by_file_name(tmp_path: Path) -> None:
    assert load_catalog(tmp_path) == {}
    (tmp_path / "catalog.json").write_text(
        json.dumps({"a.txt": {"title": "甲", "years": [2020]}}), encoding="utf-8"
    )
    assert load_catalog(tmp_path) == {"a.txt": {"title": "甲", "years": [2020]}}
    (tmp_path / "a.txt").write_text("别的标题\n正文2019年。", encoding="utf-8")
    doc = load_document(tmp_path / "a.txt", load_catalog(tmp_path))
    assert isinstance(doc, SourceDoc)
    assert (doc.info.title, doc.info.years, doc.default_year) == ("甲", (2020,), 2020)
