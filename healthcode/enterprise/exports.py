"""批量导出: the enterprise's report details and its employees' health status as Excel files (formula-safe cells
through healthcode.web.exports), masked as the screens are: ID numbers always, phones unless 导出完整信息 (the
export log and the right to full values: healthcode.orgs.export_log)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import FileResponse

from healthcode.common.masking import mask_id_number, mask_phone
from healthcode.enterprise import repository
from healthcode.enterprise.reports import is_abnormal, location_name
from healthcode.enterprise.repository import EmployeeFilter, ReportFilter
from healthcode.web.exports import xlsx_response

REPORT_HEADER = ["序号", "姓名", "身份证号", "上报日期", "上报时间", "上报类型", "体温（℃）", "症状", "当前所在地",
                 "接触病例或疫区人员", "是否异常"]
EMPLOYEE_HEADER = ["序号", "姓名", "身份证号", "手机号码", "最新上报时间", "今日上报状态", "累计上报次数"]


def report_export(session: Session, org_id: int, f: ReportFilter, today: date,
                  on_written: Callable[[int], None] | None = None) -> FileResponse:
    """The reports of the chosen range; without one, everything up to yesterday (the seed: 截止到昨日)."""
    if f.date_from is None and f.date_to is None:
        f = ReportFilter(f.name, f.id_number, None, today - timedelta(days=1), f.report_type)
    span = f"{f.date_from or '开始'}至{f.date_to or today}"
    return xlsx_response(f"员工健康上报数据_{span}.xlsx", "健康上报", REPORT_HEADER, _report_rows(session, org_id, f),
                         on_written)


def _report_rows(session: Session, org_id: int, f: ReportFilter) -> Iterator[list[Any]]:
    for i, (r, _eid, name) in enumerate(repository.iter_org_reports(session, org_id, f), start=1):
        yield [i, name, mask_id_number(r.id_number), r.report_date.isoformat(),
               r.reported_at.strftime("%Y-%m-%d %H:%M:%S"), r.report_type, r.temperature,
               r.symptoms, location_name(r), "是" if r.contact_risk else "否", "异常" if is_abnormal(r) else "正常"]


def employee_export(session: Session, org_id: int, f: EmployeeFilter, *, full: bool = False,
                    on_written: Callable[[int], None] | None = None) -> FileResponse:
    """Full phones only when asked for by a unit with the right (the caller checks it)."""
    return xlsx_response(f"员工健康管理_{f.today}.xlsx", "员工健康管理", EMPLOYEE_HEADER,
                         _employee_rows(session, org_id, f, full), on_written)


def _employee_rows(session: Session, org_id: int, f: EmployeeFilter, full: bool) -> Iterator[list[Any]]:
    for i, e in enumerate(repository.employees(session, org_id, f, offset=0, limit=None), start=1):
        phone = (e.phone if full else mask_phone(e.phone)) if e.phone else ""
        yield [i, e.name, mask_id_number(e.id_number), phone,
               e.last_reported_at.strftime("%Y-%m-%d %H:%M:%S") if e.last_reported_at else "",
               "已上报" if e.last_report_date == f.today else "未上报", e.report_count or 0]
