"""企业员工管理 pages (/ent/employees): enterprise basic info, the employee table with 新增 / 修改信息 / 删除信息 /
批量删除 / 批量导入 (a re-upload updates the roster; its confirmation of removals, its error report), the import
template, and 同步员工信息."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from healthcode import clock
from healthcode.common.masking import mask_name
from healthcode.config import AppSettings, app_settings
from healthcode.db import DbId, DbSession
from healthcode.enterprise import consent, dashboard, import_store, importing, operators, service
from healthcode.enterprise.pages import EntAdmin, flash, page
from healthcode.errors import DomainError
from healthcode.web.console import ConsoleUser
from healthcode.web.exports import XLSX_MEDIA_TYPE, xlsx_response
from healthcode.web.forms import Refusal, refusable

router = APIRouter(prefix="/ent", include_in_schema=False)


def _employees_page(request: Request, db: DbSession, admin: ConsoleUser, *, status_code: int = 200,
                    **extra: object) -> Response:
    keys = ("name", "id_number", "date_from", "date_to", "status")
    query = {k: request.query_params.get(k, "") for k in keys}
    today = clock.today()
    error = extra.pop("error", None)
    try:
        f = dashboard.employee_filter(today, **query)
    except DomainError as exc:
        error, f = exc.message, dashboard.employee_filter(today)
    page_no = request.query_params.get("page", "1")
    table = dashboard.employees(db, admin.org_id, f, int(page_no) if page_no.isdigit() else 1)
    return page(request, admin, "ent/employees.html", {
        "active": "employees", "profile": service.profile_view(db, admin.org_id), "table": table, "query": query,
        "operators": operators.operators(db, admin.org_id), "error": error,
        "requests": consent.open_requests(db, admin.org_id), "requests_total": consent.count_open(db, admin.org_id),
        "max_rows": importing.MAX_ROWS, "max_mb": app_settings(request).employee_import_max_mb,
        **extra,
    }, status_code=status_code)


@router.get("/employees", name="ent_employees")
def employees(request: Request, db: DbSession, admin: EntAdmin) -> Response:
    return _employees_page(request, db, admin)


@router.post("/employees", name="ent_employee_add")
def add(request: Request, db: DbSession, admin: EntAdmin, name: Annotated[str, Form()] = "",
        id_number: Annotated[str, Form()] = "", phone: Annotated[str, Form()] = "") -> Response:
    with refusable(db) as refused:
        employee = service.add_employee(db, admin.org_id, service.EmployeeInput(name, id_number, phone),
                                        clock.now())
    if refused:
        return _employees_page(request, db, admin, status_code=refused.status_code, error=refused.message,
                               form={"name": name, "id_number": id_number, "phone": phone}, open_dialog="add")
    flash(request, f"已向员工 {mask_name(employee.name)} 发送确认请求，本人确认后将出现在员工名单中")
    return RedirectResponse(request.url_for("ent_employees"), status_code=303)


@router.post("/employees/{employee_id}", name="ent_employee_update")
def update(request: Request, db: DbSession, admin: EntAdmin, employee_id: DbId, name: Annotated[str, Form()] = "",
           id_number: Annotated[str, Form()] = "", phone: Annotated[str, Form()] = "") -> Response:
    with refusable(db) as refused:
        employee = service.update_employee(db, admin.org_id, employee_id,
                                           service.EmployeeInput(name, id_number, phone), clock.now())
    if refused:
        return _employees_page(request, db, admin, status_code=refused.status_code, error=refused.message)
    flash(request, f"已修改员工 {employee.name} 的信息")
    return RedirectResponse(request.url_for("ent_employees"), status_code=303)


@router.post("/employees-delete", name="ent_employee_delete")
def delete(request: Request, db: DbSession, admin: EntAdmin,
           employee_ids: Annotated[list[DbId] | None, Form()] = None) -> Response:
    """删除信息 and 批量删除 (after the page's confirmation dialog)."""
    with refusable(db) as refused:
        count = service.delete_employees(db, admin.org_id, employee_ids or [], clock.now())
    if refused:
        return _employees_page(request, db, admin, status_code=refused.status_code, error=refused.message)
    flash(request, f"已删除 {count} 名员工")
    return RedirectResponse(request.url_for("ent_employees"), status_code=303)


def _uploader(admin: ConsoleUser) -> import_store.Uploader:
    return import_store.Uploader(admin.org_id, admin.account_id, admin.operator_id_number)


@router.post("/employees-import", name="ent_employee_import")
def import_employees(request: Request, db: DbSession, admin: EntAdmin, settings: AppSettings,
                     file: Annotated[UploadFile | None, File()] = None,
                     remove_missing: Annotated[str, Form()] = "") -> Response:
    """批量导入 (also a re-upload of the whole roster); with 删除名单中没有的员工, first a confirmation of how many."""
    filename = file.filename if file is not None and file.filename else ""
    with refusable(db) as refused:  # the upload is copied in chunks, at most the limit of it: never whole in memory
        report = importing.import_upload(db, settings, _uploader(admin), filename,
                                         file.file if file is not None else b"", clock.now(),
                                         remove_missing=remove_missing == "1")
    return _import_answer(request, db, admin, refused, report if not refused else None)


@router.post("/employees-import/confirm", name="ent_employee_import_confirm")
def import_confirm(request: Request, db: DbSession, admin: EntAdmin, settings: AppSettings,
                   token: Annotated[str, Form()] = "", removals: Annotated[str, Form()] = "") -> Response:
    """确认导入 of the kept upload, with the removals the admin was shown."""
    shown = int(removals) if removals.isdigit() and len(removals) < 10 else -1
    with refusable(db) as refused:
        report = importing.import_kept(db, settings, _uploader(admin), token, shown, clock.now())
    return _import_answer(request, db, admin, refused, report if not refused else None)


@router.post("/employees-import/cancel", name="ent_employee_import_cancel")
def import_cancel(request: Request, db: DbSession, admin: EntAdmin, token: Annotated[str, Form()] = "") -> Response:
    import_store.discard(db, _uploader(admin), token)
    flash(request, "已取消导入，员工名单未做任何修改")
    return RedirectResponse(request.url_for("ent_employees"), status_code=303)


def _import_answer(request: Request, db: DbSession, admin: ConsoleUser, refused: Refusal,
                   report: importing.ImportReport | None) -> Response:
    if report is None:
        return _employees_page(request, db, admin, status_code=refused.status_code, error=refused.message)
    if report.status == "rejected":
        return _employees_page(request, db, admin, status_code=422, import_report=report,
                               error=f"导入失败：文件中有 {report.bad_lines} 行数据有误，整个文件未导入，"
                                     "请下载错误报告，修改后重新导入")
    if report.status == "confirm":
        return _employees_page(request, db, admin, import_confirm=report)
    message = (f"导入成功：新增 {report.added} 名（已发送确认请求，本人确认后将出现在员工名单中），"
               f"更新 {report.updated} 名，无变化 {report.unchanged} 名，删除 {report.removed} 名")
    if report.declined:
        message += f"；另有 {report.declined} 名此前已拒绝或解除关联，未再次发送请求"
    flash(request, message)
    return RedirectResponse(request.url_for("ent_employees"), status_code=303)


@router.get("/employees-import/report/{token}", name="ent_employee_import_report")
def import_report_download(db: DbSession, admin: EntAdmin, token: str) -> Response:
    """The error report of the admin's own refused upload (404 for anybody else's, or once expired)."""
    kept = import_store.fetch(db, _uploader(admin), import_store.REPORT, token, clock.now())
    disposition = f"attachment; filename=\"import-errors.xlsx\"; filename*=UTF-8''{quote('员工导入错误报告.xlsx')}"
    return Response(kept.content, media_type=XLSX_MEDIA_TYPE,
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


@router.post("/employee-requests/{request_id}/withdraw", name="ent_request_withdraw")
def withdraw(request: Request, db: DbSession, admin: EntAdmin, request_id: DbId) -> Response:
    """撤回 a request the resident has not confirmed."""
    with refusable(db) as refused:
        consent.withdraw(db, admin.org_id, request_id, clock.now())
    if refused:
        return _employees_page(request, db, admin, status_code=refused.status_code, error=refused.message)
    flash(request, "已撤回员工确认请求")
    return RedirectResponse(request.url_for("ent_employees"), status_code=303)


@router.get("/employees-template", name="ent_employee_template")
def template(admin: EntAdmin) -> Response:
    return xlsx_response("员工信息导入模板.xlsx", "员工信息", importing.TEMPLATE_HEADER, [])


@router.post("/sync", name="ent_sync")
def sync(request: Request, db: DbSession, admin: EntAdmin) -> Response:
    """同步员工信息: links the residents who named the enterprise as employer on their own reports, and pulls the
    reports of the (confirmed) employees."""
    result = service.sync_employees(db, admin.org_id, clock.now())
    flash(request, f"同步完成：新增关联员工 {result.added} 名，已同步 {result.employees} 名员工的健康上报数据")
    return RedirectResponse(request.url_for("ent_home"), status_code=303)


@router.post("/profile", name="ent_profile")
def profile(request: Request, db: DbSession, admin: EntAdmin, name: Annotated[str, Form()] = "",
            legal_name: Annotated[str, Form()] = "", legal_phone: Annotated[str, Form()] = "") -> Response:
    with refusable(db) as refused:
        service.update_profile(db, admin.org_id, name=name, legal_name=legal_name, legal_phone=legal_phone,
                               now=clock.now())
    if refused:
        return _employees_page(request, db, admin, status_code=refused.status_code, error=refused.message)
    flash(request, "企业基本信息已保存")
    return RedirectResponse(request.url_for("ent_employees"), status_code=303)
