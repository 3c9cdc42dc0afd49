"""Text messages in Chromium: in development the scanner's registration links the development outbox, where the code
is read; with a gateway the server delivers texts, and the health authority's 短信投递 page shows their states.
Screenshots of both go to tests/browser/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine

from healthcode.config import Settings
from healthcode.db import transaction
from healthcode.messages import sms
from tests.checkpoints.factories import uscc
from tests.messages.conftest import rows, wait_until
from tests.messages.gateway import FAIL, FakeGateway, serve
from tests.orgs.console_factories import NOW, unit

pytestmark = pytest.mark.browser
PC = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    yield from serve()


@pytest.fixture
def settings(settings: Settings, gateway: FakeGateway) -> Settings:
    """The live server's settings: the fake gateway, a failed try retried only after ten minutes, and the unit
    `unit(db, 1, …)` makes as the health authority."""
    return settings.model_copy(update={"sms_gateway_url": gateway.url, "sms_retry_base_seconds": 600.0,
                                       "authority_usccs": [uscc(1)]})


def test_the_registration_links_the_development_outbox_where_the_code_is(phone: Any, db: Any) -> None:
    from tests.checkpoints.factories import org

    org(db)
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.goto("/scanner/register")
    phone.fill("#phone", "13912345678")
    phone.get_by_test_id("send-sms").tap()
    expect(phone.locator("#sms-hint")).to_contain_text("验证码已发送")
    phone.screenshot(path=str(SCREENSHOTS / "scanner-register-dev-outbox.png"), full_page=True)

    with phone.context.expect_page() as opened:
        phone.get_by_test_id("dev-sms-link").get_by_role("link").tap()
    outbox = opened.value
    outbox.wait_for_load_state()

    assert outbox.url.endswith("/dev/sms")
    assert re.search(r"验证码为\d{6}", outbox.locator(".sms").first.inner_text())


def test_the_authority_sees_texts_delivered_and_waiting_for_a_retry(browser: Any, live_server: str, db: Any,
                                                                     engine: Engine, gateway: FakeGateway,
                                                                     freeze: Any) -> None:
    # Given the health authority, and a gateway that fails the first text it gets
    freeze(NOW)
    hq = unit(db, 1, "省疫情防控指挥部")
    gateway.script = [FAIL]
    # When two texts are written, the server delivers them at once
    with transaction(engine) as session:
        sms.sender().send(session, [("13912345678", "【八闽健康码】提醒一"), ("13800000001", "【八闽健康码】提醒二")],
                          NOW)
    gateway.wait_for(2)
    wait_until(lambda: sorted((r.status, r.attempts) for r in rows(engine)) == [("delivered", 1), ("pending", 1)])
    # Then 短信投递 shows one delivered, one waiting with its error, masked phones and no text
    context = browser.new_context(base_url=live_server, **PC)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/gov/login")
    page.fill("#username", hq.created.username)
    page.fill("#password", hq.created.password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="短信投递").click()
    expect(page.locator("#count-delivered")).to_have_text("1")
    expect(page.locator("#count-pending")).to_have_text("1")
    table = page.locator("#sms-rows").inner_text()
    assert "网关返回 HTTP 500" in table and "139****5678" in table and "提醒" not in table
    page.screenshot(path=str(SCREENSHOTS / "gov-sms.png"), full_page=True)
    context.close()
