"""The health authority's 人工标记 page (/gov/flags): propose a manual flag, the list with its states, approve or
reject another user's proposal, withdraw. Authority users only (AuthorityAdmin); the proposer sees no approve button
and the service refuses him anyway. Each form runs in a savepoint: a refusal changes nothing and renders the page
again with its Chinese message and status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from healthcode import clock
from healthcode.common.masking import mask_id_number
from healthcode.db import DbId, DbSession
from healthcode.manualflags import service
from healthcode.manualflags.service import Actor
from healthcode.rules.in_force import in_force
from healthcode.rules.manual_models import APPROVED, PROPOSED, REASON_MAX
from healthcode.web.console import AuthorityAdmin, ConsoleUser, console_page
from healthcode.web.forms import refusable

router = APIRouter(prefix="/gov/flags", include_in_schema=False)


def _actor(admin: ConsoleUser) -> Actor:
    return Actor(admin.account_id, admin.label)


def _render(request: Request, admin: ConsoleUser, session: DbSession, *, status: int = 200,
            form: dict[str, str] | None = None, **extra: object) -> Response:
    settings = request.app.state.settings
    ruleset = in_force(session, settings)
    today = clock.now().date()
    rows = [{"flag": f, "id_masked": mask_id_number(f.id_number), "state": service.state_label(f, today),
             "color_label": ruleset.color_labels.get(f.color, f.color),
             "can_decide": f.state == PROPOSED and f.proposed_by != admin.account_id,
             "can_withdraw": (f.state == PROPOSED and f.proposed_by == admin.account_id)
             or (f.state == APPROVED and f.ends_on >= today)}
            for f in service.newest(session)]
    colors = [(c, ruleset.color_labels.get(c, c)) for c in ruleset.colors[1:]]
    return console_page(request, admin, "gov/flags.html", {
        "active": "flags", "rows": rows, "colors": colors, "today": today, "reason_max": REASON_MAX,
        "latest_end": service.latest_end(today, settings.manual_flag_max_days),
        "max_days": settings.manual_flag_max_days, "form": form or {}, **extra}, status_code=status)


@router.get("", name="gov_flags")
def flags_page(request: Request, admin: AuthorityAdmin, session: DbSession) -> Response:
    return _render(request, admin, session)


@router.post("", name="gov_flag_propose")
def propose(request: Request, admin: AuthorityAdmin, session: DbSession, id_number: Annotated[str, Form()] = "",
            color: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
            ends_on: Annotated[str, Form()] = "") -> Response:
    settings = request.app.state.settings
    with refusable(session) as refused:
        flag = service.propose(session, _actor(admin), id_number=id_number, color=color, reason=reason,
                               ends_on=ends_on, ruleset=in_force(session, settings),
                               max_days=settings.manual_flag_max_days, now=clock.now())
    if refused:
        return _render(request, admin, session, status=refused.status_code, error=refused.message,
                       form={"id_number": id_number, "reason": reason, "ends_on": ends_on})
    return _render(request, admin, session,
                   flash=f"已提出人工标记（编号 {flag.id}），须由另一位卫生健康部门用户审核通过后生效")


@router.post("/{flag_id}/approve", name="gov_flag_approve")
def approve(request: Request, flag_id: DbId, admin: AuthorityAdmin, session: DbSession) -> Response:
    with refusable(session) as refused:
        flag = service.approve(session, _actor(admin), flag_id, clock.now())
    if refused:
        return _render(request, admin, session, status=refused.status_code, error=refused.message)
    return _render(request, admin, session,
                   flash=f"已批准人工标记（编号 {flag.id}），自今日起至 {flag.ends_on.isoformat()} 有效")


@router.post("/{flag_id}/reject", name="gov_flag_reject")
def reject(request: Request, flag_id: DbId, admin: AuthorityAdmin, session: DbSession,
           reason: Annotated[str, Form()] = "") -> Response:
    with refusable(session) as refused:
        flag = service.reject(session, _actor(admin), flag_id, reason, clock.now())
    if refused:
        return _render(request, admin, session, status=refused.status_code, error=refused.message)
    return _render(request, admin, session, flash=f"已驳回人工标记（编号 {flag.id}）")


@router.post("/{flag_id}/withdraw", name="gov_flag_withdraw")
def withdraw(request: Request, flag_id: DbId, admin: AuthorityAdmin, session: DbSession,
             reason: Annotated[str, Form()] = "") -> Response:
    with refusable(session) as refused:
        flag = service.withdraw(session, _actor(admin), flag_id, reason, clock.now())
    if refused:
        return _render(request, admin, session, status=refused.status_code, error=refused.message)
    return _render(request, admin, session, flash=f"已撤回人工标记（编号 {flag.id}）")
