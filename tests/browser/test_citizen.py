"""The citizen portal in Chromium on a phone: real-name sign-in, one tap to show the code, and a QR on the screen
that another COSE implementation (cwt) verifies with nothing but the published JWK Set."""

from __future__ import annotations

import base64
import io
import re
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import base45
import cwt
import httpx
import pytest
from PIL import Image

from healthcode import clock
from tests.identity.flow import ZHANG, make_account
from tests.qrcodes import read_qr_codes
from tests.residents.citizen import fever_visit, luhn_ok

pytestmark = pytest.mark.browser


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cose_key(jwk: dict[str, str]) -> cwt.COSEKey:
    """A COSE key built from a published JWK by hand (OKP Ed25519 or EC P-256), kid = the 8 raw bytes."""
    kid = b64url(jwk["kid"])
    if jwk["kty"] == "OKP":
        return cwt.COSEKey.new({1: 1, 2: kid, 3: -8, -1: 6, -2: b64url(jwk["x"])})
    return cwt.COSEKey.new({1: 2, 2: kid, 3: -7, -1: 1, -2: b64url(jwk["x"]), -3: b64url(jwk["y"])})


def sign_in(page: Any, shots: Path | None = None) -> None:
    page.goto("/citizen/")
    if shots:
        page.screenshot(path=str(shots / "citizen-home.png"))
    page.get_by_test_id("login").tap()
    page.get_by_text("仅供开发使用").wait_for()
    page.fill("#id_number", ZHANG)
    page.fill("#password", "Passw0rd")
    page.get_by_test_id("next").tap()
    page.get_by_test_id("face").wait_for()
    if shots:
        page.screenshot(path=str(shots / "dev-idp-face.png"))
    page.get_by_test_id("face").tap()
    page.wait_for_url(re.compile(r"/citizen/$"))
    if shots:
        page.screenshot(path=str(shots / "citizen-home-signed-in.png"))


def decode_screen(png: bytes) -> str:
    found = read_qr_codes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, "exactly one QR on the screen"
    return found[0].text


def test_on_a_phone_a_resident_signs_in_taps_once_and_shows_a_verifiable_green_code(
    phone: Any, db: Any, live_server: str, artifacts: Path
) -> None:
    make_account(db)
    sign_in(phone, artifacts)
    phone.get_by_test_id("show-code").tap()
    phone.wait_for_url(re.compile(r"/citizen/code$"))

    assert phone.get_by_test_id("color-label").inner_text() == "绿码"
    number = phone.get_by_test_id("number-code").inner_text().replace(" ", "")
    assert re.fullmatch(r"\d{12}", number) and luhn_ok(number)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", phone.locator("#clock").inner_text())
    assert phone.locator("#holder-name").inner_text() == "张*明"
    phone.locator("#reveal").tap()
    assert phone.locator("#holder-name").inner_text() == "张小明"
    phone.locator("#reveal").tap()

    screenshot = phone.screenshot(path=str(artifacts / "citizen-code-green.png"), full_page=True)
    qr_text = decode_screen(screenshot)
    assert qr_text.startswith("BMJKM1:")
    jwks = httpx.get(f"{live_server}/.well-known/healthcode/jwks.json").json()
    claims = cwt.decode(zlib.decompress(base45.b45decode(qr_text[7:])), [cose_key(k) for k in jwks["keys"]])
    assert claims[-70000]["c"] == "green" and claims[-70000]["n"] == "张*明"
    assert ZHANG not in qr_text


def test_on_a_phone_an_orange_code_reads_as_orange_and_the_reasons_say_when_it_turns_green(
    phone: Any, db: Any, engine: Any, tmp_path: Path, artifacts: Path
) -> None:
    visit = clock.now().replace(microsecond=0)
    fever_visit(engine, tmp_path, ZHANG, "张小明", visit.isoformat())
    make_account(db)
    sign_in(phone)
    phone.get_by_test_id("show-code").tap()
    assert phone.get_by_test_id("color-label").inner_text() == "橙码"
    assert phone.locator("#code").get_attribute("data-color") == "orange"
    phone.screenshot(path=str(artifacts / "citizen-code-orange.png"), full_page=True)
    phone.get_by_test_id("reasons").tap()
    phone.wait_for_url(re.compile(r"/citizen/reasons$"))
    assert "14天内在我省有发热门诊就诊记录" in phone.locator(".reasons").inner_text()
    assert "起恢复绿码" in phone.locator(".turns-green").inner_text()
    phone.screenshot(path=str(artifacts / "citizen-reasons.png"), full_page=True)


def test_the_code_page_fetches_a_fresh_code_before_the_current_one_expires(phone: Any, db: Any, freeze: Any) -> None:
    make_account(db)
    sign_in(phone)
    phone.get_by_test_id("show-code").tap()
    first = phone.get_by_test_id("number-code").get_attribute("data-number")
    # The platform's clock at the refresh moment (10 s before expiry; a code asked for earlier is shown again), and
    # the page's refresh moment brought to now instead of waiting 50 seconds: the page's own timer does the fetch.
    freeze(clock.now() + timedelta(seconds=50))
    with phone.expect_response(re.compile(r"/api/v1/me/code")) as response:
        phone.evaluate("document.getElementById('code').dataset.refreshAt = 0")
    assert response.value.status == 200
    phone.wait_for_function(  # a function, not an expression: the page's CSP forbids the eval of an expression
        f"() => document.getElementById('number-code').dataset.number !== '{first}'")
    assert phone.get_by_test_id("color-label").inner_text() == "绿码"
