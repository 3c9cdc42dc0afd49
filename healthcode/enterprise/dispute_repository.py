"""Every query of USCC disputes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.enterprise.dispute_models import OPEN, UsccDispute
from healthcode.orgs.models import Org


def dispute(session: Session, dispute_id: int) -> UsccDispute | None:
    return session.get(UsccDispute, dispute_id)


def open_dispute(session: Session, uscc: str, legal_phone: str) -> UsccDispute | None:
    """The claimant's open dispute on the USCC (one per USCC and legal representative's phone)."""
    return session.scalar(select(UsccDispute).where(UsccDispute.uscc == uscc, UsccDispute.status == OPEN,
                                                    UsccDispute.legal_phone == legal_phone))


def disputes(session: Session, status: str, limit: int) -> list[tuple[UsccDispute, Org]]:
    """Newest first, with the unit that held the USCC when the dispute was made; every status when status is ""."""
    query = select(UsccDispute, Org).join(Org, Org.id == UsccDispute.holder_org_id)
    if status:
        query = query.where(UsccDispute.status == status)
    rows = session.execute(query.order_by(UsccDispute.created_at.desc(), UsccDispute.id.desc()).limit(limit)).all()
    return [(r[0], r[1]) for r in rows]
