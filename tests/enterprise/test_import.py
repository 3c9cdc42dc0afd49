"""批量导入: all or nothing, every bad row named (line, column, reason), CSV and real .xlsx files. The re-upload of a
roster and the error report: test_reimport.py."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from healthcode.config import Settings
from healthcode.enterprise import consent, importing, repository, service
from healthcode.enterprise.import_store import Uploader
from healthcode.enterprise.models import Employee, EmploymentRequest
from healthcode.errors import DomainError
from healthcode.orgs.service import Created
from tests.enterprise.factories import console_login, employ, enterprise, id_number, person, report

NOW = datetime(2020, 2, 24, 9)


def xlsx_bytes(rows: list[list[Any]], header: tuple[str, ...] = ("姓名", "身份证号", "手机号码")) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def up(org: Created, account_id: int = 1) -> Uploader:
    return Uploader(org.org_id, account_id)


def bad_check_character(n: int) -> str:
    good = id_number(n)
    return good[:17] + ("0" if good[17] != "0" else "1")


def test_given_bad_rows_when_importing_then_nothing_is_imported_and_every_bad_row_is_named(
        db: Any, settings: Settings) -> None:
    org = enterprise(db)
    employ(db, org.org_id, "老员工", id_number(9), NOW)
    service.add_employee(db, org.org_id, service.EmployeeInput("新员工", id_number(8)), NOW)  # asked, not confirmed
    content = xlsx_bytes([
        ["张三", id_number(1), "13800138000"],
        ["", id_number(2), ""],                       # line 3: no name
        ["王五", bad_check_character(3), ""],           # line 4: bad check character
        ["赵六", id_number(4), "12345"],                # line 5: bad phone
        ["张三", id_number(1), ""],                     # line 6: duplicate of line 2
        ["老员工", id_number(9), ""],                   # line 7: already an employee: fine (a re-upload)
        ["新员工", id_number(8), ""],                   # line 8: already asked: fine
    ])
    result = importing.import_upload(db, settings, up(org), "员工.xlsx", content, NOW)
    assert result.status == "rejected"
    assert [(b.line, b.column) for b in result.bad_rows] == [
        (3, "姓名"), (4, "身份证号"), (5, "手机号码"), (6, "身份证号")]
    reasons = {b.line: b.reason for b in result.bad_rows}
    assert reasons[4] == "身份证号校验码错误" and "第 2 行" in reasons[6]
    assert repository.count_employees(db, org.org_id) == 1 and len(consent.open_requests(db, org.org_id)) == 1


def test_given_a_good_csv_when_importing_then_requests_only_and_on_acceptance_the_past_reports(
        db: Any, tmp_path: Path, settings: Settings) -> None:
    org = enterprise(db)
    li_person = person(db, id_number(2), "李四")
    report(db, li_person, date(2020, 2, 23))
    csv = f"\ufeff姓名,身份证号,手机号码\n张三,{id_number(1)},13800138000\n李四,{id_number(2).lower()},\n"
    result = importing.import_upload(db, settings, up(org), "employees.csv", csv.encode(), NOW)
    assert result.as_json() == {"status": "imported", "rows": 2, "added": 2, "updated": 0, "unchanged": 0,
                                "declined": 0, "removed": 0, "bad_rows": []}
    # the import creates pending requests, nothing more: no employee, no report counted
    assert repository.count_employees(db, org.org_id) == 0 and repository.day_stat_sum(db, org.org_id, None, None) == 0
    assert sorted((r.state, r.name_masked) for r in consent.open_requests(db, org.org_id)) == [
        ("pending", "*三"), ("pending", "*四")]
    request = next(r for r in consent.requests_of(db, li_person))
    consent.decide(db, li_person, request.id, "accept", NOW)
    li = repository.employee_by_id_number(db, org.org_id, id_number(2))
    assert li is not None and li.report_count == 1 and li.last_report_date == date(2020, 2, 23)
    assert repository.day_stat_sum(db, org.org_id, None, None) == 1


@pytest.mark.parametrize("filename, content, message", [
    ("employees.txt", b"x", "请上传 Excel"),
    ("employees.csv", b"", "空的"),
    ("employees.csv", "名字,号码\n张三,1\n".encode(), "文件缺少列：姓名、身份证号"),
    ("employees.csv", "姓名,身份证号\n".encode(), "没有员工数据"),
])
def test_unusable_files_are_refused_in_chinese(db: Any, filename: str, content: bytes, message: str,
                                               settings: Settings) -> None:
    org = enterprise(db)
    with pytest.raises(DomainError) as refused:
        importing.import_upload(db, settings, up(org), filename, content, NOW)
    assert message in refused.value.message


def test_import_through_the_page_shows_the_report_then_accepts_the_fixed_file(client: Any, db: Any,
                                                                              freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db)
    console_login(client, org)
    bad = xlsx_bytes([["张三", id_number(1), ""], ["李四", bad_check_character(2), ""]])
    page = client.post("/ent/employees-import", files={"file": ("员工.xlsx", bad)})
    assert page.status_code == 422 and "导入错误报告" in page.text and "第 3 行" in page.text
    assert "整个文件未导入" in page.text
    good = xlsx_bytes([["张三", id_number(1), ""], ["李四", id_number(2), ""]])
    page = client.post("/ent/employees-import", files={"file": ("员工.xlsx", good)})
    assert "导入成功：新增 2 名（已发送确认请求" in page.text and page.text.count("待确认</span>") == 2
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Employee)) == 0
    assert db.scalar(select(func.count()).select_from(EmploymentRequest)) == 2


def test_the_import_template_downloads_with_the_header(client: Any, db: Any) -> None:
    from openpyxl import load_workbook

    console_login(client, enterprise(db))
    sheet = load_workbook(io.BytesIO(client.get("/ent/employees-template").content)).worksheets[0]
    assert [c.value for c in sheet[1]] == importing.TEMPLATE_HEADER


def test_a_name_that_differs_from_the_registered_real_name_is_imported_like_any_other(db: Any,
                                                                                      settings: Settings) -> None:
    """No oracle of name + ID number: the row becomes a pending request under the name entered, as a right name
    would; the holder sees that name and decides (tests/enterprise/test_consent.py)."""
    org = enterprise(db)
    person(db, id_number(1), "张三")
    person(db, id_number(2), "王五")
    upload = f"姓名,身份证号\n李四,{id_number(1)}\n王五,{id_number(2)}\n".encode()
    result = importing.import_upload(db, settings, up(org), "e.csv", upload, NOW)
    assert result.status == "imported" and result.rows == 2 and result.bad_rows == []
    requests = db.scalars(select(EmploymentRequest).order_by(EmploymentRequest.id_number)).all()
    assert [(r.name, r.state) for r in requests] == [("李四", "pending"), ("王五", "pending")]


def test_a_damaged_xlsx_is_refused_in_chinese(db: Any, settings: Settings) -> None:
    org = enterprise(db)
    with pytest.raises(DomainError) as refused:
        importing.import_upload(db, settings, up(org), "坏.xlsx", b"PK\x03\x04 not really a zip", NOW)
    assert "该 Excel 文件已损坏或不是 Excel 工作簿" in refused.value.message


def test_numbers_typed_as_numbers_in_excel_keep_their_digits(db: Any, settings: Settings) -> None:
    org = enterprise(db)
    content = xlsx_bytes([["张三", id_number(1), 13800138000]])
    assert importing.import_upload(db, settings, up(org), "e.xlsx", content, NOW).status == "imported"
    request = db.scalar(select(EmploymentRequest))
    assert request.id_number == id_number(1) and request.phone == "13800138000"


def test_an_upload_over_the_size_limit_is_refused_in_chinese_and_nothing_is_stored(client: Any, db: Any,
                                                                                   settings: Any) -> None:
    client.app.state.settings = settings.model_copy(update={"employee_import_max_mb": 1})
    console_login(client, enterprise(db))
    rows = "".join(f"张三,{id_number(1)},\n" for _ in range(40_000))  # ~1.2 MB of CSV
    big = f"姓名,身份证号,手机号码\n{rows}".encode()
    page = client.post("/ent/employees-import", files={"file": ("员工.csv", big)})
    assert page.status_code == 413 and "文件过大：导入文件不能超过 1 MB" in page.text
    db.rollback()
    assert db.scalar(select(func.count()).select_from(EmploymentRequest)) == 0
    small = f"姓名,身份证号\n张三,{id_number(1)}\n".encode()
    fine = client.post("/ent/employees-import", files={"file": ("员工.csv", small)})
    assert fine.status_code == 200 and "导入成功" in fine.text


def test_an_upload_is_read_in_chunks_never_more_than_the_limit(db: Any, settings: Settings) -> None:
    """An endless upload: refused after the limit and one chunk, never read whole into memory."""

    class Endless(io.RawIOBase):
        read_bytes = 0

        def read(self, size: int = -1) -> bytes:
            assert 0 < size <= importing.CHUNK, "the upload must be read in chunks"
            self.read_bytes += size
            return b"x" * size

    source = Endless()
    two = settings.model_copy(update={"employee_import_max_mb": 2})
    with pytest.raises(DomainError) as refused:
        importing.import_upload(db, two, up(enterprise(db)), "员工.csv", source, NOW)
    assert refused.value.status_code == 413 and refused.value.code == "file_too_large"
    assert 2 * 1024 * 1024 < source.read_bytes <= 2 * 1024 * 1024 + importing.CHUNK
