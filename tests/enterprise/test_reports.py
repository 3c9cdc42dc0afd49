"""Residents' daily health reports: validation, one per person per day with corrections, the employer summaries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from healthcode.enterprise import reports, repository, service
from healthcode.errors import DomainError
from tests.enterprise.factories import employ, enterprise, id_number, person, report

DAY = date(2020, 2, 24)


def _input(**changes: Any) -> reports.ReportInput:
    values: dict[str, Any] = {"temperature": "36.6", "symptoms": ["无"], "location_code": "350102",
                              "contact_risk": False, "report_type": "日常上报", "employer_uscc": ""}
    values.update(changes)
    return reports.ReportInput(**values)


@pytest.mark.parametrize("changes, message", [
    ({"temperature": "abc"}, "请填写体温"),
    ({"temperature": "45"}, "体温应在"),
    ({"symptoms": []}, "请选择症状"),
    ({"symptoms": ["无", "发热"]}, "选择了“无”"),
    ({"symptoms": ["头痛"]}, "请选择症状"),
    ({"location_code": "350100"}, "县（市、区）"),
    ({"report_type": "随便"}, "上报类型"),
    ({"employer_uscc": "91350100MA0000001X"}, "统一社会信用代码"),
])
def test_given_a_bad_form_when_submitting_then_it_is_refused_in_chinese_and_nothing_is_stored(
        db: Any, changes: dict[str, Any], message: str) -> None:
    resident = person(db, id_number(1))
    with pytest.raises(DomainError) as refused:
        reports.submit(db, resident, _input(**changes), datetime(2020, 2, 24, 9))
    assert message in refused.value.message
    assert repository.report_of_day(db, resident.id_number, DAY) is None


def test_given_a_report_today_when_reporting_again_then_it_is_corrected_not_doubled(db: Any) -> None:
    org = enterprise(db)
    resident = person(db, id_number(1))
    employ(db, org.org_id, "张三", id_number(1), datetime(2020, 2, 1))
    first = reports.submit(db, resident, _input(), datetime(2020, 2, 24, 8))
    second = reports.submit(db, resident, _input(temperature="37.8", symptoms=["发热", "干咳"]),
                            datetime(2020, 2, 24, 18))
    assert not first.corrected and second.corrected and first.report.id == second.report.id
    assert second.report.temperature == 37.8 and second.report.symptoms == "发热、干咳"
    assert second.report.corrections == 1 and reports.is_abnormal(second.report)
    employee = repository.employee_by_id_number(db, org.org_id, id_number(1))
    assert employee is not None and employee.report_count == 1
    assert employee.last_reported_at == datetime(2020, 2, 24, 18)
    assert repository.day_stats(db, org.org_id, DAY, DAY) == {DAY: 1}


def test_given_reports_before_hiring_when_the_employee_is_added_then_the_summaries_include_them(db: Any) -> None:
    org = enterprise(db)
    resident = person(db, id_number(2), "李四")
    for day in (date(2020, 2, 20), date(2020, 2, 21), date(2020, 2, 23)):
        report(db, resident, day)
    added = employ(db, org.org_id, "李四", id_number(2), datetime(2020, 2, 24, 9), "13800138000")
    assert (added.report_count, added.first_report_date, added.last_report_date) == (
        3, date(2020, 2, 20), date(2020, 2, 23))
    assert repository.day_stat_sum(db, org.org_id, None, None) == 3
    service.delete_employees(db, org.org_id, [added.id], datetime(2020, 2, 24, 10))
    assert repository.day_stat_sum(db, org.org_id, None, None) == 0


def test_given_an_id_number_change_when_updating_then_it_is_refused_another_person_must_consent(db: Any) -> None:
    org = enterprise(db)
    report(db, person(db, id_number(3), "王五"), date(2020, 2, 20))
    report(db, person(db, id_number(4), "王五"), date(2020, 2, 21))
    employee = employ(db, org.org_id, "王五", id_number(3), datetime(2020, 2, 21))
    assert employee.report_count == 1
    with pytest.raises(DomainError) as refused:
        service.update_employee(db, org.org_id, employee.id, service.EmployeeInput("王五", id_number(4)),
                                datetime(2020, 2, 22))
    assert "身份证号不能修改" in refused.value.message
    assert employee.id_number == id_number(3) and repository.day_stat_sum(db, org.org_id, None, None) == 1


def test_own_history_is_newest_first(db: Any) -> None:
    resident = person(db, id_number(5))
    for day in (date(2020, 2, 20), date(2020, 2, 22), date(2020, 2, 21)):
        report(db, resident, day)
    items, total = reports.own_history(db, resident, page=1)
    assert total == 3 and [r.report_date.day for r in items] == [22, 21, 20]


def _expected(db: Any, org_id: int) -> list[int]:
    from sqlalchemy import select

    from healthcode.enterprise.models import Employee, HealthReport

    return list(db.scalars(select(HealthReport.id).join(Employee, Employee.id_number == HealthReport.id_number)
                           .where(Employee.org_id == org_id)
                           .order_by(HealthReport.reported_at.desc(), HealthReport.id.desc())))


def test_report_pages_found_day_by_day_match_the_plain_newest_first_order(db: Any) -> None:
    from healthcode.enterprise import dashboard

    org = enterprise(db)
    for i in range(5):
        employ(db, org.org_id, f"员工{i}", id_number(i), datetime(2020, 2, 1))
        resident = person(db, id_number(i), f"员工{i}")
        for back in range(i + 1):  # 15 reports over 5 days, some days busier than others
            report(db, resident, date(2020, 2, 23 - back), hour=8 + i)
    # 300 outsiders report later on the 23rd: the window of the day's newest reports holds none of the enterprise's.
    for i in range(300):
        report(db, person(db, id_number(i + 100, born="19900101"), "路人"), date(2020, 2, 23), hour=20)
    expected = _expected(db, org.org_id)
    assert len(expected) == 15
    pages = [dashboard.reports(db, org.org_id, dashboard.report_filter(), p, page_size=4) for p in (1, 2, 3, 4)]
    assert [row.report.id for page in pages for row in page.items] == expected
    assert pages[0].total == 15 and pages[0].pages == 4
    ranged = dashboard.reports(db, org.org_id, dashboard.report_filter(date_from="2020-02-21", date_to="2020-02-22"), 1)
    assert ranged.total == 7 and all(r.report.report_date.day in (21, 22) for r in ranged.items)
