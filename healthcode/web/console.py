"""The console shell shared by every unit's pages (政府/企业用户电脑端): the signed-in user as pages see it, the page
dependencies (`ConsoleAdmin`, `AuthorityAdmin`), and the page renderer.

Who is signed in is decided by the sign-ins the app registers at start-up (`app.state.console_sign_ins`, in
`app.py`): the unit admin's (orgs/console_auth.py) and the enterprise operator's (enterprise/operators.py). This
module imports no domain package, so that every domain's console pages can use it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.routing import NoMatchFound

from healthcode.db import DbSession
from healthcode.errors import Forbidden
from healthcode.web.errors import PendingVerification
from healthcode.web.templating import templates

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
    user_name: str | None = None  # a named user of the unit (orgs/users.py), not its admin account

    @property
    def label(self) -> str:
        """Who acted, as a record keeps it: 单位名（管理员） or 单位名（具名用户的姓名）."""
        return f"{self.org_name}（{self.user_name or '管理员'}）"


# One way of being signed in to the console: the user of this request's session, or None.
SignIn = Callable[[Request, Session], ConsoleUser | None]


class LoginRequired(HTTPException):
    """Not signed in: a redirect to the login page (htmx requests get HX-Redirect, which htmx follows itself)."""

    def __init__(self, request: Request) -> None:
        target = f"{login_url(request, enterprise=request.url.path.startswith('/ent/'))}?next={request.url.path}"
        if request.headers.get("HX-Request"):
            super().__init__(status_code=401, detail="请先登录", headers={"HX-Redirect": target})
        else:
            super().__init__(status_code=303, detail="请先登录", headers={"Location": target})


def signed_in(request: Request, session: DbSession) -> ConsoleUser | None:
    """The console user of the session cookie, or None: the first of the app's sign-ins that knows the session."""
    sign_ins: tuple[SignIn, ...] = request.app.state.console_sign_ins
    for sign_in in sign_ins:
        user = sign_in(request, session)
        if user is not None:
            return user
    return None


def console_admin_any(request: Request, session: DbSession) -> ConsoleUser:
    """Signed in, whether or not the password must still be changed (only the 修改密码 page accepts this)."""
    user = signed_in(request, session)
    if user is None:
        raise LoginRequired(request)
    if user.pending_verification:
        raise PendingVerification()
    return user


def console_admin(request: Request, user: Annotated[ConsoleUser, Depends(console_admin_any)]) -> ConsoleUser:
    if user.must_change_password:
        target = str(request.url_for("console_password"))
        raise HTTPException(status_code=303, detail="首次登录请先修改密码", headers={"Location": target})
    return user


def authority_admin(user: Annotated[ConsoleUser, Depends(console_admin)]) -> ConsoleUser:
    if not user.is_authority:
        raise Forbidden("仅疫情防控指挥部可以访问该页面")
    return user


ConsoleAdmin = Annotated[ConsoleUser, Depends(console_admin)]
AuthorityAdmin = Annotated[ConsoleUser, Depends(authority_admin)]


def console_page(request: Request, admin: ConsoleUser | None, template: str, context: dict[str, Any],
                 status_code: int = 200) -> Response:
    """A console page: the template with `admin` set, never cached (the pages show personal data)."""
    return templates.TemplateResponse(request, template, {"admin": admin, **context}, status_code=status_code,
                                      headers=NO_STORE)


# What a stored 操作人 reads as on a page, {stored: shown}: told at start-up (`app.state.operator_labels`, which is
# orgs/operators.labels), for the pages of the packages below `orgs` that show one (regions' level history).
OperatorLabels = Callable[[Session, Iterable[str | None]], dict[str, str]]


def operator_labels(request: Request, session: Session, values: Iterable[str | None]) -> dict[str, str]:
    labels: OperatorLabels | None = getattr(request.app.state, "operator_labels", None)
    if labels is None:
        return {v: v for v in values if v}
    return labels(session, values)


def home_url(request: Request, user: ConsoleUser) -> str:
    """Where an admin lands: the enterprise console for enterprises (when mounted; its verification step while the
    registration is not verified), else the government console."""
    if user.org_kind == "enterprise":
        try:
            return str(request.url_for("ent_verify" if user.pending_verification else "ent_home"))
        except NoMatchFound:
            pass
    return str(request.url_for("gov_home"))


def login_url(request: Request, *, enterprise: bool) -> str:
    """The console's login page: the enterprise's own (/ent/login, headed 企业用户电脑端) when mounted, else the
    government console's."""
    if enterprise:
        try:
            return str(request.url_for("ent_login"))
        except NoMatchFound:
            pass
    return str(request.url_for("console_login"))
