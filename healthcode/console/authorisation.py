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
from healthcode.web.console import ConsoleUser

STATUS_LABELS = {PENDING: "待授权", AUTHORISED: "已授权", REVOKED: "已撤销"}
ACTIONS = {"authorise": AUTHORISED, "revoke": REVOKED}


def scanners(session: Session, org_id: int, status: str = "") -> dict[str, Any]:
    if status and status not in STATUS_LABELS:
        raise InvalidStatus("授权状态无效")
    rows = repo.scanners_of_org(session, org_id, status or None)
    counts = repo.scanner_status_counts(session, org_id)
    return {"items": [scanner_view(s) for s in rows], "counts": {k: counts.get(k, 0) for k in STATUS_LABELS},
            "status": status}


def decide(session: Session, admin: ConsoleUser, scanner_id: int, action: str) -> dict[str, Any]:
    """Authorises or revokes one of the unit's own scanners (another unit's scanner is 'not found')."""
    if action not in ACTIONS:
        raise InvalidAction("操作无效，应为授权或撤销授权")
    scanner = checkpoints.set_scanner_status(session, admin.org_id, scanner_id, ACTIONS[action], admin.username,
                                             clock.now())
    return scanner_view(scanner)


def scanner_view(s: Scanner) -> dict[str, Any]:
    return {"id": s.id, "name": s.name, "phone": s.phone, "id_number": mask_id_number(s.id_number),
            "status": s.status, "status_label": STATUS_LABELS.get(s.status, s.status), "status_by": s.status_by or "—",
            "status_at": s.status_at, "created_at": s.created_at}
