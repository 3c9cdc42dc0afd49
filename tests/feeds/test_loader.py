"""Loading batches: formats, snapshots, append upserts, all-or-nothing, skipped rows, duplicates, provenance."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from healthcode.errors import Invalid
from healthcode.feeds.service import load_file
from tests.feeds.files import bad_check, batches, person_id, stored, write, write_csv

HOUSEHOLDS = ["id_number", "name", "address", "region_code"]
CASES = ["id_number", "name", "status", "reported_at", "record_id"]
A, B, C = person_id(1), person_id(2), person_id(3)


def households(tmp_path: Path, name: str, *people: str) -> Path:
    rows = [[p, f"居民{p[-4:]}", "福建省福州市鼓楼区软件园社区3号楼", ""] for p in people]
    return write(tmp_path, name, HOUSEHOLDS, rows)


@pytest.mark.parametrize("name", ["data.csv", "data.xlsx", "data.jsonl"])
def test_given_the_same_data_in_each_format_then_the_same_rows_are_stored(engine, tmp_path, name, settings) -> None:
    rows = [[A, "李斌", "确诊", "2020-02-20T10:00:00+08:00", "NHC-1"],
            [B, "王芳", "suspected", "2020-02-21 08:30:00", ""]]
    report = load_file(engine, settings, "cases", write(tmp_path, name, CASES, rows))
    assert report.as_json() | {"batch_id": None} == {
        "status": "applied", "rows": 2, "bad_rows": [], "applied": 2, "batch_id": None}
    assert stored(engine, "cases", "id_number", "name", "status", "reported_at", "record_id") == [
        (A, "李斌", "confirmed", datetime(2020, 2, 20, 10, 0), "NHC-1"),
        (B, "王芳", "suspected", datetime(2020, 2, 21, 8, 30), None)]


@pytest.mark.parametrize(("name", "line"), [("data.csv", 3), ("data.xlsx", 3), ("data.jsonl", 2)])
def test_given_a_bad_row_then_its_line_number_follows_the_format(engine, tmp_path, name, line, settings) -> None:
    path = households(tmp_path, name, A, bad_check(B))
    report = load_file(engine, settings, "households", path)
    assert report.status == "rejected"
    assert report.as_json()["bad_rows"] == [{"line": line, "column": "id_number", "reason": "身份证号校验码错误"}]


def test_given_a_new_snapshot_then_it_replaces_the_whole_previous_one(engine, tmp_path, settings) -> None:
    load_file(engine, settings, "households", households(tmp_path, "a.csv", A, B))
    report = load_file(engine, settings, "households", households(tmp_path, "b.csv", B, C))
    assert report.status == "applied"
    assert stored(engine, "households", "id_number", "batch_id") == [(B, report.batch_id), (C, report.batch_id)]


def test_given_households_then_the_county_and_normalised_address_are_stored(engine, tmp_path, settings) -> None:
    rows = [[A, "李斌", "福建省福州市鼓楼区软件园社区3号楼", ""], [B, "王芳", "软件园社区5号楼", "350102"]]
    load_file(engine, settings, "households", write(tmp_path, "h.csv", HOUSEHOLDS, rows))
    assert stored(engine, "households", "id_number", "county_code", "address_norm", "region_code") == [
        (A, "350102", "软件园社区3号楼", None), (B, "350102", "软件园社区5号楼", "350102")]


def test_given_an_append_feed_then_a_resent_row_without_record_id_is_stored_once(engine, tmp_path, settings) -> None:
    row = [A, "李斌", "confirmed", "2020-02-20T10:00:00", ""]
    load_file(engine, settings, "cases", write(tmp_path, "a.csv", CASES, [row, row]))
    load_file(engine, settings, "cases",
              write(tmp_path, "b.csv", CASES, [row, [B, "王芳", "suspected", "2020-02-21T08:00", ""]]))
    assert stored(engine, "cases", "id_number") == [(A,), (B,)]


def test_given_a_known_record_id_then_the_stored_record_is_replaced(engine, tmp_path, settings) -> None:
    load_file(engine, settings, "cases",
              write(tmp_path, "a.csv", CASES, [[A, "李斌", "suspected", "2020-02-20T10:00", "R1"]]))
    second = load_file(engine, settings, "cases", write(tmp_path, "b.csv", CASES, [
        [A, "李斌", "confirmed", "2020-02-22T10:00", "R1"], [A, "李斌", "cleared", "2020-02-23T10:00", "R1"]]))
    assert stored(engine, "cases", "record_id", "status", "batch_id") == [("R1", "cleared", second.batch_id)]


def test_given_drug_purchases_then_the_local_day_is_derived(engine, tmp_path, settings) -> None:
    header = ["record_id", "id_number", "name", "purchased_at", "drug_code", "drug_name", "institution"]
    rows = [["P1", A, "李斌", "2020-02-20T17:00:00Z", "XN01", "", "仁爱药店"]]
    load_file(engine, settings, "drug_purchases", write(tmp_path, "p.jsonl", header, rows))
    assert stored(engine, "drug_purchases", "purchased_at", "purchased_on", "drug_name", "institution") == [
        (datetime(2020, 2, 21, 1, 0), date(2020, 2, 21), None, "仁爱药店")]


def test_given_one_bad_row_then_nothing_is_applied_and_the_previous_state_stays_exactly(engine, tmp_path,
                                                                                        settings) -> None:
    first = load_file(engine, settings, "households", households(tmp_path, "a.csv", A, B))
    before = stored(engine, "households", "id", "id_number", "batch_id", "address_norm")
    path = write_csv(tmp_path, "b.csv", HOUSEHOLDS, [[C, "张三", "鼓楼区", ""], [bad_check(A), "李四", "", ""]])
    report = load_file(engine, settings, "households", path)
    assert report.as_json() == {"status": "rejected", "rows": 2, "applied": 0, "batch_id": report.batch_id,
                                "bad_rows": [{"line": 3, "column": "id_number", "reason": "身份证号校验码错误"},
                                             {"line": 3, "column": "address", "reason": "必填项为空"}]}
    assert stored(engine, "households", "id", "id_number", "batch_id", "address_norm") == before
    assert [(b.id, b.status) for b in batches(engine)] == [(first.batch_id, "applied"), (report.batch_id, "rejected")]


def test_given_max_bad_rows_then_up_to_that_many_are_skipped_and_reported(engine, tmp_path, settings) -> None:
    rows = [[A, "甲", "x", ""], [bad_check(B), "乙", "x", ""], [C, "丙", "", ""], [person_id(4), "丁", "x", ""]]
    path = write_csv(tmp_path, "h.csv", HOUSEHOLDS, rows)
    assert load_file(engine, settings, "households", path, max_bad_rows=1).status == "rejected"
    report = load_file(engine, settings, "households", path, max_bad_rows=2)
    assert (report.status, report.rows, report.applied) == ("applied", 4, 2)
    assert [e["line"] for e in report.as_json()["bad_rows"]] == [3, 4]
    assert stored(engine, "households", "id_number") == [(A,), (person_id(4),)]


def test_given_a_header_without_a_required_column_then_rejected_on_line_1(engine, tmp_path, settings) -> None:
    load_file(engine, settings, "households", households(tmp_path, "a.csv", A))
    path = write_csv(tmp_path, "b.csv", ["id_number", "name", "extra"], [[B, "王芳", "x"]])
    report = load_file(engine, settings, "households", path)
    assert report.status == "rejected"
    assert report.as_json()["bad_rows"] == [{"line": 1, "column": "address", "reason": "缺少必填列"}]
    assert stored(engine, "households", "id_number") == [(A,)]


def test_given_an_append_file_already_applied_then_it_is_a_duplicate_no_op(engine, tmp_path, settings) -> None:
    path = write_csv(tmp_path, "c.csv", CASES, [[A, "李斌", "confirmed", "2020-02-20T10:00", ""]])
    first = load_file(engine, settings, "cases", path)
    again = load_file(engine, settings, "cases", path)
    assert (again.status, again.rows, again.batch_id) == ("duplicate", 1, first.batch_id)
    assert stored(engine, "cases", "batch_id") == [(first.batch_id,)]


def test_given_a_snapshot_then_only_the_current_one_counts_as_duplicate(engine, tmp_path, settings) -> None:
    a, b = households(tmp_path, "a.csv", A), households(tmp_path, "b.csv", B)
    load_file(engine, settings, "households", a)
    assert load_file(engine, settings, "households", a).status == "duplicate"
    load_file(engine, settings, "households", b)
    # Sending yesterday's snapshot again is a real change: it becomes the current content again.
    assert load_file(engine, settings, "households", a).status == "applied"
    assert stored(engine, "households", "id_number") == [(A,)]


def test_given_an_applied_batch_then_its_provenance_is_kept(engine, tmp_path, settings) -> None:
    path = households(tmp_path, "户籍.csv", A, B)
    report = load_file(engine, settings, "households", path, operator="张科长")
    [batch] = batches(engine)
    assert (batch.id, batch.feed, batch.status, batch.source, batch.operator) == (
        report.batch_id, "households", "applied", "户籍.csv", "张科长")
    assert (batch.rows_read, batch.rows_applied, batch.bad_rows, len(batch.sha256)) == (2, 2, 0, 64)
    assert isinstance(batch.created_at, datetime)


def test_given_a_rejected_batch_then_its_errors_are_recorded_for_the_status_board(engine, tmp_path, settings) -> None:
    load_file(engine, settings, "households", households(tmp_path, "a.csv", bad_check(A)))
    [batch] = batches(engine)
    assert batch.status == "rejected" and batch.bad_rows == 1
    assert json.loads(batch.errors) == [{"line": 2, "column": "id_number", "reason": "身份证号校验码错误"}]


def test_given_many_rows_then_they_are_written_in_chunks_with_progress(engine, tmp_path, settings) -> None:
    seven = settings.model_copy(update={"feed_chunk_rows": 7})
    seen: list[int] = []
    report = load_file(engine, seven, "households", households(tmp_path, "a.csv", *(person_id(n) for n in range(50))),
                       on_progress=seen.append)
    assert report.applied == 50 and len(stored(engine, "households", "id")) == 50
    assert len(seen) == 8 and seen == sorted(seen) and seen[-1] == (tmp_path / "a.csv").stat().st_size


@pytest.mark.parametrize(("feed", "name"), [("nope", "a.csv"), ("households", "a.txt"), ("households", "gone.csv")])
def test_given_an_unknown_feed_or_file_then_invalid_in_chinese(engine, tmp_path, feed, name, settings) -> None:
    (tmp_path / "a.txt").write_text("x")
    households(tmp_path, "a.csv", A)
    with pytest.raises(Invalid):
        load_file(engine, settings, feed, tmp_path / name)


def test_given_a_jsonl_line_that_is_not_an_object_then_it_is_a_bad_row(engine, tmp_path, settings) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id_number": A, "name": "李斌", "address": "x"}) + "\n\n[1, 2]\n{oops\n")
    report = load_file(engine, settings, "households", path)
    assert [(e["line"], e["column"]) for e in report.as_json()["bad_rows"]] == [(3, ""), (4, "")]
