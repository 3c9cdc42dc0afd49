"""The authorised scanner behind a bearer token (`CurrentScanner`, and its one-statement form for the scan route):
status and token version are read on every request, so a revocation or a password change takes effect at once."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.orm import Session

from healthcode.accounts import tokens
from healthcode.accounts.deps import Claims
from healthcode.accounts.errors import InvalidToken
from healthcode.accounts.models import KIND_SCANNER
from healthcode.checkpoints import repository as checkpoints
from healthcode.checkpoints.errors import NotAuthorised
from healthcode.checkpoints.models import AUTHORISED, REVOKED, Scanner
from healthcode.db import DbSession


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
        raise NotAuthorised()


def _check_scanner(scanner: Any, token_version: int | None, claims: tokens.Claims) -> None:
    if scanner is None or token_version != claims.version:
        raise InvalidToken()
    if scanner.status != AUTHORISED:
        message = ("扫码员授权已被单位管理员撤销" if scanner.status == REVOKED
                   else "扫码员尚未获得单位管理员授权，请联系本单位管理员")
        raise NotAuthorised(message)


CurrentScanner = Annotated[Scanner, Depends(current_scanner)]
