"""The API docs in Chromium with every request off this machine refused: Swagger UI comes from the platform itself
and lists the checkpoint, feed and organisation operations."""

from __future__ import annotations

from typing import Any

PC = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def test_api_docs_render_without_the_internet(browser: Any, live_server: str, artifacts: Any) -> None:
    context = browser.new_context(base_url=live_server, **PC)
    outside: list[str] = []

    def only_this_machine(route: Any) -> None:
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_machine)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/api/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    for path in ("/api/v1/checkpoint/scans", "/api/v1/feeds/{feed}/batches", "/api/v1/org/scans"):
        assert any(path in text.replace("\u200b", "") for text in paths), (path, paths)
    page.screenshot(path=str(artifacts / "api_docs.png"))
    context.close()
    assert outside == [] and errors == []
