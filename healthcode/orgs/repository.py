"""Queries on organisations and their admins."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.accounts.models import Account
from healthcode.orgs.models import Org, OrgAdmin


def org_by_uscc(session: Session, uscc: str) -> Org | None:
    return session.scalars(select(Org).where(Org.uscc == uscc)).first()


def org_by_id(session: Session, org_id: int) -> Org | None:
    return session.get(Org, org_id)


def admin_for_account(session: Session, account_id: int) -> tuple[OrgAdmin, Account, Org] | None:
    row = session.execute(
        select(OrgAdmin, Account, Org).join(Account, Account.id == OrgAdmin.account_id)
        .join(Org, Org.id == OrgAdmin.org_id).where(OrgAdmin.account_id == account_id)
    ).first()
    return (row[0], row[1], row[2]) if row else None


def admin_account_of(session: Session, org_id: int) -> Account | None:
    """The unit's own admin account (法人用户), not one of its named users."""
    return session.scalars(
        select(Account).join(OrgAdmin, OrgAdmin.account_id == Account.id)
        .where(OrgAdmin.org_id == org_id, OrgAdmin.name.is_(None))
    ).first()


def children(session: Session, org_id: int) -> list[Org]:
    return list(session.scalars(select(Org).where(Org.parent_id == org_id).order_by(Org.name)))


def names_by_uscc(session: Session, usccs: Collection[str]) -> dict[str, str]:
    """{uscc: name} of the units holding these codes (an admin account's username is its unit's USCC)."""
    if not usccs:
        return {}
    return {uscc: name for uscc, name in session.execute(select(Org.uscc, Org.name).where(Org.uscc.in_(list(usccs))))}


def named_users(session: Session, org_id: int) -> list[tuple[OrgAdmin, Account]]:
    """The unit's named users (orgs/users.py), oldest first, with their accounts."""
    rows = session.execute(select(OrgAdmin, Account).join(Account, Account.id == OrgAdmin.account_id)
                           .where(OrgAdmin.org_id == org_id, OrgAdmin.name.is_not(None)).order_by(OrgAdmin.id))
    return [(r[0], r[1]) for r in rows]


def named_user(session: Session, org_id: int, account_id: int) -> Account | None:
    return session.scalars(select(Account).join(OrgAdmin, OrgAdmin.account_id == Account.id)
                           .where(OrgAdmin.org_id == org_id, OrgAdmin.account_id == account_id,
                                  OrgAdmin.name.is_not(None))).first()
