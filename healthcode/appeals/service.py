"""The use cases of appeals: a resident files one against one reason of his colour; the health authority reads it
with the reason's source records and decides it (upheld: corrections; rejected: a reason he reads); decided appeals
are purged after their retention with their evidence. Every act is in the ledger; nothing here commits."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

from sqlalchemy import event
from sqlalchemy.orm import Session

from healthcode.appeals import evidence as files
from healthcode.appeals import repository, sources_repository
from healthcode.appeals.errors import (
    AppealDecided,
    AppealNotFound,
    AppealOpen,
    InvalidDecision,
    InvalidStatement,
    ReasonNotHeld,
)
from healthcode.appeals.models import OPEN, REJECTED, UPHELD, Appeal
from healthcode.appeals.sources_repository import SourceRecord
from healthcode.config import Settings
from healthcode.ledger import service as ledger
from healthcode.ledger.chain import digest
from healthcode.messages import service as messages
from healthcode.orgs import audit_repository
from healthcode.orgs.audit_models import DataAccess
from healthcode.residents.models import Person
from healthcode.residents.repository import person_by_id_number, person_id_by_id_number
from healthcode.rules import corrections_repository
from healthcode.rules.correction_models import Correction
from healthcode.rules.in_force import in_force
from healthcode.rules.repository import SOURCE_KINDS, case_statuses, facts_parameters
from healthcode.rules.ruleset import (
    KIND_ARRIVAL,
    KIND_LATEST_CASE,
    KIND_PERIOD,
    KIND_WINDOWED,
    RULE_SETS,
    Rule,
    get_rule_set,
)
from healthcode.rules.service import status_for
from healthcode.rules.status import MANUAL_RULE, MANUAL_TITLE, Reason, window_start

log = logging.getLogger(__name__)
STATEMENT_MAX = 500  # characters of the resident's statement and of the authority's reason
RESIDENT = "居民本人"  # the ledger's actor of a filing
OUTCOMES = (UPHELD, REJECTED)


@dataclass(frozen=True)
class Filed:
    appeal: Appeal
    title: str


def rule_title(settings: Settings, rule_id: str) -> str:
    """The rule's title in the default set, else in the first shipped set that has it (an appeal outlives a switch of
    the set in force; rule ids are shared between the sets, their wording differs a little)."""
    for ruleset in (get_rule_set(settings.rule_set), *RULE_SETS.values()):
        if rule_id in ruleset.rule_by_id:
            return ruleset.rule_by_id[rule_id].title
    return MANUAL_TITLE if rule_id == MANUAL_RULE else rule_id


def contestable(session: Session, settings: Settings, id_number: str, rule_id: str, now: datetime) -> Reason:
    """The reason of this rule that holds for the person now (a reason that does not hold cannot be contested)."""
    status = status_for(session, settings, id_number, now)
    reason = next((r for r in status.reasons if r.rule == rule_id), None)
    if reason is None:
        raise ReasonNotHeld()
    return reason


def file(session: Session, settings: Settings, id_number: str, rule_id: str, statement: str,
         upload: BinaryIO | None, now: datetime) -> Filed:
    """Files the resident's appeal against one reason: checked whole first (reason, statement, the one open appeal,
    the evidence), then the evidence is written and the row added; nothing is left behind on a refusal."""
    text = _text(statement, InvalidStatement, "申诉理由")
    reason = contestable(session, settings, id_number, rule_id, now)
    if repository.open_for(session, id_number, rule_id) is not None:
        raise AppealOpen()
    proof = files.read(upload, settings.appeal_evidence_max_mb)
    name = files.store(settings.data_dir, proof) if proof is not None else None
    try:
        appeal = repository.add(session, Appeal(
            id_number=id_number, rule=rule_id, reason_since=reason.since, reason_detail=reason.detail,
            statement=text, state=OPEN, filed_at=now, due_at=now + timedelta(days=settings.appeal_decision_days),
            evidence_file=name, evidence_type=proof.media_type if proof else None,
            evidence_size=proof.size if proof else None, evidence_sha256=proof.sha256 if proof else None))
        ledger.append(session, "appeal.filed", RESIDENT, {
            "appeal_id": appeal.id, "rule": rule_id, "since": reason.since.isoformat(),
            "statement": digest(text), "evidence_sha256": appeal.evidence_sha256,
            "due_at": appeal.due_at.isoformat()}, id_number=id_number, ref_table="appeals", ref_id=appeal.id)
    except BaseException:
        files.remove(settings.data_dir, name)
        raise
    log.info("appeal %s filed against rule %s (evidence: %s)", appeal.id, rule_id, appeal.evidence_type or "none")
    return Filed(appeal, rule_title(settings, rule_id))


def own_appeals(session: Session, id_number: str) -> list[Appeal]:
    return repository.of_person(session, id_number)


def listing(session: Session, state: str | None, page: int, page_size: int = 20) -> tuple[list[Appeal], int]:
    return repository.listing(session, state if state in (OPEN, UPHELD, REJECTED) else None, page_size,
                              (page - 1) * page_size)


def appeal(session: Session, appeal_id: int) -> Appeal:
    found = repository.get(session, appeal_id)
    if found is None:
        raise AppealNotFound()
    return found


def sources(session: Session, settings: Settings, found: Appeal, now: datetime) -> list[SourceRecord]:
    """The contested reason's source records that are not corrected yet (as the rule reads them today)."""
    ruleset = in_force(session, settings)
    rule = ruleset.rule_by_id.get(found.rule)
    if rule is None:
        return []
    today = now.date()
    params = {"id_number": found.id_number, **facts_parameters(ruleset, today)}
    found_records = sources_repository.records(session, _kinds(rule), params, case_statuses(ruleset),
                                               tuple(settings.fever_departments))
    if rule.kind == KIND_WINDOWED and rule.window_days:
        start = window_start(today, rule.window_days)
        found_records = [r for r in found_records if r.on is None or r.on >= start]
    return found_records


def log_view(session: Session, *, account_id: int, username: str, org_id: int, found: Appeal, what: str,
             now: datetime) -> None:
    """The authority's view of an appeal (the resident's statement, evidence, source records) in the consoles'
    access log (PIPL art. 28): the resident sees it on his access page."""
    audit_repository.add_access(session, DataAccess(
        account_id=account_id, username=username, org_id=org_id, subject="person",
        person_id=person_id_by_id_number(session, found.id_number), purpose="申诉处理",
        detail=f"申诉 {found.id} {what}", at=now))


def resident(session: Session, id_number: str) -> Person | None:
    return person_by_id_number(session, id_number)


def corrections_of(session: Session, appeal_id: int) -> list[Correction]:
    return corrections_repository.of_appeal(session, appeal_id)


def record_token(record: SourceRecord) -> str:
    """What the decision form names a source record by: a digest of its identity (no free text in the form)."""
    identity = f"{record.feed}\x1f{record.key}\x1f{record.on.isoformat() if record.on else ''}"
    return hashlib.sha256(identity.encode()).hexdigest()[:20]


def decide(session: Session, settings: Settings, appeal_id: int, *, outcome: str, reason: str,
           chosen: list[str], operator: str, actor: str, now: datetime) -> Appeal:
    """The authority's final decision. Upheld: a correction per chosen source record (all of them when none is
    chosen), each in the ledger; rejected: the reason, which the resident reads. He gets a message (and a text when
    the platform has his phone); his code changes at its next refresh."""
    text = _text(reason, InvalidDecision, "处理理由")
    if outcome not in OUTCOMES:
        raise InvalidDecision("请选择处理结果")
    found = repository.get(session, appeal_id, for_update=True)
    if found is None:
        raise AppealNotFound()
    if found.state != OPEN:
        raise AppealDecided()
    made: list[Correction] = []
    if outcome == UPHELD:
        records = sources(session, settings, found, now)
        picked = [r for r in records if record_token(r) in set(chosen)] if chosen else records
        if not picked:
            raise InvalidDecision("没有可更正的数据记录：请选择要更正的记录，或驳回申诉")
        for record in picked:
            correction = corrections_repository.add(session, Correction(
                id_number=found.id_number, feed=record.feed, record_key=record.key, record_on=record.on,
                rule=found.rule, reason=text, appeal_id=found.id, made_by=operator, made_at=now))
            made.append(correction)
            ledger.append(session, "correction.made", actor, {
                "correction_id": correction.id, "appeal_id": found.id, "rule": found.rule, "feed": record.feed,
                "record": digest(f"{record.feed}\x1f{record.key}"), "record_on": record.on,
                "batch_id": record.batch_id, "reason": digest(text)},
                id_number=found.id_number, ref_table="corrections", ref_id=correction.id)
    found.state, found.decided_at, found.decided_by, found.decision = outcome, now, operator, text
    ledger.append(session, "appeal.decided", actor, {
        "appeal_id": found.id, "outcome": outcome, "reason": digest(text),
        "corrections": [c.id for c in made], "late": now > found.due_at},
        id_number=found.id_number, ref_table="appeals", ref_id=found.id)
    _tell(session, settings, found, now)
    log.info("appeal %s decided: %s, %d correction(s)", found.id, outcome, len(made))
    return found


def _tell(session: Session, settings: Settings, found: Appeal, now: datetime) -> None:
    title = rule_title(settings, found.rule)
    if found.state == UPHELD:
        body = f"您对赋码原因“{title}”的申诉已核实，相关数据已更正，健康码将在下次刷新时更新。"
    else:
        body = f"您对赋码原因“{title}”的申诉未获支持，处理意见请在“我的申诉”中查看。"
    person = person_by_id_number(session, found.id_number)
    phones = [person.phone] if person is not None and person.phone else []
    messages.send(session, [found.id_number], title="申诉处理结果", body=body, now=now, topic="appeal",
                  sms_to=phones)


def purge(session: Session, settings: Settings, now: datetime) -> tuple[int, int]:
    """Deletes decided appeals past their retention (the corrections stay: they are data; the ledger keeps the
    digests). Their evidence files are removed once the deletion has committed, with the files no appeal names (a
    filing rolled back after its file was written). Returns (appeals, files)."""
    old = repository.expired(session, now - timedelta(days=settings.appeal_retention_days))
    names = [a.evidence_file for a in old if a.evidence_file]
    orphans = files.sweep_orphans(settings.data_dir, repository.evidence_names(session))
    deleted = repository.delete_ids(session, [a.id for a in old])

    def remove_files(_: Session) -> None:
        for name in names:
            files.remove(settings.data_dir, name)

    event.listen(session, "after_commit", remove_files, once=True)
    return deleted, len(names) + orphans


def _kinds(rule: Rule) -> tuple[str, ...]:
    if rule.kind == KIND_LATEST_CASE:
        return ("case",)
    if rule.kind == KIND_ARRIVAL:
        return ("arrival",)
    if rule.kind == KIND_PERIOD:
        return ("closure",)
    return tuple(SOURCE_KINDS[s] for s in rule.sources)


def _text(value: str, error: type[InvalidStatement] | type[InvalidDecision], what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise error()
    if len(text) > STATEMENT_MAX:
        raise error(f"{what}不能超过{STATEMENT_MAX}字")
    if not all(ch.isprintable() or ch in "\n\r\t" for ch in text):
        raise error(f"{what}含有无法识别的字符")
    return text
