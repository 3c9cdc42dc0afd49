"""Issue 16 in Chromium: the citizen's 查看原因 says where each reason comes from (provider, record date, load date)
on a phone, and the health authority's 问责记录 lists the ledger with the chain's state and filters by kind."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from healthcode import clock
from healthcode.config import Settings
from healthcode.ledger.service import append
from tests.browser.conftest import SCREENSHOTS, console_sign_in
from tests.browser.test_citizen import sign_in
from tests.checkpoints.factories import uscc
from tests.identity.flow import ZHANG, make_account
from tests.orgs.console_factories import unit
from tests.residents.citizen import fever_visit

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The unit `unit(db, 1, …)` makes is the health authority."""
    return settings.model_copy(update={"authority_usccs": [uscc(1)]})


def test_on_a_phone_each_reason_says_where_it_comes_from(phone: Any, db: Any, engine: Any, tmp_path: Path) -> None:
    visit = (clock.now() - timedelta(days=2)).replace(microsecond=0)
    fever_visit(engine, tmp_path, ZHANG, "张小明", visit.isoformat())
    make_account(db)
    sign_in(phone)
    phone.get_by_test_id("show-code").tap()
    phone.get_by_test_id("reasons").tap()
    phone.wait_for_url(re.compile(r"/citizen/reasons$"))
    sources = phone.locator(".reason-sources")
    expect(sources).to_have_count(1)
    sources.locator("summary").tap()
    text = sources.locator("li").inner_text()
    assert "门诊和住院诊疗记录（省卫健委）" in text
    assert f"记录日期 {visit.date().isoformat()}" in text and f"{clock.today().isoformat()} 报送入库" in text
    assert ZHANG not in phone.content()
    phone.screenshot(path=str(SCREENSHOTS / "citizen-reasons-sources.png"), full_page=True)


def test_the_authority_reads_the_ledger_and_filters_it_by_kind(pc: Any, db: Any, engine: Any,
                                                                tmp_path: Path) -> None:
    hq = unit(db, 1, "省疫情防控指挥部")
    fever_visit(engine, tmp_path, ZHANG, "张小明", clock.now().replace(microsecond=0).isoformat())
    append(db, "appeal.filed", "本人申请", {"appeal": 1, "rule": "fever_clinic"}, id_number=ZHANG,
           ref_table="appeals", ref_id=1)
    db.commit()
    pc.goto("/gov/login")
    console_sign_in(pc, hq.created.username, hq.created.password, "**/gov/**")
    pc.get_by_role("link", name="问责记录").click()
    expect(pc.locator("#chain-state")).to_contain_text("哈希链完整")
    rows = pc.locator("#ledger tbody tr")
    expect(rows).to_have_count(2)
    assert "申诉（提交）" in rows.nth(0).inner_text() and "数据批次入库" in rows.nth(1).inner_text()
    assert ZHANG not in pc.content()
    pc.screenshot(path=str(SCREENSHOTS / "gov-audit.png"), full_page=True)
    pc.select_option("select[name=kind]", "feed.batch")
    pc.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    assert "clinic_visits" in rows.nth(0).inner_text() and "feed_batches #" in rows.nth(0).inner_text()
