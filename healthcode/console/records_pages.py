"""Pages of 扫码记录: the filtered table (htmx swaps the table on 查询/重置/paging), 查看详情, drill-down to a
resident (purpose first, then the data) and to a scanner (扫码员数据汇总 with its 扫码时间 and 扫码地点 filters, 打印),
批量导出 to Excel and the printout of the whole filtered result (打印)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from healthcode import clock
from healthcode.console import records
from healthcode.db import DbId, DbSession, PageNumber
from healthcode.orgs import export_log
from healthcode.web.console import ConsoleAdmin, console_page
from healthcode.web.exports import xlsx_response
from healthcode.web.forms import refusable

router = APIRouter(prefix="/gov", include_in_schema=False)
PageNo = Annotated[PageNumber, Query()]


@router.get("/records", name="gov_records")
def records_page(request: Request, admin: ConsoleAdmin, session: DbSession, start: str = "", end: str = "",
                 point_id: str = "", color: str = "", page: PageNo = 1) -> Response:
    swap = bool(request.headers.get("HX-Request")) and request.headers.get("HX-Target") == "records"
    with refusable(session) as refused:
        query = records.parse_query(admin.org_id, start, end, point_id, color)
    if refused:
        # A refused filter shows its reason in place: htmx swaps only the message (console.js) and the list shown
        # stays; a plain request gets the page with the form as typed and the message instead of a list.
        if swap:
            return console_page(request, admin, "gov/_records_error.html", {"error": refused.message},
                                status_code=refused.status_code)
        query = records.Query(start, end, point_id, color)
        context = {"active": "records", "query": query, "result": None, "error": refused.message,
                   "colors": records.COLORS, "points": records.points(session, admin.org_id)}
        return console_page(request, admin, "gov/records.html", context, status_code=refused.status_code)
    result = records.page_of(session, query.filter, page)
    context = {"active": "records", "query": query, "result": result, "colors": records.COLORS,
               "points": records.points(session, admin.org_id),
               "may_export_full": export_log.may_export_full(admin, "gov_records")}
    # htmx (查询, 重置, paging) swaps only the table and the actions that follow its filter (批量导出, 打印); a plain
    # request gets the whole page.
    template = "gov/_records_table.html" if swap else "gov/records.html"
    return console_page(request, admin, template, context)


@router.get("/records/export", name="gov_records_export")
def records_export(admin: ConsoleAdmin, session: DbSession, start: str = "", end: str = "", point_id: str = "",
                   color: str = "", full: str = "") -> Response:
    """批量导出, masked as the table is; 导出完整信息 (full=1) shows full names to the units with the right."""
    query = records.parse_query(admin.org_id, start, end, point_id, color)
    shown_full = export_log.wants_full(admin, "gov_records", full)
    rows = records.export_rows(session, admin, query, full=shown_full)
    log = export_log.logger(session, admin, "gov_records", query.params(), shown_full, clock.now())
    return xlsx_response(f"扫码记录_{clock.now():%Y%m%d%H%M}.xlsx", "扫码记录", records.HEADER, rows, log)


@router.get("/records/print", name="gov_records_print")
def records_print(request: Request, admin: ConsoleAdmin, session: DbSession, start: str = "", end: str = "",
                  point_id: str = "", color: str = "") -> Response:
    """打印: the whole filtered result (up to records.PRINT_LIMIT) with the filter, the unit and the time; logged
    like an export. The page opens the print dialog itself (console.js)."""
    query = records.parse_query(admin.org_id, start, end, point_id, color)
    printout = records.print_rows(session, admin, query)
    export_log.record(session, admin, "gov_records_print", query.params(), False, len(printout["rows"]), clock.now())
    return console_page(request, admin, "gov/records_print.html",
                        {"active": "records", "query": query, "printout": printout, "printed_at": clock.now(),
                         "title": "扫码记录", "back": request.url_for("gov_records").include_query_params(
                             **query.params())})


@router.get("/records/{scan_id}", name="gov_record_detail")
def record_detail(request: Request, scan_id: DbId, admin: ConsoleAdmin, session: DbSession) -> Response:
    record = records.detail(session, admin.org_id, scan_id)
    records.log_record_view(session, admin, record)
    return console_page(request, admin, "gov/record_detail.html", {"active": "records", "r": record})


@router.get("/people/{person_id}", name="gov_person")
def person_purpose(request: Request, person_id: DbId, admin: ConsoleAdmin, session: DbSession) -> Response:
    """The small form that asks why before any of the resident's data shows."""
    person = records.person_for(session, admin.org_id, person_id)
    return console_page(request, admin, "gov/person_purpose.html",
                        {"active": "records", "person_id": person.id, "purposes": records.PURPOSES})


@router.post("/people/{person_id}")
def person_view(request: Request, person_id: DbId, admin: ConsoleAdmin, session: DbSession,
                purpose: Annotated[str, Form()] = "") -> Response:
    view = records.view_person(session, admin, person_id, purpose)
    return console_page(request, admin, "gov/person.html", {"active": "records", **view})


@router.get("/scanners/{scanner_id}/records", name="gov_scanner_records")
def scanner_records(request: Request, scanner_id: DbId, admin: ConsoleAdmin, session: DbSession, start: str = "",
                    end: str = "", point_id: str = "", page: PageNo = 1) -> Response:
    """扫码员数据汇总: the scanner's records, filtered by 扫码时间 and 扫码地点 as the seed has it; a refused filter
    shows its reason in place of the list."""
    scanner = records.scanner_for(session, admin.org_id, scanner_id)
    points = records.points(session, admin.org_id)
    context = {"active": "records", "scanner": records.scanner_summary(scanner), "points": points}
    with refusable(session) as refused:
        query = records.parse_query(admin.org_id, start, end, point_id)
    if refused:
        return console_page(request, admin, "gov/scanner.html",
                            {**context, "query": records.Query(start, end, point_id), "result": None,
                             "error": refused.message}, status_code=refused.status_code)
    result = records.page_of(session, replace(query.filter, scanner_id=scanner.id), page, page_size=50)
    return console_page(request, admin, "gov/scanner.html", {**context, "query": query, "result": result})


@router.get("/scanners/{scanner_id}/records/print", name="gov_scanner_records_print")
def scanner_records_print(request: Request, scanner_id: DbId, admin: ConsoleAdmin, session: DbSession,
                          start: str = "", end: str = "", point_id: str = "") -> Response:
    """扫码员数据汇总 打印: the scanner's whole filtered result (up to records.PRINT_LIMIT), not the page of 50 shown,
    with the scanner, the filter, the unit and the time; logged like an export."""
    scanner = records.scanner_for(session, admin.org_id, scanner_id)
    query = records.parse_query(admin.org_id, start, end, point_id)
    printout = records.print_rows(session, admin, query, scanner)
    export_log.record(session, admin, "gov_scanner_print", {"scanner": scanner.name, **query.params()}, False,
                      len(printout["rows"]), clock.now())
    back = request.url_for("gov_scanner_records", scanner_id=scanner.id).include_query_params(**query.params())
    return console_page(request, admin, "gov/records_print.html",
                        {"active": "records", "query": query, "printout": printout, "printed_at": clock.now(),
                         "title": "扫码员数据汇总", "scanner": records.scanner_summary(scanner), "back": back})
