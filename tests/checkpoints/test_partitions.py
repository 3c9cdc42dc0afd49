"""Issue 13: on PostgreSQL the scans table is partitioned by day (checkpoints/partitions.py): partitions made ahead,
a scan in its day's partition, one without a partition in DEFAULT and moved out when its day's is made, `healthcode
purge` dropping whole days and deleting the rest, the one-statement scan still one statement. PostgreSQL only: on
SQLite the table is plain (tests/checkpoints/test_purge.py holds the purge there).

The test schema's table is made partitioned by create_all (models.Scan); partitions outlive a test (TRUNCATE empties
them), so each test takes days of its own or looks only at the days it made."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text
from typer.testing import CliRunner

from healthcode import cli
from healthcode.checkpoints import partition_repository as repo
from healthcode.checkpoints import partitions
from healthcode.checkpoints.models import OfflineScan, Scan
from tests.checkpoints import factories as f
from tests.checkpoints.test_scan_round_trips import wire
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="the scans table is partitioned on PostgreSQL only")


def _home(engine: Engine, scan_id: int) -> str:
    """The partition a scan is stored in."""
    with engine.connect() as conn:
        return str(conn.scalar(text("SELECT tableoid::regclass::text FROM scans WHERE id = :id"), {"id": scan_id}))


def _attached(engine: Engine) -> list[date]:
    with engine.connect() as conn:
        return repo.attached_days(conn)


def _scan_at(client, db, freeze, headers, point, resident, moment: datetime) -> int:  # type: ignore[no-untyped-def]
    freeze(moment)
    issued = f.issue(db, resident, moment)
    db.commit()
    answer = f.scan(client, headers, point, issued.qr_text)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["scan_id"])


def test_given_no_partitions_when_prepared_then_today_and_the_7_days_after_have_one_and_again_nothing(engine) -> None:
    # Given a day no partition exists for
    today = date(2031, 3, 1)
    assert today not in _attached(engine)
    # When the upkeep runs (every command and the server's start run it), twice
    made = partitions.prepare(engine, today)
    again = partitions.prepare(engine, today)
    # Then today and the 7 days after it have their partition, made once
    week = [today + timedelta(days=n) for n in range(partitions.DAYS_AHEAD + 1)]
    assert made == week and again == []
    assert set(week) <= set(_attached(engine))


def test_a_scan_lands_in_its_days_partition_and_the_scan_stays_one_statement(client, db, engine, freeze) -> None:
    # Given the partitions of the days ahead of NOW
    freeze(f.NOW)
    partitions.prepare(engine, f.NOW.date())
    headers, point, resident = f.scanning(client, db)
    codes = [f.issue(db, resident, f.NOW).qr_text for _ in range(2)]
    db.commit()
    # When a scan is recorded
    with wire(engine) as sent:
        # (the process's first scan reads the signing key too: tests/checkpoints/test_scan_round_trips.py)
        assert f.scan(client, headers, point, codes[0]).status_code == 201
        sent.mark()
        answer = f.scan(client, headers, point, codes[1])
        # Then it is still one statement in one round trip
        assert sent.since_mark() == (1, 1)
    # and it is stored in its day's partition
    assert answer.status_code == 201
    assert _home(engine, answer.json()["scan_id"]) == f"scans_p{f.NOW:%Y%m%d}"


def test_a_scan_of_a_day_without_partition_lands_in_default_and_moves_when_its_day_is_made(
    client, db, engine, freeze
) -> None:
    # Given a day without a partition, and its scan (and one from the offline queue pointing at it)
    moment = datetime(2021, 6, 1, 9, 30)
    assert moment.date() not in _attached(engine)
    headers, point, resident = f.scanning(client, db)
    scan_id = _scan_at(client, db, freeze, headers, point, resident, moment)
    # Then the scan was not refused: it is in the DEFAULT partition
    assert _home(engine, scan_id) == "scans_default"
    # When the upkeep makes the partitions from that day on
    made = partitions.prepare(engine, moment.date())
    # Then the day's partition is made although DEFAULT held a row of it, and the row moved into it, unchanged
    assert moment.date() in made
    assert _home(engine, scan_id) == f"scans_p{moment:%Y%m%d}"
    db.expire_all()
    moved = db.scalars(select(Scan).where(Scan.id == scan_id)).first()
    assert moved is not None and (moved.at, moved.point_id, moved.person_id) == (moment, point, resident.id)
    with engine.connect() as conn:
        assert moment.date() not in repo.default_days(conn)
    # and scans of the day go on into it
    later = _scan_at(client, db, freeze, headers, point, resident, moment + timedelta(hours=2))
    assert _home(engine, later) == f"scans_p{moment:%Y%m%d}"


def test_purge_drops_the_partitions_past_retention_and_deletes_what_remains(
    client, db, engine, freeze, cli_engine
) -> None:
    # Given partitions from 29 days before NOW on, a scan 31 days before (no partition: DEFAULT), 29 days before
    # (with an offline upload pointing at it) and 27 days before
    first = (f.NOW - timedelta(days=29)).date()
    partitions.prepare(engine, first)
    headers, point, resident = f.scanning(client, db)
    ids = {days: _scan_at(client, db, freeze, headers, point, resident, f.NOW - timedelta(days=days))
           for days in (31, 29, 27)}
    assert _home(engine, ids[31]) == "scans_default"
    assert _home(engine, ids[29]) == f"scans_p{first:%Y%m%d}"
    scanner_id = db.scalar(select(Scan.scanner_id).where(Scan.id == ids[29]))
    db.add(OfflineScan(scanner_id=scanner_id, client_scan_id="queued-0001", scanned_at=f.NOW - timedelta(days=29),
                       received_at=f.NOW - timedelta(days=29), scan_id=ids[29]))
    db.commit()
    # When the operator purges on NOW (retention 28 days)
    freeze(f.NOW)
    result = CliRunner().invoke(cli.app, ["purge"])
    # Then both older scans are counted as before, the 29-day partition is gone (detached and dropped), DEFAULT's
    # old row is deleted, the upload no longer points at a scan, and the 28-day partition and the newer scan stay
    assert result.exit_code == 0, result.output
    assert "2 条超过 28 天的扫码记录" in result.output
    db.expire_all()
    assert list(db.scalars(select(Scan.id))) == [ids[27]]
    assert first not in _attached(engine)
    with engine.connect() as conn:
        assert first not in repo.detached_days(conn)
    assert (f.NOW - timedelta(days=28)).date() in _attached(engine)
    assert db.scalar(select(OfflineScan.scan_id).where(OfflineScan.client_scan_id == "queued-0001")) is None


def test_a_partition_a_purge_detached_but_did_not_drop_is_dropped_and_counted_by_the_next(
    client, db, engine, freeze
) -> None:
    # Given a purge that died after detaching a day's partition with a scan in it
    day = date(2019, 5, 1)
    headers, point, resident = f.scanning(client, db)
    partitions.prepare(engine, day)
    _scan_at(client, db, freeze, headers, point, resident, datetime(2019, 5, 1, 8, 0))
    with engine.begin() as conn:
        repo.detach(conn, day)
    # When the next purge runs
    dropped = partitions.drop_past(engine, datetime(2019, 6, 1))
    # Then the detached table is dropped and its scan counted
    assert dropped == 1
    with engine.connect() as conn:
        assert day not in repo.detached_days(conn) and day not in repo.attached_days(conn)


def test_the_console_reads_scans_across_partitions_and_default_alike(client, db, engine, freeze) -> None:
    # Given scans of two days, one in a partition and one in DEFAULT
    from healthcode.console import records

    day = date(2022, 3, 10)
    partitions.prepare(engine, day)
    headers, point, resident = f.scanning(client, db)
    before = _scan_at(client, db, freeze, headers, point, resident, datetime(2022, 3, 9, 9))
    inside = _scan_at(client, db, freeze, headers, point, resident, datetime(2022, 3, 10, 9))
    assert (_home(engine, inside), _home(engine, before)) == ("scans_p20220310", "scans_default")
    # When the unit's records page is read over both days
    org_id = db.scalar(select(Scan.org_id).where(Scan.id == inside))
    query = records.parse_query(org_id, "2022-03-09", "2022-03-10", "", "")
    page = records.page_of(db, query.filter, 1)
    # Then both are there, newest first
    assert [row["id"] for row in page["rows"]] == [inside, before] and page["total"] == 2
