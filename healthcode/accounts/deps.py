"""Who is calling: bearer-token dependencies for the API (`CurrentScanner`, `OrgAdmin`, `CurrentAccount`), so the
permission a route needs is visible in its signature."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from healthcode.accounts import tokens
from healthcode.accounts.models import KIND_ORG_ADMIN, KIND_SCANNER, Account
from healthcode.checkpoints import repository as checkpoints
from healthcode.checkpoints.models import AUTHORISED, REVOKED, Scanner
from healthcode.db import DbSession
from healthcode.errors import DomainError, Forbidden, Unauthorised
from healthcode.orgs import service as orgs
from healthcode.orgs.service import AdminContext

_bearer = HTTPBearer(auto_error=False, description="POST /api/v1/auth/token 获取的访问令牌")


async def token_claims(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> tokens.Claims:
    if credentials is None:
        raise Unauthorised("请先登录", code="unauthorised")
    return tokens.read(request.app.state.settings.secret_key, credentials.credentials)


Claims = Annotated[tokens.Claims, Depends(token_claims)]


def current_scanner(session: DbSession, claims: Claims) -> Scanner:
    """The authorised scanner behind the token. Status and token version are read on every request, so a
    revocation or password change takes effect at once."""
    _check_scanner_claims(claims)
    found = checkpoints.scanner_and_token_version(session, claims.account_id)
    _check_scanner(found[0] if found else None, found[1] if found else None, claims)
    return found[0]  # type: ignore[index]


def scanning_scanner(session: Session, claims: tokens.Claims, point_id: int) -> Any:
    """`current_scanner` for the scan route: the same checks, on a plain row (id, org_id, status,
    number_locked_until) read in one statement with the point of the scan (point_id, point_org_id,
    point_region_code; None when there is no such point)."""
    _check_scanner_claims(claims)
    found = checkpoints.scanner_at_point(session, claims.account_id, point_id)
    _check_scanner(found, found.token_version if found else None, claims)
    return found


def _check_scanner_claims(claims: tokens.Claims) -> None:
    if claims.kind != KIND_SCANNER:
        raise Forbidden("仅经单位授权的扫码员可以使用扫码功能", code="not_authorised")


def _check_scanner(scanner: Any, token_version: int | None, claims: tokens.Claims) -> None:
    if scanner is None or token_version != claims.version:
        raise Unauthorised("登录已失效，请重新登录", code="invalid_token")
    if scanner.status != AUTHORISED:
        message = ("扫码员授权已被单位管理员撤销" if scanner.status == REVOKED
                   else "扫码员尚未获得单位管理员授权，请联系本单位管理员")
        raise Forbidden(message, code="not_authorised")


def org_admin(session: DbSession, claims: Claims) -> AdminContext:
    if claims.kind != KIND_ORG_ADMIN:
        raise Forbidden("仅单位管理员可以访问", code="forbidden")
    admin = orgs.admin_context(session, claims.account_id, claims.version)
    if admin is None:
        raise Unauthorised("登录已失效，请重新登录", code="invalid_token")
    return admin


def current_account(session: DbSession, claims: Claims) -> Account:
    account = session.get(Account, claims.account_id)
    if account is None or account.token_version != claims.version or not account.active:
        raise Unauthorised("登录已失效，请重新登录", code="invalid_token")
    return account


CurrentScanner = Annotated[Scanner, Depends(current_scanner)]
OrgAdmin = Annotated[AdminContext, Depends(org_admin)]
CurrentAccount = Annotated[Account, Depends(current_account)]


def kept_error(exc: DomainError) -> JSONResponse:
    """The JSON error of the API, returned instead of raised so that the request's transaction still commits what
    the failure must leave behind (a failed-login count, a refused-code count)."""
    return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status_code)
