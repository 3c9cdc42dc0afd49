"""Exports follow the screen's masking; 导出完整信息 shows the one column each export may show in full, only to the
units with the right (enterprise: employees' phones; government or community unit: the names of its own scans; ID
numbers never); every export is logged with who, which export, the filter (masked), full or not, and the row count,
and the log is shown to the unit (its own) and the health authority (all)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from healthcode.orgs.export_models import ExportLog
from healthcode.residents.models import Person
from tests.enterprise.factories import console_login, employ, enterprise, id_number, report
from tests.orgs.console_factories import NOW, add_scans, login, unit

PHONE = "13912340001"


def _rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200, response.text[-300:]
    return list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))


def _logs(db: Session) -> list[tuple[str, str, bool, int]]:
    db.rollback()
    return [(e.export, e.filter, e.full, e.rows) for e in db.scalars(select(ExportLog).order_by(ExportLog.id))]


def _enterprise_with_staff(db: Session) -> Any:
    org = enterprise(db)
    for n, name in ((1, "张小明"), (2, "李小红")):
        employ(db, org.org_id, name, id_number(n), datetime(2020, 2, 1), PHONE[:-1] + str(n))  # and he accepted
        report(db, db.scalars(select(Person).where(Person.id_number == id_number(n))).one(), date(2020, 2, 23))
    db.commit()
    return org


def test_enterprise_exports_are_masked_by_default_and_full_phones_only_on_request(
        client: Any, db: Session, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = _enterprise_with_staff(db)
    console_login(client, org)
    health = client.get("/ent/health")
    assert 'name="full"' in health.text and "导出完整信息" in health.text

    masked = _rows(client.get("/ent/health/export"))
    cells = [str(v) for row in masked for v in row if v is not None]
    assert masked[0][:4] == ("序号", "姓名", "身份证号", "手机号码") and len(masked) == 3
    assert "张小明" in cells and id_number(1) not in cells and "139****0001" in cells and PHONE not in cells
    full = _rows(client.get("/ent/health/export", params={"full": "1", "id_number": id_number(1)}))
    assert len(full) == 2 and full[1][1:4] == ("张小明", "35*****" + id_number(1)[-3:], PHONE)
    reports = _rows(client.get("/ent/reports/export"))
    assert len(reports) == 3 and not any(id_number(n) in map(str, r) for r in reports for n in (1, 2))
    refused = client.get("/ent/reports/export", params={"full": "1"})  # nothing in that export may be shown full
    assert refused.status_code == 403 and "无权导出" in refused.text

    logs = _logs(db)
    assert logs == [("ent_health", "全部", False, 2), ("ent_health", f"身份证号=35*****{id_number(1)[-3:]}", True, 1),
                    ("ent_reports", "全部", False, 2)]
    page = client.get("/ent/exports")
    assert page.status_code == 200 and "员工健康管理数据" in page.text and "否（脱敏）" in page.text
    assert id_number(1) not in page.text


def test_gov_scan_export_masks_names_unless_a_government_unit_asks_for_full_names(
        client: Any, db: Session, freeze: Any) -> None:
    freeze(NOW + timedelta(days=1))
    a = unit(db, 1, "甲单位", person_name="王小五")
    add_scans(db, a, 3, orange_every=2)
    assert login(client, a.created.username, a.created.password).status_code == 303
    assert "导出完整信息" in client.get("/gov/records").text
    masked = _rows(client.get("/gov/records/export"))
    assert {r[0] for r in masked[1:]} == {"王*五"} and len(masked) == 4
    full = _rows(client.get("/gov/records/export", params={"color": "orange", "full": "1"}))
    assert {r[0] for r in full[1:]} == {"王小五"} and len(full) == 3
    assert all(id_number(11) not in str(r[1]) for r in full)
    assert _logs(db) == [("gov_records", "全部", False, 3), ("gov_records", "扫码结果=orange", True, 2)]

    # An enterprise's scan points see visitors, not its employees: no full names for it.
    ent = unit(db, 2, "乙企业", kind="enterprise", person_name="赵小六")
    add_scans(db, ent, 1)
    with TestClient(client.app) as other:
        assert login(other, ent.created.username, ent.created.password).status_code == 303
        assert "导出完整信息" not in other.get("/gov/records").text
        assert other.get("/gov/records/export", params={"full": "1"}).status_code == 403
        assert {r[0] for r in _rows(other.get("/gov/records/export"))[1:]} == {"赵*六"}
    assert len(_logs(db)) == 3


def test_each_unit_sees_its_own_export_log_and_the_authority_sees_all(client: Any, db: Session, freeze: Any,
                                                                      monkeypatch: Any) -> None:
    freeze(NOW + timedelta(days=1))
    a = unit(db, 1, "甲单位")
    b = unit(db, 2, "乙单位")
    authority_code = "12350000MB0000001" + uscc.calc_check_digit("12350000MB0000001")
    from healthcode.orgs.service import add_org

    authority = add_org(db, name="省疫情防控指挥部", uscc=authority_code, kind="government")
    db.commit()
    monkeypatch.setattr(client.app.state.settings, "authority_usccs", [authority_code])
    for u in (a, b):
        with TestClient(client.app) as c:
            login(c, u.created.username, u.created.password)
            assert c.get("/gov/records/export").status_code == 200
            own = c.get("/gov/exports")
            assert own.status_code == 200 and own.text.count("扫码记录</td>") == 1
    login(client, authority.username, authority.password)
    everything = client.get("/gov/exports")
    assert "甲单位" in everything.text and "乙单位" in everything.text and "全部单位" in everything.text
    assert everything.text.count("扫码记录</td>") == 2
