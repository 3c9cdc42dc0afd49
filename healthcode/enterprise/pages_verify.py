"""注册验证 (/ent/verify): the one console page a self-registered enterprise reaches before its legal representative
has verified the registration — an SMS code to the legal representative's phone, or their real-name sign-in (L4) —
and the page every other console page and API answers with meanwhile (`pending_page`). Thin: rules in
verification.py and operators.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from healthcode import clock
from healthcode.accounts import throttle
from healthcode.common.masking import mask_phone
from healthcode.config import AppSettings
from healthcode.db import DB_ID_MAX, DbSession
from healthcode.enterprise import operators, repository, verification
from healthcode.enterprise.errors import NotEnterprise
from healthcode.enterprise.pages_realname import enter_console
from healthcode.errors import DomainError
from healthcode.identity.relyingparty import MaybeResident
from healthcode.web.console import ConsoleUser, LoginRequired, console_page, signed_in
from healthcode.web.errors import PendingVerification, error_response, wants_json
from healthcode.web.forms import refusable

router = APIRouter(prefix="/ent", include_in_schema=False)


def _signed_in_enterprise(request: Request, db: DbSession) -> ConsoleUser:
    """Signed in to an enterprise's console, verified or not (the only dependency that lets a pending one through)."""
    user = signed_in(request, db)
    if user is None:
        raise LoginRequired(request)
    if user.org_kind != "enterprise":
        raise NotEnterprise()
    return user


AnyEnterprise = Annotated[ConsoleUser, Depends(_signed_in_enterprise)]
OrgId = Annotated[int, Query(ge=0, le=DB_ID_MAX)]  # 0: none named; a larger number is a 422, not a database error


@router.get("/verify", name="ent_verify")
def verify_page(request: Request, db: DbSession, admin: AnyEnterprise) -> Response:
    if not admin.pending_verification:
        return RedirectResponse(request.url_for("ent_home"), status_code=303)
    return _page(request, db, admin)


@router.post("/verify/sms/send", name="ent_verify_sms_send")
def send_sms(request: Request, db: DbSession, admin: AnyEnterprise, settings: AppSettings) -> Response:
    """获取验证码: a code to the legal representative's phone given at registration."""
    try:
        throttle.hit_address(db, settings, throttle.SMS, request.client.host if request.client else None, clock.now())
        verification.send_sms(db, admin.org_id, secret_key=settings.secret_key, now=clock.now(),
                              log_text=settings.env != "prod")
    except DomainError as exc:
        return _page(request, db, admin, error=exc.message, status_code=exc.status_code)
    return _page(request, db, admin, sent=True)


@router.post("/verify/sms", name="ent_verify_sms")
def check_sms(request: Request, db: DbSession, admin: AnyEnterprise, settings: AppSettings,
              code: Annotated[str, Form()] = "") -> Response:
    with refusable(db) as refused:  # a wrong code's try is counted and kept all the same
        verification.verify_sms(db, admin.org_id, code, secret_key=settings.secret_key, now=clock.now())
    if refused:
        return _page(request, db, admin, error=refused.message, status_code=refused.status_code)
    request.session["ent_flash"] = ("注册验证已完成（法人手机短信验证码），欢迎使用企业用户电脑端", "ok")
    return RedirectResponse(request.url_for("ent_home"), status_code=303)


@router.get("/verify/realname/start", name="ent_verify_realname_start")
def realname_start(request: Request, admin: AnyEnterprise) -> Response:
    """法人实名认证: the residents' real-name sign-in, returning to the check with this enterprise's id."""
    back = f"{request.url_for('ent_verify_realname').path}?org={admin.org_id}"  # a path: login's `next`
    target = request.url_for("citizen_login").include_query_params(next=back)
    return RedirectResponse(str(target), status_code=303)


@router.get("/verify/realname", name="ent_verify_realname")
def realname_return(request: Request, db: DbSession, person: MaybeResident, org: OrgId = 0) -> Response:
    """Back from the sign-in: the person must be the registered legal representative, at L4. Then the registration
    is verified and they enter the console as its operator."""
    if person is None:  # the real-name sign-in first, back here afterwards
        back = f"{request.url.path}?org={org}"
        return RedirectResponse(str(request.url_for("citizen_login").include_query_params(next=back)),
                                status_code=303)
    now = clock.now()
    with refusable(db) as refused:
        operators.verify_legal(db, person, org, now)
    if refused:
        operators.log_refusal(db, person, "", f"法人实名认证未通过：{refused.message}", now, org_id=org)
        return console_page(request, None, "ent/verify_refused.html", {"error": refused.message},
                            status_code=refused.status_code)
    request.session["ent_flash"] = ("注册验证已完成（法定代表人实名认证），您已作为经办人登录", "ok")
    return enter_console(request, db, person, org)


def _page(request: Request, db: DbSession, admin: ConsoleUser, *, error: str | None = None, sent: bool = False,
          status_code: int = 200) -> Response:
    profile = repository.profile(db, admin.org_id)
    context: dict[str, Any] = {
        "legal_phone": mask_phone(profile.legal_phone) if profile else "", "error": error, "sent": sent,
        "has_legal_id": bool(profile and profile.legal_id_number), "pending_page": True,
    }
    return console_page(request, admin, "ent/verify.html", context, status_code=status_code)


async def pending_page(request: Request, exc: PendingVerification) -> Response:
    """Every console page and API of a pending enterprise: a 403 that says why and leads to the verification."""
    if wants_json(request):
        return error_response(request, exc.status_code, exc.code, exc.message)
    return console_page(request, None, "ent/pending.html", {"message": exc.message}, status_code=exc.status_code)
