"""Appeals in Chromium (issue 16): on a phone the resident contests his fever-clinic reason with a photo; on a PC the
health authority reads it with its source record, views the photo and upholds it; the resident's code turns green.
Screenshots go to tests/browser/screenshots/."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from healthcode import clock
from healthcode.config import Settings
from tests.browser.conftest import SCREENSHOTS, console_sign_in
from tests.browser.test_citizen import sign_in
from tests.checkpoints.factories import org, uscc
from tests.identity.flow import ZHANG, make_account
from tests.residents.citizen import fever_visit

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The live server's settings: the unit `org(db, 9)` makes is the health authority."""
    return settings.model_copy(update={"authority_usccs": [uscc(9)]})


def _photo(folder: Path) -> Path:
    image = Image.new("RGB", (320, 200), (250, 250, 250))
    for x in range(40, 280):
        for y in range(80, 120):
            image.putpixel((x, y), (30, 90, 200))
    path = folder / "证明.png"
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_resident_appeals_on_his_phone_and_the_authority_upholds_it_on_a_pc(
        phone: Any, pc: Any, db: Any, engine: Any, tmp_path: Path) -> None:
    make_account(db)
    day = (clock.now() - timedelta(days=2)).strftime("%Y-%m-%d 10:00")
    fever_visit(engine, tmp_path, ZHANG, "张小明", day)
    hq = org(db, 9, name="省疫情防控指挥部")

    sign_in(phone)
    phone.goto("/citizen/reasons")
    expect(phone.get_by_test_id("appeal-fever_clinic")).to_be_visible()
    phone.screenshot(path=str(SCREENSHOTS / "citizen-reasons-appeal.png"), full_page=True)
    phone.get_by_test_id("appeal-fever_clinic").tap()
    phone.wait_for_url(re.compile(r"/citizen/appeals/new"))
    expect(phone.get_by_test_id("contested")).to_contain_text(day[:10])
    phone.fill("#a-statement", "我这几天一直在家，没有去过发热门诊，可能是医院录错了身份证号。")
    phone.set_input_files("#a-evidence", str(_photo(tmp_path)))
    phone.screenshot(path=str(SCREENSHOTS / "citizen-appeal-form.png"), full_page=True)
    phone.get_by_role("button", name="提交申诉").tap()
    phone.wait_for_url(re.compile(r"/citizen/appeals\?done=filed"))
    expect(phone.get_by_test_id("state")).to_have_text("处理中")
    expect(phone.get_by_test_id("deadline")).to_contain_text("处理期限")
    phone.screenshot(path=str(SCREENSHOTS / "citizen-appeals-open.png"), full_page=True)

    pc.goto("/gov/login")
    console_sign_in(pc, hq.username, hq.password, re.compile(r"/gov/"))
    pc.get_by_role("link", name="申诉处理").click()
    pc.wait_for_url(re.compile(r"/gov/appeals$"))
    rows = pc.locator("#appeals tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("35*****011")
    expect(rows.first).to_contain_text("待处理")
    pc.screenshot(path=str(SCREENSHOTS / "gov-appeals.png"), full_page=True)
    rows.first.get_by_role("link", name="处理").click()
    expect(pc.locator("#sources tbody tr")).to_have_count(1)
    expect(pc.locator("#sources")).to_contain_text("门诊和住院诊疗记录")
    expect(pc.locator("#sources")).to_contain_text(day[:10])
    pc.screenshot(path=str(SCREENSHOTS / "gov-appeal-detail.png"), full_page=True)
    with pc.context.expect_page() as opened:
        pc.locator("#evidence-view").click()
    photo = opened.value
    photo.wait_for_load_state()
    photo.screenshot(path=str(SCREENSHOTS / "gov-appeal-evidence.png"))
    photo.close()
    pc.get_by_label("支持申诉（更正所选记录）").check()
    pc.fill("textarea[name=reason]", "经向就诊医院核实，该就诊记录系他人误录身份证号，予以更正。")
    pc.get_by_role("button", name="提交处理结果").click()
    expect(pc.locator(".notice.ok")).to_contain_text("已支持申诉")
    expect(pc.locator("#appeal-state")).to_have_text("已支持")
    expect(pc.locator("#corrections tbody tr")).to_have_count(1)
    pc.screenshot(path=str(SCREENSHOTS / "gov-appeal-decided.png"), full_page=True)

    phone.goto("/citizen/appeals")
    expect(phone.get_by_test_id("state")).to_have_text("已支持")
    expect(phone.get_by_test_id("decision")).to_contain_text("他人误录")
    phone.screenshot(path=str(SCREENSHOTS / "citizen-appeals-upheld.png"), full_page=True)
    phone.goto("/citizen/code")
    expect(phone.get_by_test_id("color-label")).to_have_text("绿码")
