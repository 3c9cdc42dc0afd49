"""Appending to the ledger and verifying it. Appends happen inside the caller's transaction, so an act and its entry
commit or roll back together; the caller never commits here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.ledger import repository
from healthcode.ledger.chain import GENESIS, Verdict, canonical_body, check, entry_hash
from healthcode.ledger.models import LedgerEntry


def append(session: Session, kind: str, actor: str, facts: Mapping[str, Any], *, id_number: str | None = None,
           ref_table: str | None = None, ref_id: int | None = None) -> LedgerEntry:
    """Record one act at the end of the chain. `facts` must hold no free text and no names: put a `chain.digest` of
    a text in it instead, and keep the text in the act's own table."""
    prev = repository.lock_head(session) or GENESIS
    at = clock.now()
    body = canonical_body(facts)
    entry = LedgerEntry(at=at, kind=kind, actor=actor, id_number=id_number, ref_table=ref_table, ref_id=ref_id,
                        body=body, prev_hash=prev,
                        hash=entry_hash(prev, at, kind, actor, id_number, ref_table, ref_id, body))
    repository.add(session, entry)
    return entry


def verify(session: Session) -> Verdict:
    """Check the whole chain from its first entry; the verdict names the first broken link, if any."""
    return check(repository.in_order(session))
