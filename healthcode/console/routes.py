"""Organisation admin API: the unit's scan records (SPEC section 9, CONTRACT) and its scanners' authorisation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from healthcode import clock
from healthcode.checkpoints import service as checkpoint_service
from healthcode.checkpoints import views as checkpoint_views
from healthcode.checkpoints.models import AUTHORISED, REVOKED
from healthcode.checkpoints.schemas import ScannerOut
from healthcode.console import schemas, service, views
from healthcode.db import DbId, DbSession, PageNumber
from healthcode.orgs.deps import OrgAdmin
from healthcode.web.schemas import documented

router = APIRouter(prefix="/api/v1/org", tags=["org"])


@router.get("/me", **documented(schemas.OrgAdminOut, 401, 403))
def me(admin: OrgAdmin) -> dict[str, Any]:
    return {"username": admin.username, "org_id": admin.org_id, "org_name": admin.org_name, "uscc": admin.org_uscc}


@router.get("/scans", **documented(schemas.OrgScanPage, 401, 403, 422))
def scans(
    admin: OrgAdmin,
    session: DbSession,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    point_id: DbId | None = None,
    page: Annotated[PageNumber, Query()] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """The scans at this organisation's points, newest first: `from`/`to` are dates or date-times (inclusive)."""
    rows, total = service.org_scans(session, admin.org_id, start=start, end=end, point_id=point_id, page=page,
                                    page_size=page_size)
    return views.org_scan_page(rows, total, page, page_size)


@router.get("/scanners", **documented(schemas.ScannerList, 401, 403))
def scanners(admin: OrgAdmin, session: DbSession) -> dict[str, Any]:
    return {"items": [checkpoint_views.scanner_json(s) for s in service.scanners(session, admin.org_id)]}


@router.post("/scanners/{scanner_id}/authorise", **documented(ScannerOut, 401, 403, 404, 422))
def authorise(scanner_id: DbId, admin: OrgAdmin, session: DbSession) -> dict[str, Any]:
    scanner = checkpoint_service.set_scanner_status(session, admin.org_id, scanner_id, AUTHORISED, admin.username,
                                                    clock.now())
    return checkpoint_views.scanner_json(scanner)


@router.post("/scanners/{scanner_id}/revoke", **documented(ScannerOut, 401, 403, 404, 422))
def revoke(scanner_id: DbId, admin: OrgAdmin, session: DbSession) -> dict[str, Any]:
    scanner = checkpoint_service.set_scanner_status(session, admin.org_id, scanner_id, REVOKED, admin.username,
                                                    clock.now())
    return checkpoint_views.scanner_json(scanner)
