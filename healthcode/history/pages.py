"""The health authority's 问责记录 page (/gov/audit): the ledger newest first, by kind and ID number, with the chain's
state. Authority only, like 疫情区等级 and 数据源状态."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from healthcode.db import DbSession, PageNumber
from healthcode.history import audit
from healthcode.web.console import AuthorityAdmin, console_page

router = APIRouter(prefix="/gov/audit", include_in_schema=False)


@router.get("", name="gov_audit")
def ledger(request: Request, admin: AuthorityAdmin, session: DbSession, kind: str = "", id_number: str = "",
           page: Annotated[PageNumber, Query()] = 1, verify: bool = False) -> Response:
    query, error = audit.parse(kind, id_number, page)
    view = audit.ledger_view(session, admin, query, check=verify)
    filters = {k: v for k, v in (("kind", query.kind), ("id_number", query.id_number)) if v}
    return console_page(request, admin, "gov/audit.html", {
        "active": "audit", **view, "kind": query.kind, "id_number": query.id_number, "filters": filters,
        "flash": error, "flash_kind": "error" if error else None,
    }, status_code=422 if error else 200)
