"""The page a busy process answers with (admission control, web/admission.py), in Chromium: the citizen portal's own
Chinese error page, with the portal's styles a phone keeps from an earlier visit and no script refused by the policy.
Screenshot in tests/browser/screenshots/."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import expect
from sqlalchemy import Engine

from healthcode import clock
from healthcode.app import create_app
from healthcode.config import Settings
from tests.browser.conftest import PHONE
from tests.browser.test_scanner import log_in_and_report_point
from tests.checkpoints.factories import issue, org, person, scanner
from tests.web.test_health import admission_of

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture
def served(engine: Engine, settings: Settings) -> Iterator[tuple[str, Any]]:
    """The app in uvicorn (as `live_server`), and the app itself, to take its places; a busy process refuses at once
    (no queue) and asks to come back after a second. Places enough for a page's styles and scripts at once: with
    SQLite's four (the rest's share two) and no queue, a page load itself could be refused a script at random, and a
    page without its script posts its forms natively."""
    app = create_app(settings.model_copy(update={"admission_queue": 0, "admission_retry_after_seconds": 1,
                                                 "admission_in_flight": 26}), engine)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", app
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_a_busy_process_shows_the_citizen_its_portals_page(browser: Any, served: tuple[str, Any]) -> None:
    base, app = served
    context = browser.new_context(base_url=base, **PHONE)  # watched for CSP violations (conftest)
    page = context.new_page()
    try:
        assert page.goto("/citizen/") is not None  # an earlier visit: the portal's styles are in the browser's cache
        admission = admission_of(app)
        admission.shares = (0, 0, 0)  # no place for any class, from now on (whatever is in flight)
        response = page.goto("/citizen/code")
        assert response is not None and response.status == 503 and response.headers["retry-after"] == "1"
        expect(page.locator(".error-message")).to_have_text("当前访问人数较多，请稍后再试")
        expect(page.locator(".topbar")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "citizen_overloaded.png"))
        admission.shares = admission.limits.shares()
    finally:
        context.close()


def test_the_scanner_page_retries_a_scan_refused_by_a_busy_process(browser: Any, served: tuple[str, Any],
                                                                   db: Any) -> None:
    base, app = served
    phone_number = scanner(db, org(db).username)
    issued = issue(db, person(db), clock.now())
    db.commit()
    context = browser.new_context(base_url=base, **PHONE)  # watched for CSP violations (conftest)
    page = context.new_page()
    page.set_default_timeout(30_000)
    refused: list[int] = []
    page.on("response", lambda r: refused.append(r.status) if r.url.endswith("/checkpoint/scans") else None)
    try:
        log_in_and_report_point(page, phone_number)
        admission = admission_of(app)
        admission.shares = (0, 0, 0)  # no place for any class (whatever is in flight): the scan is refused
        page.get_by_test_id("number").fill(issued.number_code)
        page.get_by_test_id("lookup").tap()
        expect(page.locator("#toast")).to_have_text("当前访问人数较多，正在自动重试……")
        assert refused == [503]
        admission.shares = admission.limits.shares()  # the rush is over: the page's own retry gets the result
        page.locator("#result-section").wait_for()
        assert refused == [503, 201] and page.get_by_test_id("color").inner_text().startswith("绿码")
        assert page.locator("#scan-error").is_hidden()
    finally:
        context.close()
