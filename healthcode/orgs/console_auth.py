"""Console sign-in for organisation admins (政府/企业用户电脑端): login with the accounts service's password check and
lockout, a session kept on the server (healthcode/sessions), and the forced 修改密码 at first login. The console
shell (the signed-in user, `ConsoleAdmin`, the page renderer) is `healthcode/web/console.py`; `signed_in_admin` is
the sign-in this module registers with it (app.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.accounts import repository as account_repository
from healthcode.accounts import service as accounts
from healthcode.accounts.models import KIND_ORG_ADMIN
from healthcode.db import DbSession
from healthcode.errors import DomainError, Forbidden, Invalid
from healthcode.orgs import repository
from healthcode.orgs.errors import OperatorNoPassword
from healthcode.web.console import ConsoleUser, console_admin_any, console_page, home_url, login_url, signed_in

router = APIRouter(prefix="/gov", include_in_schema=False)
# The enterprise's own login page (企业用户电脑端): the same sign-in, headed for the enterprise portal (app.py mounts
# it with the enterprise pages).
ent_router = APIRouter(prefix="/ent", include_in_schema=False)

SESSION_ACCOUNT = "admin_account_id"
SESSION_VERSION = "admin_token_version"
# An enterprise operator (经办人) signed in by real name: {"org": org id, "person": person id}. Checked against the
# enterprise's operator list on every request (healthcode/enterprise/operators.py), so a removal ends it at once.
SESSION_OPERATOR = "ent_operator"


def signed_in_admin(request: Request, session: Session) -> ConsoleUser | None:
    """The unit admin of the session cookie, or None. The token version is compared on every request, so a password
    change or a reset ends every other session at once."""
    account_id = request.session.get(SESSION_ACCOUNT)
    if not isinstance(account_id, int):
        return None
    found = repository.admin_for_account(session, account_id)
    if found is None or found[1].token_version != request.session.get(SESSION_VERSION) or not found[1].active:
        forget(request)
        return None
    admin, account, org = found
    authority = org.uscc in set(request.app.state.settings.authority_usccs)
    return ConsoleUser(account.id, account.username, org.id, org.name, org.uscc, org.kind, org.parent_id, authority,
                       bool(account.must_change_password), pending_verification=org.pending_verification,
                       user_name=admin.name)


def _password_user(user: Annotated[ConsoleUser, Depends(console_admin_any)]) -> ConsoleUser:
    # An operator has no password here: the admin account's password stays the admin's.
    if user.operator_id_number is not None:
        raise OperatorNoPassword()
    return user


_AnyAdmin = Annotated[ConsoleUser, Depends(_password_user)]


@router.get("/login", name="console_login")
def login_form(request: Request, session: DbSession, next: str = "") -> Response:
    return _login_form(request, session, next, ent=False)


@router.post("/login")
def login(request: Request, session: DbSession, username: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "") -> Response:
    return _login(request, session, username, password, next, ent=False)


@ent_router.get("/login", name="ent_login")
def ent_login_form(request: Request, session: DbSession, next: str = "") -> Response:
    return _login_form(request, session, next, ent=True)


@ent_router.post("/login")
def ent_login(request: Request, session: DbSession, username: Annotated[str, Form()] = "",
              password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "") -> Response:
    return _login(request, session, username, password, next, ent=True)


def _login_form(request: Request, session: Session, next: str, *, ent: bool) -> Response:
    user = signed_in(request, session)
    if user is not None and not user.must_change_password:
        return RedirectResponse(_safe_next(next) or home_url(request, user), status_code=303)
    return console_page(request, None, "gov/login.html", {"next": next, "username": "", "ent": ent})


def _login(request: Request, session: Session, username: str, password: str, next: str, *, ent: bool) -> Response:
    settings = request.app.state.settings
    try:
        if not username.strip() or not password:
            raise Invalid("请输入用户名和密码")
        accounts.login(session, username, password, clock.now(), settings.secret_key, settings=settings,
                       address=request.client.host if request.client else None)
        found = repository.admin_for_account(session, _account_id(session, username))
        if found is None:
            raise Forbidden("该账号不是单位管理员账号，扫码员请使用闽政通 APP 登录")
    except DomainError as exc:  # the form again, with the refusal (a failed sign-in's count is kept anyway)
        return console_page(request, None, "gov/login.html",
                            {"next": next, "username": username, "error": exc.message, "ent": ent},
                            status_code=exc.status_code)
    _, account, _org = found
    request.session.pop(SESSION_ACCOUNT, None)
    request.session.pop(SESSION_OPERATOR, None)
    request.session[SESSION_ACCOUNT] = account.id
    request.session[SESSION_VERSION] = account.token_version
    user = signed_in(request, session)
    assert user is not None
    if user.pending_verification:
        return RedirectResponse(home_url(request, user), status_code=303)
    if user.must_change_password:
        return RedirectResponse(request.url_for("console_password"), status_code=303)
    return RedirectResponse(_safe_next(next) or home_url(request, user), status_code=303)


@router.post("/logout", name="console_logout")
def logout(request: Request, session: DbSession) -> Response:
    """Ends the sign-in and returns to the login page of the portal it was in (an enterprise's is /ent/login)."""
    user = signed_in(request, session)
    forget(request)
    return RedirectResponse(login_url(request, enterprise=user is not None and user.org_kind == "enterprise"),
                            status_code=303)


@router.get("/password", name="console_password")
def password_form(request: Request, admin: _AnyAdmin) -> Response:
    return console_page(request, admin, "gov/password.html", {})


@router.post("/password")
def change_password(request: Request, session: DbSession, admin: _AnyAdmin,
                    old_password: Annotated[str, Form()] = "", new_password: Annotated[str, Form()] = "",
                    confirm_password: Annotated[str, Form()] = "") -> Response:
    found = repository.admin_for_account(session, admin.account_id)
    assert found is not None
    account = found[1]
    try:
        if new_password != confirm_password:
            raise Invalid("两次输入的新密码不一致")
        accounts.change_password(session, account, old_password, new_password, clock.now())
    except DomainError as exc:
        return console_page(request, admin, "gov/password.html", {"error": exc.message},
                            status_code=exc.status_code)
    # The change bumped the token version: keep this session, every other one has ended.
    request.session[SESSION_VERSION] = account.token_version
    user = signed_in(request, session)
    assert user is not None
    return RedirectResponse(home_url(request, user), status_code=303)


def _account_id(session: DbSession, username: str) -> int:
    account = account_repository.by_username(session, username.strip())
    if account is None or account.kind != KIND_ORG_ADMIN:
        raise Forbidden("该账号不是单位管理员账号，扫码员请使用闽政通 APP 登录")
    return account.id


def _safe_next(target: str) -> str | None:
    """Only a path of this site: never an absolute or protocol-relative URL (no open redirect)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def forget(request: Request) -> None:
    request.session.pop(SESSION_ACCOUNT, None)
    request.session.pop(SESSION_VERSION, None)
    request.session.pop(SESSION_OPERATOR, None)
