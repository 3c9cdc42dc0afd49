"""The health authority resolves a USCC dispute: dismiss it, or transfer the USCC to the claimant — the holding unit's
account is deactivated (accounts.service.deactivate), its scanners are revoked, it releases the USCC, and the
claimant's enterprise is created from the refused registration, pending verification like any self-registration.
Each resolution is recorded on the dispute (who, when, what, the note), logged, and texted to the claimant."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.accounts import service as accounts
from healthcode.checkpoints import repository as checkpoint_repository
from healthcode.checkpoints import service as checkpoints
from healthcode.checkpoints.models import REVOKED
from healthcode.enterprise import dispute_repository, registration
from healthcode.enterprise.dispute_models import DISMISSED, OPEN, TRANSFERRED, UsccDispute
from healthcode.enterprise.errors import DisputeNotFound, DisputeResolved, HolderChanged, InvalidNote
from healthcode.errors import InvalidAction
from healthcode.messages import sms
from healthcode.orgs import repository as orgs

log = logging.getLogger(__name__)
ACTIONS = {"dismiss": "驳回", "transfer": "转移给申请方"}


def resolve(session: Session, dispute_id: int, action: str, by: str, note: str, now: datetime) -> UsccDispute:
    """Dismisses or transfers an open dispute; refuses a resolved one, an unknown action, a note over 200 chars."""
    dispute = dispute_repository.dispute(session, dispute_id)
    if dispute is None:
        raise DisputeNotFound()
    if dispute.status != OPEN:
        raise DisputeResolved()
    if action not in ACTIONS:
        raise InvalidAction("处理方式应为驳回或转移")
    text = (note or "").strip()
    if len(text) > 200:
        raise InvalidNote()
    if action == "transfer":
        _transfer(session, dispute, now)
        message = (f"【八闽健康码】您对统一社会信用代码{dispute.uscc}的注册异议已核实，该代码已转移给贵企业。"
                   "请使用该代码和注册时设置的密码登录企业用户电脑端，并完成法人验证。")
    else:
        message = (f"【八闽健康码】您对统一社会信用代码{dispute.uscc}的注册异议经核实未予支持。"
                   "如有疑问请拨打0591-86303856。")
    dispute.status = TRANSFERRED if action == "transfer" else DISMISSED
    dispute.resolved_by, dispute.resolved_at, dispute.resolution_note = by[:64], now, text or None
    sms.sender().send(session, [(dispute.legal_phone, message)], now)
    session.flush()
    log.info("USCC dispute %s %s by %s", dispute.id, dispute.status, by)
    return dispute


def _transfer(session: Session, dispute: UsccDispute, now: datetime) -> None:
    holder = orgs.org_by_id(session, dispute.holder_org_id)
    if holder is None or holder.uscc != dispute.uscc:
        raise HolderChanged()
    account = orgs.admin_account_of(session, holder.id)
    if account is not None:
        accounts.deactivate(session, account, now)
        account.username = f"已停用-{holder.uscc}-{account.id}"[:64]  # frees the USCC as a username
    holder.uscc = f"已转移-{holder.id}"[:18]  # never a valid USCC: the unit keeps its records, not the code
    for scanner in checkpoint_repository.scanners_of_org(session, holder.id):  # nobody scans in its name any more
        if scanner.status != REVOKED:
            checkpoints.set_scanner_status(session, holder.id, scanner.id, REVOKED, "疫情防控指挥部（代码转移）", now)
    session.flush()
    claim = registration.Claim(dispute.name, dispute.uscc, dispute.legal_name, dispute.legal_phone,
                               dispute.legal_id_number, dispute.operator_name, dispute.operator_id_number,
                               dispute.operator_phone, dispute.region_code)
    dispute.new_org_id = registration.create(session, claim, dispute.password_hash, now).org_id
