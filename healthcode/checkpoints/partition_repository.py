"""The day partitions of `scans` on PostgreSQL (checkpoints/partitions.py runs them): which exist, making one (and
moving into it the rows of its day that the DEFAULT partition caught), detaching and dropping one past retention.

Partition names are made here from dates only (`scans_p20261207`), never from input, so the DDL is plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import cast

from sqlalchemy import Connection, Table, func, select, text

from healthcode.checkpoints.models import Scan

TABLE, DEFAULT = "scans", "scans_default"
PARTITION_LOCK = 0x68635F7074  # PostgreSQL advisory lock key of partition upkeep ("hc_pt")
_COLUMNS = ", ".join(c.name for c in cast(Table, Scan.__table__).columns)


def name_of(day: date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


def day_of(name: str) -> date:
    return datetime.strptime(name.removeprefix(f"{TABLE}_p"), "%Y%m%d").date()


def _bounds(day: date) -> tuple[str, str]:
    """The partition's range as SQL literals: [day 00:00, next day 00:00), naive Asia/Shanghai as `at` is stored."""
    lo = datetime.combine(day, time.min)
    return f"'{lo:%Y-%m-%d %H:%M:%S}'", f"'{lo + timedelta(days=1):%Y-%m-%d %H:%M:%S}'"


def is_partitioned(conn: Connection) -> bool:
    """True on PostgreSQL when `scans` is the partitioned table (the migration ran, or create_all made it)."""
    if conn.dialect.name != "postgresql":
        return False
    return bool(conn.scalar(text("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table "
                                 "WHERE partrelid = to_regclass(:t))"), {"t": TABLE}))


def begin_upkeep(conn: Connection, lock_timeout_ms: int) -> None:
    """In the transaction: one upkeep at a time (servers and commands start together), and no long wait for a lock
    (a partition's DDL queued behind a long console export would hold every scan up behind it)."""
    conn.execute(select(func.pg_advisory_xact_lock(PARTITION_LOCK)))
    conn.execute(text(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}"))


def attached_days(conn: Connection) -> list[date]:
    """The days that have a partition, oldest first."""
    names = conn.scalars(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(:t) AND c.relname ~ :pattern ORDER BY c.relname"),
        {"t": TABLE, "pattern": f"^{TABLE}_p[0-9]{{8}}$"})
    return [day_of(name) for name in names]


def detached_days(conn: Connection) -> list[date]:
    """Day partitions detached by a purge that died before dropping them (found by name in the current schema)."""
    names = conn.scalars(text(
        "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' "
        "AND NOT relispartition AND relname ~ :pattern ORDER BY relname"), {"pattern": f"^{TABLE}_p[0-9]{{8}}$"})
    return [day_of(name) for name in names]


def default_days(conn: Connection) -> list[date]:
    """The days of the rows the DEFAULT partition holds (none while partitions are made ahead)."""
    return list(conn.scalars(text(f"SELECT DISTINCT CAST(at AS date) AS day FROM {DEFAULT} ORDER BY day")))


def default_has_rows(conn: Connection, day: date) -> bool:
    lo, hi = _bounds(day)
    return bool(conn.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT} WHERE at >= {lo} AND at < {hi})")))


def make_partition(conn: Connection, day: date, *, move_from_default: bool) -> int:
    """Makes the day's partition; returns the rows moved into it from DEFAULT. Made apart and then attached:
    ATTACH takes only a SHARE UPDATE EXCLUSIVE lock on `scans` (scans and console queries go on), and the range
    check put on first spares it reading the new table. When DEFAULT holds rows of the day they are moved first, with
    `scans` locked meanwhile: a scan of that day waits for the commit instead of landing in DEFAULT again."""
    name, (lo, hi) = name_of(day), _bounds(day)
    if move_from_default:
        conn.execute(text(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE"))
    conn.execute(text(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)"))
    conn.execute(text(f"ALTER TABLE {name} ADD CONSTRAINT {name}_range CHECK (at >= {lo} AND at < {hi})"))
    moved = 0
    if move_from_default:
        moved = conn.execute(text(
            f"WITH moved AS (DELETE FROM {DEFAULT} WHERE at >= {lo} AND at < {hi} RETURNING {_COLUMNS}) "
            f"INSERT INTO {name} ({_COLUMNS}) SELECT {_COLUMNS} FROM moved")).rowcount or 0
    conn.execute(text(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM ({lo}) TO ({hi})"))
    conn.execute(text(f"ALTER TABLE {name} DROP CONSTRAINT {name}_range"))  # the partition's bound says the same
    return moved


def forget_scan_ids_of(conn: Connection, day: date) -> None:
    """Clears the scan id of the offline uploads whose scan is in the day's partition (ON DELETE SET NULL's work)."""
    conn.execute(text(f"UPDATE offline_scans SET scan_id = NULL WHERE scan_id IN (SELECT id FROM {name_of(day)})"))


def detach(conn: Connection, day: date) -> None:
    conn.execute(text(f"ALTER TABLE {TABLE} DETACH PARTITION {name_of(day)}"))


def count_and_drop(conn: Connection, day: date) -> int:
    """Drops a detached day partition; returns the scans it held."""
    name = name_of(day)
    rows = int(conn.scalar(text(f"SELECT count(*) FROM {name}")) or 0)
    conn.execute(text(f"DROP TABLE {name}"))
    return rows


def partition_counts(conn: Connection) -> Sequence[tuple[str, int]]:
    """(partition, rows) of every partition of `scans`, DEFAULT included: for the tests and the benchmark."""
    names = conn.scalars(text("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                              "WHERE i.inhparent = to_regclass(:t) ORDER BY c.relname"), {"t": TABLE}).all()
    return [(name, int(conn.scalar(text(f"SELECT count(*) FROM {name}")) or 0)) for name in names]
