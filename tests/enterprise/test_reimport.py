"""批量导入 as a re-upload of the roster (issue 14): the same file again changes nothing and says so; new people are
asked, changed names and phones are updated, people missing from the file are removed only when asked and confirmed;
one bad row applies nothing (one transaction) and leaves an error report for the uploader alone."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from healthcode.config import Settings
from healthcode.enterprise import consent, consent_repository, import_store, importing, repository, service
from healthcode.enterprise.errors import ImportFileGone
from healthcode.enterprise.import_models import ImportFile
from healthcode.enterprise.import_store import Uploader
from healthcode.enterprise.models import Employee, EmploymentRequest
from tests.enterprise.factories import employ, enterprise, id_number, person, report
from tests.enterprise.test_import import bad_check_character, up, xlsx_bytes

NOW = datetime(2020, 2, 24, 9)


def roster(db: Any, org_id: int) -> dict[str, tuple[str, str | None, str]]:
    """ID number -> (name, phone, where): the employees, then the open requests."""
    found = {e.id_number: (e.name, e.phone, "employee") for e in db.scalars(select(Employee)
                                                                            .where(Employee.org_id == org_id))}
    for r in db.scalars(select(EmploymentRequest).where(EmploymentRequest.org_id == org_id)):
        if r.id_number not in found and r.state != "withdrawn":
            found[r.id_number] = (r.name, r.phone, r.state)
    return found


def given_a_roster(db: Any, org_id: int) -> None:
    """Two employees (one with a report), one pending request, one refused request."""
    employ(db, org_id, "张三", id_number(1), NOW, phone="13800000001")
    li = employ(db, org_id, "李四", id_number(2), NOW, phone="13800000002")
    report(db, person(db, li.id_number), date(2020, 2, 23))
    service.add_employee(db, org_id, service.EmployeeInput("王五", id_number(3), "13800000003"), NOW)
    refused = service.add_employee(db, org_id, service.EmployeeInput("赵六", id_number(4)), NOW)
    consent.decide(db, person(db, id_number(4), "赵六"), refused.id, "refuse", NOW)
    db.commit()


SAME = [["张三", id_number(1), "13800000001"], ["李四", id_number(2), "13800000002"],
        ["王五", id_number(3), "13800000003"], ["赵六", id_number(4), ""]]


def test_given_a_roster_when_the_same_file_is_uploaded_again_then_nothing_changes_and_all_are_unchanged(
        db: Any, settings: Settings) -> None:
    org = enterprise(db)
    given_a_roster(db, org.org_id)
    before = roster(db, org.org_id)
    result = importing.import_upload(db, settings, up(org), "员工.xlsx", xlsx_bytes(SAME), NOW)
    assert (result.status, result.added, result.updated, result.unchanged, result.declined, result.removed) == (
        "imported", 0, 0, 3, 1, 0)
    assert roster(db, org.org_id) == before


def test_given_a_roster_when_a_changed_file_is_uploaded_then_added_updated_unchanged_and_nobody_removed(
        db: Any, settings: Settings) -> None:
    org = enterprise(db)
    given_a_roster(db, org.org_id)
    changed = [["张三丰", id_number(1), "13800000001"],   # employee: new name
               ["王五", id_number(3), "13900000003"],     # pending request: new phone
               ["赵六", id_number(4), "13900000004"],     # refused: left alone, not asked again
               ["钱七", id_number(7), ""]]                # new
    result = importing.import_upload(db, settings, up(org), "员工.xlsx", xlsx_bytes(changed), NOW)
    assert (result.added, result.updated, result.unchanged, result.declined, result.removed) == (1, 2, 0, 1, 0)
    assert roster(db, org.org_id) == {
        id_number(1): ("张三丰", "13800000001", "employee"), id_number(2): ("李四", "13800000002", "employee"),
        id_number(3): ("王五", "13900000003", "pending"), id_number(4): ("赵六", None, "refused"),
        id_number(7): ("钱七", None, "pending")}


def test_without_a_phone_column_the_phones_stay_and_an_empty_phone_cell_clears_one(db: Any,
                                                                                 settings: Settings) -> None:
    org = enterprise(db)
    given_a_roster(db, org.org_id)
    names_only = xlsx_bytes([["张三", id_number(1)], ["王五", id_number(3)]], header=("姓名", "身份证号"))
    result = importing.import_upload(db, settings, up(org), "e.xlsx", names_only, NOW)
    assert (result.updated, result.unchanged) == (0, 2)
    emptied = xlsx_bytes([["张三", id_number(1), ""]])
    assert importing.import_upload(db, settings, up(org), "e.xlsx", emptied, NOW).updated == 1
    assert roster(db, org.org_id)[id_number(1)] == ("张三", None, "employee")


def test_removal_is_asked_then_confirmed_with_its_count_and_then_applied(db: Any, settings: Settings) -> None:
    org = enterprise(db)
    given_a_roster(db, org.org_id)
    assert repository.day_stat_sum(db, org.org_id, None, None) == 1  # 李四's report
    only_zhang = xlsx_bytes([["张三", id_number(1), "13800000001"], ["钱七", id_number(7), ""]])
    asked = importing.import_upload(db, settings, up(org), "e.xlsx", only_zhang, NOW, remove_missing=True)
    # 李四 (employee), 王五 (pending) and 赵六 (refused) are not in the file: nothing applied before the confirmation
    assert (asked.status, asked.removed, asked.removed_employees, asked.removed_requests) == ("confirm", 3, 1, 2)
    assert asked.token and len(roster(db, org.org_id)) == 4
    with pytest.raises(ImportFileGone):  # the kept upload is the uploader's alone
        importing.import_kept(db, settings, up(org, account_id=2), asked.token, 3, NOW)
    again = importing.import_kept(db, settings, up(org), asked.token, 2, NOW)  # a number he was not shown
    assert again.status == "confirm" and again.removed == 3 and again.recounted and len(roster(db, org.org_id)) == 4
    done = importing.import_kept(db, settings, up(org), asked.token, 3, NOW)
    assert (done.status, done.added, done.unchanged, done.removed) == ("imported", 1, 1, 3)
    assert set(roster(db, org.org_id)) == {id_number(1), id_number(7)}
    assert repository.day_stat_sum(db, org.org_id, None, None) == 0  # 李四's report left the day counts
    states = dict(db.execute(select(EmploymentRequest.id_number, EmploymentRequest.state)).all())
    assert states[id_number(2)] == states[id_number(3)] == states[id_number(4)] == "withdrawn"
    with pytest.raises(ImportFileGone):  # used once
        importing.import_kept(db, settings, up(org), asked.token, 3, NOW)


def test_without_anybody_to_remove_the_import_needs_no_confirmation(db: Any, settings: Settings) -> None:
    org = enterprise(db)
    given_a_roster(db, org.org_id)
    result = importing.import_upload(db, settings, up(org), "e.xlsx", xlsx_bytes(SAME), NOW, remove_missing=True)
    assert (result.status, result.removed) == ("imported", 0)


def test_one_bad_row_applies_nothing_and_keeps_an_error_report_with_the_original_columns(
        db: Any, settings: Settings) -> None:
    org = enterprise(db)
    given_a_roster(db, org.org_id)
    before = roster(db, org.org_id)
    content = (f"姓名,身份证号,手机号码,部门\n张三丰,{id_number(1)},13800000001,研发部\n"  # an update, not applied
               f"\"=HYPERLINK(\"\"http://x\"\")\",{bad_check_character(5)},,+市场部\n"  # line 3: formula-like cells
               f"钱七,{id_number(7)},123,@销售\n")  # line 4: bad phone
    result = importing.import_upload(db, settings, up(org), "e.csv", content.encode(), NOW, remove_missing=True)
    assert (result.status, result.bad_lines) == ("rejected", 2) and result.token
    assert roster(db, org.org_id) == before
    kept = import_store.fetch(db, up(org), import_store.REPORT, result.token, NOW)
    sheet = load_workbook(io.BytesIO(kept.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["姓名", "身份证号", "手机号码", "部门", "错误原因", "原文件行号"]
    assert values[1] == ["'=HYPERLINK(\"http://x\")", bad_check_character(5), "", "'+市场部",
                         "身份证号：身份证号校验码错误", 3]
    assert values[2][0] == "钱七" and values[2][3] == "'@销售" and values[2][4].startswith("手机号码：")
    assert len(values) == 3


def test_a_failure_while_applying_leaves_the_roster_as_it_was(db: Any, settings: Settings,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """One transaction: the updates already made go with the failure (the request's rollback)."""
    org = enterprise(db)
    given_a_roster(db, org.org_id)
    before = roster(db, org.org_id)

    def broken(*_: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(consent_repository, "insert_requests", broken)
    changed = xlsx_bytes([["张三丰", id_number(1), ""], ["钱七", id_number(7), ""]])
    with pytest.raises(RuntimeError):
        importing.import_upload(db, settings, up(org), "e.xlsx", changed, NOW)
    db.rollback()
    assert roster(db, org.org_id) == before


def test_the_error_report_is_the_uploaders_alone_and_expires(db: Any, settings: Settings) -> None:
    org, other = enterprise(db), enterprise(db, 2)
    bad = xlsx_bytes([["", id_number(1), ""]])
    token = importing.import_upload(db, settings, up(org), "e.xlsx", bad, NOW).token
    assert token is not None
    assert import_store.fetch(db, up(org), import_store.REPORT, token, NOW).content.startswith(b"PK")
    for stranger in (Uploader(other.org_id, 1), Uploader(org.org_id, 2), Uploader(org.org_id, 1, id_number(9))):
        with pytest.raises(ImportFileGone):
            import_store.fetch(db, stranger, import_store.REPORT, token, NOW)
    with pytest.raises(ImportFileGone):
        import_store.fetch(db, up(org), import_store.REPORT, token, NOW + import_store.KEEP)
    # the next upload of anybody of the enterprise purges what expired; the uploader's next one replaces his own
    importing.import_upload(db, settings, up(org), "e.xlsx", bad, NOW + timedelta(minutes=5))
    assert db.scalar(select(func.count()).select_from(ImportFile)) == 1
    assert import_store.purge_expired(db, NOW + timedelta(hours=1)) == 1
