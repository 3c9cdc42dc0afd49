"""Pages of 数据报表: the day's figures with ECharts (hover values), the roll-up of subordinate units, the 14-day
trend, and the Excel export."""

from __future__ import annotations

import json
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from healthcode import clock
from healthcode.console import reports
from healthcode.db import DbId, DbSession
from healthcode.errors import InvalidDate
from healthcode.orgs import export_log
from healthcode.web.console import ConsoleAdmin, console_page
from healthcode.web.exports import xlsx_response

router = APIRouter(prefix="/gov", include_in_schema=False)


def _day(value: str) -> date:
    if not value.strip():
        return clock.today()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidDate() from None


@router.get("/reports", name="gov_reports")
def reports_page(request: Request, admin: ConsoleAdmin, session: DbSession, day: str = "",
                 org: DbId | None = None) -> Response:
    when = _day(day)
    org_id = reports.visible_org(session, admin.org_id, org)
    reports.ensure_built(session, when)
    unit = reports.unit_day(session, org_id, when)
    charts = {"hours": unit["hours"], "trend": reports.trend(session, org_id, when)}
    return console_page(request, admin, "gov/reports.html", {
        "active": "reports", "day": when, "org_id": org_id, "org_name": reports.names(session).get(org_id, ""),
        "unit": unit, "rollup": reports.rollup(session, org_id, when), "as_of": reports.as_of(session, when),
        "every_minutes": int(reports.TODAY_FRESHNESS.total_seconds() // 60),
        "charts_json": json.dumps(charts, ensure_ascii=False),
    })


@router.get("/reports/export", name="gov_reports_export")
def reports_export(admin: ConsoleAdmin, session: DbSession, day: str = "", org: DbId | None = None) -> Response:
    when = _day(day)
    org_id = reports.visible_org(session, admin.org_id, org)
    reports.ensure_built(session, when)
    name = reports.names(session).get(org_id, "")
    rows = reports.export_rows(session, org_id, name, when)
    log = export_log.logger(session, admin, "gov_reports", {"day": when.isoformat(), "org": name}, False,
                            clock.now())
    return xlsx_response(f"数据报表_{when:%Y%m%d}.xlsx", "数据报表", reports.EXPORT_HEADER, rows, log)
