"""The migration that partitions the scans table by day on PostgreSQL (2026_12_08_scans_partitioned.py), up and down
on a database holding scans: every row kept with its id, a partition a day that has scans and DEFAULT, the id sequence
going on, and the foreign key of offline_scans.scan_id gone and back. On SQLite only that foreign key changes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, DateTime, Integer, inspect, text

from healthcode.db import MIGRATIONS, migrate
from tests.migrating import empty_database, upgrade_to

BEFORE = "8a4c7e2d9f15"  # the revision before the partitioning
AT = [datetime(2020, 2, 20, 8, 0), datetime(2020, 2, 20, 23, 59, 59), datetime(2020, 2, 22, 0, 0)]


def _rows(conn: Connection) -> None:
    """A unit, its scanner, point and resident, three scans on two days and an offline upload of the second."""
    t = datetime(2020, 2, 1)
    conn.execute(text("INSERT INTO orgs (id, name, uscc, kind, created_at) VALUES (1, '单位', 'B1', 'government', :t)"),
                 {"t": t})
    conn.execute(text("INSERT INTO accounts (id, kind, username, password_hash, must_change_password, token_version,"
                      " failed_logins, created_at) VALUES (1, 'scanner', '13900000001', 'x', false, 0, 0, :t)"),
                 {"t": t})
    conn.execute(text("INSERT INTO scanners (id, account_id, org_id, phone, name, id_number, status, created_at) "
                      "VALUES (1, 1, 1, '13900000001', '扫码员', '350102199001010011', 'authorised', :t)"), {"t": t})
    conn.execute(text("INSERT INTO scan_points (id, org_id, community, name, address, region_code, created_at) "
                      "VALUES (1, 1, '软件园社区', '东门', '福州市鼓楼区', '350102', :t)"), {"t": t})
    conn.execute(text("INSERT INTO persons (id, id_number, name, created_at) VALUES (1, '350102199001010011', '李斌', "
                      ":t)"), {"t": t})
    conn.execute(text("INSERT INTO scans (scanner_id, point_id, org_id, person_id, color, via, at) "
                      "VALUES (1, 1, 1, 1, 'green', 'qr', :at)"), [{"at": at} for at in AT])
    conn.execute(text("INSERT INTO offline_scans (scanner_id, client_scan_id, scanned_at, received_at, scan_id) "
                      "VALUES (1, 'queued-0001', :at, :at, 2)"), {"at": AT[1]})


def _scans(conn: Connection) -> list[tuple[int, datetime]]:
    typed = text("SELECT id, at FROM scans ORDER BY id").columns(id=Integer(), at=DateTime())
    return [(r.id, r.at) for r in conn.execute(typed)]


def _new_scan(conn: Connection, at: datetime) -> int:
    return int(conn.scalar(text("INSERT INTO scans (scanner_id, point_id, org_id, person_id, color, via, at) "
                                "VALUES (1, 1, 1, 1, 'green', 'qr', :at) RETURNING id"), {"at": at}))


def _offline_fk(conn: Connection) -> list[str]:
    return [fk["name"] for fk in inspect(conn).get_foreign_keys("offline_scans") if fk["referred_table"] == "scans"]


def test_the_migration_partitions_the_scans_keeping_every_row_and_back(tmp_path: Path) -> None:
    with empty_database(tmp_path) as (engine, schema):
        # Given the schema before, with three scans of two days and an offline upload of the second
        with engine.begin() as conn:
            upgrade_to(conn, BEFORE)
            _rows(conn)
        # When it is migrated to the newest revision
        migrate(engine)
        with engine.begin() as conn:
            # Then every scan is there with its id, and the upload still names its scan, without a foreign key
            assert _scans(conn) == [(1, AT[0]), (2, AT[1]), (3, AT[2])]
            assert conn.scalar(text("SELECT scan_id FROM offline_scans")) == 2
            assert _offline_fk(conn) == []
            if schema:  # PostgreSQL: partitioned, a partition per day with scans, and DEFAULT
                homes = conn.execute(text("SELECT id, tableoid::regclass::text FROM scans ORDER BY id")).all()
                assert homes == [(1, "scans_p20200220"), (2, "scans_p20200220"), (3, "scans_p20200222")]
                assert conn.scalar(text("SELECT count(*) FROM pg_inherits WHERE inhparent = 'scans'::regclass "
                                        "AND inhrelid = 'scans_default'::regclass")) == 1
                assert _index_names(conn, "scans") >= {"ix_scans_org_at", "ix_scans_person_at", "ix_scans_point_id",
                                                       "ix_scans_scanner_id", "pk_scans"}
            # and the id sequence goes on
            assert _new_scan(conn, datetime(2020, 2, 21, 12)) == 4
        # When it is migrated back
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, BEFORE)
        with engine.begin() as conn:
            # Then the table is plain again with every row, the foreign key is back, and the sequence goes on
            assert _scans(conn) == [(1, AT[0]), (2, AT[1]), (3, AT[2]), (4, datetime(2020, 2, 21, 12))]
            assert _offline_fk(conn) == ["fk_offline_scans_scan_id_scans"]
            if schema:
                assert conn.scalar(text("SELECT relkind FROM pg_class WHERE oid = 'scans'::regclass")) == "r"
                assert conn.scalar(text("SELECT count(*) FROM pg_class WHERE relname LIKE 'scans\\_p%' "
                                        "AND relnamespace = current_schema()::regnamespace")) == 0
                assert _index_names(conn, "scans") >= {"ix_scans_org_at", "ix_scans_person_at", "pk_scans"}
            assert _new_scan(conn, datetime(2020, 2, 23, 12)) == 5
        # and up again: the round trip is repeatable
        migrate(engine)
        with engine.connect() as conn:
            assert _scans(conn)[-1] == (5, datetime(2020, 2, 23, 12))


def _index_names(conn: Connection, table: str) -> set[str]:
    return set(conn.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = :t "
                                 "AND schemaname = current_schema()"), {"t": table}))
