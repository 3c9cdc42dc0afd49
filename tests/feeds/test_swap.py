"""Snapshots and appends to small tables are written to a fresh table swapped in at the end (swap.py): the schema
stays exactly the models', and the stored rows are exactly what row-by-row writing stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from healthcode.db import Base, not_a_partition
from healthcode.feeds import writers
from healthcode.feeds.service import load_file
from tests.feeds.files import batches, person_id, stored, write_csv

DRUGS = ["record_id", "id_number", "name", "purchased_at", "drug_code", "drug_name", "institution"]
HOUSEHOLDS = ["id_number", "name", "address", "region_code"]
ADDRESS = "福建省福州市鼓楼区软件园社区3号楼"


def purchase(record: str, n: int, day: int, drug: str = "XN01") -> list[str]:
    return [record, person_id(n), f"居民{n}", f"2020-02-{day:02d}T09:00:00+08:00", drug, "", "仁爱药店"]


def schema_diff(engine) -> list:
    with engine.connect() as conn:
        opts = {"compare_type": False, "include_name": not_a_partition}  # the scans' day partitions are the upkeep's
        return compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)


def test_given_snapshots_swapped_in_then_the_schema_is_still_the_models(engine, tmp_path, settings) -> None:
    for name, people in (("a.csv", range(5)), ("b.csv", range(3, 9))):
        rows = [[person_id(n), f"居民{n}", ADDRESS, ""] for n in people]
        path = write_csv(tmp_path, name, HOUSEHOLDS, rows)
        assert load_file(engine, settings, "households", path).status == "applied"
    assert [r[0] for r in stored(engine, "households", "id_number")] == [person_id(n) for n in range(3, 9)]
    # Ids follow the file order (a person's latest household row is the one with the highest id).
    ids = [r[0] for r in sorted(stored(engine, "households", "id", "id_number"), key=lambda r: r[1])]
    assert ids == sorted(ids)
    assert schema_diff(engine) == []


def test_given_a_rejected_snapshot_then_the_old_table_and_its_indexes_stay(engine, tmp_path, settings) -> None:
    first = write_csv(tmp_path, "a.csv", HOUSEHOLDS, [[person_id(1), "甲", ADDRESS, ""]])
    load_file(engine, settings, "households", first)
    before = stored(engine, "households", "id", "id_number", "batch_id")
    bad = write_csv(tmp_path, "b.csv", HOUSEHOLDS, [[person_id(2), "乙", ADDRESS, ""], ["123", "丙", ADDRESS, ""]])
    assert load_file(engine, settings, "households", bad).status == "rejected"
    assert stored(engine, "households", "id", "id_number", "batch_id") == before
    assert schema_diff(engine) == []


@pytest.mark.parametrize("rebuild", [False, True])
def test_given_appends_then_rebuilding_stores_what_row_by_row_upserts_store(engine, tmp_path: Path, monkeypatch,
                                                                             rebuild, settings) -> None:
    monkeypatch.setattr(writers.BulkWriter, "_fewer_stored_than", lambda self, rows: rebuild)
    first = load_file(engine, settings, "drug_purchases", write_csv(tmp_path, "a.csv", DRUGS, [
        purchase("P1", 1, 1), purchase("P2", 2, 2), purchase("P3", 3, 3)]))
    kept = dict(stored(engine, "drug_purchases", "record_id", "id"))
    second = load_file(engine, settings, "drug_purchases", write_csv(tmp_path, "b.csv", DRUGS, [
        purchase("P2", 2, 5, "XN09"), purchase("P4", 4, 4), purchase("P2", 2, 6, "XN10"), purchase("P5", 5, 5)]))
    assert (first.status, second.status, second.applied) == ("applied", "applied", 4)
    assert stored(engine, "drug_purchases", "record_id", "drug_code", "purchased_on", "batch_id") == [
        ("P1", "XN01", first_day(1), first.batch_id), ("P2", "XN10", first_day(6), second.batch_id),
        ("P3", "XN01", first_day(3), first.batch_id), ("P4", "XN01", first_day(4), second.batch_id),
        ("P5", "XN01", first_day(5), second.batch_id)]
    ids = dict(stored(engine, "drug_purchases", "record_id", "id"))
    assert {k: ids[k] for k in kept} == kept  # a replaced record keeps its id, as ON CONFLICT DO UPDATE does
    assert min(ids["P4"], ids["P5"]) > max(kept.values())
    assert [b.status for b in batches(engine)] == ["applied", "applied"]
    assert schema_diff(engine) == []


def first_day(day: int):
    from datetime import date

    return date(2020, 2, day)


@pytest.mark.parametrize("rebuild", [False, True])
def test_given_a_batch_over_several_insert_statements_then_the_last_row_with_a_key_wins(
        engine, tmp_path: Path, settings, monkeypatch, rebuild) -> None:
    # Given statements of two rows each (SQLite writes many rows per INSERT) over chunks of three rows (a row is
    # left over for the next chunk), a key repeated inside one statement (P1, P1) and across statements (P2 ... P2),
    # and an odd row left for a last, shorter statement.
    monkeypatch.setattr(writers, "SQLITE_VARIABLES", 2 * 9)
    settings = settings.model_copy(update={"feed_chunk_rows": 3})
    monkeypatch.setattr(writers.BulkWriter, "_fewer_stored_than", lambda self, rows: rebuild)
    load_file(engine, settings, "drug_purchases", write_csv(tmp_path, "a.csv", DRUGS, [purchase("P3", 3, 3)]))
    rows = [purchase("P1", 1, 1), purchase("P1", 1, 2, "XN02"), purchase("P2", 2, 3), purchase("P4", 4, 4),
            purchase("P2", 2, 5, "XN05"), purchase("P3", 3, 6, "XN06"), purchase("P5", 5, 7)]
    report = load_file(engine, settings, "drug_purchases", write_csv(tmp_path, "b.csv", DRUGS, rows))
    assert (report.status, report.applied) == ("applied", 7)
    assert stored(engine, "drug_purchases", "record_id", "drug_code", "purchased_on") == [
        ("P1", "XN02", first_day(2)), ("P2", "XN05", first_day(5)), ("P3", "XN06", first_day(6)),
        ("P4", "XN01", first_day(4)), ("P5", "XN01", first_day(7))]
    assert schema_diff(engine) == []


@pytest.mark.parametrize(("feed", "header", "row"), [
    ("households", HOUSEHOLDS, [person_id(1), "居民1", ADDRESS, ""]),
    ("drug_purchases", DRUGS, purchase("P1", 1, 20)),
])
def test_given_a_sqlite_load_then_its_connection_gets_back_its_cache_and_sorter_threads(engine, tmp_path, feed, header,
                                                                                        row, settings) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's per-connection settings")
    engine.pool.dispose()  # one connection, used by the load and then by the check
    # Given a load that changes the page cache and the sorter threads of its connection for the load
    assert load_file(engine, settings, feed, write_csv(tmp_path, "a.csv", header, [row])).status == "applied"
    # Then the connection goes back to the pool with SQLite's defaults
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -2000
        assert conn.exec_driver_sql("PRAGMA threads").scalar() == 0
