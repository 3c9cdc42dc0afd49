"""The resident's 我的数据访问记录 page on the citizen portal (/citizen/access): only his own record."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from healthcode.citizen import access_log
from healthcode.citizen.pages import _page
from healthcode.db import DbSession
from healthcode.identity.relyingparty import MaybeResident

router = APIRouter(prefix="/citizen", include_in_schema=False)


@router.get("/access", name="citizen_access")
def access(request: Request, db: DbSession, person: MaybeResident, page: str = "1") -> Response:
    if person is None:
        return RedirectResponse(request.url_for("citizen_home"), status_code=303)
    number = int(page) if page.isdigit() else 1  # a bad page number shows the first page
    return _page(request, "citizen/access.html", {
        "person": person, "log": access_log.page_of(db, person, number),
        "retention_days": request.app.state.settings.scan_retention_days,
    })
