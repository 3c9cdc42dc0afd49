"""Pages of the government console besides the records: 首页, 授权管理, 下级单位 (reset of a subordinate's account
retrieval) and the 政务信息网 账号获取 page (no login; internal networks only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from healthcode import clock
from healthcode.db import DbId, DbSession
from healthcode.errors import DomainError
from healthcode.orgs import authorisation, records, reports, retrieval
from healthcode.orgs.console_auth import ConsoleAdmin, console_page
from healthcode.orgs.console_repository import ScanFilter
from healthcode.orgs.models import KINDS

router = APIRouter(prefix="/gov", include_in_schema=False)


@router.get("/", name="gov_home")
def home(request: Request, admin: ConsoleAdmin, session: DbSession) -> Response:
    today = clock.today()
    reports.ensure_built(session, today)
    summary = reports.unit_day(session, admin.org_id, today)
    counts = authorisation.scanners(session, admin.org_id)["counts"]
    latest = records.page_of(session, ScanFilter(admin.org_id), 1, page_size=5)
    return console_page(request, admin, "gov/home.html",
                        {"active": "home", "today": today, "summary": summary, "counts": counts, "latest": latest,
                         "kind_label": KINDS.get(admin.org_kind, admin.org_kind)})


@router.get("/scanners", name="gov_scanners")
def scanners(request: Request, admin: ConsoleAdmin, session: DbSession, status: str = "") -> Response:
    return console_page(request, admin, "gov/scanners.html",
                        {"active": "scanners", "labels": authorisation.STATUS_LABELS,
                         **authorisation.scanners(session, admin.org_id, status)})


@router.post("/scanners/{scanner_id}/{action}", name="gov_scanner_decide")
def decide(request: Request, scanner_id: DbId, action: str, admin: ConsoleAdmin, session: DbSession) -> Response:
    scanner = authorisation.decide(session, admin, scanner_id, action)
    if request.headers.get("HX-Request"):
        return console_page(request, admin, "gov/_scanner_row.html", {"s": scanner})
    return RedirectResponse(request.url_for("gov_scanners"), status_code=303)


@router.get("/units", name="gov_units")
def units(request: Request, admin: ConsoleAdmin, session: DbSession) -> Response:
    return console_page(request, admin, "gov/units.html",
                        {"active": "units", "units": retrieval.subordinates(session, admin.org_id)})


@router.post("/units/{org_id}/reset-retrieval", name="gov_unit_reset")
def reset_retrieval(request: Request, org_id: DbId, admin: ConsoleAdmin, session: DbSession) -> Response:
    retrieval.reset(session, admin.org_id, org_id, admin.username, clock.now())
    return console_page(request, admin, "gov/units.html",
                        {"active": "units", "units": retrieval.subordinates(session, admin.org_id),
                         "flash": "已重置，该单位可重新获取账号"})


@router.get("/retrieval", name="gov_retrieval")
def retrieval_form(request: Request) -> Response:
    retrieval.require_internal(_client(request), request.app.state.settings.internal_networks)
    return console_page(request, None, "gov/retrieval.html", {"name": "", "uscc": ""})


@router.post("/retrieval")
def retrieve(request: Request, session: DbSession, name: Annotated[str, Form()] = "",
             uscc: Annotated[str, Form()] = "") -> Response:
    host = _client(request)
    retrieval.require_internal(host, request.app.state.settings.internal_networks)
    try:
        created = retrieval.retrieve(session, name=name, uscc=uscc, client_ip=host or "", now=clock.now())
    except DomainError as exc:
        return console_page(request, None, "gov/retrieval.html", {"name": name, "uscc": uscc, "error": exc.message},
                            status_code=exc.status_code)
    return console_page(request, None, "gov/retrieval.html", {"created": created, "name": name, "uscc": uscc})


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None
