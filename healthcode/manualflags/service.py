"""The use cases of manual flags: propose (one authority user, with a written reason and an end date), approve or
reject (another authority user: never the proposer), withdraw (the proposer his proposal; any authority user an
approved flag). Each act appends its ledger entry in the same transaction, the written reason as a digest only.
Services never commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from healthcode.common.ids import InvalidIdNumber as BadIdNumber
from healthcode.common.ids import normalize_id_number
from healthcode.errors import InvalidDate, InvalidIdNumber
from healthcode.ledger import service as ledger
from healthcode.ledger.chain import digest
from healthcode.manualflags import repository
from healthcode.manualflags.errors import FlagDecided, FlagNotFound, FlagPending, InvalidFlag, NotProposer, OwnFlag
from healthcode.rules.manual_models import APPROVED, PROPOSED, REASON_MAX, REJECTED, WITHDRAWN, ManualFlag
from healthcode.rules.ruleset import RuleSet

log = logging.getLogger(__name__)

REF_TABLE = "manual_flags"


@dataclass(frozen=True)
class Actor:
    """The authority user acting: his account (what "another user" is checked on) and his label for the records."""

    account_id: int
    label: str


def propose(session: Session, actor: Actor, *, id_number: str, color: str, reason: str, ends_on: str,
            ruleset: RuleSet, max_days: int, now: datetime) -> ManualFlag:
    """A proposal, refused whole on any bad field: an invalid ID number, a colour the rule set in force does not give
    beyond its default, an empty or long reason, an end date missing, past, or beyond `max_days` from today."""
    today = now.date()
    try:
        number = normalize_id_number(id_number or "", today)
    except BadIdNumber as exc:
        raise InvalidIdNumber(f"身份证号无效：{exc}") from None
    choices = ruleset.colors[1:]
    chosen = (color or "").strip() or (choices[0] if len(choices) == 1 else "")
    if chosen not in choices:
        raise InvalidFlag("请选择标记颜色：" + "、".join(ruleset.color_labels.get(c, c) for c in choices))
    text = _reason(reason, "请填写标记原因（将向居民本人展示）")
    last = _ends_on(ends_on, today, max_days)
    if repository.pending_of(session, number) is not None:
        raise FlagPending()
    flag = ManualFlag(id_number=number, color=chosen, reason=text, ends_on=last, state=PROPOSED,
                      proposed_by=actor.account_id, proposed_by_label=actor.label, proposed_at=now)
    repository.add(session, flag)
    ledger.append(session, "flag.proposed", actor.label,
                  {"flag_id": flag.id, "color": chosen, "ends_on": last.isoformat(), "reason": digest(text),
                   "rule_set": ruleset.id}, id_number=number, ref_table=REF_TABLE, ref_id=flag.id)
    log.info("manual flag %s proposed by account %s", flag.id, actor.account_id)
    return flag


def approve(session: Session, actor: Actor, flag_id: int, now: datetime) -> ManualFlag:
    """The flag holds from today to the end of its end date. Only another user than the proposer may approve it, a
    proposal only, and not once its end date has passed."""
    flag = _open_proposal(session, actor, flag_id)
    today = now.date()
    if flag.ends_on < today:
        raise FlagDecided(f"该人工标记的结束日期（{flag.ends_on.isoformat()}）已过，不能批准，请驳回后重新提出")
    flag.state, flag.starts_on = APPROVED, today
    _decided(flag, actor, now)
    ledger.append(session, "flag.approved", actor.label,
                  {"flag_id": flag.id, "color": flag.color, "starts_on": today.isoformat(),
                   "ends_on": flag.ends_on.isoformat()}, id_number=flag.id_number, ref_table=REF_TABLE,
                  ref_id=flag.id)
    log.info("manual flag %s approved by account %s", flag.id, actor.account_id)
    return flag


def reject(session: Session, actor: Actor, flag_id: int, reason: str, now: datetime) -> ManualFlag:
    """A proposal turned down, with the reason why, by another user than the proposer."""
    text = _reason(reason, "请填写驳回理由")
    flag = _open_proposal(session, actor, flag_id)
    flag.state, flag.decision_reason = REJECTED, text
    _decided(flag, actor, now)
    ledger.append(session, "flag.rejected", actor.label, {"flag_id": flag.id, "reason": digest(text)},
                  id_number=flag.id_number, ref_table=REF_TABLE, ref_id=flag.id)
    log.info("manual flag %s rejected by account %s", flag.id, actor.account_id)
    return flag


def withdraw(session: Session, actor: Actor, flag_id: int, reason: str, now: datetime) -> ManualFlag:
    """A proposal taken back by its proposer (reason optional), or an approved flag lifted before its end by any
    authority user (reason required): it no longer holds from today."""
    flag = repository.for_update(session, flag_id)
    if flag is None:
        raise FlagNotFound()
    was = flag.state
    if was == PROPOSED:
        if flag.proposed_by != actor.account_id:
            raise NotProposer()
        text = _reason(reason, "", required=False)
    elif was == APPROVED and flag.ends_on >= now.date():
        text = _reason(reason, "请填写撤销理由")
    else:
        raise FlagDecided(f"该人工标记{state_label(flag, now.date())}，不能撤回")
    flag.state, flag.withdraw_reason = WITHDRAWN, text or None
    flag.withdrawn_by, flag.withdrawn_by_label, flag.withdrawn_at = actor.account_id, actor.label, now
    ledger.append(session, "flag.withdrawn", actor.label,
                  {"flag_id": flag.id, "was": was, "reason": digest(text) if text else None},
                  id_number=flag.id_number, ref_table=REF_TABLE, ref_id=flag.id)
    log.info("manual flag %s withdrawn (%s) by account %s", flag.id, was, actor.account_id)
    return flag


def newest(session: Session) -> list[ManualFlag]:
    return repository.newest(session)


def state_label(flag: ManualFlag, today: date) -> str:
    """The state as the page says it; an approved flag's is computed from the day (no job ends it)."""
    if flag.state == APPROVED:
        if flag.starts_on is not None and flag.ends_on < today:
            return "已到期"
        return "生效中"
    if flag.state == WITHDRAWN:
        return "已撤销" if flag.starts_on is not None else "已撤回"
    return {PROPOSED: "待审核", REJECTED: "已驳回"}.get(flag.state, flag.state)


def latest_end(today: date, max_days: int) -> date:
    """The last end date a proposal made today may have: `max_days` days, today counted."""
    return today + timedelta(days=max_days - 1)


def _open_proposal(session: Session, actor: Actor, flag_id: int) -> ManualFlag:
    flag = repository.for_update(session, flag_id)
    if flag is None:
        raise FlagNotFound()
    if flag.state != PROPOSED:
        raise FlagDecided()
    if flag.proposed_by == actor.account_id:
        raise OwnFlag()
    return flag


def _decided(flag: ManualFlag, actor: Actor, now: datetime) -> None:
    flag.decided_by, flag.decided_by_label, flag.decided_at = actor.account_id, actor.label, now


def _reason(value: str, missing: str, *, required: bool = True) -> str:
    text = " ".join((value or "").split())
    if not text and required:
        raise InvalidFlag(missing)
    if len(text) > REASON_MAX:
        raise InvalidFlag(f"理由不能超过{REASON_MAX}个字（现为{len(text)}个字）")
    return text


def _ends_on(value: str, today: date, max_days: int) -> date:
    try:
        last = date.fromisoformat((value or "").strip())
    except ValueError:
        raise InvalidDate("请填写结束日期（格式 YYYY-MM-DD）") from None
    if last < today:
        raise InvalidDate(f"结束日期不能早于今天（{today.isoformat()}）")
    limit = latest_end(today, max_days)
    if last > limit:
        raise InvalidDate(f"结束日期最晚为 {limit.isoformat()}（人工标记自今天起不超过{max_days}天）")
    return last
