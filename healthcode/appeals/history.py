"""A person's appeals and corrections as plain JSON, for `healthcode person history` (SPEC section 11: its "appeals"
and "corrections") and any other page of a person's history: no free text of the authority's or the resident's
beyond what the resident himself may read (his statement, the decision's reason)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from healthcode.appeals import repository
from healthcode.rules import corrections_repository


def appeals_json(session: Session, id_number: str) -> list[dict[str, Any]]:
    return [{"id": a.id, "rule": a.rule, "since": a.reason_since.isoformat(), "state": a.state,
             "filed_at": a.filed_at.isoformat(), "due_at": a.due_at.isoformat(),
             "decided_at": a.decided_at.isoformat() if a.decided_at else None, "decision": a.decision,
             "evidence": {"type": a.evidence_type, "size": a.evidence_size, "sha256": a.evidence_sha256}
             if a.evidence_type else None}
            for a in sorted(repository.of_person(session, id_number), key=lambda a: a.id)]


def corrections_json(session: Session, id_number: str) -> list[dict[str, Any]]:
    return [{"id": c.id, "feed": c.feed, "record_key": c.record_key,
             "record_on": c.record_on.isoformat() if c.record_on else None, "rule": c.rule, "reason": c.reason,
             "appeal_id": c.appeal_id, "made_by": c.made_by, "made_at": c.made_at.isoformat()}
            for c in corrections_repository.of_person(session, id_number)]
