"""The health authority's 具名用户 page (/gov/users): its admin account adds named users (审核人员) with a password
shown once, and deactivates them. Only the authority's own admin account (not a named user) may."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from healthcode import clock
from healthcode.db import DbId, DbSession
from healthcode.orgs import users
from healthcode.orgs.errors import NotUnitAdmin
from healthcode.web.console import AuthorityAdmin, ConsoleUser, console_page
from healthcode.web.forms import refusable

log = logging.getLogger(__name__)
router = APIRouter(prefix="/gov/users", include_in_schema=False)


def _unit_admin(admin: AuthorityAdmin) -> ConsoleUser:
    if admin.user_name is not None:
        raise NotUnitAdmin()
    return admin


UnitAdmin = Annotated[ConsoleUser, Depends(_unit_admin)]


def _render(request: Request, admin: ConsoleUser, session: DbSession, *, status: int = 200,
            **extra: object) -> Response:
    return console_page(request, admin, "gov/users.html", {
        "active": "users", "users": users.users_of(session, admin.org_id), "name_max": users.NAME_MAX, **extra},
        status_code=status)


@router.get("", name="gov_users")
def users_page(request: Request, admin: UnitAdmin, session: DbSession) -> Response:
    return _render(request, admin, session)


@router.post("", name="gov_user_add")
def add_user(request: Request, admin: UnitAdmin, session: DbSession, username: Annotated[str, Form()] = "",
             name: Annotated[str, Form()] = "") -> Response:
    with refusable(session) as refused:
        created = users.add_user(session, admin.org_id, username=username, name=name, now=clock.now())
    if refused:
        return _render(request, admin, session, status=refused.status_code, error=refused.message,
                       form={"username": username, "name": name})
    log.info("named user %s added to org %s by account %s", created.username, admin.org_id, admin.account_id)
    return _render(request, admin, session, created=created)


@router.post("/{account_id}/deactivate", name="gov_user_deactivate")
def deactivate(request: Request, account_id: DbId, admin: UnitAdmin, session: DbSession) -> Response:
    with refusable(session) as refused:
        account = users.deactivate_user(session, admin.org_id, account_id, clock.now())
    if refused:
        return _render(request, admin, session, status=refused.status_code, error=refused.message)
    log.info("named user %s deactivated by account %s", account.username, admin.account_id)
    return _render(request, admin, session, flash=f"已停用用户 {account.username}")
