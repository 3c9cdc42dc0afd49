"""The printed card in Chromium (issue 16): a resident prints his card from the family page (a PDF download whose QR,
rendered by poppler, is the card's token), sees it listed and revokes it; a scanner's camera reads the printed card
and the result shows the colour computed online with the 纸质卡 mark."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from healthcode import clock
from healthcode.checkpoints.models import Scan
from healthcode.codes import card_pdf, cards
from healthcode.config import Settings
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_citizen import sign_in
from tests.browser.test_scanner import FFMPEG, camera_scanner, camera_video
from tests.checkpoints.factories import org, person, scanner
from tests.codes.factories import confirmed_case
from tests.identity.flow import make_account
from tests.qrcodes import read_qr_codes
from tests.residents.test_family import CHILD, one_household

pytestmark = pytest.mark.browser


def _rendered(pdf: Path) -> Path:
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(pdf.with_suffix(""))], check=True)
    return pdf.with_suffix(".png")


def test_on_a_phone_a_resident_prints_his_paper_card_and_his_childs_and_revokes_his(
        phone: Any, db: Any, engine: Any, tmp_path: Path) -> None:
    one_household(engine, tmp_path)  # 张小明 and his son (born 2015) at one address: the link is active at once
    make_account(db)
    sign_in(phone)
    phone.goto("/citizen/family")
    assert phone.get_by_test_id("card-self").inner_text().startswith("未打印纸质健康码")

    with phone.expect_download() as download:
        phone.get_by_test_id("card-self").get_by_test_id("card-print").tap()
    pdf = tmp_path / "card.pdf"
    download.value.save_as(pdf)

    assert re.fullmatch(r"healthcode-card-[0-9A-Z]{4}-[0-9A-Z]{4}\.pdf", download.value.suggested_filename)
    png = _rendered(pdf)
    Image.open(png).save(SCREENSHOTS / "citizen-printed-card.png")  # the card as printed
    texts = [b.text for b in read_qr_codes(Image.open(png))]
    assert len(texts) == 1 and texts[0].startswith("BMJKK1:")
    serial = download.value.suggested_filename[len("healthcode-card-"):-4]
    phone.reload()
    assert f"纸质卡 {serial}，有效期至" in phone.get_by_test_id("card-self").inner_text()
    phone.fill("#f-name", "张小宝")
    phone.fill("#f-id", CHILD)
    phone.select_option("#f-rel", "子女")
    phone.get_by_role("button", name="添加并申领").tap()
    phone.wait_for_url(re.compile(r"/citizen/family/\d+/code$"))  # the child's code: guardianship, no waiting
    phone.goto("/citizen/family")
    with phone.expect_download() as child_download:
        phone.get_by_test_id("card-member").get_by_test_id("card-print").tap()
    child_pdf = tmp_path / "child.pdf"
    child_download.value.save_as(child_pdf)
    child_texts = [b.text for b in read_qr_codes(Image.open(_rendered(child_pdf)))]
    assert len(child_texts) == 1 and child_texts[0] != texts[0]
    phone.reload()
    assert "纸质卡" in phone.get_by_test_id("card-member").inner_text()
    phone.screenshot(path=str(SCREENSHOTS / "citizen-family-card.png"), full_page=True)
    phone.get_by_test_id("card-self").get_by_test_id("card-revoke").tap()
    assert "纸质健康码已作废" in phone.get_by_test_id("done").inner_text()
    assert phone.get_by_test_id("card-self").inner_text().startswith("未打印纸质健康码")


def test_on_a_phone_a_scanner_camera_reads_a_printed_card_and_shows_the_colour_of_now(
        browser: Any, live_server: str, db: Any, settings: Settings, tmp_path: Path) -> None:
    if not FFMPEG.exists():
        pytest.skip("需要 ffmpeg 生成摄像头测试视频")
    phone_number = scanner(db, org(db).username)
    resident = person(db, name="欧阳小明")
    card = cards.print_card(db, settings, resident, clock.now(), "cli")
    confirmed_case(db, resident.id_number, clock.now())  # after printing: the card itself says nothing of it
    db.commit()
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(card_pdf.render(card, settings.card_font_path))
    video = camera_video(Image.open(_rendered(pdf)), tmp_path, size=(640, 720))
    with camera_scanner(browser, live_server, video, phone_number) as page:
        page.get_by_test_id("camera").tap()

        page.locator("#result-section").wait_for()
        assert page.get_by_test_id("name").inner_text() == "欧**明"
        assert page.get_by_test_id("color").inner_text().startswith("橙码")
        assert page.get_by_test_id("card-mark").is_visible()
        page.screenshot(path=str(SCREENSHOTS / "scanner-card-result.png"), full_page=True)
        db.rollback()
        assert db.scalars(select(Scan.via)).one() == "card"
