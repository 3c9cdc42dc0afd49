"""The scanner's mobile pages (扫码端, seed section 四): 法人用户 login, 法人注册 with an SMS code, the pending and
revoked states, and the development SMS outbox (/dev/sms). The scanning screens are in pages_scan.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from healthcode import clock
from healthcode.accounts import service as accounts
from healthcode.accounts import throttle, tokens
from healthcode.accounts.errors import AccountLocked, LoginFailed
from healthcode.accounts.models import KIND_SCANNER
from healthcode.checkpoints import registration, repository
from healthcode.checkpoints.models import AUTHORISED, REVOKED, Scanner
from healthcode.config import AppSettings
from healthcode.db import DbSession
from healthcode.errors import DomainError, RateLimited
from healthcode.messages import service as messages
from healthcode.web.forms import refusable
from healthcode.web.templating import templates

router = APIRouter(prefix="/scanner", include_in_schema=False)
dev_router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}
SESSION_ACCOUNT, SESSION_VERSION = "scanner_account_id", "scanner_token_version"
REVOKED_MESSAGE = "您的扫码员授权已被单位管理员撤销，无法登录。如有疑问请联系本单位管理员。"


def page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return templates.TemplateResponse(request, template, context, status_code=status_code, headers=NO_STORE)


def session_scanner(request: Request, db: DbSession) -> Scanner | None:
    """The scanner signed in to this browser session, or None (signed out, or its password changed since)."""
    account_id, version = request.session.get(SESSION_ACCOUNT), request.session.get(SESSION_VERSION)
    if not isinstance(account_id, int) or not isinstance(version, int):
        return None
    found = repository.scanner_and_token_version(db, account_id)
    if found is None or found[1] != version:
        forget(request)
        return None
    return found[0]


def forget(request: Request) -> None:
    request.session.pop(SESSION_ACCOUNT, None)
    request.session.pop(SESSION_VERSION, None)


def to_login(request: Request) -> Response:
    return RedirectResponse(request.url_for("scanner_login"), status_code=303)


@router.get("/", name="scanner_home")
def home(request: Request, db: DbSession) -> Response:
    scanner = session_scanner(request, db)
    if scanner is None:
        return to_login(request)
    if scanner.status == REVOKED:
        forget(request)
        return _login_page(request, error=REVOKED_MESSAGE, status_code=403)
    if scanner.status != AUTHORISED:
        return page(request, "scanner/pending.html", {"scanner": scanner})
    return page(request, "scanner/home.html", {"scanner": scanner})


@router.get("/login", name="scanner_login")
def login_page(request: Request) -> Response:
    return _login_page(request)


def _login_page(request: Request, *, error: str | None = None, phone: str = "", status_code: int = 200) -> Response:
    return page(request, "scanner/login.html", {"error": error, "phone": phone}, status_code)


@router.post("/login", name="scanner_login_post")
def login(request: Request, db: DbSession, settings: AppSettings, phone: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "") -> Response:
    """法人用户 login with phone + password. Failures are counted (kept although the page answers an error)."""
    try:
        issued = accounts.login(db, phone.strip(), password, clock.now(), settings.secret_key, settings=settings,
                                address=_client(request))
    except (LoginFailed, AccountLocked, RateLimited) as exc:
        message = (exc.message.replace("用户名或密码错误", "手机号码或登录密码错误", 1)
                   if isinstance(exc, LoginFailed) else exc.message)
        return _login_page(request, error=message, phone=phone, status_code=exc.status_code)
    claims = tokens.read(settings.secret_key, issued.access_token)
    found = repository.scanner_for_account(db, claims.account_id) if claims.kind == KIND_SCANNER else None
    if found is None:
        return _login_page(request, error="该账号不是扫码员账号，单位管理员请从电脑端登录", phone=phone,
                           status_code=403)
    scanner = found[0]
    if scanner.status == REVOKED:
        return _login_page(request, error=REVOKED_MESSAGE, phone=phone, status_code=403)
    request.session[SESSION_ACCOUNT], request.session[SESSION_VERSION] = claims.account_id, claims.version
    return RedirectResponse(request.url_for("scanner_home"), status_code=303)


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.post("/logout", name="scanner_logout")
def logout(request: Request, db: DbSession) -> Response:
    """退出登录 ends the scanner's API tokens and signed-in pages on every device, not only this browser's session
    (docs/decisions.md, "Logout ends every token of the account")."""
    scanner = session_scanner(request, db)
    forget(request)
    if scanner is not None:
        accounts.sign_out(db, scanner.account_id, "scanner page")
    return to_login(request)


@router.post("/token", name="scanner_token")
def api_token(request: Request, db: DbSession, settings: AppSettings) -> Response:
    """A bearer token for the checkpoint API from the web session, for a page opened without the one the login
    step fetched from POST /api/v1/auth/token (new tab, expired token)."""
    scanner = session_scanner(request, db)
    if scanner is None:
        return JSONResponse({"error": "unauthorised", "message": "请先登录"}, status_code=401, headers=NO_STORE)
    claims = tokens.Claims(KIND_SCANNER, scanner.account_id, int(request.session[SESSION_VERSION]))
    token = tokens.issue(settings.secret_key, claims)
    return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": tokens.TOKEN_TTL_SECONDS},
                        headers=NO_STORE)


# --- 法人注册 -------------------------------------------------------------------------------------------------------

FIELDS = ("org_name", "uscc", "phone", "sms_code", "name", "id_number", "password", "password_confirm")


@router.get("/register", name="scanner_register")
def register_page(request: Request) -> Response:
    return _register_page(request, {})


def _register_page(request: Request, form: dict[str, str], error: str | None = None,
                   status_code: int = 200) -> Response:
    shown = {k: v for k, v in form.items() if k not in ("password", "password_confirm", "sms_code")}
    return page(request, "scanner/register.html", {"form": shown, "error": error},
                status_code)


@router.post("/register/sms", name="scanner_register_sms")
def send_sms(request: Request, db: DbSession, settings: AppSettings, phone: Annotated[str, Form()] = "") -> Response:
    """获取验证码: JSON for the page's script ({"message", "wait"} or {"error", "message"})."""
    try:
        throttle.hit_address(db, settings, throttle.SMS, _client(request), clock.now())
        wait = registration.send_code(db, phone, secret_key=settings.secret_key, now=clock.now(),
                                      log_text=settings.env != "prod")
    except DomainError as exc:
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status_code)
    return JSONResponse({"message": "验证码已发送，5分钟内有效", "wait": wait})


@router.post("/register", name="scanner_register_post")
async def register(request: Request, db: DbSession, settings: AppSettings) -> Response:
    data = await request.form()
    form = {k: str(data.get(k) or "") for k in FIELDS}
    with refusable(db) as refused:  # a wrong SMS code's try is counted and kept all the same
        throttle.hit_address(db, settings, throttle.REGISTER, _client(request), clock.now())
        scanner = registration.register(db, registration.Form(**form), secret_key=settings.secret_key, now=clock.now())
    if refused:
        return _register_page(request, form, refused.message, status_code=refused.status_code)
    return page(request, "scanner/registered.html", {"scanner": scanner, "org_name": form["org_name"].strip()})


# --- development SMS outbox ----------------------------------------------------------------------------------------

@dev_router.get("/dev/sms", name="dev_sms")
def dev_sms(request: Request, db: DbSession, phone: str | None = None) -> Response:
    """仅供开发使用: the texts the development SMS gateway would have sent, newest first."""
    rows = list(reversed(messages.outbox(db, phone.strip() if phone else None)))[:100]
    return page(request, "scanner/dev_sms.html", {"rows": rows, "phone": phone or ""})
