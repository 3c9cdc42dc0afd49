"""The accountability ledger (issue 16): appends chain each entry to the one before; `healthcode audit verify` finds
the first entry altered, removed or inserted, and says where."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from healthcode import cli
from healthcode.db import transaction
from healthcode.ledger.chain import GENESIS, digest
from healthcode.ledger.models import LedgerEntry
from healthcode.ledger.service import append, verify

A = "350102198001010034"


def _three(db: Session) -> list[LedgerEntry]:
    entries = [append(db, "feed.batch", "系统（命令行）", {"feed": "cases", "batch": 1}),
               append(db, "flag.proposed", "省指挥部（张三）", {"flag": 1, "reason": digest("理由")}, id_number=A,
                      ref_table="manual_flags", ref_id=1),
               append(db, "flag.approved", "省指挥部（李四）", {"flag": 1}, id_number=A, ref_table="manual_flags",
                      ref_id=1)]
    db.commit()
    return entries


def test_each_entry_names_the_hash_of_the_one_before_and_the_chain_verifies(db) -> None:
    first, second, third = _three(db)
    assert first.prev_hash == GENESIS
    assert (second.prev_hash, third.prev_hash) == (first.hash, second.hash)
    verdict = verify(db)
    assert verdict.ok and verdict.checked == 3 and verdict.head == third.hash


def test_the_body_is_canonical_json_without_free_text(db) -> None:
    _, proposed, _ = _three(db)
    assert json.loads(proposed.body) == {"flag": 1, "reason": digest("理由")}
    assert "理由" not in proposed.body


@pytest.mark.parametrize("tamper, broken_at, problem", [
    (lambda ids: update(LedgerEntry).where(LedgerEntry.id == ids[1]).values(actor="别人"), 1, "记录被改动"),
    (lambda ids: update(LedgerEntry).where(LedgerEntry.id == ids[0]).values(body='{"feed":"arrivals"}'), 0,
     "记录被改动"),
    (lambda ids: delete(LedgerEntry).where(LedgerEntry.id == ids[1]), 2, "哈希不衔接"),
    (lambda ids: delete(LedgerEntry).where(LedgerEntry.id == ids[0]), 1, "哈希不衔接"),
])
def test_a_changed_or_removed_entry_breaks_the_chain_at_the_first_bad_link(db, tamper, broken_at, problem) -> None:
    ids = [e.id for e in _three(db)]
    db.execute(tamper(ids))
    db.commit()
    verdict = verify(db)
    assert verdict.broken is not None and verdict.broken.entry_id == ids[broken_at]
    assert problem in verdict.broken.problem


def test_audit_verify_exits_0_on_a_whole_chain_and_1_naming_the_broken_entry(cli_engine) -> None:
    with transaction(cli_engine) as session:
        _three(session)
    runner = CliRunner()
    good = runner.invoke(cli.app, ["audit", "verify", "--json"])
    assert good.exit_code == 0, good.output
    assert json.loads(good.stdout)["ok"] is True and json.loads(good.stdout)["checked"] == 3
    with transaction(cli_engine) as session:
        middle = session.query(LedgerEntry).order_by(LedgerEntry.id).all()[1]
        middle.kind = "flag.rejected"
    bad = runner.invoke(cli.app, ["audit", "verify"])
    assert bad.exit_code == 1 and f"第 {middle.id} 条" in bad.stdout and "记录被改动" in bad.stdout


def test_an_empty_ledger_verifies(cli_engine) -> None:
    result = CliRunner().invoke(cli.app, ["audit", "verify"])
    assert result.exit_code == 0 and "已核对 0 条" in result.stdout


def test_concurrent_appends_never_fork_the_chain(engine) -> None:
    """Eight threads append at once, each in its own transaction (on SQLite taking the write lock at BEGIN, as the
    app's requests do): every entry names a different predecessor."""
    writer = engine.execution_options(sqlite_immediate=True)
    errors: list[BaseException] = []

    def one(n: int) -> None:
        try:
            with transaction(writer) as session:
                append(session, "test", "线程", {"n": n})
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with transaction(engine) as session:
        assert verify(session).checked == 8 and verify(session).ok
