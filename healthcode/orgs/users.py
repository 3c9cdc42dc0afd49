"""Named users of the health authority (审核人员): accounts of their own beside the unit's admin, each signing in to
the console separately, so that a manual flag is proposed by one person and approved by another
(healthcode/manualflags). The least that gives the authority several users: one more row in `org_admins` with a
name, created by the unit's admin on the 具名用户 page (orgs/users_pages.py). docs/decisions.md, "Manual flags"."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.accounts import passwords
from healthcode.accounts import repository as account_repository
from healthcode.accounts import service as accounts
from healthcode.accounts.models import KIND_ORG_ADMIN, Account
from healthcode.errors import InvalidName
from healthcode.orgs import repository
from healthcode.orgs.errors import InvalidUsername, NotAuthorityOperator, NotAuthorityUnit, OrgNotFound
from healthcode.orgs.models import Org, OrgAdmin
from healthcode.orgs.service import Created

USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]{3,31}")
NAME_MAX = 20


def add_user(session: Session, org_id: int, *, username: str, name: str, now: datetime) -> Created:
    """A named user of the unit with a random password, shown once to the admin, to be changed at first sign-in (so
    that the password becomes the user's own). Refuses a bad or taken username, an empty or long name."""
    login = (username or "").strip()
    if not USERNAME.fullmatch(login):
        raise InvalidUsername()
    person = (name or "").strip()
    if not person or len(person) > NAME_MAX:
        raise InvalidName(f"姓名不能为空，且不超过{NAME_MAX}个字")
    password = passwords.random_password()
    account = accounts.create_account(session, kind=KIND_ORG_ADMIN, username=login, password=password, now=now,
                                      must_change_password=True)
    session.add(OrgAdmin(org_id=org_id, account_id=account.id, name=person, created_at=now))
    session.flush()
    return Created(org_id, login, password)


def users_of(session: Session, org_id: int) -> list[tuple[OrgAdmin, Account]]:
    return repository.named_users(session, org_id)


def deactivate_user(session: Session, org_id: int, account_id: int, now: datetime) -> Account:
    """The named user can no longer sign in; his sessions and tokens end now. What he did stays his."""
    account = repository.named_user(session, org_id, account_id)
    if account is None:
        raise OrgNotFound("该具名用户不存在")
    accounts.deactivate(session, account, now)
    return account


def authority_unit(session: Session, uscc: str, authority_usccs: Collection[str]) -> Org:
    """The health authority's unit by its USCC (its admin's username): the only units with named users (the
    `healthcode users` commands; the page is the authority admin's own)."""
    org = repository.org_by_uscc(session, (uscc or "").strip().upper())
    if org is None:
        raise OrgNotFound()
    if org.uscc not in set(authority_usccs):
        raise NotAuthorityUnit()
    return org


def authority_account(session: Session, username: str, authority_usccs: Collection[str]) -> tuple[Account, Org]:
    """An active console account of the health authority — its unit's admin (the USCC) or a named user — and its
    unit: who an operator command acts as (`healthcode rules use --operator`), as a page acts as its signed-in user."""
    account = account_repository.by_username(session, (username or "").strip())
    found = repository.admin_for_account(session, account.id) if account is not None and account.active else None
    if found is None or found[2].uscc not in set(authority_usccs):
        raise NotAuthorityOperator()
    return found[1], found[2]
