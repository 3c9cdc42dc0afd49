"""统一社会信用代码异议 (/gov/disputes): the health authority's page of USCC disputes — each refused second
registration with the unit holding the USCC and the claimant — and their resolution (驳回 / 转移给申请方). Authority
only, like the region-level and feed pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from healthcode import clock
from healthcode.db import DbSession
from healthcode.enterprise import dispute_resolution, disputes
from healthcode.enterprise.dispute_models import OPEN, STATUS_LABELS
from healthcode.web.console import AuthorityAdmin, ConsoleUser, console_page
from healthcode.web.forms import refusable

router = APIRouter(prefix="/gov/disputes", include_in_schema=False)
DisputeId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # an integer column: a larger number is a 422


def _render(request: Request, admin: ConsoleUser, db: DbSession, status: str, *, flash: str | None = None,
            error: str | None = None, status_code: int = 200) -> Response:
    shown = status if status in STATUS_LABELS else ""
    return console_page(request, admin, "gov/disputes.html", {
        "active": "disputes", "rows": disputes.listing(db, shown), "status": shown, "labels": STATUS_LABELS,
        "flash": flash, "flash_kind": "ok", "error": error,
    }, status_code=status_code)


@router.get("", name="gov_disputes")
def listing(request: Request, admin: AuthorityAdmin, db: DbSession, status: str = OPEN) -> Response:
    return _render(request, admin, db, status)


@router.post("/{dispute_id}", name="gov_dispute_resolve")
def resolve(request: Request, dispute_id: DisputeId, admin: AuthorityAdmin, db: DbSession,
            action: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    with refusable(db) as refused:
        done = dispute_resolution.resolve(db, dispute_id, action, admin.username, note, clock.now())
    if refused:
        return _render(request, admin, db, OPEN, error=refused.message, status_code=refused.status_code)
    what = "已将该统一社会信用代码转移给申请方，原登记单位账号已停用" if action == "transfer" else "已驳回该异议"
    return _render(request, admin, db, OPEN, flash=f"{what}（{done.uscc}）")
