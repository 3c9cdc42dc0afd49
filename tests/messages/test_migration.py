"""The SMS delivery migration (2a85597bb134): texts written before it are marked as never delivered (a gateway
configured now must not send weeks-old reminders or masked codes); it downgrades back to the old table."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from tests.migrating import downgrade_to, empty_database, upgrade_to


def test_earlier_texts_are_marked_undelivered_and_the_migration_goes_back(tmp_path: Path) -> None:
    with empty_database(tmp_path) as (engine, _schema):
        # Given a text in the outbox of the revision before
        with engine.begin() as conn:
            upgrade_to(conn, "5b2e9f0a7c14")
            conn.execute(text("INSERT INTO sms_outbox (phone, body, created_at) "
                              "VALUES ('13912345678', '【八闽健康码】请填报', '2020-02-20 08:00:00')"))
        # When the schema is upgraded
        with engine.begin() as conn:
            upgrade_to(conn, "2a85597bb134")
            row = conn.execute(text("SELECT status, attempts, next_attempt_at, last_error, delivered_at, sealed "
                                    "FROM sms_outbox")).one()
        # Then the text is listed as never delivered, and no dispatcher will pick it up
        assert tuple(row) == ("failed", 0, None, "升级前写入，未投递", None, None)
        # And going back restores the old columns with the row
        with engine.begin() as conn:
            downgrade_to(conn, "5b2e9f0a7c14")
            columns = {c["name"] for c in inspect(conn).get_columns("sms_outbox")}
            assert columns == {"id", "phone", "body", "created_at", "sent_at"}
            assert conn.execute(text("SELECT body FROM sms_outbox")).scalar_one() == "【八闽健康码】请填报"
