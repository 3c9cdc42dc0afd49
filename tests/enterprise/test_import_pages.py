"""批量导入 through the 员工管理 page (issue 14): the re-upload's counts, the confirmation of removals, the error report
downloaded by its uploader only, and files that are not what they claim answered in Chinese."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from healthcode.config import Settings
from healthcode.enterprise import import_checking, importing
from healthcode.enterprise.import_models import ImportFile
from healthcode.enterprise.models import EmploymentRequest
from healthcode.errors import DomainError
from tests.enterprise.factories import console_login, enterprise, id_number
from tests.enterprise.test_import import bad_check_character, up, xlsx_bytes

NOW = datetime(2020, 2, 24, 9)
ROSTER = xlsx_bytes([["张三", id_number(1), "13800000001"], ["李四", id_number(2), ""]])


def upload(client: Any, content: bytes, name: str = "员工.xlsx", **form: str) -> Any:
    return client.post("/ent/employees-import", files={"file": (name, content)}, data=form)


def test_uploading_the_same_roster_twice_reports_unchanged_instead_of_refusing(client: Any, db: Any,
                                                                              freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    console_login(client, enterprise(db))
    assert "导入成功：新增 2 名" in upload(client, ROSTER).text
    page = upload(client, ROSTER)
    assert page.status_code == 200
    assert "导入成功：新增 0 名（已发送确认请求，" in page.text and "更新 0 名，无变化 2 名，删除 0 名" in page.text


def test_removal_through_the_page_shows_the_count_then_removes_on_confirmation(client: Any, db: Any,
                                                                               freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    console_login(client, enterprise(db))
    upload(client, ROSTER)
    page = upload(client, xlsx_bytes([["张三", id_number(1), "13800000001"]]), remove_missing="1")
    assert page.status_code == 200 and 'data-testid="import-confirm"' in page.text
    assert "文件中没有的 1 名人员将被删除（员工名单中 0 名，待员工确认名单中 1 名）" in page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    done = client.post("/ent/employees-import/confirm", data={"token": token.group(1), "removals": "1"})
    assert "无变化 1 名，删除 1 名" in done.text
    db.rollback()
    assert db.scalar(select(func.count()).where(EmploymentRequest.state == "pending")) == 1
    assert db.scalar(select(func.count()).select_from(ImportFile)) == 0  # the kept upload is gone once used


def test_cancelling_the_confirmation_changes_nothing_and_drops_the_kept_upload(client: Any, db: Any) -> None:
    console_login(client, enterprise(db))
    upload(client, ROSTER)
    page = upload(client, xlsx_bytes([["张三", id_number(1), "13800000001"]]), remove_missing="1")
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    assert "已取消导入" in client.post("/ent/employees-import/cancel", data={"token": token.group(1)}).text
    db.rollback()
    assert db.scalar(select(func.count()).where(EmploymentRequest.state == "pending")) == 2
    assert db.scalar(select(func.count()).select_from(ImportFile)) == 0


def test_a_bad_file_shows_the_count_and_first_errors_and_links_the_report_only_its_uploader_gets(
        client: Any, db: Any, engine: Any, settings: Settings) -> None:
    console_login(client, enterprise(db))
    rows = [["员工", bad_check_character(n), ""] for n in range(1, 26)]
    page = upload(client, xlsx_bytes(rows))
    assert page.status_code == 422 and "文件中有 25 行数据有误" in page.text
    assert page.text.count("身份证号校验码错误") == importing.SHOWN_ERRORS  # the first few, not all
    link = re.search(r'href="([^"]*/ent/employees-import/report/[^"]+)"', page.text)
    assert link is not None
    report = client.get(link.group(1))
    assert report.status_code == 200 and report.headers["cache-control"] == "no-store"
    assert report.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(report.content)).worksheets[0]
    assert sheet.max_row == 26 and sheet.cell(1, 4).value == "错误原因" and sheet.cell(26, 5).value == 26

    from fastapi.testclient import TestClient

    from healthcode.app import create_app

    with TestClient(create_app(settings, engine)) as stranger:  # another enterprise's admin, signed in
        console_login(stranger, enterprise(db, 2))
        refused = stranger.get(link.group(1))
        assert refused.status_code == 404 and "不存在或已过期" in refused.text and "PK" not in refused.text[:2]
    assert client.get("/ent/employees-import/report/not-a-token").status_code == 404


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


GOOD = xlsx_bytes([["张三", id_number(1), ""]])
CSV_TEXT = f"姓名,身份证号\n张三,{id_number(1)}\n"


@pytest.mark.parametrize("filename, content, message", [
    ("员工.xlsx", CSV_TEXT.encode(), "该文件不是 Excel（.xlsx）文件：可能是改了扩展名的 CSV"),
    ("员工.xlsx", b"just some text", "该文件不是 Excel（.xlsx）文件"),
    ("员工.xlsx", zip_of({"readme.txt": "hello"}), "该 Excel 文件已损坏或不是 Excel 工作簿"),
    ("员工.xlsx", GOOD[: len(GOOD) // 2], "该 Excel 文件已损坏或不是 Excel 工作簿"),
    ("员工.xlsx", zip_of({"[Content_Types].xml": "<x", "xl/workbook.xml": "<<"}), "该 Excel 文件已损坏"),
    ("员工.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "旧版 Excel（.xls）文件或设置了打开密码"),
    ("员工.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "不支持旧版 Excel（.xls）文件"),
    ("员工.txt", CSV_TEXT.encode(), "请上传 Excel（.xlsx）或 CSV 文件"),
    ("员工.csv", CSV_TEXT.encode("gbk"), "CSV 文件不是 UTF-8 编码"),
    ("员工.csv", b"\x00\x01\x02\xff\xfe binary", "CSV 文件不是 UTF-8 编码"),
    ("员工.csv", b"", "上传的文件是空的"),
    ("员工.xlsx", xlsx_bytes([], header=()), "第一个工作表是空的"),
    ("员工.xlsx", xlsx_bytes([["张三", id_number(1)]], header=("名字", "证件")), "文件缺少列：姓名、身份证号"),
    ("员工.xlsx", xlsx_bytes([]), "文件中没有员工数据"),
])
def test_a_file_that_is_not_a_usable_roster_gets_a_chinese_message(db: Any, settings: Settings, filename: str,
                                                                  content: bytes, message: str) -> None:
    with pytest.raises(DomainError) as refused:
        importing.import_upload(db, settings, up(enterprise(db)), filename, content, NOW)
    assert message in refused.value.message and refused.value.status_code == 422
    words = set(re.findall(r"[A-Za-z]+", refused.value.message))
    assert words <= {"Excel", "xlsx", "xls", "CSV", "UTF", "MB"}, refused.value.message  # no library's English


def test_an_excel_file_named_csv_is_read_as_excel(db: Any, settings: Settings) -> None:
    assert importing.import_upload(db, settings, up(enterprise(db)), "员工.csv", GOOD, NOW).added == 1


def test_too_many_rows_are_refused_with_the_limit_stated(db: Any, settings: Settings,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_checking, "MAX_ROWS", 3)
    rows = [["员工", id_number(n), ""] for n in range(1, 5)]
    with pytest.raises(DomainError) as refused:
        importing.import_upload(db, settings, up(enterprise(db)), "e.xlsx", xlsx_bytes(rows), NOW)
    assert "一次最多导入 3 名员工" in refused.value.message


def test_the_dialog_states_the_limits_and_offers_the_removal(client: Any, db: Any) -> None:
    console_login(client, enterprise(db))
    page = client.get("/ent/employees").text
    assert "一次最多 200,000 名员工，文件不超过 10 MB" in page and 'name="remove_missing"' in page
    assert "删除名单中没有的员工" in page
