"""Queries of what console users did: views of a person's data, account retrievals and password resets, and the
subordinate units with their admin accounts (the 下级单位 page of the retrieval and reset)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.accounts.models import Account
from healthcode.orgs.audit_models import AccountReset, AccountRetrieval, DataAccess
from healthcode.orgs.models import Org, OrgAdmin


def add_access(session: Session, entry: DataAccess) -> None:
    session.add(entry)
    session.flush()


def add_retrieval(session: Session, entry: AccountRetrieval) -> None:
    session.add(entry)
    session.flush()


def retrievals_of(session: Session, org_ids: Sequence[int], limit: int = 200) -> list[tuple[AccountRetrieval, str]]:
    """The newest retrieval attempts naming one of the units, with the unit's name."""
    if not org_ids:
        return []
    rows = session.execute(select(AccountRetrieval, Org.name).join(Org, Org.id == AccountRetrieval.org_id)
                           .where(AccountRetrieval.org_id.in_(org_ids))
                           .order_by(AccountRetrieval.at.desc(), AccountRetrieval.id.desc()).limit(limit))
    return [(r[0], r[1]) for r in rows]


def add_reset(session: Session, entry: AccountReset) -> None:
    session.add(entry)
    session.flush()


def resets_of(session: Session, org_ids: Sequence[int], limit: int = 200) -> list[tuple[AccountReset, str]]:
    """The newest password resets of one of the units, with the unit's name."""
    if not org_ids:
        return []
    rows = session.execute(select(AccountReset, Org.name).join(Org, Org.id == AccountReset.org_id)
                           .where(AccountReset.org_id.in_(org_ids))
                           .order_by(AccountReset.at.desc(), AccountReset.id.desc()).limit(limit))
    return [(r[0], r[1]) for r in rows]


def units_with_accounts(session: Session, parent_id: int) -> list[tuple[Org, Account | None]]:
    """The direct subordinates of a unit, by name, each with its admin account (for its sign-in state)."""
    rows = session.execute(select(Org, Account)
                           .outerjoin(OrgAdmin, (OrgAdmin.org_id == Org.id) & OrgAdmin.name.is_(None))
                           .outerjoin(Account, Account.id == OrgAdmin.account_id)
                           .where(Org.parent_id == parent_id).order_by(Org.name, Org.id))
    return [(r[0], r[1]) for r in rows]
