"""导出记录 (/ent/exports): the enterprise's own export log (who exported what, with which filter, how many rows)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from healthcode.db import DbSession
from healthcode.enterprise.pages import EntAdmin, page
from healthcode.orgs import export_log

router = APIRouter(prefix="/ent", include_in_schema=False)


@router.get("/exports", name="ent_exports")
def exports(request: Request, db: DbSession, admin: EntAdmin) -> Response:
    return page(request, admin, "ent/exports.html", {"active": "exports", "rows": export_log.listing(db, admin.org_id),
                                                     "all_units": False})
