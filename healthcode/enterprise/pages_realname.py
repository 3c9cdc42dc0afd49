"""通过个人实名认证登录 of the enterprise console (/ent/realname): the residents' OIDC sign-in, then the enterprise the
person is associated with (choose when several), or 企业信息关联 first; and 经办人管理 (add / remove) in the console.
Thin: the rules are in operators.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.config import AppSettings, app_settings
from healthcode.db import DbId, DbSession
from healthcode.enterprise import operator_repository, operators
from healthcode.enterprise.pages import EntAdmin, flash
from healthcode.errors import DomainError
from healthcode.identity.relyingparty import MaybeResident
from healthcode.orgs import console_auth
from healthcode.orgs.models import Org
from healthcode.residents.models import Person
from healthcode.web.console import ConsoleUser, console_page
from healthcode.web.forms import refusable

router = APIRouter(prefix="/ent", include_in_schema=False)


@router.get("/realname/login", name="ent_realname_login")
def realname_login(request: Request) -> Response:
    """The login page's 【个人实名认证登录】: the residents' real-name sign-in, returning to /ent/realname."""
    target = request.url_for("citizen_login").include_query_params(next=request.url_for("ent_realname").path)
    return RedirectResponse(str(target), status_code=303)


@router.get("/realname", name="ent_realname")
def realname(request: Request, db: DbSession, person: MaybeResident, associate: str = "") -> Response:
    """After sign-in: straight into the one associated enterprise, a choice among several, or 企业信息关联."""
    allowed = _allowed(request, person)
    if isinstance(allowed, Response):
        return allowed
    found = operators.enterprises_of(db, allowed)
    if len(found) == 1 and not associate:
        return enter_console(request, db, allowed, found[0].id)
    return _page(request, allowed, found, show_form=not found or bool(associate))


def _allowed(request: Request, person: Person | None) -> Person | Response:
    """The signed-in person when their real-name level suffices; else back to the sign-in (nobody signed in) or the
    refusal page (level too low)."""
    if person is None:
        return RedirectResponse(request.url_for("ent_realname_login"), status_code=303)
    try:
        operators.check_level(person, app_settings(request).min_assurance_level)
    except DomainError as exc:
        return _page(request, person, [], error=exc.message, status_code=exc.status_code)
    return person


@router.post("/realname/associate", name="ent_realname_associate")
def associate(request: Request, db: DbSession, person: MaybeResident, settings: AppSettings,
              name: Annotated[str, Form()] = "", uscc: Annotated[str, Form()] = "") -> Response:
    """企业信息关联: name + USCC; allowed to the enterprise's registered operator (others are refused, and audited)."""
    if person is None:
        return RedirectResponse(request.url_for("ent_realname_login"), status_code=303)
    with refusable(db) as refused:
        operators.check_level(person, settings.min_assurance_level)
        org = operators.associate(db, person, name, uscc, clock.now())
    if refused:
        # Answered, not raised: the refusal's audit row must be committed with this request.
        operators.log_refusal(db, person, uscc, refused.message, clock.now())
        return _page(request, person, operators.enterprises_of(db, person), show_form=True, error=refused.message,
                     form={"name": name, "uscc": uscc}, status_code=refused.status_code)
    return enter_console(request, db, person, org.id)


@router.post("/realname/enter", name="ent_realname_enter")
def enter(request: Request, db: DbSession, person: MaybeResident, org_id: Annotated[DbId, Form()] = 0) -> Response:
    """The chosen enterprise (when the person is associated with several)."""
    allowed = _allowed(request, person)
    if isinstance(allowed, Response):
        return allowed
    return enter_console(request, db, allowed, org_id)


@router.post("/operators", name="ent_operator_add")
def add_operator(request: Request, db: DbSession, admin: EntAdmin, name: Annotated[str, Form()] = "",
                 id_number: Annotated[str, Form()] = "") -> Response:
    """经办人管理 【添加】 on the 企业基本信息 page."""
    with refusable(db) as refused:
        added = operators.add_operator(db, admin.org_id, name, id_number, admin.username, clock.now())
    if refused:
        flash(request, refused.message, "error")
    else:
        flash(request, f"已添加经办人 {added.name}，其可通过个人实名认证登录本企业后台")
    return RedirectResponse(request.url_for("ent_employees"), status_code=303)


@router.post("/operators-delete", name="ent_operator_remove")
def remove_operator(request: Request, db: DbSession, admin: EntAdmin,
                    operator_id: Annotated[DbId, Form()] = 0) -> Response:
    """经办人管理 【移除】."""
    with refusable(db) as refused:
        name = operators.remove_operator(db, admin.org_id, operator_id, admin.username, clock.now())
    if refused:
        flash(request, refused.message, "error")
    else:
        flash(request, f"已移除经办人 {name}")
    return RedirectResponse(request.url_for("ent_employees"), status_code=303)


def enter_console(request: Request, db: DbSession, person: Person, org_id: int) -> Response:
    try:
        operators.enter(db, person, org_id, clock.now())
    except DomainError as exc:
        return _page(request, person, operators.enterprises_of(db, person), show_form=True, error=exc.message,
                     status_code=exc.status_code)
    # The console's own session keys: an admin's sign-in in this browser gives way to the operator's.
    request.session.pop(console_auth.SESSION_ACCOUNT, None)
    request.session.pop(console_auth.SESSION_VERSION, None)
    request.session[console_auth.SESSION_OPERATOR] = {"org": org_id, "person": person.id}
    return RedirectResponse(request.url_for("ent_home"), status_code=303)


def _page(request: Request, person: Person, enterprises: list[Org], *, show_form: bool = False,
          error: str | None = None, form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    context: dict[str, Any] = {"person": person, "enterprises": enterprises, "show_form": show_form, "error": error,
                               "form": form or {"name": "", "uscc": ""}}
    return console_page(request, None, "ent/realname.html", context, status_code=status_code)


def signed_in_operator(request: Request, session: Session) -> ConsoleUser | None:
    """The enterprise operator of the session, acting as the enterprise's admin (same org, so the same tenant
    checks), named in audit logs by their own name; None when they are no longer the enterprise's operator. The
    console sign-in this module registers with the console shell (app.py)."""
    entry = request.session.get(console_auth.SESSION_OPERATOR)
    if not isinstance(entry, dict) or not isinstance(entry.get("org"), int) or not isinstance(entry.get("person"), int):
        return None
    found = operator_repository.console_identity(session, entry["org"], entry["person"])
    if found is None:
        console_auth.forget(request)
        return None
    person, org, account = found
    authority = org.uscc in set(request.app.state.settings.authority_usccs)
    return ConsoleUser(account.id, operators.label(person.name, person.id_number), org.id, org.name, org.uscc,
                       org.kind, org.parent_id, authority, False, operator_id_number=person.id_number,
                       pending_verification=org.pending_verification)
