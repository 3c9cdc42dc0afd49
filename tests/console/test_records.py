"""扫码记录 pages: the table with filters and pagination, 查看详情, the audited drill-down to a resident, the scanner
summary, and 批量导出 to Excel whose cells never start a formula."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from healthcode.orgs.audit_models import DataAccess
from healthcode.web.exports import safe_cell
from tests.orgs.console_factories import NOW, add_scans


def test_table_shows_seed_columns_and_pagination_text(client, signed_in):
    page = client.get("/gov/records")

    for column in ("姓名", "身份证号", "居住社区", "扫码时间", "扫码地点", "扫码结果", "体温", "通行原因", "扫码员",
                   "备注", "查询", "重置", "批量导出", "查看详情"):
        assert column in page.text
    assert "当前页 <span class=\"current\">1/2</span>" in page.text and "共 12 条记录" in page.text
    assert "王*五" in page.text and "王小五" not in page.text  # masked by default


def test_second_page_holds_the_oldest_records(client, signed_in):
    page = client.get("/gov/records", params={"page": 2})

    assert "1/2</span>" not in page.text and "2/2" in page.text
    assert page.text.count("查看详情") == 2 and "2020-02-24 09:00:00" in page.text


def test_filter_by_colour_point_and_time(client, signed_in):
    orange = client.get("/gov/records", params={"color": "orange"})
    point = client.get("/gov/records", params={"point_id": signed_in.point_ids[1]})
    window = client.get("/gov/records", params={"start": "2020-02-24T09:10", "end": "2020-02-24T09:30"})

    assert "共 3 条记录" in orange.text and "绿码</span>" not in orange.text
    assert "共 6 条记录" in point.text
    assert "共 3 条记录" in window.text  # 09:14, 09:21, 09:28


def test_bad_filter_is_refused_in_chinese(client, signed_in):
    response = client.get("/gov/records", params={"start": "2020-02-30"})

    assert response.status_code == 422 and "开始时间格式" in response.text


def test_htmx_query_returns_only_the_table(client, signed_in):
    response = client.get("/gov/records", params={"color": "orange"},
                          headers={"HX-Request": "true", "HX-Target": "records"})

    assert "<table" in response.text and "<html" not in response.text and "共 3 条记录" in response.text


def test_detail_shows_the_whole_pass_record(client, signed_in):
    response = client.get(f"/gov/records/{signed_in.scan_ids[0]}")

    assert response.status_code == 200
    assert "东大街西角" in response.text and "37.9℃" in response.text and "工作" in response.text


def test_resident_data_shows_only_after_a_logged_purpose(client, db, signed_in):
    person_id = signed_in.person_ids[0]

    form = client.get(f"/gov/people/{person_id}")
    refused = client.post(f"/gov/people/{person_id}", data={"purpose": "好奇"})
    shown = client.post(f"/gov/people/{person_id}", data={"purpose": "疫情防控排查"})

    assert "查看目的" in form.text and "王小五" not in form.text
    assert refused.status_code == 422 and "王小五" not in refused.text
    assert shown.status_code == 200 and "王小五" in shown.text and "通行记录" in shown.text
    log = db.scalars(select(DataAccess)).all()
    assert [(e.subject, e.person_id, e.purpose, e.username) for e in log] == [
        ("person", person_id, "疫情防控排查", signed_in.created.username)]


def test_scanner_summary_with_print_button(client, signed_in):
    response = client.get(f"/gov/scanners/{signed_in.scanner_ids[0]}/records")

    assert "扫码员数据汇总" in response.text and "李强" in response.text and "打印" in response.text
    assert "13800000011" in response.text and "手机号" in response.text and "身份证号" in response.text


def test_export_is_an_excel_file_of_the_filtered_rows_and_is_logged(client, db, signed_in):
    response = client.get("/gov/records/export", params={"color": "orange"})

    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert rows[0][:3] == ("姓名", "身份证号", "居住社区") and len(rows) == 4
    assert {r[5] for r in rows[1:]} == {"橙码"}
    assert db.scalars(select(DataAccess.subject)).all() == ["export"]


def test_export_never_starts_a_cell_with_a_formula_character(client, db, signed_in):
    add_scans(db, signed_in, 1, pass_reason="=1+2", start=NOW + timedelta(hours=3))
    from healthcode.checkpoints.models import Scanner

    scanner = db.get(Scanner, signed_in.scanner_ids[0])
    scanner.name = "@SUM(1)"
    db.commit()

    response = client.get("/gov/records/export")

    cells = [c for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    assert "'=1+2" in cells and "'@SUM(1)" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


@pytest.mark.parametrize("value, expected", [("=1+1", "'=1+1"), ("+86", "'+86"), ("-3", "'-3"), ("@A1", "'@A1"),
                                             ("\tX", "'\tX"), ("王五", "王五"), (-3, -3), (None, None)])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_resident_health_reports_show_only_to_a_unit_the_resident_works_for(client, db, signed_in):
    # Given the resident reported a fever yesterday, and works for 甲单位 (the signed-in unit)
    from healthcode.enterprise.models import Employee
    from healthcode.residents.models import Person
    from tests.enterprise.factories import report

    person = db.get(Person, signed_in.person_ids[0])
    report(db, person, (NOW - timedelta(days=1)).date(), temperature="38.2")
    db.commit()
    before = client.post(f"/gov/people/{person.id}", data={"purpose": "疫情防控排查"})
    db.add(Employee(org_id=signed_in.created.org_id, name=person.name, id_number=person.id_number, created_at=NOW))
    db.commit()
    # When the admin opens the resident's data
    after = client.post(f"/gov/people/{person.id}", data={"purpose": "疫情防控排查"})
    # Then the report shows only once the resident is the unit's employee
    assert "无健康上报记录" in before.text and "日常上报" not in before.text
    assert "日常上报" in after.text and "异常" in after.text


def test_a_check_by_id_card_is_marked_in_the_table_the_detail_and_the_export(client, db, signed_in):
    """刷身份证 (issue 16): the record says how the resident was checked (扫码 / 数字码 / 身份证)."""
    scan_id, = add_scans(db, signed_in, 1, via="id_card", start=NOW + timedelta(hours=3))

    table = client.get("/gov/records")
    detail = client.get(f"/gov/records/{scan_id}")
    export = client.get("/gov/records/export")

    assert table.text.count("<td>身份证</td>") == 1 and table.text.count("<td>扫码</td>") == 9  # page 1: 10 rows
    assert "<dt>扫码方式</dt><dd>身份证</dd>" in detail.text
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content), read_only=True).active.iter_rows(values_only=True))
    assert [r[-1] for r in rows[1:]].count("身份证") == 1
