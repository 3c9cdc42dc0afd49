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
    return session.scalars(
        select(Account).join(OrgAdmin, OrgAdmin.account_id == Account.id).where(OrgAdmin.org_id == org_id)
    ).first()


def children(session: Session, org_id: int) -> list[Org]:
    return list(session.scalars(select(Org).where(Org.parent_id == org_id).order_by(Org.name)))


def names_by_uscc(session: Session, usccs: Collection[str]) -> dict[str, str]:
    """{uscc: name} of the units holding these codes (an admin account's username is its unit's USCC)."""
    if not usccs:
        return {}
    return {uscc: name for uscc, name in session.execute(select(Org.uscc, Org.name).where(Org.uscc.in_(list(usccs))))}
