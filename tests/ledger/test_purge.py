"""Purging the ledger (`healthcode purge`): the oldest entries past `LEDGER_RETENTION_DAYS` go as a whole leading run,
an anchor keeps the last removed entry's hash, and `audit verify` starts from the newest anchor and names it when the
chain was cut or altered there."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from healthcode import cli, clock
from healthcode.db import transaction
from healthcode.ledger.models import LedgerAnchor, LedgerEntry
from healthcode.ledger.service import append, purge, verify

A = "350102198001010034"
OLD, RECENT, NOW = "2025-11-01 10:00", "2026-06-01 10:00", "2026-12-06 09:00"


def _at(db: Session, freeze, when: str, count: int = 1) -> list[LedgerEntry]:  # type: ignore[no-untyped-def]
    freeze(when)
    made = [append(db, "appeal.filed", "居民本人", {"appeal": n}, id_number=A, ref_table="appeals", ref_id=n)
            for n in range(count)]
    db.commit()
    return made


def _ids(db: Session) -> list[int]:
    return list(db.scalars(select(LedgerEntry.id).order_by(LedgerEntry.id)))


def _purge(db: Session, freeze, when: str = NOW) -> int:  # type: ignore[no-untyped-def]
    freeze(when)
    removed = purge(db, clock.now(), 365)
    db.commit()
    return removed


def test_old_entries_go_recent_stay_and_verify_starts_at_the_anchor(db, freeze) -> None:
    # Given three entries older than a year and two recent ones
    old = _at(db, freeze, OLD, 3)
    recent = _at(db, freeze, RECENT, 2)
    # When the ledger is purged
    assert _purge(db, freeze) == 3
    # Then only the recent entries remain, and an anchor names the last one removed
    assert _ids(db) == [e.id for e in recent]
    [anchor] = db.scalars(select(LedgerAnchor)).all()
    assert (anchor.last_entry_id, anchor.last_hash, anchor.removed) == (old[-1].id, old[-1].hash, 3)
    assert anchor.cutoff == datetime(2025, 12, 6) and anchor.at == datetime(2026, 12, 6, 9)
    # And the chain verifies from the anchor, and goes on with the next append
    verdict = verify(db)
    assert verdict.ok and verdict.checked == 2 and verdict.anchor is not None and verdict.anchor.id == anchor.id
    newer = _at(db, freeze, NOW)
    assert newer[0].prev_hash == recent[-1].hash and verify(db).checked == 3


def test_nothing_old_nothing_purged_and_twice_is_fine(db, freeze) -> None:
    _at(db, freeze, RECENT, 2)
    assert _purge(db, freeze) == 0
    assert db.scalars(select(LedgerAnchor)).all() == [] and verify(db).anchor is None
    _at(db, freeze, "2026-12-01 10:00")
    # A year later the first two go, then a second purge the same day removes nothing and adds no anchor
    assert _purge(db, freeze, "2027-11-20 09:00") == 2
    assert _purge(db, freeze, "2027-11-20 10:00") == 0
    assert len(db.scalars(select(LedgerAnchor)).all()) == 1
    # And the next purge that removes something chains a second anchor to the first
    _at(db, freeze, "2027-11-21 10:00")
    assert _purge(db, freeze, "2027-12-30 09:00") == 1
    first, second = db.scalars(select(LedgerAnchor).order_by(LedgerAnchor.id)).all()
    assert second.prev_seal == first.seal
    assert verify(db).ok and verify(db).anchor.id == second.id  # type: ignore[union-attr]


def test_the_newest_entry_stays_though_old_so_the_chain_goes_on(db, freeze) -> None:
    made = _at(db, freeze, OLD, 3)
    assert _purge(db, freeze) == 2
    assert _ids(db) == [made[-1].id]
    assert verify(db).ok and verify(db).checked == 1
    assert _at(db, freeze, NOW)[0].id == made[-1].id + 1


def test_only_a_leading_run_goes_never_a_gap(db, freeze) -> None:
    # Given an old entry, a recent one, then one stamped old again (a clock set back)
    first = _at(db, freeze, OLD)
    recent = _at(db, freeze, RECENT)
    late = _at(db, freeze, OLD)
    # When purged: the run stops at the first entry to keep
    assert _purge(db, freeze) == 1
    assert _ids(db) == [recent[0].id, late[0].id] and first[0].id not in _ids(db)
    assert verify(db).ok


@pytest.mark.parametrize("tamper, names_entry", [
    (lambda ids, anchor: update(LedgerEntry).where(LedgerEntry.id == ids[0]).values(prev_hash="f" * 64), True),
    (lambda ids, anchor: update(LedgerEntry).where(LedgerEntry.id == ids[0]).values(actor="别人"), True),
    (lambda ids, anchor: update(LedgerAnchor).where(LedgerAnchor.id == anchor).values(last_hash="e" * 64), False),
    (lambda ids, anchor: update(LedgerAnchor).where(LedgerAnchor.id == anchor).values(removed=1), False),
    (lambda ids, anchor: delete(LedgerEntry).where(LedgerEntry.id == ids[0]), True),
    (lambda ids, anchor: delete(LedgerEntry), False),
])
def test_verify_names_the_anchor_when_the_chain_is_cut_or_altered_there(db, freeze, tamper, names_entry) -> None:
    _at(db, freeze, OLD, 2)
    _at(db, freeze, RECENT, 2)
    _purge(db, freeze)
    ids = _ids(db)
    anchor = db.scalars(select(LedgerAnchor.id)).one()
    db.execute(tamper(ids, anchor))
    db.commit()
    verdict = verify(db)
    assert verdict.broken is not None and verdict.broken.anchor_id == anchor
    assert "锚点" in verdict.broken.problem or "记录被改动" in verdict.broken.problem
    if names_entry:
        assert verdict.broken.entry_id in ids


def test_deleting_the_anchor_breaks_the_chain_at_the_first_entry(db, freeze) -> None:
    _at(db, freeze, OLD, 2)
    recent = _at(db, freeze, RECENT)
    _purge(db, freeze)
    db.execute(delete(LedgerAnchor))
    db.commit()
    verdict = verify(db)
    assert verdict.broken is not None and verdict.broken.entry_id == recent[0].id


def test_purge_takes_the_append_turn(db, freeze) -> None:
    """On PostgreSQL the purge holds the appends' advisory lock until it commits (SQLite's writers take turns)."""
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    _at(db, freeze, OLD, 2)
    freeze(NOW)
    purge(db, clock.now(), 365)
    held = db.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                          "AND objid = :key"), {"key": 0x4C454447})
    db.rollback()
    assert held == 1


def test_the_purge_command_counts_entries_and_verify_says_from_which_anchor(cli_engine, freeze) -> None:
    with transaction(cli_engine) as session:
        freeze(OLD)
        for n in range(3):
            append(session, "feed.batch", "系统（命令行）", {"feed": "cases", "batch": n})
    with transaction(cli_engine) as session:
        freeze(RECENT)
        append(session, "feed.batch", "系统（命令行）", {"feed": "cases", "batch": 9})
    freeze(NOW)
    runner = CliRunner()
    purged = runner.invoke(cli.app, ["purge"])
    assert purged.exit_code == 0, purged.output
    assert "3 条超过 365 天的问责记录" in purged.output
    good = runner.invoke(cli.app, ["audit", "verify", "--json"])
    assert good.exit_code == 0, good.output
    verdict = json.loads(good.stdout)
    assert verdict["ok"] is True and verdict["checked"] == 1 and verdict["broken"] is None
    assert verdict["anchor"]["removed"] == 3 and verdict["anchor"]["cutoff"] == "2025-12-06T00:00:00"
    text_out = runner.invoke(cli.app, ["audit", "verify"]).stdout
    assert "自 2026-12-06 09:00 的锚点起" in text_out and "已核对 1 条" in text_out
    with transaction(cli_engine) as session:
        session.execute(update(LedgerAnchor).values(last_hash="0" * 64))
    bad = runner.invoke(cli.app, ["audit", "verify", "--json"])
    assert bad.exit_code == 1 and json.loads(bad.stdout)["broken"]["anchor_id"] == verdict["anchor"]["id"]
    said = runner.invoke(cli.app, ["audit", "verify"]).stdout
    assert "2026-12-06 09:00 的锚点" in said and "锚点被改动" in said


@pytest.mark.parametrize("values, refused", [
    ({}, None),
    ({"ledger_retention_days": 100}, "183"),  # six months at least
    ({"ledger_retention_days": 200, "appeal_retention_days": 200}, "不能短于 203 天"),  # a decided appeal outlasts it
])
def test_the_retention_is_refused_when_shorter_than_what_the_views_need(values, refused) -> None:
    from pydantic import ValidationError

    from healthcode.config import Settings

    if refused is None:
        assert Settings(env="test", **values).ledger_retention_days == 365
        return
    with pytest.raises(ValidationError, match=refused):
        Settings(env="test", **values)
