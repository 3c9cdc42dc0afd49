"""导出记录 (/gov/exports): the unit's own export log; the health authority sees every unit's."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from healthcode.db import DbSession
from healthcode.orgs import export_log
from healthcode.web.console import ConsoleAdmin, console_page

router = APIRouter(prefix="/gov", include_in_schema=False)


@router.get("/exports", name="gov_exports")
def exports(request: Request, admin: ConsoleAdmin, session: DbSession) -> Response:
    rows = export_log.listing(session, None if admin.is_authority else admin.org_id)
    return console_page(request, admin, "gov/exports.html",
                        {"active": "exports", "rows": rows, "all_units": admin.is_authority})
