"""The 扫码记录 console at province scale: 10M scans (× --scale) across 1,000 units, the filtered, paginated records
page (target p95 < 200 ms) and a 100,000-row Excel export (target < 20 s, peak memory < 500 MiB), on SQLite and
PostgreSQL. Baseline in the same run: the floor query `SELECT … FROM scans ORDER BY id DESC LIMIT 10`.

`--partitioned` (PostgreSQL; issue 13): the same scans twice in the same run, in the plain table of before the
partitioning (primary key id) and in the table partitioned by day (a partition per day and DEFAULT, as the migration
and the upkeep make it), both loaded first and then measured in turn (each page query on one then the other, the
exports alternately), and the purge of the oldest day: DELETE of its rows from the plain table, DETACH + DROP of its
partition.

    .venv/bin/python -m bench.console_records [--scale 1.0] [--backends sqlite,postgresql] [--queries 60]
        [--export-rows 100000] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--partitioned]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

DATA = Path(__file__).parent / "data"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FULL = 10_000_000
ORGS, POINTS_PER_ORG, SCANNERS_PER_ORG, PERSONS = 1000, 10, 4, 200_000
START = datetime(2020, 2, 1)
DAYS = 28
BIG_ORG = 1  # holds the export's rows


def prepare(url: str, rows: int, export_rows: int, *, partitioned: bool = True) -> Engine:
    """The database with its scans. On PostgreSQL the models make the scans table partitioned (a partition is made
    for each day of the data before loading); `partitioned=False` makes it the plain table it was before."""
    import healthcode.models  # noqa: F401
    from healthcode.checkpoints import partition_repository
    from healthcode.checkpoints.models import Scan
    from healthcode.db import Base, make_engine

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    scan_indexes = list(Scan.__table__.indexes)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql" and not partitioned:
            _plain_scans(conn)
        elif engine.dialect.name == "postgresql":
            for day in range(DAYS + 1):
                partition_repository.make_partition(conn, (START + timedelta(days=day)).date(),
                                                    move_from_default=False)
        for ix in scan_indexes:  # load first, index after: much faster
            ix.drop(conn)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        _fixed_rows(conn)
        if engine.dialect.name == "sqlite":
            raw.executemany("INSERT INTO scans (id, scanner_id, point_id, org_id, person_id, color, via, at,"
                            " pass_reason, temperature_result, temperature, feedback_at)"
                            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                            _scans(rows, export_rows, iso=True))
        else:
            with raw.cursor().copy("COPY scans (id, scanner_id, point_id, org_id, person_id, color, via, at, "
                                   "pass_reason, temperature_result, temperature, feedback_at) FROM STDIN") as copy:
                for row in _scans(rows, export_rows, iso=False):
                    copy.write_row(row)
    t1 = time.perf_counter()
    with engine.begin() as conn:
        for ix in scan_indexes:
            ix.create(conn)
        conn.execute(text("ANALYZE"))
    print(f"  生成 {rows:,} 条扫码记录 {t1 - t0:.1f} s，建索引 {time.perf_counter() - t1:.1f} s")
    return engine


def _plain_scans(conn) -> None:  # type: ignore[no-untyped-def]
    """The scans table as before the partitioning: plain, primary key id (its indexes come with the load)."""
    conn.execute(text("CREATE TABLE scans_plain (LIKE scans INCLUDING DEFAULTS)"))
    conn.execute(text("DROP TABLE scans CASCADE"))
    conn.execute(text("ALTER TABLE scans_plain RENAME TO scans"))
    conn.execute(text("ALTER TABLE scans ADD CONSTRAINT pk_scans PRIMARY KEY (id)"))
    for ix in ("ix_scans_point_id", "ix_scans_scanner_id"):  # dropped by the CASCADE; the loader drops them again
        column = ix.removeprefix("ix_scans_")
        conn.execute(text(f"CREATE INDEX {ix} ON scans ({column})"))
    conn.execute(text("CREATE INDEX ix_scans_org_at ON scans (org_id, at)"))
    conn.execute(text("CREATE INDEX ix_scans_person_at ON scans (person_id, at)"))


def purge_oldest_day(engine: Engine, partitioned: bool) -> tuple[int, float]:
    """Purges the scans of the data's first day as `healthcode purge` would: (rows, seconds)."""
    from sqlalchemy.orm import Session

    from healthcode.checkpoints import partitions
    from healthcode.checkpoints.repository import purge_scans

    before = START + timedelta(days=1)
    t = time.perf_counter()
    if partitioned:
        rows = partitions.drop_past(engine, before)
        with Session(engine) as session, session.begin():
            rows += purge_scans(session, before)
    else:
        with Session(engine) as session, session.begin():
            rows = purge_scans(session, before)
    return rows, time.perf_counter() - t


def _fixed_rows(conn) -> None:  # type: ignore[no-untyped-def]
    now = START
    conn.execute(text("INSERT INTO orgs (id, name, uscc, kind, created_at) VALUES (:id, :n, :u, 'government', :t)"),
                 [{"id": i, "n": f"单位{i}", "u": f"B{i:017d}", "t": now} for i in range(1, ORGS + 1)])
    conn.execute(text("INSERT INTO accounts (id, kind, username, password_hash, must_change_password, token_version,"
                      " failed_logins, created_at) VALUES (:id, 'scanner', :u, 'x', false, 0, 0, :t)"),
                 [{"id": i, "u": f"139{i:08d}", "t": now} for i in range(1, ORGS * SCANNERS_PER_ORG + 1)])
    conn.execute(text("INSERT INTO scanners (id, account_id, org_id, phone, name, id_number, status, created_at) "
                      "VALUES (:id, :id, :o, :p, :n, '350102199001010011', 'authorised', :t)"),
                 [{"id": i, "o": (i - 1) // SCANNERS_PER_ORG + 1, "p": f"139{i:08d}", "n": f"扫码员{i}", "t": now}
                  for i in range(1, ORGS * SCANNERS_PER_ORG + 1)])
    conn.execute(text("INSERT INTO scan_points (id, org_id, community, name, address, region_code, created_at) "
                      "VALUES (:id, :o, '软件园社区', :n, '福州市鼓楼区软件大道89号', '350102', :t)"),
                 [{"id": i, "o": (i - 1) // POINTS_PER_ORG + 1, "n": f"扫码点{i}", "t": now}
                  for i in range(1, ORGS * POINTS_PER_ORG + 1)])
    conn.execute(text("INSERT INTO persons (id, id_number, name, created_at) VALUES (:id, :n, :name, :t)"),
                 [{"id": i, "n": f"350102{i:012d}", "name": f"居民{i}", "t": now} for i in range(1, PERSONS + 1)])


def _scans(rows: int, export_rows: int, *, iso: bool):  # type: ignore[no-untyped-def]
    rnd = random.Random(7)
    span = DAYS * 86400
    for i in range(1, rows + 1):
        org = BIG_ORG if i <= export_rows else rnd.randrange(2, ORGS + 1)
        at = START + timedelta(seconds=rnd.randrange(span))
        color = "orange" if rnd.random() < 0.03 else "green"
        abnormal = rnd.random() < 0.01
        point = (org - 1) * POINTS_PER_ORG + rnd.randrange(1, POINTS_PER_ORG + 1)
        scanner = (org - 1) * SCANNERS_PER_ORG + rnd.randrange(1, SCANNERS_PER_ORG + 1)
        when = at.isoformat(sep=" ") if iso else at
        yield (i, scanner, point, org, rnd.randrange(1, PERSONS + 1), color, "qr", when, "工作",
               "abnormal" if abnormal else "normal", 37.8 if abnormal else 36.5, when)


def measure_pages(engine: Engine, queries: int) -> tuple[float, float, float]:
    return measure_pages_of([engine], queries)[0]


def measure_pages_of(engines: list[Engine], queries: int) -> list[tuple[float, float, float]]:
    """(p95, median, floor p95) of the records page on each engine: the same queries, each run on every engine in
    turn, so that a busy moment of the machine weighs on all of them alike."""
    from sqlalchemy.orm import Session

    from healthcode.console import records

    rnd = random.Random(11)
    times: list[list[float]] = [[] for _ in engines]
    floor: list[list[float]] = [[] for _ in engines]
    sessions = [Session(engine) for engine in engines]
    try:
        for q in range(queries):
            org = BIG_ORG if q % 4 == 0 else rnd.randrange(2, ORGS + 1)
            day = START + timedelta(days=rnd.randrange(DAYS - 7))
            point = str((org - 1) * POINTS_PER_ORG + 1) if q % 2 else ""
            query = records.parse_query(org, day.date().isoformat(), (day + timedelta(days=6)).date().isoformat(),
                                        point, "orange" if q % 3 == 0 else "")
            page = rnd.randrange(1, 4)
            for n, session in enumerate(sessions):
                t = time.perf_counter()
                records.page_of(session, query.filter, page)
                times[n].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                session.execute(text("SELECT id, at, color FROM scans ORDER BY id DESC LIMIT 10")).all()
                floor[n].append((time.perf_counter() - t) * 1000)
    finally:
        for session in sessions:
            session.close()
    return [(_p95(t), statistics.median(t), _p95(f)) for t, f in zip(times, floor, strict=True)]


def _p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1] if len(values) > 1 else values[0]


def export_only(url: str) -> None:
    """Run in a fresh process so that its peak memory is the export's alone."""
    from sqlalchemy.orm import Session

    from healthcode import datadir
    from healthcode.console import records
    from healthcode.console import repository as repo
    from healthcode.db import make_engine
    from healthcode.web.exports import write_xlsx

    datadir.secure(DATA)  # the export's temporary file goes under a data directory, as in the server
    engine = make_engine(url)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    target = DATA / f"export-{uuid.uuid4().hex[:6]}.xlsx"
    with Session(engine) as session:
        rows = (records._export_row(r, False) for r in repo.iter_scans(session, repo.ScanFilter(BIG_ORG)))
        count = write_xlsx(target, "扫码记录", records.HEADER, rows)
    elapsed = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = target.stat().st_size
    target.unlink()
    print(f"  导出 {count:,} 行 Excel：{elapsed:.1f} s（目标 < 20 s），进程峰值内存 {peak / 1024:.0f} MiB"
          f"（导出前 {before / 1024:.0f} MiB，目标 < 500 MiB），文件 {size / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--export-only")
    parser.add_argument("--partitioned", action="store_true",
                        help="PostgreSQL: the plain table and the table partitioned by day, in the same run")
    args = parser.parse_args()
    if args.export_only:
        export_only(args.export_only)
        return
    DATA.mkdir(exist_ok=True)
    rows = max(int(FULL * args.scale), args.export_rows)
    if args.partitioned:
        compare_partitioned(args, rows)
        return
    for backend in args.backends.split(","):
        print(f"[{backend}] {rows:,} 条扫码记录，{ORGS} 个单位")
        url, cleanup = _database(backend, args.pg_url)
        try:
            engine = prepare(url, rows, args.export_rows)
            _print_pages(measure_pages(engine, args.queries), args.queries)
            engine.dispose()
            subprocess.run([sys.executable, "-m", "bench.console_records", "--export-only", url], check=True)
        finally:
            cleanup()


def _print_pages(figures: tuple[float, float, float], queries: int) -> None:
    p95, median, floor = figures
    verdict = "达标" if p95 < 200 else "未达标"
    print(f"  扫码记录页（筛选+分页，{queries} 次）：p95 {p95:.1f} ms，中位数 {median:.1f} ms"
          f"（目标 p95 < 200 ms，{verdict}）；基线 主键取 10 行 p95 {floor:.2f} ms")


def compare_partitioned(args: argparse.Namespace, rows: int) -> None:
    """PostgreSQL, the same scans in the plain table and in the partitioned one (two schemas at once): the pages
    measured in turn on each, the export twice on each (alternately), then the oldest day's purge on each."""
    shapes = ((False, "不分区"), (True, "按天分区"))
    made = []
    try:
        for partitioned, label in shapes:
            print(f"[postgresql {label}] {rows:,} 条扫码记录，{ORGS} 个单位")
            url, cleanup = _database("postgresql", args.pg_url)
            made.append((url, cleanup))
            prepare(url, rows, args.export_rows, partitioned=partitioned).dispose()
        from healthcode.db import make_engine

        engines = [make_engine(url) for url, _ in made]
        for (_, label), figures in zip(shapes, measure_pages_of(engines, args.queries), strict=True):
            print(f"[postgresql {label}]")
            _print_pages(figures, args.queries)
        for _ in range(2):
            for (_, label), (url, _) in zip(shapes, made, strict=True):
                print(f"[postgresql {label}]", flush=True)
                subprocess.run([sys.executable, "-m", "bench.console_records", "--export-only", url], check=True)
        for (partitioned, label), engine in zip(shapes, engines, strict=True):
            purged, seconds = purge_oldest_day(engine, partitioned)
            how = "分离并删除该日分区" if partitioned else "逐行删除"
            print(f"[postgresql {label}] 清理最早一天的扫码记录（{how}）：{purged:,} 条，{seconds:.2f} s")
            engine.dispose()
    finally:
        for _, cleanup in made:
            cleanup()


def _database(backend: str, pg_url: str):  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        path = DATA / f"console-{uuid.uuid4().hex[:6]}.sqlite3"
        return f"sqlite:///{path}", lambda: [p.unlink(missing_ok=True) for p in DATA.glob(path.name + "*")]
    from healthcode.db import make_engine

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    sep = "&" if "?" in pg_url else "?"
    return f"{pg_url}{sep}options=-csearch_path%3D{schema}", drop


if __name__ == "__main__":
    main()
