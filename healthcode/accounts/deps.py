"""Who is calling: the bearer token's claims (`Claims`) and the account behind them (`CurrentAccount`), so the
permission a route needs is visible in its signature. The dependencies of a domain's own callers live with the rows
they guard: `checkpoints.deps.CurrentScanner`, `orgs.deps.OrgAdmin`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from healthcode.accounts import repository, tokens
from healthcode.accounts.errors import InvalidToken
from healthcode.accounts.models import Account
from healthcode.config import app_settings
from healthcode.db import DbSession
from healthcode.errors import Unauthorised

_bearer = HTTPBearer(auto_error=False, description="POST /api/v1/auth/token 获取的访问令牌")


async def token_claims(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> tokens.Claims:
    if credentials is None:
        raise Unauthorised("请先登录")
    return tokens.read(app_settings(request).secret_key, credentials.credentials)


Claims = Annotated[tokens.Claims, Depends(token_claims)]


def current_account(session: DbSession, claims: Claims) -> Account:
    account = repository.by_id(session, claims.account_id)
    if account is None or account.token_version != claims.version or not account.active:
        raise InvalidToken()
    return account


CurrentAccount = Annotated[Account, Depends(current_account)]
