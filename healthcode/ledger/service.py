"""Appending to the ledger, purging its oldest entries behind an anchor, and verifying it. Appends happen inside the
caller's transaction, so an act and its entry commit or roll back together; the caller never commits here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.ledger import repository
from healthcode.ledger.chain import (
    GENESIS,
    AnchorRef,
    Verdict,
    anchor_seal,
    canonical_body,
    check,
    check_anchors,
    entry_hash,
)
from healthcode.ledger.models import LedgerAnchor, LedgerEntry


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


def purge(session: Session, now: datetime, retention_days: int) -> int:
    """Removes the oldest entries appended before midnight `retention_days` days ago — a whole leading run of the
    chain, never the newest entry — and records the anchor that `verify` starts from, in the same transaction and
    holding the append turn, so no append can chain to an entry being removed. How many entries went."""
    repository.lock_head(session)
    cutoff = datetime.combine(now.date() - timedelta(days=retention_days), time.min)
    last = repository.last_before_kept(session, cutoff)
    if last is None:
        return 0
    removed = repository.delete_through(session, last.id)
    previous = repository.anchors(session)
    prev_seal = previous[-1].seal if previous else GENESIS
    repository.add_anchor(session, LedgerAnchor(
        at=now, cutoff=cutoff, last_entry_id=last.id, last_hash=last.hash, removed=removed, prev_seal=prev_seal,
        seal=anchor_seal(prev_seal, now, cutoff, last.id, last.hash, removed)))
    return removed


def verify(session: Session) -> Verdict:
    """Check the anchors, then the chain from the newest anchor (from its first entry when nothing was ever purged);
    the verdict names the first broken link, if any, and the anchor it started from."""
    anchors = repository.anchors(session)
    newest = None
    if anchors:
        a = anchors[-1]
        newest = AnchorRef(a.id, a.at, a.cutoff, a.last_entry_id, a.last_hash, a.removed)
    broken = check_anchors(anchors)
    if broken is not None:
        return Verdict(0, None, None, None, broken, newest)
    return check(repository.in_order(session), newest)
