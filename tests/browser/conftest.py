"""Browser tests: the app served by uvicorn (in a thread, on a free port, against the test database) and Debian's
Chromium driven by Playwright with a phone-sized viewport. Screenshots go to test-artifacts/ (git-ignored)."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine

from healthcode.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--lang=zh-CN"]
# The browser in Chinese, as the platform's users run it: Chromium on Linux takes its own language (the date field's
# 年/月/日, its validation texts) from the environment, not from --lang, and needs Debian's chromium-l10n for it.
CHROMIUM_ENV = {"LANG": "zh_CN.UTF-8", "LANGUAGE": "zh_CN:zh"}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def loopback_socket() -> socket.socket:
    """A socket listening on a free loopback port (its URL is known before the app that will serve it is made)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def socket_url(sock: socket.socket) -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


@contextmanager
def serving(app: Any, sock: socket.socket | None = None) -> Iterator[str]:
    """The app served by uvicorn in a thread on `sock` (already listening: the first request waits in the backlog
    instead of the test polling for readiness; a new loopback socket if none is given); its base URL."""
    sock = sock or loopback_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield socket_url(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def live_server(engine: Engine, settings: Settings) -> Iterator[str]:
    """The base URL of the app running in uvicorn."""
    from healthcode.app import create_app

    with serving(create_app(settings, engine)) as url:
        yield url


CSP_VIOLATIONS: list[str] = []


def watch_csp(context: Any) -> Any:
    """Records what the Content-Security-Policy blocks on the context's pages (Chromium says it on the console): a
    page whose script, handler or style was refused fails its test (`_no_csp_violations`). Tests pass functions
    (`"() => ..."`) to `wait_for_function`: Playwright evaluates an expression with eval, which the policy forbids."""

    def seen(message: Any) -> None:
        if "Content Security Policy" in message.text:
            CSP_VIOLATIONS.append(f"{message.page.url if message.page else ''}: {message.text}")

    context.on("console", seen)
    return context


class _WatchedBrowser:
    """The browser, whose new contexts are watched for CSP violations and are Chinese unless a test says otherwise."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, **options: Any) -> Any:
        options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", **options}
        return watch_csp(self._browser.new_context(**options))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def _no_csp_violations() -> Iterator[None]:
    CSP_VIOLATIONS.clear()
    yield
    assert not CSP_VIOLATIONS, "\n".join(CSP_VIOLATIONS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("需要 Debian 的 Chromium：apt-get install -y chromium fonts-wqy-zenhei（或 make browser）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                            env={**os.environ, **CHROMIUM_ENV})
        yield _WatchedBrowser(chromium)
        chromium.close()


@pytest.fixture
def phone(browser: Any, live_server: str) -> Iterator[Any]:
    """A page in a fresh phone-sized browser context whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server, **PHONE)
    page = context.new_page()
    page.set_default_timeout(30_000)  # generous: a busy shared database server can make one commit take seconds
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def console_sign_in(page: Any, username: str, password: str, landing: Any) -> None:
    """Signs in on the console sign-in form the page shows (/gov/login or /ent/login) and waits for `landing` (a URL
    glob or pattern)."""
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(landing)


SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"  # kept in the repository, looked at by a person


@pytest.fixture
def pc(browser: Any, live_server: str) -> Iterator[Any]:
    """A console page (1440 × 900) on the live server."""
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(base_url=live_server, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
