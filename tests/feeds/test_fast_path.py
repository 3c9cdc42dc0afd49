"""The vectorised CSV fast path stores exactly what the per-row path stores and reports exactly the same errors.

Each file is streamed twice through the loader's own `_stream`, once with the fast path and once without (the
setting `feed_fast_path`, HEALTHCODE_FEED_FAST_PATH=0), and the written rows (dates as the text the databases store)
and reports compared.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from healthcode.config import Settings
from healthcode.feeds import fastpath, loader
from healthcode.feeds.definitions import FEEDS
from healthcode.feeds.models import Batch
from healthcode.feeds.parsing import open_feed_file
from healthcode.feeds.service import load_file
from healthcode.feeds.validation import FeedValidator
from tests.feeds.files import bad_check, person_id

TODAY = date(2020, 2, 24)
A, B, C = person_id(1), person_id(2), person_id(3)
HOUSEHOLDS = "id_number,name,address,region_code"
DRUGS = "record_id,id_number,name,purchased_at,drug_code,drug_name,institution"
ADDRESS = "福建省福州市鼓楼区软件园社区3号楼"


class Collect:
    """A writer that keeps what it is given, dates as the text SQLite stores (what the fast path produces)."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        self.rows.extend(tuple(_text(v) for v in row) for row in rows)


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(" ", "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def stream(path: Path, feed: str, fast: bool, monkeypatch: pytest.MonkeyPatch, max_bad_rows: int = 0,
           chunk_rows: int = 4) -> tuple[dict[str, Any], list[tuple[Any, ...]], int]:
    """(report, written rows, rows the fast path proved) for one pass over the file."""
    options = Settings(env="test", feed_fast_path=fast, feed_chunk_rows=chunk_rows)
    proved = []
    original = fastpath.FastConverter.convert

    def spy(self: Any, text: str, lines: int, crlf: bool = False) -> Any:
        out = original(self, text, lines, crlf)
        proved.append(len(out or []))
        return out

    monkeypatch.setattr(fastpath.FastConverter, "convert", spy)
    writer, report = Collect(), loader.BatchReport(feed, "applied", 0)
    with open_feed_file(path, options) as feed_file:
        loader._stream(feed_file, FeedValidator(FEEDS[feed], TODAY), writer, report, max_bad_rows, None,  # type: ignore[arg-type]
                       options)
    return report.as_json() | {"bad_row_count": report.bad_row_count}, writer.rows, sum(proved)


def same_both_ways(tmp_path: Path, feed: str, content: str | bytes, monkeypatch: pytest.MonkeyPatch,
                   **options: Any) -> tuple[dict[str, Any], list[tuple[Any, ...]], int]:
    path = tmp_path / "feed.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    fast = stream(path, feed, True, monkeypatch, **options)
    slow = stream(path, feed, False, monkeypatch, **options)
    assert fast[:2] == slow[:2]
    assert slow[2] == 0
    return fast


def lines(header: str, *rows: str, end: str = "\n") -> str:
    return end.join([header, *rows]) + end


def test_given_clean_households_then_the_fast_path_proves_them_all(tmp_path, monkeypatch) -> None:
    rows = [f"{person_id(n)},居民{n},{ADDRESS},{'350102' if n % 2 else ''}" for n in range(10)]
    report, written, proved = same_both_ways(tmp_path, "households", lines(HOUSEHOLDS, *rows), monkeypatch)
    assert (report["rows"], report["applied"], proved) == (10, 10, 10)
    assert written[0] == (person_id(0), "居民0", ADDRESS, None, "350102", "软件园社区3号楼")


def test_given_a_bom_crlf_and_whitespace_around_values_then_the_same_values(tmp_path, monkeypatch) -> None:
    rows = [f"  {A} ,\u3000李斌\t,{ADDRESS} , ", f"{B},王芳,{ADDRESS},350102 ", f"{C},张三,{ADDRESS},"]
    content = "\ufeff" + lines("ID_Number, Name ,address,region_code", *rows, end="\r\n")
    report, written, proved = same_both_ways(tmp_path, "households", content, monkeypatch, chunk_rows=2)
    assert proved == 3 and written[0][:2] == (A, "李斌")


@pytest.mark.parametrize("cell", [A[:-1] + "x" if A.endswith("X") else "11010519491231002x", "350102800101001",
                                  bad_check(A), "350102202101010012", "350102198002300013", "", "３５０１０２"])
def test_given_an_unusual_id_number_then_the_per_row_path_decides(tmp_path, monkeypatch, cell) -> None:
    rows = [f"{B},王芳,{ADDRESS},", f"{cell},李斌,{ADDRESS},", f"{C},张三,{ADDRESS},"]
    report, _, proved = same_both_ways(tmp_path, "households", lines(HOUSEHOLDS, *rows), monkeypatch, max_bad_rows=1)
    assert proved == 0  # the block holding it went the per-row way


def test_given_quoted_cells_with_newlines_then_line_numbers_follow_the_file(tmp_path, monkeypatch) -> None:
    rows = [f"{A},李斌,{ADDRESS},", f"{B},王芳,{ADDRESS},", f'{C},"张\n三","{ADDRESS}, 2楼",', f"{bad_check(A)},李四,,"]
    report, written, proved = same_both_ways(tmp_path, "households", lines(HOUSEHOLDS, *rows), monkeypatch,
                                             chunk_rows=2, max_bad_rows=2)
    # A line break is never part of a value (issue 12): the quoted record ending on line 5 is refused for it.
    assert proved == 2 and [e["line"] for e in report["bad_rows"]] == [5, 6, 6]
    assert "换行符" in report["bad_rows"][0]["reason"] and len(written) == 2


def test_given_blank_lines_ragged_rows_and_long_cells_then_the_same_report(tmp_path, monkeypatch) -> None:
    rows = [f"{A},李斌,{ADDRESS},", "", f"{B},王芳", f"{C},{'名' * 65},{ADDRESS},", f"{person_id(4)},丁,{ADDRESS},,x"]
    report, _, _ = same_both_ways(tmp_path, "households", lines(HOUSEHOLDS, *rows), monkeypatch, max_bad_rows=5)
    assert report["bad_row_count"] == 2


@pytest.mark.parametrize("stamp", ["2020-02-20T09:00:00+08:00", "2020-02-20 09:00:00", "2020-02-20T09:00:00",
                                   "2020-02-20 09:00", "2020-02-20T01:00:00Z", "1988-06-01T09:00:00+08:00",
                                   "2020-02-20T09:00:00.5+08:00", "2020-02-30T09:00:00", "2020-02-20T24:00:00",
                                   "2020-02-20T09:00:00+09:00", "20200220T090000"])
def test_given_drug_purchase_times_then_the_same_stored_values(tmp_path, monkeypatch, stamp) -> None:
    rows = [f"P1,{A},李斌,{stamp},XN01,,仁爱药店", f"P2,{B},王芳,2020-02-21T10:00:00+08:00,XN02,布洛芬,"]
    same_both_ways(tmp_path, "drug_purchases", lines(DRUGS, *rows), monkeypatch, max_bad_rows=1)


def test_given_a_record_id_twice_in_a_batch_then_both_paths_write_both_in_file_order(tmp_path, monkeypatch) -> None:
    rows = [f"P1,{A},李斌,2020-02-20T09:00:00+08:00,XN01,,", f"P1,{A},李斌,2020-02-21T09:00:00+08:00,XN02,,"]
    _, written, proved = same_both_ways(tmp_path, "drug_purchases", lines(DRUGS, *rows), monkeypatch)
    assert proved == 2 and [r[0] for r in written] == ["P1", "P1"]  # the writers keep the last one


def test_given_a_reordered_header_with_extra_and_repeated_columns_then_the_same(tmp_path, monkeypatch) -> None:
    header = "name,extra,id_number,address,name"
    rows = [f"旧名,x,{A},{ADDRESS},李斌", f"旧名,y,{B},{ADDRESS},王芳"]
    _, written, proved = same_both_ways(tmp_path, "households", lines(header, *rows), monkeypatch)
    assert proved == 2 and [r[1] for r in written] == ["李斌", "王芳"]


CELLS = st.sampled_from([A, B, bad_check(C), " " + A, "11010519491231002x", "350102800101001", "", " ", "李斌",
                         "王 芳", "\u3000", "名" * 65, ADDRESS, "350102", "鼓楼区", "2020-02-20T09:00:00+08:00",
                         "2020-02-20 09:00:00", "2020-13-01T00:00:00", "\t", "x\\y", "XN01"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELLS, min_size=3, max_size=5), max_size=12), feed=st.sampled_from(
    ["households", "drug_purchases"]))
def test_given_any_mix_of_cells_then_the_fast_path_changes_nothing(tmp_path_factory, monkeypatch, rows, feed) -> None:
    header = HOUSEHOLDS if feed == "households" else "record_id,id_number,name,purchased_at,drug_code"
    body = [",".join(r) for r in rows]
    same_both_ways(tmp_path_factory.mktemp("h"), feed, lines(header, *body), monkeypatch, max_bad_rows=100,
                   chunk_rows=3)


def stored_rows(engine: Any, feed: str) -> list[tuple[Any, ...]]:
    table = FEEDS[feed].model.__table__  # type: ignore[attr-defined]
    columns = [c for c in table.c if c.name not in ("id", "batch_id")]
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(*columns)).all())


def forget(engine: Any, feed: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(FEEDS[feed].model.__table__))  # type: ignore[attr-defined]
        conn.execute(delete(Batch))


@pytest.mark.parametrize(("feed", "header", "rows"), [
    ("households", HOUSEHOLDS, [f"{person_id(n)},居民{n}, {ADDRESS}{n}号 ,{'350102' if n % 3 else ''}"
                                for n in range(30)] + [f"{A},甲,福州市鼓楼区＼软件园,"]),
    ("drug_purchases", DRUGS, [f"P{n},{person_id(n)},居民{n},2020-02-{n % 20 + 1:02d}T09:00:00+08:00,XN{n % 4},"
                               f"{'布洛芬' if n % 2 else ''},{'' if n % 5 else '仁爱药店'}" for n in range(30)]
     + [f"P3,{A},李斌,2020-02-20 10:00:00,XN9,,"]),
])
def test_given_a_file_loaded_with_and_without_the_fast_path_then_the_database_holds_the_same(
        engine, tmp_path, settings, feed, header, rows) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(lines(header, *rows), encoding="utf-8")
    stored_by_path = []
    for fast in (True, False):
        forget(engine, feed)
        options = settings.model_copy(update={"feed_chunk_rows": 8, "feed_fast_path": fast})
        assert load_file(engine, options, feed, path).status == "applied"
        stored_by_path.append(stored_rows(engine, feed))
    assert stored_by_path[0] == stored_by_path[1] and len(stored_by_path[0]) == 30 + (feed == "households")


@pytest.mark.parametrize("content", [
    f"{HOUSEHOLDS}\r\n{A},甲,{ADDRESS},\r\n{B},乙,{ADDRESS},\n{C},丙,{ADDRESS},\r\n",  # mixed line ends
    f"{HOUSEHOLDS}\n{A},甲,{ADDRESS},\n{B},乙\r{ADDRESS},\n{C},丙,{ADDRESS},",  # a lone CR, no final newline
    f"{HOUSEHOLDS}\r\n{A},甲,{ADDRESS},\r\n\r\n{B},乙,{ADDRESS},\r\n{C},丙,{ADDRESS},\r",  # blank line, final CR
    f"{HOUSEHOLDS}\n{A},甲,{ADDRESS},\n{B},乙,{ADDRESS}\x00,\n",  # NUL
    f"{HOUSEHOLDS}\n{A},甲,{ADDRESS},\n{B},乙,{ADDRESS},\n\n{C},丙,{ADDRESS},\r\r",  # a blank line opens a block
])
def test_given_odd_line_ends_then_the_same_rows_and_line_numbers(tmp_path, monkeypatch, content) -> None:
    same_both_ways(tmp_path, "households", content, monkeypatch, max_bad_rows=5, chunk_rows=2)
