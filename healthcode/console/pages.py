"""Pages of the government console besides the records: 首页, 授权管理, 下级单位 (a subordinate's password reset, the
retrieval and reset logs) and the 政务信息网 账号获取 page (no login; internal networks only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from healthcode import clock
from healthcode.config import AppSettings
from healthcode.console import authorisation, records, reports
from healthcode.console.repository import ScanFilter
from healthcode.db import DbId, DbSession
from healthcode.errors import DomainError
from healthcode.orgs import retrieval
from healthcode.orgs.models import KINDS
from healthcode.web.console import ConsoleAdmin, ConsoleUser, console_page

router = APIRouter(prefix="/gov", include_in_schema=False)


@router.get("/", name="gov_home")
def home(request: Request, admin: ConsoleAdmin, session: DbSession) -> Response:
    now = clock.now()
    reports.ensure_built(session, now.date())  # a day's reports are completed on the first console view after it
    today = reports.live_today(session, admin.org_id, now)  # counted now, as the list under it is
    counts = authorisation.counts(session, admin.org_id)
    latest = records.page_of(session, ScanFilter(admin.org_id), 1, page_size=5)
    return console_page(request, admin, "gov/home.html",
                        {"active": "home", "today": today, "as_of": now, "counts": counts, "latest": latest,
                         "kind_label": KINDS.get(admin.org_kind, admin.org_kind)})


@router.get("/scanners", name="gov_scanners")
def scanners(request: Request, admin: ConsoleAdmin, session: DbSession, status: str = "") -> Response:
    return console_page(request, admin, "gov/scanners.html",
                        {"active": "scanners", "labels": authorisation.STATUS_LABELS,
                         **authorisation.scanners(session, admin.org_id, status)})


@router.post("/scanners/{scanner_id}/{action}", name="gov_scanner_decide")
def decide(request: Request, scanner_id: DbId, action: str, admin: ConsoleAdmin, session: DbSession) -> Response:
    decided = authorisation.decide(session, admin, scanner_id, action)
    if request.headers.get("HX-Request"):  # the row, and the tabs' counts swapped out of band
        return console_page(request, admin, "gov/_scanner_decided.html", decided)
    return RedirectResponse(request.url_for("gov_scanners"), status_code=303)


@router.get("/units", name="gov_units")
def units(request: Request, admin: ConsoleAdmin, session: DbSession) -> Response:
    return _units_page(request, admin, session)


def _units_page(request: Request, admin: ConsoleUser, session: DbSession, status_code: int = 200,
                **extra: object) -> Response:
    return console_page(request, admin, "gov/units.html",
                        {"active": "units", "units": retrieval.subordinates(session, admin.org_id),
                         **retrieval.logs(session, admin.org_id), **extra}, status_code=status_code)


@router.post("/units/reset-password", name="gov_unit_reset")
def reset_password(request: Request, admin: ConsoleAdmin, session: DbSession, settings: AppSettings,
                   uscc: Annotated[str, Form()] = "") -> Response:
    """重置密码 of a subordinate unit's admin (the health authority: of any unit). The new password is shown once,
    on this answer only (never cached), and the reset is logged."""
    try:
        created = retrieval.reset(session, admin, uscc, _client(request) or "", clock.now(), settings.secret_key)
    except DomainError as exc:
        return _units_page(request, admin, session, status_code=exc.status_code, error=exc.message)
    return _units_page(request, admin, session, reset=created)


@router.get("/retrieval", name="gov_retrieval")
def retrieval_form(request: Request, settings: AppSettings) -> Response:
    retrieval.require_internal(_client(request), settings.internal_networks)
    return console_page(request, None, "gov/retrieval.html", {"name": "", "uscc": ""})


@router.post("/retrieval")
def retrieve(request: Request, session: DbSession, settings: AppSettings, name: Annotated[str, Form()] = "",
             uscc: Annotated[str, Form()] = "") -> Response:
    host = _client(request)
    retrieval.require_internal(host, settings.internal_networks)
    try:
        created = retrieval.retrieve(session, settings, name=name, uscc=uscc, client_ip=host or "", now=clock.now())
    except DomainError as exc:
        return console_page(request, None, "gov/retrieval.html", {"name": name, "uscc": uscc, "error": exc.message},
                            status_code=exc.status_code)
    return console_page(request, None, "gov/retrieval.html", {"created": created, "name": name, "uscc": uscc})


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None
