"""USCC disputes: a unit holds a USCC once; a second registration of it is refused and kept here with the claimant's
details, for the health authority to see (the holding unit and the claimant) and resolve (dispute_resolution.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from healthcode.common.masking import mask_id_number, mask_phone
from healthcode.enterprise import dispute_repository as repo
from healthcode.enterprise.dispute_models import OPEN, STATUS_LABELS, UsccDispute
from healthcode.orgs import operators
from healthcode.orgs.models import Org

if TYPE_CHECKING:
    from healthcode.enterprise.registration import Claim


@dataclass(frozen=True)
class DisputeView:
    """One dispute as the authority's page lists it."""

    id: int
    uscc: str
    created_at: datetime
    client_ip: str
    claimant_name: str  # the enterprise name the claimant gave
    legal_name: str
    legal_phone: str
    legal_id_masked: str
    holder_id: int
    holder_name: str
    holder_still_holds: bool
    status: str
    status_label: str
    resolved_by: str | None
    resolved_at: datetime | None
    resolution_note: str | None


def refusal_message(uscc: str, holder_name: str, legal_phone: str) -> str:
    return (f"该统一社会信用代码已注册（{uscc}，登记单位“{holder_name}”），不能重复注册；"
            "如本单位此前已注册，请直接登录。如有异议（该代码被他人误注册或冒用），无需再次提交：本次注册申请已记录为异议，由疫情防控指挥部核实处理，"
            f"结果将以短信通知法定代表人手机 {mask_phone(legal_phone)}；咨询电话 0591-86303856")


def record(session: Session, claim: Claim, password_hash: str, holder: Org, client_ip: str,
           now: datetime) -> UsccDispute:
    """Keeps the refused registration as a dispute; the same claimant (USCC and legal representative's phone)
    trying again updates their open dispute instead of adding another."""
    row = repo.open_dispute(session, claim.uscc, claim.legal_phone)
    if row is None:
        row = UsccDispute(uscc=claim.uscc, status=OPEN)
        session.add(row)
    row.holder_org_id = holder.id
    row.name, row.legal_name, row.legal_phone = claim.name, claim.legal_name, claim.legal_phone
    row.legal_id_number, row.region_code = claim.legal_id_number, claim.region_code
    row.operator_name, row.operator_id_number = claim.operator_name, claim.operator_id_number
    row.operator_phone, row.password_hash = claim.operator_phone, password_hash
    row.client_ip, row.created_at = (client_ip or "")[:64], now
    session.flush()
    return row


def listing(session: Session, status: str = "") -> list[DisputeView]:
    """The disputes newest first (open ones only when status is "open"), with the unit holding each USCC."""
    rows = repo.disputes(session, status, limit=500)
    who = operators.labels(session, (d.resolved_by for d, _holder in rows))
    return [DisputeView(d.id, d.uscc, d.created_at, d.client_ip, d.name, d.legal_name, d.legal_phone,
                        mask_id_number(d.legal_id_number), holder.id, holder.name, holder.uscc == d.uscc, d.status,
                        STATUS_LABELS.get(d.status, d.status), who.get(d.resolved_by or "", d.resolved_by),
                        d.resolved_at, d.resolution_note)
            for d, holder in rows]
