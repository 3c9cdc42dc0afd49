"""NUL and other control characters in a feed (issue 12): the row is refused with its line, column and a Chinese
reason, in every format, through the fast path and the per-row path, and by the realtime push. On PostgreSQL a NUL
used to hang the COPY for good (the backend kept its lock): every load here must end within a bounded wait."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from healthcode.config import Settings
from healthcode.feeds.loader import BatchReport
from healthcode.feeds.service import load_file
from tests.feeds.files import batches, person_id, stored, write
from tests.feeds.test_api import provider

HOUSEHOLDS = ["id_number", "name", "address", "region_code"]
ADDRESS = "福建省福州市鼓楼区软件园社区3号楼"
WAIT_SECONDS = 60


def load_within_bounds(engine: Any, settings: Settings, feed: str, path: Path, **kwargs: Any) -> BatchReport:
    """load_file in a thread, waited for at most WAIT_SECONDS: a hang fails the test instead of blocking the run."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["report"] = load_file(engine, settings, feed, path, **kwargs)
        except BaseException as exc:  # handed to the test
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(WAIT_SECONDS)
    assert not worker.is_alive(), f"the load did not finish within {WAIT_SECONDS} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["report"]  # type: ignore[no-any-return]


def rows_with(bad_name: str, good: int = 40) -> list[list[Any]]:
    """`good` valid households, then one whose name holds `bad_name` (line good + 2 in CSV and XLSX)."""
    rows = [[person_id(n), f"居民{n}", ADDRESS, ""] for n in range(1, good + 1)]
    return [*rows, [person_id(good + 1), bad_name, ADDRESS, ""]]


@pytest.mark.parametrize("fast", ["1", "0"])
@pytest.mark.parametrize(("char", "what"), [("\x00", "NUL"), ("\x01", "控制字符"), ("\x1b", "控制字符")])
def test_given_a_control_character_in_a_csv_cell_then_its_row_is_refused_and_the_load_ends(
        engine, tmp_path, settings, fast, char, what) -> None:
    options = settings.model_copy(update={"feed_fast_path": fast == "1"})
    path = write(tmp_path, "h.csv", HOUSEHOLDS, rows_with(f"李{char}斌"))
    report = load_within_bounds(engine, options, "households", path)
    assert report.status == "rejected"
    [error] = report.bad_rows
    assert (error.line, error.column) == (42, "name")
    assert what in error.reason and f"U+{ord(char):04X}" in error.reason
    assert stored(engine, "households", "id") == []


# The row's line: a quoted CSV cell with a line break ends on the next line (the csv module's count).
@pytest.mark.parametrize(("name", "line"), [("h.csv", 5), ("h.jsonl", 3), ("h.xlsx", 4)])
def test_given_a_line_break_inside_a_cell_then_its_row_is_refused_in_every_format(engine, tmp_path, name, line,
                                                                                  settings) -> None:
    path = write(tmp_path, name, HOUSEHOLDS, rows_with("李\n斌", good=2))
    report = load_within_bounds(engine, settings, "households", path)
    assert report.status == "rejected"
    assert [(e.line, e.column) for e in report.bad_rows] == [(line, "name")]
    assert "换行符" in report.bad_rows[0].reason


def test_given_a_nul_in_a_json_line_then_the_row_is_refused_and_the_others_load_when_allowed(engine, tmp_path,
                                                                                             settings) -> None:
    rows = rows_with("李\x00斌", good=3)
    rows[1][2] = "福建省福州市\x00鼓楼区"  # an address too: every bad cell is named
    path = write(tmp_path, "h.jsonl", HOUSEHOLDS, rows)
    report = load_within_bounds(engine, settings, "households", path, max_bad_rows=2)
    assert report.status == "applied" and report.applied == 2
    assert [(e.line, e.column) for e in report.bad_rows] == [(2, "address"), (4, "name")]
    assert stored(engine, "households", "name") == [("居民1",), ("居民3",)]


def test_given_tabs_and_ideographic_spaces_then_they_are_kept(engine, tmp_path, settings) -> None:
    path = write(tmp_path, "h.csv", HOUSEHOLDS, [[person_id(1), "李\t斌", "福建省\u3000福州市", ""]])
    report = load_within_bounds(engine, settings, "households", path)
    assert report.status == "applied", report.bad_rows
    assert stored(engine, "households", "name", "address") == [("李\t斌", "福建省\u3000福州市")]


def test_given_a_pushed_record_with_a_nul_then_422_names_the_column_and_nothing_is_stored(client, engine) -> None:
    created = provider(engine)
    record = {"id_number": person_id(1), "name": "李\u0000斌", "status": "confirmed",
              "reported_at": "2020-02-20T10:00:00+08:00"}
    response = client.post("/api/v1/feeds/cases/records", headers={"X-API-Key": created.api_key}, json=record)
    assert response.status_code == 422
    assert response.json()["bad_rows"] == [
        {"line": 1, "column": "name", "reason": "含有不可见的NUL（U+0000），请删除后重新报送"}]
    assert stored(engine, "cases", "id") == [] and batches(engine) == []
