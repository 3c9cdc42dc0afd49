"""企业用户电脑端 pages (/ent): 企业看板, report details and export, 员工健康管理 with reminders, an employee's history
and a report's detail. Thin: parsing in dashboard.py, rules in service.py. Employee management is in
pages_employees.py."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from healthcode import clock
from healthcode.common.masking import mask_id_number, mask_phone
from healthcode.db import DbId, DbSession
from healthcode.enterprise import dashboard, exports, service, views
from healthcode.enterprise.errors import NotEnterprise
from healthcode.enterprise.models import REPORT_TYPES
from healthcode.enterprise.reports import is_abnormal, location_name
from healthcode.errors import DomainError
from healthcode.orgs import export_log
from healthcode.web.console import ConsoleAdmin, ConsoleUser, console_page
from healthcode.web.forms import refusable

router = APIRouter(prefix="/ent", include_in_schema=False)


def enterprise_admin(admin: ConsoleAdmin) -> ConsoleUser:
    """A signed-in admin of an enterprise: government units have no enterprise console."""
    if admin.org_kind != "enterprise":
        raise NotEnterprise()
    return admin


EntAdmin = Annotated[ConsoleUser, Depends(enterprise_admin)]


def page(request: Request, admin: ConsoleUser, template: str, context: dict[str, Any], status_code: int = 200,
         ) -> Response:
    flash = request.session.pop("ent_flash", None)
    base = {"active": "", "mask_id_number": mask_id_number, "mask_phone": mask_phone, "is_abnormal": is_abnormal,
            "location_name": location_name, "report_types": REPORT_TYPES, "today": clock.today()}
    if flash:
        base["flash"], base["flash_kind"] = flash
    return console_page(request, admin, template, {**base, **context}, status_code=status_code)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session["ent_flash"] = (message, kind)


def _report_query(request: Request) -> dict[str, str]:
    keys = ("name", "id_number", "date_from", "date_to", "report_type")
    return {k: request.query_params.get(k, "") for k in keys}


def _employee_query(request: Request) -> dict[str, str]:
    keys = ("name", "id_number", "date_from", "date_to", "status")
    return {k: request.query_params.get(k, "") for k in keys}


@router.get("/", name="ent_home")
def home(request: Request, db: DbSession, admin: EntAdmin) -> Response:
    """企业看板: totals as of yesterday, the daily trend, the report details."""
    today = clock.today()
    query = _report_query(request)
    summary = dashboard.summary(db, admin.org_id, today)
    trend = dashboard.trend(db, admin.org_id, today, employees=summary.employees)
    error = None
    try:
        table = dashboard.reports(db, admin.org_id, dashboard.report_filter(**query), _page_no(request))
    except DomainError as exc:
        error, table = exc.message, dashboard.reports(db, admin.org_id, dashboard.report_filter(), 1)
    chart = {"days": [p.day.strftime("%m-%d") for p in trend], "reporters": [p.reporters for p in trend],
             "shares": [round(p.share * 100, 1) for p in trend], "employees": summary.employees}
    return page(request, admin, "ent/dashboard.html", {
        "active": "home", "summary": summary, "chart_json": json.dumps(chart, ensure_ascii=False),
        "table": table, "query": query, "error": error,
    })


@router.get("/reports", name="ent_reports")
def reports_table(request: Request, db: DbSession, admin: EntAdmin) -> Response:
    """The report details table alone (htmx swaps it into the dashboard on 查询 and paging)."""
    query = _report_query(request)
    if not request.headers.get("HX-Request"):
        from fastapi.responses import RedirectResponse

        target = request.url_for("ent_home").include_query_params(**request.query_params)
        return RedirectResponse(str(target), status_code=303)
    table = dashboard.reports(db, admin.org_id, dashboard.report_filter(**query), _page_no(request))
    return page(request, admin, "ent/_reports_table.html", {"table": table, "query": query})


@router.get("/reports/export", name="ent_reports_export")
def reports_export(request: Request, db: DbSession, admin: EntAdmin) -> Response:
    query = _report_query(request)
    full = export_log.wants_full(admin, "ent_reports", request.query_params.get("full"))
    f = dashboard.report_filter(**query)
    _audit(db, admin, "export", "批量导出员工健康上报数据", detail=export_log.filter_text(query))
    service.log_export_people(db, account_id=admin.account_id, username=admin.username, org_id=admin.org_id,
                              purpose="批量导出员工健康上报数据", now=clock.now(), reports=f)
    return exports.report_export(db, admin.org_id, f, clock.today(),
                                 export_log.logger(db, admin, "ent_reports", query, full, clock.now()))


@router.get("/reports/{report_id}", name="ent_report_detail")
def report_detail(request: Request, db: DbSession, admin: EntAdmin, report_id: DbId) -> Response:
    """健康上报详情 with 【返回】 to the employee's history."""
    row = dashboard.report_detail(db, admin.org_id, report_id)
    _audit(db, admin, "person", "查看健康上报详情", id_number=row.report.id_number, detail=f"report {report_id}")
    return page(request, admin, "ent/report_detail.html", {"active": "health", "row": row})


@router.get("/health", name="ent_health")
def health(request: Request, db: DbSession, admin: EntAdmin) -> Response:
    """员工健康管理: every employee with today's 已上报/未上报, reminders, history."""
    query = _employee_query(request)
    today = clock.today()
    error = None
    try:
        f = dashboard.employee_filter(today, **query)
    except DomainError as exc:
        error, f = exc.message, dashboard.employee_filter(today)
    table = dashboard.employees(db, admin.org_id, f, _page_no(request))
    return page(request, admin, "ent/health.html", {"active": "health", "table": table, "query": query,
                                                    "error": error})


@router.get("/health/export", name="ent_health_export")
def health_export(request: Request, db: DbSession, admin: EntAdmin) -> Response:
    query = _employee_query(request)
    full = export_log.wants_full(admin, "ent_health", request.query_params.get("full"))
    f = dashboard.employee_filter(clock.today(), **query)
    _audit(db, admin, "export", "批量导出员工健康管理数据", detail=export_log.filter_text(query))
    service.log_export_people(db, account_id=admin.account_id, username=admin.username, org_id=admin.org_id,
                              purpose="批量导出员工健康管理数据", now=clock.now(), employees=f)
    return exports.employee_export(db, admin.org_id, f, full=full,
                                   on_written=export_log.logger(db, admin, "ent_health", query, full, clock.now()))


@router.post("/health/remind", name="ent_remind")
def remind(request: Request, db: DbSession, admin: EntAdmin,
           employee_ids: Annotated[list[DbId] | None, Form()] = None) -> Response:
    """提醒上报 (one id) and 批量提醒 (the ticked ids): answers with the 提醒成功 dialog."""
    with refusable(db) as refused:
        done = service.remind(db, admin.org_id, employee_ids or [], clock.now())
    message, ok = (refused.message, False) if refused else (views.reminded_message(done), True)
    if request.headers.get("HX-Request"):
        return page(request, admin, "ent/_dialog.html", {"title": "提醒上报", "message": message, "ok": ok},
                    status_code=200)
    flash(request, message, "ok" if ok else "error")
    return _back(request, "ent_health")


@router.get("/employees/{employee_id}/history", name="ent_employee_history")
def history(request: Request, db: DbSession, admin: EntAdmin, employee_id: DbId) -> Response:
    employee, reports = dashboard.employee_history(db, admin.org_id, employee_id, _page_no(request))
    _audit(db, admin, "person", "查看员工健康上报历史记录", id_number=employee.id_number)
    return page(request, admin, "ent/history.html", {"active": "health", "employee": employee, "table": reports})


def _audit(db: DbSession, admin: ConsoleUser, subject: str, purpose: str, *, id_number: str | None = None,
           detail: str | None = None) -> None:
    service.log_access(db, account_id=admin.account_id, username=admin.username, org_id=admin.org_id,
                       subject=subject, purpose=purpose, now=clock.now(), id_number=id_number, detail=detail)


def _page_no(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


def _back(request: Request, name: str) -> Response:
    from fastapi.responses import RedirectResponse

    referer = request.headers.get("referer", "")
    target = str(request.url_for(name))
    if referer.startswith(str(request.base_url)):
        target = referer
    return RedirectResponse(target, status_code=303)
