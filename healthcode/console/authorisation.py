"""授权管理: the scanners that applied to the unit, approved or revoked by its admin with who and when. The checkpoint
API reads a scanner's status on every request, so a revocation takes effect at the scanner's next call."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.checkpoints import service as checkpoints
from healthcode.checkpoints.models import AUTHORISED, PENDING, REVOKED, Scanner
from healthcode.common.masking import mask_id_number
from healthcode.console import repository as repo
from healthcode.errors import InvalidAction, InvalidStatus
from healthcode.orgs import operators
from healthcode.web.console import ConsoleUser

STATUS_LABELS = {PENDING: "待授权", AUTHORISED: "已授权", REVOKED: "已撤销"}
ACTIONS = {"authorise": AUTHORISED, "revoke": REVOKED}


def scanners(session: Session, org_id: int, status: str = "") -> dict[str, Any]:
    if status and status not in STATUS_LABELS:
        raise InvalidStatus("授权状态无效")
    rows = repo.scanners_of_org(session, org_id, status or None)
    who = operators.labels(session, (s.status_by for s in rows))
    return {"items": [scanner_view(s, who) for s in rows], "counts": counts(session, org_id), "status": status}


def counts(session: Session, org_id: int) -> dict[str, int]:
    """How many of the unit's scanners are in each state (the tabs of 授权管理, the home page's figures)."""
    found = repo.scanner_status_counts(session, org_id)
    return {k: found.get(k, 0) for k in STATUS_LABELS}


def decide(session: Session, admin: ConsoleUser, scanner_id: int, action: str) -> dict[str, Any]:
    """Authorises or revokes one of the unit's own scanners (another unit's scanner is 'not found'); returns the
    scanner's row and the tabs' counts after the change (the page updates both from one answer)."""
    if action not in ACTIONS:
        raise InvalidAction("操作无效，应为授权或撤销授权")
    scanner = checkpoints.set_scanner_status(session, admin.org_id, scanner_id, ACTIONS[action], admin.username,
                                             clock.now())
    session.flush()
    return {"s": scanner_view(scanner, operators.labels(session, [scanner.status_by])),
            "counts": counts(session, admin.org_id)}


def scanner_view(s: Scanner, who: dict[str, str]) -> dict[str, Any]:
    """One row of 授权管理; `who`: how each stored 操作人 reads (orgs.operators.labels)."""
    return {"id": s.id, "name": s.name, "phone": s.phone, "id_number": mask_id_number(s.id_number),
            "status": s.status, "status_label": STATUS_LABELS.get(s.status, s.status),
            "status_by": who.get(s.status_by, s.status_by) if s.status_by else "—",
            "status_at": s.status_at, "created_at": s.created_at}
