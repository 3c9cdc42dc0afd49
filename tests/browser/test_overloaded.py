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

from healthcode.app import create_app
from healthcode.config import Settings
from tests.browser.conftest import PHONE
from tests.web.test_health import admission_of

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture
def served(engine: Engine, settings: Settings) -> Iterator[tuple[str, Any]]:
    """The app in uvicorn (as `live_server`), and the app itself, to take its places."""
    app = create_app(settings, engine)
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
    context = browser.new_context(base_url=base, **PHONE)
    page = context.new_page()
    try:
        assert page.goto("/citizen/") is not None  # an earlier visit: the portal's styles are in the browser's cache
        admission = admission_of(app)
        admission.in_flight = admission.limits.in_flight  # every place taken, from now on
        response = page.goto("/citizen/code")
        assert response is not None and response.status == 503 and response.headers["retry-after"] == "2"
        expect(page.locator(".error-message")).to_have_text("当前访问人数较多，请稍后再试")
        expect(page.locator(".topbar")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "citizen_overloaded.png"))
        admission.in_flight = 0
    finally:
        context.close()
