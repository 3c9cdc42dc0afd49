"""The phone draws the QR (issue 13): the code page draws, on a canvas, the very symbol segno draws for the same text,
and zxing-cpp reads it back; when refreshing fails (503 with Retry-After, or no network) the page backs off with
jitter, keeps the last code while it is valid and says in Chinese when it has expired. Time is Playwright's clock,
not sleeps. The expired screen goes to tests/browser/screenshots/."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import segno
from PIL import Image
from playwright.sync_api import expect

from healthcode import clock
from tests.browser.test_citizen import sign_in
from tests.identity.flow import make_account
from tests.qrcodes import read_qr_codes
from tests.residents.citizen import claims_of

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent / "screenshots"
REFRESH = re.compile(r"/api/v1/me/code")
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def _padding_as_iso(buff: Any, version: int, length: int) -> None:
    """segno 1.6.6 adds a whole zero byte when the bit stream already ends on a codeword boundary (heuer/segno#148,
    open); ISO/IEC 18004 §7.4.10 adds none, and the browser's library follows it. Both decode to the same text."""
    if version > 0:  # a regular QR, not Micro QR M1/M3
        buff.extend([0] * (-length % 8))


def segno_symbol(text: str) -> segno.QRCode:
    """What the server draws for a code (healthcode/codes/qr.py `make`, fast): level M (boosted), mask 0."""
    return segno.make_qr(text, error="m", mask=0)


def drawn(page: Any) -> np.ndarray:
    """The canvas's own pixels (not a screenshot of them), grey levels."""
    url = page.evaluate("() => document.getElementById('qr').toDataURL('image/png')")
    return np.array(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("L"))


def check_drawn(page: Any, text: str) -> None:
    """The canvas reads back as `text` and holds, module for module, segno's symbol for it (4-module quiet zone)."""
    pixels = drawn(page)
    found = read_qr_codes(Image.fromarray(pixels))
    assert [b.text for b in found] == [text]
    symbol = segno_symbol(text)
    extra = found[0].extra
    assert (extra["Version"], extra["ECLevel"], extra["DataMask"]) == (str(symbol.version), symbol.error, 0)
    side = symbol.symbol_size(border=4)[0]
    scale = pixels.shape[0] // side
    assert pixels.shape == (side * scale, side * scale) and scale >= 2
    modules = (pixels[scale // 2::scale, scale // 2::scale] < 128).astype(np.uint8)
    assert not modules[:4].any() and not modules[-4:].any() and not modules[:, :4].any() and not modules[:, -4:].any()
    assert np.array_equal(modules[4:-4, 4:-4], np.array(symbol.matrix, dtype=np.uint8))


def texts_covering_segnos_choices() -> list[str]:
    """Code-like texts for each of segno's choices: the level raised to H and to Q (the text fits a higher level in
    the same version), and a version-10 text whose bit stream ends on a codeword boundary (the padding above)."""
    def text(length: int) -> str:
        return "BMJKM1:" + "".join(BASE45[(n * 7 + 3) % len(BASE45)] for n in range(length - 7))

    by_level = {segno_symbol(text(n)).error: text(n) for n in range(40, 7, -1)}
    boundary = next(text(n) for n in range(270, 290) if (4 + 11 + 11 * (n // 2) + 6 * (n % 2) + 4) % 8 == 0)
    assert segno_symbol(boundary).designator == "10-M"
    return [by_level["H"], by_level["Q"], boundary]


def show_code(page: Any) -> None:
    page.get_by_test_id("show-code").tap()
    page.wait_for_url(re.compile(r"/citizen/code$"))


def test_the_phone_draws_segnos_symbol_and_a_refresh_redraws_it(
    phone: Any, db: Any, monkeypatch: pytest.MonkeyPatch, freeze: Any
) -> None:
    monkeypatch.setattr(segno.encoder, "write_padding_bits", _padding_as_iso)
    make_account(db)
    sign_in(phone)
    show_code(phone)
    qr = phone.get_by_test_id("qr")
    token = qr.get_attribute("data-qr-text")
    number = phone.get_by_test_id("number-code").get_attribute("data-number")
    assert claims_of(db, token, number).masked_name == "张*明"  # the token issued with the number shown
    check_drawn(phone, token)

    # A refresh through the real server at the page's refresh moment (10 s before expiry): the new token is drawn.
    freeze(clock.now() + timedelta(seconds=50))
    with phone.expect_response(REFRESH) as response:
        phone.evaluate("() => { document.getElementById('code').dataset.refreshAt = 0; }")
    fresh = response.value.json()
    expect(qr).to_have_attribute("data-qr-text", fresh["qr_text"])
    assert fresh["qr_text"] != token and "qr_png" not in fresh
    check_drawn(phone, fresh["qr_text"])

    # Texts for segno's other choices, handed to the page as a refresh's answer.
    served: list[str] = []

    def answer(route: Any) -> None:
        real = route.fetch()
        route.fulfill(response=real, json={**real.json(), "qr_text": served[-1]})

    phone.route(REFRESH, answer)
    for text in texts_covering_segnos_choices():
        served.append(text)
        phone.evaluate("() => { document.getElementById('code').dataset.refreshAt = 0; }")
        expect(qr).to_have_attribute("data-qr-text", text)
        check_drawn(phone, text)


class Outage:
    """Answers the page's refreshes as told: 503 with a Retry-After, no network at all, or the real server."""

    def __init__(self) -> None:
        self.mode, self.retry_after, self.seen = "busy", 3, 0

    def __call__(self, route: Any) -> None:
        self.seen += 1
        if self.mode == "busy":
            route.fulfill(status=503, headers={"Retry-After": str(self.retry_after)},
                          json={"error": "overloaded", "message": "系统繁忙，请稍后再试"})
        elif self.mode == "down":
            route.abort("internetdisconnected")
        else:
            route.continue_()


def test_when_refreshing_fails_the_page_backs_off_with_jitter_and_says_when_the_code_has_expired(
    phone: Any, db: Any, freeze: Any
) -> None:
    SHOTS.mkdir(exist_ok=True)
    make_account(db)
    sign_in(phone)
    phone.clock.install()
    phone.clock.pause_at(datetime.now().timestamp() * 1000 + 1000)  # the page's timers run only when told
    show_code(phone)
    code = phone.locator("#code")
    number = phone.get_by_test_id("number-code").get_attribute("data-number")
    offset = int(code.get_attribute("data-server-now")) - phone.evaluate("() => Date.now()")
    now: Callable[[], float] = lambda: phone.evaluate("() => Date.now()") + offset  # noqa: E731 (platform time)
    refresh_at, expires_at = (int(code.get_attribute(a)) for a in ("data-refresh-at", "data-expires-at"))
    outage = Outage()
    phone.route(REFRESH, outage)
    # The page's clock runs minutes ahead through the back-off; the platform's follows it for the refresh that it
    # answers (a code asked for within half its lifetime would be shown again).
    freeze(clock.now() + timedelta(minutes=5))
    with phone.expect_request(REFRESH):
        phone.clock.run_for(refresh_at - now() + 250)

    # How each refresh fails (and its Retry-After), and the least wait before the next: the Retry-After, or 1 s
    # doubling up to 30 s when longer; each wait stretched by a random 0-50%.
    plan = [("busy", 3, 3000), ("down", 0, 2000), ("busy", 1, 4000), ("busy", 1, 8000), ("down", 0, 16000),
            ("busy", 1, 30000), ("busy", 45, 45000), ("ok", 0, 0)]
    stretch, before = [], None
    for (_, _, least), (mode, retry_after, _) in zip(plan, plan[1:], strict=False):
        expect(code).to_have_attribute("data-retry-at", re.compile(r"\d"))
        expect(code).not_to_have_attribute("data-retry-at", before or "")
        before = code.get_attribute("data-retry-at")
        wait = float(before) - now()
        assert least <= wait <= least * 1.5, (least, wait)
        stretch.append(wait / least)
        shows_the_last_code_until_it_expires(phone, number, now(), expired=now() >= expires_at)
        outage.mode, outage.retry_after, seen = mode, retry_after, outage.seen
        phone.clock.run_for(wait - 300)
        phone.evaluate("() => 0")
        assert outage.seen == seen, "asked again before its time"
        with phone.expect_request(REFRESH):
            phone.clock.run_for(600)
    assert len(set(stretch)) == len(stretch), "jitter: every wait stretched by its own random amount"

    # The platform answers again: a fresh code, drawn, and the back-off forgotten.
    expect(phone.get_by_test_id("number-code")).not_to_have_attribute("data-number", number)
    expect(phone.get_by_test_id("stale")).to_be_hidden()
    expect(phone.get_by_test_id("qr")).to_be_visible()
    assert code.get_attribute("data-retry-at") is None
    assert phone.get_by_test_id("color-label").inner_text() == "绿码"


def shows_the_last_code_until_it_expires(page: Any, number: str, at_ms: float, *, expired: bool) -> None:
    """While valid, the last code stays as it was under the live clock; once expired, the page says so in Chinese
    and shows neither the QR nor the number."""
    ticks = {datetime.fromtimestamp(ms / 1000, clock.TZ).strftime("%Y-%m-%d %H:%M:%S") for ms in (at_ms, at_ms - 250)}
    assert page.locator("#clock").inner_text() in ticks  # the clock ticks every 250 ms
    if not expired:
        expect(page.get_by_test_id("stale")).to_be_hidden()
        expect(page.get_by_test_id("qr")).to_be_visible()
        assert page.get_by_test_id("number-code").get_attribute("data-number") == number
        assert page.get_by_test_id("color-label").inner_text() == "绿码"
        return
    stale = page.get_by_test_id("stale")
    expect(stale).to_be_visible()
    assert "健康码已过期" in stale.inner_text() and "网络繁忙" in stale.inner_text()
    assert page.get_by_test_id("color-label").inner_text() == "已过期"
    expect(page.get_by_test_id("qr")).to_be_hidden()
    expect(page.get_by_test_id("number-code")).to_be_hidden()
    page.screenshot(path=str(SHOTS / "citizen-code-expired.png"), full_page=True)
