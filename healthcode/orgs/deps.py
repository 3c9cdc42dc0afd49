"""The unit admin behind a bearer token (`OrgAdmin`) for the organisation API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from healthcode.accounts.deps import Claims
from healthcode.accounts.errors import InvalidToken
from healthcode.accounts.models import KIND_ORG_ADMIN
from healthcode.db import DbSession
from healthcode.errors import Forbidden
from healthcode.orgs import service as orgs
from healthcode.orgs.service import AdminContext


def org_admin(session: DbSession, claims: Claims) -> AdminContext:
    if claims.kind != KIND_ORG_ADMIN:
        raise Forbidden("仅单位管理员可以访问")
    admin = orgs.admin_context(session, claims.account_id, claims.version)
    if admin is None:
        raise InvalidToken()
    return admin


OrgAdmin = Annotated[AdminContext, Depends(org_admin)]
