"""扫码记录 (issue 14): 批量导出 and 打印 follow the filter of the table shown (htmx swaps them with the table), and a
refused filter shows its Chinese reason in place while the list shown stays."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from healthcode.console import records
from healthcode.orgs.audit_models import DataAccess
from healthcode.orgs.export_models import ExportLog
from tests.orgs.console_factories import NOW, add_scans, unit

HTMX = {"HX-Request": "true", "HX-Target": "records"}


def test_the_swapped_table_carries_an_export_form_of_its_own_filter(client, signed_in):
    response = client.get("/gov/records", params={"color": "orange", "start": "2020-02-24"}, headers=HTMX)

    assert 'id="export-form"' in response.text
    assert '<input type="hidden" name="color" value="orange">' in response.text
    assert '<input type="hidden" name="start" value="2020-02-24">' in response.text


def test_a_start_after_the_end_answers_the_reason_alone_for_htmx(client, signed_in):
    response = client.get("/gov/records", params={"start": "2020-02-25", "end": "2020-02-24"}, headers=HTMX)

    assert response.status_code == 422
    assert 'id="records-error"' in response.text and "开始时间不能晚于结束时间" in response.text
    assert "<table" not in response.text and "<html" not in response.text


def test_a_start_after_the_end_shows_the_form_as_typed_and_the_reason_on_a_plain_request(client, signed_in):
    response = client.get("/gov/records", params={"start": "2020-02-25", "end": "2020-02-24"})

    assert response.status_code == 422
    assert "开始时间不能晚于结束时间" in response.text and 'id="record-filters"' in response.text
    assert 'value="2020-02-25"' in response.text and "<table" not in response.text


def test_print_holds_the_whole_filtered_result_with_filter_unit_and_time_and_is_logged(client, db, signed_in):
    response = client.get("/gov/records/print", params={"color": "green"})

    assert response.status_code == 200
    assert response.text.count("<tr><td>王*五</td>") == 9  # every green row, not a page of 10
    assert "甲单位" in response.text and "扫码结果 绿码" in response.text and "打印时间" in response.text
    assert "2020-02-25 09:00" in response.text  # the (frozen) time of printing
    assert "超过单次打印上限" not in response.text
    access = db.scalars(select(DataAccess).where(DataAccess.purpose == "打印")).one()
    assert access.subject == "export" and "（9/9 条）" in (access.detail or "")
    logged = db.scalars(select(ExportLog)).one()
    assert (logged.export, logged.rows, logged.full) == ("gov_records_print", 9, False)


def test_print_past_the_limit_prints_the_newest_rows_and_says_how_many_were_left(client, db, signed_in,
                                                                                monkeypatch):
    monkeypatch.setattr(records, "PRINT_LIMIT", 5)

    response = client.get("/gov/records/print")

    assert response.text.count("<tr><td>王*五</td>") == 5
    assert "共 12 条记录，超过单次打印上限 5 条：本次只打印最新的 5 条" in response.text
    assert "2020-02-24 10:17:00" in response.text and "2020-02-24 09:00:00" not in response.text


def test_print_refuses_a_start_after_the_end(client, signed_in):
    response = client.get("/gov/records/print", params={"start": "2020-02-25", "end": "2020-02-24"})

    assert response.status_code == 422 and "开始时间不能晚于结束时间" in response.text


def test_the_print_link_carries_the_filter_of_the_table(client, signed_in):
    response = client.get("/gov/records", params={"color": "orange"}, headers=HTMX)

    assert "/gov/records/print?color=orange" in response.text


def test_scanner_summary_filters_by_scan_time_and_point(client, signed_in):
    url = f"/gov/scanners/{signed_in.scanner_ids[0]}/records"

    everything = client.get(url)
    point = client.get(url, params={"point_id": signed_in.point_ids[1]})
    window = client.get(url, params={"start": "2020-02-24T09:10", "end": "2020-02-24T09:30"})
    other_day = client.get(url, params={"start": "2020-02-25", "end": "2020-02-25"})

    assert 'id="scanner-filters"' in everything.text and "全部扫码点" in everything.text
    assert "共 12 条记录" in everything.text and "共 6 条记录" in point.text
    assert "共 3 条记录" in window.text and "共 0 条记录" in other_day.text
    assert f'<option value="{signed_in.point_ids[1]}" selected>' in point.text


def test_scanner_summary_refuses_a_start_after_the_end_in_place(client, signed_in):
    response = client.get(f"/gov/scanners/{signed_in.scanner_ids[0]}/records",
                          params={"start": "2020-02-25", "end": "2020-02-24"})

    assert response.status_code == 422 and 'id="scanner-error"' in response.text
    assert "开始时间不能晚于结束时间" in response.text and "李强" in response.text
    assert 'value="2020-02-25"' in response.text and 'id="scanner-table"' not in response.text


def test_scanner_summary_filter_stays_on_another_units_scanner_out_of_reach(client, db, signed_in):
    other = unit(db, 2, "乙单位")
    response = client.get(f"/gov/scanners/{other.scanner_ids[0]}/records", params={"start": "2020-02-24"})

    assert response.status_code == 404


def test_scanner_summary_print_holds_the_whole_filtered_result_not_the_page_of_50(client, db, signed_in):
    add_scans(db, signed_in, 48, start=NOW + timedelta(hours=3))  # 60 of the scanner's in all that day
    url = f"/gov/scanners/{signed_in.scanner_ids[0]}/records"

    summary = client.get(url, params={"start": "2020-02-24"})
    response = client.get(f"{url}/print", params={"start": "2020-02-24"})

    assert "共 60 条记录" in summary.text and summary.text.count("<tr><td>王*五</td>") == 50
    assert f'{url}/print?start=2020-02-24"' in summary.text  # 打印 follows the filter shown
    assert response.status_code == 200 and response.text.count("<tr><td>王*五</td>") == 60
    assert "甲单位 扫码员数据汇总" in response.text and 'id="print-scanner">李强' in response.text
    assert "扫码时间 2020-02-24 至 不限" in response.text and "2020-02-25 09:00" in response.text
    logged = db.scalars(select(ExportLog)).one()
    assert (logged.export, logged.rows, logged.filter) == ("gov_scanner_print", 60, "扫码员=*强；开始时间=2020-02-24")
    access = db.scalars(select(DataAccess).where(DataAccess.purpose == "打印")).one()
    assert "扫码员 *强" in (access.detail or "") and "（60/60 条）" in (access.detail or "")


def test_scanner_summary_print_past_the_limit_says_so_and_refuses_another_units_scanner(client, db, signed_in,
                                                                                       monkeypatch):
    monkeypatch.setattr(records, "PRINT_LIMIT", 5)
    other = unit(db, 2, "乙单位")

    response = client.get(f"/gov/scanners/{signed_in.scanner_ids[0]}/records/print")
    foreign = client.get(f"/gov/scanners/{other.scanner_ids[0]}/records/print")
    refused = client.get(f"/gov/scanners/{signed_in.scanner_ids[0]}/records/print",
                         params={"start": "2020-02-25", "end": "2020-02-24"})

    assert response.text.count("<tr><td>王*五</td>") == 5 and "共 12 条记录，超过单次打印上限 5 条" in response.text
    assert foreign.status_code == 404 and refused.status_code == 422
    assert db.scalars(select(ExportLog)).one().rows == 5  # only the printout that was shown is logged
