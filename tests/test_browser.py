"""The page in a real browser: headless Debian Chromium driven by Python playwright.

Type a question, wait for the verified answer and its source cards, click ``[1]``
and check its card scrolled into view; screenshots go to ``artifacts/`` (git-ignored).
Needs ``/usr/bin/chromium`` (``apt-get install chromium``; never ``playwright install``)
and, for readable screenshots, a CJK font (e.g. ``fonts-wqy-microhei``).
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qa.settings import PROJECT_ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
GDP_QUESTION = "2023年重庆地区生产总值是多少？"
GDP_FIGURE = "30145.79"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(qa: Any) -> tuple[Any, str]:
    from ui.app import build_app

    demo = build_app(qa)
    port = _free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    return demo, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _ask_and_check(browser: Any, url: str, screenshot: Path, answer_timeout_s: float) -> dict:
    """Drive one question through the page; returns what was observed."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page.goto(url, wait_until="domcontentloaded")
        box = page.locator("#qa-question textarea")
        box.wait_for(timeout=30_000)
        box.fill(GDP_QUESTION)
        box.press("Enter")
        saw_draft = False
        try:  # the draft (or "searching") placeholder shows first
            page.locator(".qa-draft").first.wait_for(timeout=10_000)
            saw_draft = True
        except Exception:  # a very fast answer may replace it before we look
            pass
        card = page.locator("#src-1-1")
        done = page.locator("#src-1-1, .qa-error, .qa-refusal").first
        try:
            done.wait_for(timeout=answer_timeout_s * 1000)
        except Exception as exc:
            last = page.locator("#qa-chat .message").last
            shown = last.inner_text() if last.count() else "(no message)"
            raise AssertionError(
                f"no answer within {answer_timeout_s} s; chat shows: {shown}"
            ) from exc
        if not card.count():
            raise AssertionError(f"no source card; chat shows: {done.inner_text()}")
        answer = page.locator(".qa-answer").first
        expect(answer).to_contain_text(GDP_FIGURE)
        marker = page.locator('a.qa-cite[href="#src-1-1"]').first
        expect(marker).to_have_text("[1]")

        # Put the marker at the top of the chat's scroll box, then follow it.
        log = page.locator("#qa-chat [role=log]").first
        marker.evaluate("el => el.scrollIntoView({block: 'start'})")
        before = log.evaluate("el => el.scrollTop")
        marker.click()
        expect(card).to_be_in_viewport(timeout=5_000)
        # Smooth scrolling takes a moment, longer on a busy machine: poll until it settles.
        predicate = """el => {
                const box = el.closest('[role=log]').getBoundingClientRect();
                const r = el.getBoundingClientRect();
                return r.top >= box.top - 1 && r.top < box.bottom;
            }"""
        inside = False
        for _ in range(50):
            page.wait_for_timeout(200)
            inside = card.evaluate(predicate)
            if inside:
                break
        after = log.evaluate("el => el.scrollTop")
        assert inside, "the card's top is not inside the chat's visible area"
        assert page.url.rstrip("/").endswith(str(url).rstrip("/")), "the link left the page"
        text = card.inner_text()
        assert GDP_FIGURE in text or page.locator(".qa-card mark").count() > 0
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot))
        meta = page.locator(".qa-meta").first.inner_text()
        return {
            "saw_draft": saw_draft,
            "scroll_before": before,
            "scroll_after": after,
            "meta": meta,
        }
    finally:
        page.close()


def test_answer_cards_and_citation_click(seed_index: tuple[Any, Any], browser: Any) -> None:
    from qa.api import ReportQA

    settings, _ = seed_index
    demo, url = _serve(ReportQA(settings.replace(backend="extractive"), build_if_missing=False))
    try:
        seen = _ask_and_check(browser, url, ARTIFACTS / "ui-answer.png", answer_timeout_s=120)
    finally:
        demo.close()
    assert (ARTIFACTS / "ui-answer.png").stat().st_size > 10_000
    print(seen)


@pytest.mark.model
def test_local_model_answer_in_the_browser(seed_index: tuple[Any, Any], browser: Any) -> None:
    from qa.answer.fetch import default_model_path
    from qa.answer.llm import llama_cpp_available
    from qa.api import ReportQA

    settings, _ = seed_index
    model = default_model_path(settings)
    if not model.is_file():
        pytest.skip(f"local GGUF model absent at {model} (run `qa fetch-model`)")
    if not llama_cpp_available():
        pytest.skip("llama-cpp-python is not installed (pip install -e '.[local]')")
    qa = ReportQA(settings.replace(backend="local"), build_if_missing=False)
    demo, url = _serve(qa)
    try:
        seen = _ask_and_check(browser, url, ARTIFACTS / "ui-answer-local.png", answer_timeout_s=600)
    finally:
        demo.close()
    assert seen["saw_draft"]
    assert "本地模型" in seen["meta"] and "不可用" not in seen["meta"], seen["meta"]
