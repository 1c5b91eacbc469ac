"""``python -m ui [--host H] [--port P] [--backend B]``: the web chat on 127.0.0.1:7860.

The app listens on loopback only unless ``--host 0.0.0.0`` (or ``QA_UI_HOST``) says
otherwise; it never creates a public share link.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui", description="重庆政府报告问答网页界面")
    parser.add_argument("--host", help="监听地址（默认 127.0.0.1，仅本机；0.0.0.0 对外开放）")
    parser.add_argument("--port", type=int, help="端口（默认 7860）")
    parser.add_argument("--backend", choices=["auto", "local", "openai", "extractive"])
    parser.add_argument("--index-dir", help="索引文件夹 (QA_INDEX_DIR)")
    parser.add_argument("--concurrency", type=int, help="同时计算的回答数（默认按后端选择）")
    args = parser.parse_args(argv)

    from qa.settings import Settings
    from ui.app import serve

    settings = Settings.load(
        ui_host=args.host, ui_port=args.port, backend=args.backend, index_dir=args.index_dir
    )
    try:
        serve(settings, concurrency_limit=args.concurrency)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
