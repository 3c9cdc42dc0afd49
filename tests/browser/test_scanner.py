"""The scanner's pages in Chromium on a phone: login, scan point, the 12-digit number with its check digit, the
result screen and the feedback; the camera (Chromium's fake camera playing a real issued QR); offline verification
with the API blocked and the queued scan uploaded once when it comes back."""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from healthcode import clock
from healthcode.checkpoints.models import Scan
from healthcode.codes import qr
from healthcode.regions import service as regions
from healthcode.residents.models import Person
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, CHROMIUM_ENV, PHONE, watch_csp
from tests.checkpoints.factories import PASSWORD, id_number, issue, org, person, scanner

pytestmark = pytest.mark.browser
FFMPEG = Path("/usr/bin/ffmpeg")


def log_in_and_report_point(page: Any, phone_number: str, shots: Path | None = None) -> None:
    page.goto("/scanner/login")
    if shots:
        page.screenshot(path=str(shots / "scanner-login.png"))
    page.fill("#phone", phone_number)
    page.fill("#password", PASSWORD)
    page.get_by_test_id("login").tap()
    page.get_by_test_id("service").tap()
    page.fill("#community", "软件园社区")
    page.fill("#point-name", "东大门")
    page.fill("#address", "鼓楼区软件大道89号")
    page.select_option("#region_code", "350103")  # 台江区 (level 0), while the resident comes from 鼓楼区
    page.get_by_test_id("report-point").tap()
    page.get_by_test_id("number").wait_for()


def test_on_a_phone_a_scanner_types_a_number_code_reads_the_result_and_gives_feedback(
        phone: Any, db: Any, artifacts: Path) -> None:
    admin = org(db)
    phone_number = scanner(db, admin.username)
    regions.set_level(db, "350102", 1, "test")
    db.commit()
    issued = issue(db, person(db, name="李斌"), clock.now())
    log_in_and_report_point(phone, phone_number, artifacts)
    number = phone.get_by_test_id("number")
    number.fill(issued.number_code[:11] + str((int(issued.number_code[11]) + 1) % 10))
    assert "校验位错误" in phone.locator("#number-hint").inner_text()
    assert phone.get_by_test_id("lookup").is_disabled()
    number.fill(issued.number_code)
    assert "校验通过" in phone.locator("#number-hint").inner_text()
    phone.screenshot(path=str(artifacts / "scanner-scan.png"), full_page=True)

    phone.get_by_test_id("lookup").tap()

    phone.locator("#result-section").wait_for()
    assert phone.get_by_test_id("color").inner_text().startswith("绿码")
    assert phone.get_by_test_id("name").inner_text() == "*斌"
    assert phone.get_by_test_id("id-number").inner_text().startswith("35*****")
    assert phone.get_by_test_id("address").inner_text() == "福建省福州市鼓楼区"
    severe = phone.get_by_test_id("severe")
    assert "14天内去过的最严重地区是在 福州市鼓楼区，目前该地区为零星散发疫情区。" in severe.inner_text()
    assert "疫情区防控策略：零星散发疫情区-" in severe.inner_text()
    assert "warning" in (severe.get_attribute("class") or "")  # 鼓楼区 (1) is more severe than 台江区 (0)
    phone.screenshot(path=str(artifacts / "scanner-result.png"), full_page=True)
    phone.get_by_test_id("to-feedback").tap()
    assert "请务必如实反馈每一个人员情况" in phone.locator("#feedback-section").inner_text()
    phone.get_by_test_id("submit-feedback").tap()
    expect(phone.locator("#feedback-error")).to_have_text("请选择通行原因")
    phone.select_option("#pass_reason", "工作")
    phone.select_option("#temperature_result", "normal")
    phone.fill("#temperature", "36.5")
    phone.screenshot(path=str(artifacts / "scanner-feedback.png"), full_page=True)
    phone.get_by_test_id("submit-feedback").tap()
    phone.get_by_test_id("number").wait_for()
    db.rollback()
    stored = db.scalars(select(Scan)).one()
    assert (stored.pass_reason, stored.temperature_result, stored.temperature) == ("工作", "normal", 36.5)

    again = issue(db, db.get(Person, stored.person_id), clock.now())  # the same resident passes again
    phone.get_by_test_id("number").fill(again.number_code)
    phone.get_by_test_id("lookup").tap()
    expect(phone.get_by_test_id("recent")).to_contain_text("台江区东大门")
    assert "体温正常" in phone.get_by_test_id("recent").inner_text()
    assert "工作" in phone.get_by_test_id("recent").inner_text()
    phone.screenshot(path=str(artifacts / "scanner-result-recent.png"), full_page=True)


def test_on_a_phone_an_expired_number_is_refused_in_clear_chinese(phone: Any, db: Any) -> None:
    phone_number = scanner(db, org(db).username)
    issued = issue(db, person(db), clock.now().replace(year=2020))
    log_in_and_report_point(phone, phone_number)

    phone.get_by_test_id("number").fill(issued.number_code)
    phone.get_by_test_id("lookup").tap()

    expect(phone.get_by_test_id("scan-error")).to_contain_text("数字码无效或已过期")


def camera_video(picture: Image.Image, folder: Path, size: tuple[int, int] = (640, 480)) -> Path:
    """Two seconds of a fake camera (y4m, for Chromium's --use-file-for-fake-video-capture) filmed at `picture`,
    scaled into the middle of a white frame of `size`."""
    width, height = size
    frame = Image.new("RGB", size, "white")
    picture = picture.convert("RGB")
    picture.thumbnail((460, min(640, height - 40)))
    frame.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    frame.save(folder / "frame.png")
    video = folder / "camera.y4m"
    subprocess.run([str(FFMPEG), "-loglevel", "error", "-y", "-loop", "1", "-i", str(folder / "frame.png"), "-t", "2",
                    "-pix_fmt", "yuv420p", str(video)], check=True)
    return video


@contextmanager
def camera_scanner(browser: Any, live_server: str, video: Path, phone_number: str) -> Iterator[Any]:
    """A phone's Chromium whose camera films `video`, the scanner signed in at a point; closed afterwards."""
    camera_browser = browser.browser_type.launch(executable_path=str(CHROMIUM), args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"], env={**os.environ, **CHROMIUM_ENV})
    try:
        context = watch_csp(camera_browser.new_context(base_url=live_server, **PHONE))
        context.grant_permissions(["camera"])
        page = context.new_page()
        page.set_default_timeout(20_000)
        log_in_and_report_point(page, phone_number)
        yield page
    finally:
        camera_browser.close()


def test_on_a_phone_camera_scanning_reads_a_real_qr_and_shows_the_result(
        browser: Any, live_server: str, db: Any, tmp_path: Path, artifacts: Path) -> None:
    if not FFMPEG.exists():
        pytest.skip("需要 ffmpeg 生成摄像头测试视频")
    phone_number = scanner(db, org(db).username)
    issued = issue(db, person(db, name="欧阳小明"), clock.now())
    video = camera_video(Image.open(io.BytesIO(qr.png_bytes(issued.qr_text, scale=6))), tmp_path)
    with camera_scanner(browser, live_server, video, phone_number) as page:
        page.get_by_test_id("camera").tap()

        page.locator("#result-section").wait_for()
        assert page.get_by_test_id("name").inner_text() == "欧**明"
        assert page.get_by_test_id("color").inner_text().startswith("绿码")
        page.screenshot(path=str(artifacts / "scanner-camera-result.png"), full_page=True)
        db.rollback()
        assert db.scalars(select(Scan.via)).one() == "qr"


def ready_for_offline(phone: Any, db: Any) -> Any:
    """A scanner signed in at a point, with the JWK Set cached; returns a code of 李斌's to scan."""
    phone_number = scanner(db, org(db).username)
    issued = issue(db, person(db, name="李斌"), clock.now())
    log_in_and_report_point(phone, phone_number)
    phone.wait_for_function("() => localStorage.getItem('hc.jwks') !== null")
    return issued


def scan_offline(phone: Any, qr_text: str) -> None:
    """Scans through the handheld-scanner field and expects the offline result."""
    phone.locator("details.more-ways summary").tap()
    phone.get_by_test_id("wedge").fill(qr_text)
    phone.get_by_test_id("wedge").press("Enter")
    phone.locator("#result-section").wait_for()
    assert "离线核验" in phone.get_by_test_id("color").inner_text()
    assert phone.get_by_test_id("name").inner_text() == "*斌"


def test_offline_a_qr_is_verified_in_the_browser_and_its_scan_uploads_once_when_back(
        phone: Any, db: Any, artifacts: Path) -> None:
    issued = ready_for_offline(phone, db)
    phone.route("**/api/**", lambda route: route.abort())

    scan_offline(phone, issued.qr_text)

    assert phone.locator("#net-status").is_visible()
    phone.screenshot(path=str(artifacts / "scanner-offline-result.png"), full_page=True)
    db.rollback()
    assert db.scalars(select(Scan)).all() == []
    key = "hc.scanner.' + JSON.parse(document.getElementById('scanner-config').textContent).scanner_id + '.offline"
    assert phone.evaluate(f"JSON.parse(localStorage.getItem('{key}')).length") == 1
    phone.get_by_test_id("to-feedback").tap()
    phone.select_option("#pass_reason", "工作")
    phone.select_option("#temperature_result", "normal")
    phone.fill("#temperature", "63.5")  # refused at once: queued, the server would refuse the record and it be lost
    phone.get_by_test_id("submit-feedback").tap()
    expect(phone.locator("#feedback-error")).to_have_text("体温应在 34.0–43.0℃ 之间")
    phone.fill("#temperature", "36.5")
    phone.get_by_test_id("submit-feedback").tap()
    phone.get_by_test_id("number").wait_for()

    phone.unroute("**/api/**")
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.wait_for_function(f"() => JSON.parse(localStorage.getItem('{key}')).length === 0")
    phone.evaluate("window.dispatchEvent(new Event('online'))")  # a second flush finds nothing to send

    db.rollback()
    scans = db.scalars(select(Scan)).all()
    assert len(scans) == 1 and scans[0].color == "green"
    assert (scans[0].pass_reason, scans[0].temperature) == ("工作", 36.5)
    assert phone.locator("#net-status").is_hidden()


def test_without_network_the_scan_page_reopens_from_the_phone_and_still_verifies_a_qr(
        phone: Any, db: Any, artifacts: Path) -> None:
    issued = ready_for_offline(phone, db)
    # The service worker is installed once the page and its scripts are in its cache.
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.evaluate("""async () => {
        for (;;) {
            const cache = await caches.open('hc-scanner-v1');
            if (await cache.match('/scanner/service') && await cache.match('/static/scanner.js')) return;
            await new Promise((done) => setTimeout(done, 50));
        }
    }""")

    phone.context.set_offline(True)
    try:
        phone.reload()
        scan_offline(phone, issued.qr_text)
        phone.screenshot(path=str(artifacts / "scanner-offline-reopened.png"), full_page=True)
    finally:
        phone.context.set_offline(False)

    phone.goto("/scanner/")
    kept = phone.evaluate("JSON.parse(sessionStorage.getItem('hc.scanner.token')).token")
    phone.locator("form[action$='/scanner/logout'] button").tap()
    phone.wait_for_url("**/scanner/login")
    assert phone.evaluate("caches.has('hc-scanner-v1')") is False  # signing out leaves no copy on the phone
    assert phone.evaluate("sessionStorage.getItem('hc.scanner.token')") is None  # nor of the API token
    me = "t => fetch('/api/v1/checkpoint/me', {headers: {Authorization: 'Bearer ' + t}}).then(r => r.status)"
    assert phone.evaluate(me, kept) == 401  # and the token taken before is refused by the server


def test_on_a_phone_a_photo_of_a_code_is_decoded_on_the_server_and_scanned(
        phone: Any, db: Any, tmp_path: Path) -> None:
    phone_number = scanner(db, org(db).username)
    issued = issue(db, person(db, name="李斌"), clock.now())
    (tmp_path / "photo.png").write_bytes(qr.png_bytes(issued.qr_text, scale=5))
    log_in_and_report_point(phone, phone_number)

    phone.locator("details.more-ways summary").tap()
    phone.get_by_test_id("photo").set_input_files(str(tmp_path / "photo.png"))

    phone.locator("#result-section").wait_for()
    assert phone.get_by_test_id("name").inner_text() == "*斌"


def test_on_a_phone_a_scanner_registers_with_the_sms_code_and_waits_for_authorisation(
        phone: Any, db: Any, artifacts: Path) -> None:
    admin = org(db)
    phone.goto("/scanner/login")
    phone.get_by_test_id("register").tap()
    phone.fill("#org_name", "测试单位1")
    phone.fill("#uscc", admin.username)
    phone.fill("#phone", "13912345678")
    phone.get_by_test_id("send-sms").tap()
    expect(phone.locator("#sms-hint")).to_contain_text("验证码已发送")
    assert phone.get_by_test_id("send-sms").is_disabled()  # resend waits for the countdown
    phone.goto("/dev/sms?phone=13912345678")
    code = re.search(r"验证码为(\d{6})", phone.locator(".sms").first.inner_text()).group(1)
    phone.go_back()
    phone.fill("#org_name", "测试单位1")
    phone.fill("#uscc", admin.username)
    phone.fill("#phone", "13912345678")
    phone.fill("#sms_code", code)
    phone.fill("#name", "王芳")
    phone.fill("#id_number", id_number(321))
    phone.fill("#password", "abcdef")
    assert phone.locator("#strength-text").inner_text() == "弱"
    phone.fill("#password", "Abc12345")
    assert phone.locator("#strength-text").inner_text() == "强"
    phone.fill("#password_confirm", "Abc12345")
    assert phone.locator("#confirm-hint").inner_text() == "两次输入一致"
    phone.screenshot(path=str(artifacts / "scanner-register.png"), full_page=True)

    phone.get_by_test_id("submit").tap()

    expect(phone.get_by_test_id("registered")).to_contain_text("待单位管理员授权")
    phone.goto("/scanner/login")
    phone.fill("#phone", "13912345678")
    phone.fill("#password", "Abc12345")
    phone.get_by_test_id("login").tap()
    expect(phone.get_by_test_id("pending")).to_contain_text("待单位管理员授权")
