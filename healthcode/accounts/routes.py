"""Sign-in API: bearer tokens for scanners and organisation admins, sign-out, and password change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from healthcode import clock
from healthcode.accounts import schemas, service
from healthcode.accounts.deps import CurrentAccount
from healthcode.config import AppSettings
from healthcode.db import DbSession
from healthcode.web.schemas import documented

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token", **documented(schemas.IssuedToken, 401, 422, 429))
def token(request: Request, session: DbSession, settings: AppSettings, username: Annotated[str, Form()],
          password: Annotated[str, Form()]) -> Any:
    """`username` is a scanner's phone number or an admin's username."""
    issued = service.login(session, username, password, clock.now(), settings.secret_key, settings=settings,
                           address=request.client.host if request.client else None)
    return JSONResponse(issued.as_json(), headers={"Cache-Control": "no-store"})


@router.post("/logout", status_code=204, response_class=Response,
             **documented(None, 401, status=204, description="已退出登录：该账号的全部令牌与网页登录均已失效"))
def logout(account: CurrentAccount, session: DbSession) -> Response:
    """退出登录: every token issued for the caller's account stops working, on every device, and so do its web
    sessions (a scanner's page, an admin's console). Without a valid token: 401."""
    service.sign_out(session, account.id, "api")
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@router.post("/password", **documented(schemas.PasswordChanged, 401, 422))
def change_password(account: CurrentAccount, session: DbSession, old_password: Annotated[str, Form()],
                    new_password: Annotated[str, Form()]) -> dict[str, str]:
    """Changes the caller's password; every token issued before stops working."""
    service.change_password(session, account, old_password, new_password, clock.now())
    return {"status": "ok", "message": "密码已修改，请重新登录"}
