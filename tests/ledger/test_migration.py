"""The ledger anchors migration (9d2f4a6b8c10): adds `ledger_anchors` on top of the ledger and goes back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from tests.migrating import downgrade_to, empty_database, upgrade_to


def test_the_anchors_table_comes_and_goes_leaving_the_entries(tmp_path: Path) -> None:
    with empty_database(tmp_path) as (engine, _schema):
        # Given an entry in the ledger of the revision before
        with engine.begin() as conn:
            upgrade_to(conn, "68aa31b41ace")
            conn.execute(text("INSERT INTO ledger_entries (at, kind, actor, body, prev_hash, hash) VALUES "
                              "('2026-01-01 00:00:00', 'feed.batch', '系统', '{}', :z, :h)"),
                         {"z": "0" * 64, "h": "1" * 64})
        # When upgraded, an anchor can be stored
        with engine.begin() as conn:
            upgrade_to(conn, "9d2f4a6b8c10")
            conn.execute(text("INSERT INTO ledger_anchors (at, cutoff, last_entry_id, last_hash, removed, prev_seal, "
                              "seal) VALUES ('2026-12-06 09:00:00', '2025-12-06 00:00:00', 1, :h, 1, :z, :s)"),
                         {"h": "1" * 64, "z": "0" * 64, "s": "2" * 64})
            assert conn.execute(text("SELECT removed FROM ledger_anchors")).scalar_one() == 1
        # And going back drops the anchors only
        with engine.begin() as conn:
            downgrade_to(conn, "68aa31b41ace")
            assert "ledger_anchors" not in inspect(conn).get_table_names()
            assert conn.execute(text("SELECT count(*) FROM ledger_entries")).scalar_one() == 1
        with engine.begin() as conn:  # and up again
            upgrade_to(conn, "9d2f4a6b8c10")
            assert "ledger_anchors" in inspect(conn).get_table_names()
