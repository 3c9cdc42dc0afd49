"""我的数据访问记录: the resident sees every access to his data by a unit (scans, console views with their purpose,
enterprise views and exports of his reports, a relative's showings), newest first; nobody else sees them; and
`healthcode purge` keeps the logs of views while it removes old scans."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from healthcode import cli
from healthcode.checkpoints.models import Scan
from healthcode.orgs.audit_models import DataAccess
from healthcode.residents.family_models import FamilyLink, FamilyView
from tests.enterprise.factories import console_login, employ, enterprise, report
from tests.identity.flow import LI, ZHANG, make_account, sign_in
from tests.orgs.console_factories import NOW, add_scans, login, unit

RESIDENT_NAME = "王小五"


def _browser(client: Any, db: Any, number: str, name: str) -> TestClient:
    browser = TestClient(client.app)
    db.rollback()
    make_account(db, number, name)
    assert sign_in(browser, number).status_code == 200
    return browser


def _world(client: Any, db: Any, freeze: Any) -> dict[str, Any]:
    """Each step a few minutes after the one before (the consoles' sessions end after 30 idle minutes). A resident
    scanned twice at 甲单位, whose data 甲单位 then opens (purpose stated) and a scan's detail; his
    employer 测试企业5 opens one report and exports; his brother 张小明, whose link he confirmed, shows his code."""
    freeze(NOW + timedelta(days=1))
    gov = unit(db, 1, "甲单位", person_name=RESIDENT_NAME)
    scans = add_scans(db, gov, 2)
    from healthcode.residents.models import Person

    resident = db.get(Person, gov.person_ids[0])
    number = resident.id_number
    console = TestClient(client.app)
    assert login(console, gov.created.username, gov.created.password).status_code == 303
    freeze(NOW + timedelta(days=1, minutes=5))
    assert console.post(f"/gov/people/{resident.id}", data={"purpose": "密切接触者追踪"},
                        follow_redirects=False).status_code == 200
    freeze(NOW + timedelta(days=1, minutes=10))
    assert console.get(f"/gov/records/{scans[0]}", follow_redirects=False).status_code == 200
    db.rollback()  # a fresh snapshot to write from: the app wrote in its own transactions
    ent = enterprise(db, 5)
    employ(db, ent.org_id, RESIDENT_NAME, number, NOW)
    r = report(db, resident, NOW.date())
    db.commit()
    ent_client = TestClient(client.app)
    console_login(ent_client, ent)
    freeze(NOW + timedelta(days=1, minutes=15))
    assert ent_client.get(f"/ent/reports/{r.id}", follow_redirects=False).status_code == 200
    freeze(NOW + timedelta(days=1, minutes=20))
    assert ent_client.get("/ent/reports/export", follow_redirects=False).status_code == 200
    own = _browser(client, db, number, RESIDENT_NAME)
    brother = _browser(client, db, ZHANG, "张小明")
    brother.post("/citizen/family", data={"name": RESIDENT_NAME, "id_number": number, "relation": "兄弟姐妹"})
    own.post(f"/citizen/family/requests/{db.scalar(select(FamilyLink.id))}", data={"action": "accept"})
    freeze(NOW + timedelta(days=1, minutes=25))
    assert brother.get(f"/citizen/family/{resident.id}/code").status_code == 200
    return {"own": own, "number": number}


def _entries(page: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip()
            for item in re.findall(r"<li data-kind=\"\w+\">(.*?)</li>", page, re.S)]


def test_the_resident_sees_each_kind_of_access_newest_first_and_nobody_else_does(client: Any, db: Any,
                                                                                 freeze: Any) -> None:
    world = _world(client, db, freeze)
    page = world["own"].get("/citizen/access")
    entries = _entries(page.text)
    assert len(entries) == 7, entries
    assert entries[0].startswith("家人代为出示 · 张*明（兄弟姐妹）") and "出示了您的健康码" in entries[0]
    assert entries[1].startswith("企业查看健康上报 · 测试企业5") and "批量导出员工健康上报数据" in entries[1]
    assert entries[2].startswith("企业查看健康上报 · 测试企业5") and "查看健康上报详情" in entries[2]
    assert entries[3].startswith("单位查看 · 甲单位") and "查看目的：查看扫码记录详情" in entries[3]
    assert entries[4].startswith("单位查看 · 甲单位") and "查看目的：密切接触者追踪" in entries[4]
    assert all(e.startswith("扫码查验 · 甲单位") and "甲单位社区" in e for e in entries[5:])
    assert "2020-02-24 09:07:00" in entries[5] and "2020-02-24 09:00:00" in entries[6]
    # Another resident sees none of it, and a visitor who is not signed in is sent home
    other = _browser(client, db, LI, "李四")
    assert 'data-testid="no-access"' in other.get("/citizen/access").text
    assert str(TestClient(client.app).get("/citizen/access").url).endswith("/citizen/")
    # A bad page number shows the first page
    assert _entries(world["own"].get("/citizen/access", params={"page": "abc"}).text) == entries


def test_the_log_pages_by_twenty(client: Any, db: Any, freeze: Any) -> None:
    freeze(NOW + timedelta(days=1))
    gov = unit(db, 1, "甲单位", person_name=RESIDENT_NAME)
    add_scans(db, gov, 25)
    from healthcode.residents.models import Person

    own = _browser(client, db, db.get(Person, gov.person_ids[0]).id_number, RESIDENT_NAME)
    first = own.get("/citizen/access")
    assert len(_entries(first.text)) == 20 and "第 1 / 2 页，共 25 条" in first.text
    second = own.get("/citizen/access", params={"page": 2})
    assert len(_entries(second.text)) == 5 and "2020-02-24 09:00:00" in second.text


def test_purge_removes_old_scans_but_keeps_the_logs_of_views(client: Any, db: Any, freeze: Any,
                                                           cli_engine: Any) -> None:
    _world(client, db, freeze)
    db.rollback()
    views = (db.scalar(select(func.count()).select_from(DataAccess)),
             db.scalar(select(func.count()).select_from(FamilyView)))
    freeze(NOW + timedelta(days=40))
    result = CliRunner().invoke(cli.app, ["purge"])
    assert result.exit_code == 0, result.output
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Scan)) == 0
    assert (db.scalar(select(func.count()).select_from(DataAccess)),
            db.scalar(select(func.count()).select_from(FamilyView))) == views
    assert views[0] >= 4 and views[1] == 1


def test_a_check_by_id_card_shows_as_such(client: Any, db: Any, freeze: Any) -> None:
    """刷身份证 (issue 16): the resident sees that his ID card, not his code, was checked."""
    freeze(NOW + timedelta(days=1))
    gov = unit(db, 1, "甲单位", person_name=RESIDENT_NAME)
    add_scans(db, gov, 1)
    add_scans(db, gov, 1, via="id_card", start=NOW + timedelta(minutes=30))
    from healthcode.residents.models import Person

    own = _browser(client, db, db.get(Person, gov.person_ids[0]).id_number, RESIDENT_NAME)
    page = own.get("/citizen/access").text

    entries = _entries(page)
    assert entries[0].startswith("刷身份证核验 · 甲单位") and "核验点：甲单位社区" in entries[0], entries
    assert entries[1].startswith("扫码查验 · 甲单位")
    assert page.count('data-kind="id_card"') == 1
