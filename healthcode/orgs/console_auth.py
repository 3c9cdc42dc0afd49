"""Console sign-in for organisation admins (政府/企业用户电脑端): login with the accounts service's password check and
lockout, a session kept on the server (healthcode/sessions), the forced 修改密码 at first login, and the
`ConsoleAdmin` page dependency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.routing import NoMatchFound

from healthcode import clock
from healthcode.accounts import repository as account_repository
from healthcode.accounts import service as accounts
from healthcode.accounts.models import KIND_ORG_ADMIN
from healthcode.db import DbSession
from healthcode.errors import DomainError, Forbidden, Invalid
from healthcode.orgs import errors, repository
from healthcode.web.templating import templates

router = APIRouter(prefix="/gov", include_in_schema=False)

SESSION_ACCOUNT = "admin_account_id"
SESSION_VERSION = "admin_token_version"
# An enterprise operator (经办人) signed in by real name: {"org": org id, "person": person id}. Checked against the
# enterprise's operator list on every request (healthcode/enterprise/operators.py), so a removal ends it at once.
SESSION_OPERATOR = "ent_operator"
NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class ConsoleUser:
    """The signed-in organisation admin as the console pages see it."""

    account_id: int
    username: str
    org_id: int
    org_name: str
    org_uscc: str
    org_kind: str
    org_parent_id: int | None
    is_authority: bool
    must_change_password: bool
    operator_id_number: str | None = None  # set when an enterprise operator signed in by real name, not the admin
    pending_verification: bool = False  # a self-registered enterprise not yet verified: only /ent/verify answers


class LoginRequired(HTTPException):
    """Not signed in: a redirect to the login page (htmx requests get HX-Redirect, which htmx follows itself)."""

    def __init__(self, request: Request) -> None:
        target = f"{request.url_for('console_login')}?next={request.url.path}"
        if request.headers.get("HX-Request"):
            super().__init__(status_code=401, detail="请先登录", headers={"HX-Redirect": target})
        else:
            super().__init__(status_code=303, detail="请先登录", headers={"Location": target})


def signed_in(request: Request, session: DbSession) -> ConsoleUser | None:
    """The admin of the session cookie, or None. The token version is compared on every request, so a password
    change or a reset ends every other session at once."""
    account_id = request.session.get(SESSION_ACCOUNT)
    if not isinstance(account_id, int):
        return _operator(request, session)
    found = repository.admin_for_account(session, account_id)
    if found is None or found[1].token_version != request.session.get(SESSION_VERSION) or not found[1].active:
        _forget(request)
        return None
    _, account, org = found
    authority = org.uscc in set(request.app.state.settings.authority_usccs)
    return ConsoleUser(account.id, account.username, org.id, org.name, org.uscc, org.kind, org.parent_id, authority,
                       bool(account.must_change_password), pending_verification=org.pending_verification)


def _operator(request: Request, session: DbSession) -> ConsoleUser | None:
    """The enterprise operator of the session, acting as the enterprise's admin (same org, so the same tenant
    checks), named in audit logs by their own name; None when they are no longer the enterprise's operator."""
    entry = request.session.get(SESSION_OPERATOR)
    if not isinstance(entry, dict) or not isinstance(entry.get("org"), int) or not isinstance(entry.get("person"), int):
        return None
    from healthcode.enterprise import operator_repository, operators  # the enterprise domain owns the operators

    found = operator_repository.console_identity(session, entry["org"], entry["person"])
    if found is None:
        _forget(request)
        return None
    person, org, account = found
    authority = org.uscc in set(request.app.state.settings.authority_usccs)
    return ConsoleUser(account.id, operators.label(person.name, person.id_number), org.id, org.name, org.uscc,
                       org.kind, org.parent_id, authority, False, operator_id_number=person.id_number,
                       pending_verification=org.pending_verification)


def console_admin_any(request: Request, session: DbSession) -> ConsoleUser:
    """Signed in, whether or not the password must still be changed (only the 修改密码 page accepts this)."""
    user = signed_in(request, session)
    if user is None:
        raise LoginRequired(request)
    if user.pending_verification:
        raise errors.pending_verification()
    return user


def console_admin(request: Request, user: Annotated[ConsoleUser, Depends(console_admin_any)]) -> ConsoleUser:
    if user.must_change_password:
        target = str(request.url_for("console_password"))
        raise HTTPException(status_code=303, detail="首次登录请先修改密码", headers={"Location": target})
    return user


def authority_admin(user: Annotated[ConsoleUser, Depends(console_admin)]) -> ConsoleUser:
    if not user.is_authority:
        raise Forbidden("仅疫情防控指挥部可以访问该页面", code="forbidden")
    return user


ConsoleAdmin = Annotated[ConsoleUser, Depends(console_admin)]
AuthorityAdmin = Annotated[ConsoleUser, Depends(authority_admin)]


def _password_user(user: Annotated[ConsoleUser, Depends(console_admin_any)]) -> ConsoleUser:
    # An operator has no password here: the admin account's password stays the admin's.
    if user.operator_id_number is not None:
        raise Forbidden("通过个人实名认证登录的经办人无需修改密码", code="operator_no_password")
    return user


_AnyAdmin = Annotated[ConsoleUser, Depends(_password_user)]


def console_page(request: Request, admin: ConsoleUser | None, template: str, context: dict[str, Any],
                 status_code: int = 200) -> Response:
    """A console page: the template with `admin` set, never cached (the pages show personal data)."""
    return templates.TemplateResponse(request, template, {"admin": admin, **context}, status_code=status_code,
                                      headers=NO_STORE)


def home_url(request: Request, user: ConsoleUser) -> str:
    """Where an admin lands: the enterprise console for enterprises (when mounted; its verification step while the
    registration is not verified), else the government console."""
    if user.org_kind == "enterprise":
        try:
            return str(request.url_for("ent_verify" if user.pending_verification else "ent_home"))
        except NoMatchFound:
            pass
    return str(request.url_for("gov_home"))


@router.get("/login", name="console_login")
def login_form(request: Request, session: DbSession, next: str = "") -> Response:
    user = signed_in(request, session)
    if user is not None and not user.must_change_password:
        return RedirectResponse(_safe_next(next) or home_url(request, user), status_code=303)
    return console_page(request, None, "gov/login.html", {"next": next, "username": ""})


@router.post("/login")
def login(request: Request, session: DbSession, username: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "") -> Response:
    settings = request.app.state.settings
    try:
        if not username.strip() or not password:
            raise Invalid("请输入用户名和密码")
        accounts.login(session, username, password, clock.now(), settings.secret_key, settings=settings,
                       address=request.client.host if request.client else None)
        found = repository.admin_for_account(session, _account_id(session, username))
        if found is None:
            raise Forbidden("该账号不是单位管理员账号，扫码员请使用闽政通 APP 登录")
    except DomainError as exc:
        # Returned, not raised: the failed-login count must be committed with this request.
        return console_page(request, None, "gov/login.html",
                            {"next": next, "username": username, "error": exc.message}, status_code=exc.status_code)
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
def logout(request: Request) -> Response:
    _forget(request)
    return RedirectResponse(request.url_for("console_login"), status_code=303)


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


def _forget(request: Request) -> None:
    request.session.pop(SESSION_ACCOUNT, None)
    request.session.pop(SESSION_VERSION, None)
    request.session.pop(SESSION_OPERATOR, None)
