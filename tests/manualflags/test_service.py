"""Manual flags' use cases on the database (SQLite and PostgreSQL): two different users, the colour they give and
when it ends, the ledger entries, and bad input refused whole."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from healthcode.errors import DomainError
from healthcode.ledger import service as ledger
from healthcode.ledger.chain import digest
from healthcode.ledger.models import LedgerEntry
from healthcode.ledger.repository import of_row
from healthcode.manualflags import service
from healthcode.manualflags.errors import FlagDecided, FlagPending, NotProposer, OwnFlag
from healthcode.rules.manual_models import ManualFlag
from healthcode.rules.ruleset import FJ_2020_02
from healthcode.rules.service import status_for
from tests.checkpoints.factories import NOW, id_number
from tests.manualflags.factories import authority

TODAY = NOW.date()
WHO = id_number(42)
REASON = "与境外输入病例同一航班，待核酸检测结果"


def propose(db, actor, *, who=WHO, reason=REASON, ends_on=None, color="orange", now=NOW):
    last = ends_on if ends_on is not None else (TODAY + timedelta(days=6)).isoformat()
    flag = service.propose(db, actor, id_number=who, color=color, reason=reason, ends_on=last, ruleset=FJ_2020_02,
                           max_days=14, now=now)
    db.commit()
    return flag


def test_one_user_proposes_another_approves_and_the_resident_turns_orange_with_the_written_reason(db, settings):
    admin, first, second = authority(db).actors
    flag = propose(db, first)
    assert status_for(db, settings, WHO, NOW).color == "green"  # a proposal alone changes nothing

    service.approve(db, second, flag.id, NOW + timedelta(hours=1))
    db.commit()

    status = status_for(db, settings, WHO, NOW + timedelta(hours=2))
    assert status.color == "orange"
    assert [(r.rule, r.since, r.until) for r in status.reasons] == [("manual", TODAY, TODAY + timedelta(days=6))]
    assert REASON in status.reasons[0].detail
    assert (flag.state, flag.starts_on, flag.proposed_by_label, flag.decided_by_label) == (
        "approved", TODAY, "省卫健委（张审核）", "省卫健委（李复核）")


def test_the_proposer_cannot_approve_or_reject_his_own_flag_and_nothing_changes(db):
    _, first, _ = authority(db).actors
    flag = propose(db, first)
    for act in (lambda: service.approve(db, first, flag.id, NOW),
                lambda: service.reject(db, first, flag.id, "不批", NOW)):
        with pytest.raises(OwnFlag) as refused:
            act()
        db.rollback()
        assert refused.value.status_code == 403 and "本人提出" in refused.value.message
    db.refresh(flag)
    assert flag.state == "proposed" and flag.decided_by is None
    assert [e.kind for e in of_row(db, "manual_flags", flag.id)] == ["flag.proposed"]


def test_every_act_is_a_ledger_entry_with_the_reason_as_a_digest_only(db):
    admin, first, second = authority(db).actors
    approved = propose(db, first)
    service.approve(db, admin, approved.id, NOW)
    rejected = propose(db, second, who=id_number(43))
    service.reject(db, first, rejected.id, "证据不足", NOW)
    withdrawn = propose(db, second, who=id_number(44))
    service.withdraw(db, second, withdrawn.id, "", NOW)
    service.withdraw(db, first, approved.id, "核酸检测阴性，提前解除", NOW + timedelta(hours=3))
    db.commit()

    entries = db.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
    assert [(e.kind, e.actor, e.id_number, e.ref_id) for e in entries] == [
        ("flag.proposed", "省卫健委（张审核）", WHO, approved.id),
        ("flag.approved", "省卫健委（管理员）", WHO, approved.id),
        ("flag.proposed", "省卫健委（李复核）", id_number(43), rejected.id),
        ("flag.rejected", "省卫健委（张审核）", id_number(43), rejected.id),
        ("flag.proposed", "省卫健委（李复核）", id_number(44), withdrawn.id),
        ("flag.withdrawn", "省卫健委（李复核）", id_number(44), withdrawn.id),
        ("flag.withdrawn", "省卫健委（张审核）", WHO, approved.id)]
    bodies = [json.loads(e.body) for e in entries]
    assert bodies[0] == {"flag_id": approved.id, "color": "orange", "ends_on": "2020-03-01",
                         "reason": digest(REASON), "rule_set": "fj-2020-02"}
    assert bodies[1] == {"flag_id": approved.id, "color": "orange", "starts_on": "2020-02-24",
                         "ends_on": "2020-03-01"}
    assert bodies[3]["reason"] == digest("证据不足") and bodies[6]["was"] == "approved"
    assert all(REASON not in e.body and "证据不足" not in e.body for e in entries)  # no free text in the chain
    assert ledger.verify(db).ok


def test_an_approved_flag_holds_to_the_end_of_its_end_date_and_not_a_day_more(db, settings):
    _, first, second = authority(db).actors
    flag = propose(db, first, ends_on=(TODAY + timedelta(days=2)).isoformat())
    service.approve(db, second, flag.id, NOW)
    db.commit()
    last_day = NOW + timedelta(days=2)
    assert status_for(db, settings, WHO, last_day.replace(hour=23, minute=59)).color == "orange"
    assert status_for(db, settings, WHO, (last_day + timedelta(days=1)).replace(hour=0, minute=0)).color == "green"
    assert status_for(db, settings, WHO, NOW - timedelta(days=1)).color == "green"  # before its approval


def test_a_rejected_or_withdrawn_flag_gives_no_colour_and_a_lifted_one_ends_the_same_day(db, settings):
    _, first, second = authority(db).actors
    rejected = propose(db, first)
    service.reject(db, second, rejected.id, "证据不足", NOW)
    lifted = propose(db, first)
    service.approve(db, second, lifted.id, NOW)
    db.commit()
    assert status_for(db, settings, WHO, NOW).color == "orange"

    service.withdraw(db, first, lifted.id, "核酸检测阴性", NOW + timedelta(hours=1))
    db.commit()

    assert status_for(db, settings, WHO, NOW + timedelta(hours=2)).color == "green"
    assert service.state_label(lifted, TODAY) == "已撤销" and service.state_label(rejected, TODAY) == "已驳回"


def test_only_the_proposer_withdraws_a_proposal_and_a_decided_flag_is_not_decided_again(db):
    admin, first, second = authority(db).actors
    flag = propose(db, first)
    with pytest.raises(NotProposer):
        service.withdraw(db, second, flag.id, "", NOW)
    db.rollback()
    service.approve(db, second, flag.id, NOW)
    db.commit()
    for act in (lambda: service.approve(db, admin, flag.id, NOW), lambda: service.reject(db, admin, flag.id, "x", NOW)):
        with pytest.raises(FlagDecided):
            act()
        db.rollback()
    with pytest.raises(DomainError, match="撤销理由"):  # lifting an approved flag needs its reason
        service.withdraw(db, admin, flag.id, " ", NOW)


def test_a_second_proposal_for_someone_with_one_pending_is_refused(db):
    _, first, second = authority(db).actors
    propose(db, first)
    with pytest.raises(FlagPending):
        propose(db, second)


def test_a_proposal_whose_end_date_passed_before_approval_cannot_be_approved(db, settings):
    _, first, second = authority(db).actors
    flag = propose(db, first, ends_on=TODAY.isoformat())
    with pytest.raises(FlagDecided, match="结束日期"):
        service.approve(db, second, flag.id, NOW + timedelta(days=1))
    db.rollback()
    assert db.get(ManualFlag, flag.id).state == "proposed"
    assert service.state_label(flag, TODAY) == "待审核"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("who", "350102199001010011", "身份证号无效"),  # wrong check character
    ("who", "", "身份证号无效"),
    ("reason", "   ", "请填写标记原因"),
    ("reason", "因" * 201, "不能超过200个字"),
    ("ends_on", (TODAY - timedelta(days=1)).isoformat(), "不能早于今天"),
    ("ends_on", (TODAY + timedelta(days=14)).isoformat(), "最晚为 2020-03-08"),
    ("ends_on", "2020-02-30", "请填写结束日期"),
    ("ends_on", "", "请填写结束日期"),
    ("color", "green", "请选择标记颜色：橙码"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(db, field, value, message):
    _, first, _ = authority(db).actors
    with pytest.raises(DomainError) as refused:
        propose(db, first, **{field: value})
    db.rollback()
    assert message in refused.value.message and refused.value.status_code == 422
    assert db.scalar(select(func.count()).select_from(ManualFlag)) == 0
    assert db.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_the_last_allowed_end_date_is_the_maximums_last_day(db):
    _, first, _ = authority(db).actors
    flag = propose(db, first, ends_on=(TODAY + timedelta(days=13)).isoformat())
    assert flag.ends_on.isoformat() == "2020-03-08"


def test_two_approvers_at_once_decide_a_flag_once(db, engine):
    """PostgreSQL: the second approver waits for the first's row lock, then finds the flag decided (409)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's writers take turns on the file lock")
    import threading

    from healthcode.db import session_factory

    admin, first, second = authority(db).actors
    flag = propose(db, first)
    outcome: list[object] = []
    with session_factory(engine)() as one, session_factory(engine)() as two:
        service.approve(one, second, flag.id, NOW)  # holds the row's lock until it commits

        def other() -> None:
            try:
                service.approve(two, admin, flag.id, NOW)
                outcome.append("approved")
            except FlagDecided as exc:
                outcome.append(exc)
            two.rollback()

        waiting = threading.Thread(target=other)
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive() and outcome == []  # blocked on the lock
        one.commit()
        waiting.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], FlagDecided) and outcome[0].status_code == 409
    assert [e.kind for e in of_row(db, "manual_flags", flag.id)] == ["flag.proposed", "flag.approved"]


def test_person_status_lists_an_approved_flag_as_a_reason_of_rule_manual(db, cli_engine, freeze):
    from typer.testing import CliRunner

    import healthcode.cli as cli

    freeze(NOW)
    _, first, second = authority(db).actors
    flag = propose(db, first)
    service.approve(db, second, flag.id, NOW)
    db.commit()

    result = CliRunner().invoke(cli.app, ["person", "status", WHO, "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"color": "orange", "reasons": [{
        "rule": "manual", "since": "2020-02-24", "until": "2020-03-01",
        "detail": f"卫生健康部门人工标记：{REASON}（2020-02-24 至 2020-03-01），2020-03-02 起解除标记"}]}
