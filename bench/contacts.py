"""Computed close contacts at scale: all contacts of 1,000 current cases over 5M travel rows, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.contacts [--scale 1.0] [--db both|sqlite|postgresql] [--pg-url URL]

Target (the issue): all computed contacts in < 5 s. Also holds the bulk-load helpers the other rule benchmarks use.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, Table, text

DATA = Path(__file__).parent / "data"
DEFAULT_PG = os.environ.get("HEALTHCODE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TODAY = date(2020, 2, 24)
NOW = datetime(2020, 2, 24, 9, 0)
TARGET_SECONDS = 5.0
# Seats of one trip: train carriages x rows x seats, flight rows x seats, bus seats; and the share of rows per mode.
TRAIN, FLIGHT, BUS = (8, 20, 5), (30, 6), 45
MODE_SHARE = {"train": 0.6, "flight": 0.3, "bus": 0.1}


@dataclass
class Target:
    name: str
    engine: Engine
    drop: Callable[[], None]
    reused: bool = False  # holds the data of an earlier run made with the same `tag` (see `targets(keep=...)`)


def targets(which: str, label: str, pg_url: str, *, keep: str | None = None) -> list[Target]:
    """Fresh, empty databases for a benchmark: a SQLite file under bench/data/ and/or a PostgreSQL schema. With
    `keep` (a tag naming the data, e.g. its scale), the data is kept after the run and reused by the next run with
    the same tag, once `mark_ready` has recorded it complete."""
    from healthcode.db import make_engine

    found: list[Target] = []
    if which in ("both", "sqlite"):
        DATA.mkdir(parents=True, exist_ok=True)
        path = DATA / f"{label}.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        reused = keep is not None and _ready(engine, keep)
        if not reused:
            engine.dispose()
            _unlink(path)
            engine = make_engine(f"sqlite:///{path}")
        drop = (lambda e=engine: e.dispose()) if keep else (lambda e=engine, p=path: (e.dispose(), _unlink(p)))
        found.append(Target("SQLite", engine, drop, reused))
    if which in ("both", "postgresql"):
        schema = f"bench_{label}"
        admin = make_engine(pg_url)
        sep = "&" if "?" in pg_url else "?"
        engine = make_engine(f"{pg_url}{sep}options=-csearch_path%3D{schema}")
        reused = keep is not None and _ready(engine, keep)
        if not reused:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {schema}"))

        def drop(e: Engine = engine, a: Engine = admin, s: str = schema) -> None:
            e.dispose()
            if not keep:
                with a.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA IF EXISTS {s} CASCADE"))
            a.dispose()

        found.append(Target("PostgreSQL", engine, drop, reused))
    return found


def _ready(engine: Engine, tag: str) -> bool:
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT tag FROM bench_ready")).scalar() == tag
    except Exception:  # no such table (or schema): nothing to reuse
        return False


def mark_ready(engine: Engine, tag: str) -> None:
    """Records that the benchmark data (named by `tag`) is complete, for `targets(keep=tag)` to reuse."""
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_ready (tag VARCHAR(100))"))
        conn.execute(text("DELETE FROM bench_ready"))
        conn.execute(text("INSERT INTO bench_ready (tag) VALUES (:tag)"), {"tag": tag})


def _unlink(path: Path) -> None:
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()


def create_schema(engine: Engine, bulk: Sequence[Table]) -> None:
    """Every table, with the bulk tables' secondary indexes left out until their rows are in (faster to build)."""
    import healthcode.models  # noqa: F401
    from healthcode.db import Base

    Base.metadata.create_all(engine)
    for table in bulk:
        for index in table.indexes:
            index.drop(engine)


def build_indexes(engine: Engine, bulk: Sequence[Table], *, vacuum: bool = False) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET maintenance_work_mem = '1GB'"))
        for table in bulk:
            for index in table.indexes:
                index.create(conn)
        if engine.dialect.name == "sqlite":
            conn.execute(text("ANALYZE"))
    if engine.dialect.name == "postgresql":
        # As a settled production database would be: statistics, and with `vacuum` the visibility map too (for
        # latency benchmarks: index-only scans, no autovacuum mid-measurement).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE" if vacuum else "ANALYZE"))


def bulk_insert(engine: Engine, table: Table, columns: Sequence[str], rows: Iterable[tuple],
                chunk: int = 50_000) -> int:
    """Inserts rows as fast as each database allows: COPY on PostgreSQL, executemany on SQLite."""
    count = 0
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("BEGIN")
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            for part in _chunks(rows, chunk):
                cur.executemany(sql, part)
                count += len(part)
            cur.execute("COMMIT")
        raw.commit()
    finally:
        raw.close()
    return count


def _chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    part: list[tuple] = []
    for row in rows:
        part.append(row)
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part


def add_batch(engine: Engine, feed: str) -> int:
    from healthcode.feeds.models import Batch

    with engine.begin() as conn:
        return conn.execute(Batch.__table__.insert().values(
            feed=feed, status="applied", source="bench", sha256=f"{feed:0>64}"[-64:], created_at=NOW,
        ).returning(Batch.__table__.c.id)).scalar_one()


def person(k: int) -> str:
    """A distinct 18-character ID number per k (the benchmarks need distinct keys, not check characters)."""
    return f"35{k:016d}"


TRAVEL_COLUMNS = ("batch_id", "row_key", "trip_id", "mode", "travel_date", "id_number", "name", "carriage", "seat_row")


def travel_rows(rng: random.Random, rows: int, batch_id: int, people: int, days: int = 30,
                in_window: list[str] | None = None) -> Iterator[tuple]:
    """`rows` travel rows on full trains, flights and buses over the `days` days up to TODAY, passengers drawn from
    `people` persons. IDs of travellers inside the 14-day window are sampled into `in_window` (to pick cases)."""
    seats = {"train": TRAIN[0] * TRAIN[1] * TRAIN[2], "flight": FLIGHT[0] * FLIGHT[1], "bus": BUS}
    written = 0
    trips_per_day = max(1, rows // days // 150)  # a trip number runs every day, as trains and flights do
    day_index = 0
    while written < rows:
        travel_date = TODAY - timedelta(days=day_index % days)
        recent = (TODAY - travel_date).days < 14
        mode = rng.choices(list(MODE_SHARE), weights=[MODE_SHARE[m] / seats[m] for m in MODE_SHARE])[0]
        trip = f"{mode[0].upper()}{day_index // days % trips_per_day}"
        for seat in range(seats[mode]):
            if written >= rows:
                return
            if mode == "train":
                per_carriage = TRAIN[1] * TRAIN[2]
                carriage, seat_row = f"{seat // per_carriage + 1:02d}", seat % per_carriage // TRAIN[2] + 1
            elif mode == "flight":
                carriage, seat_row = None, seat // FLIGHT[1] + 1
            else:
                carriage, seat_row = None, None
            who = person(rng.randrange(people))
            if recent and in_window is not None and rng.random() < 0.01:
                in_window.append(who)
            yield (batch_id, f"t{written}", trip, mode, travel_date, who, "乘客", carriage, seat_row)
            written += 1
        day_index += 1


CASE_COLUMNS = ("batch_id", "row_key", "id_number", "name", "status", "reported_at")


def case_rows(rng: random.Random, candidates: list[str], active: int, batch_id: int) -> list[tuple]:
    """`active` current cases (confirmed/suspected), plus as many again that were confirmed and are now cleared."""
    chosen = rng.sample(sorted(set(candidates)), min(len(set(candidates)), active * 2))
    rows: list[tuple] = []
    for i, who in enumerate(chosen):
        reported = NOW - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600))
        rows.append((batch_id, f"c{i}a", who, "病例", rng.choice(["confirmed", "suspected"]), reported))
        if i >= active:
            rows.append((batch_id, f"c{i}b", who, "病例", "cleared", reported + timedelta(days=3)))
    return rows


def load_travel_and_cases(engine: Engine, travel: int, cases: int, people: int, seed: int = 2020) -> int:
    """Loads the travel and cases tables; returns the number of travel rows."""
    from healthcode.feeds.models import CaseRecord, TravelRecord

    rng = random.Random(seed)
    in_window: list[str] = []
    n = bulk_insert(engine, TravelRecord.__table__, TRAVEL_COLUMNS,
                    travel_rows(rng, travel, add_batch(engine, "travel"), people, in_window=in_window))
    bulk_insert(engine, CaseRecord.__table__, CASE_COLUMNS,
                case_rows(rng, in_window, cases, add_batch(engine, "cases")))
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 5M travel rows and 1,000 cases")
    parser.add_argument("--db", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args()

    from healthcode.db import session_factory
    from healthcode.feeds.contacts_repository import computed_contacts
    from healthcode.feeds.models import CaseRecord, TravelRecord

    travel, cases = int(5_000_000 * args.scale), max(1, int(1_000 * args.scale))
    print(f"computed close contacts: {cases:,} current cases (+{cases:,} cleared) over {travel:,} travel rows; "
          f"target < {TARGET_SECONDS:.0f} s")
    for target in targets(args.db, "contacts", args.pg_url):
        try:
            bulk = [TravelRecord.__table__, CaseRecord.__table__]
            started = time.perf_counter()
            create_schema(target.engine, bulk)
            load_travel_and_cases(target.engine, travel, cases, people=max(1000, travel * 2 // 5))
            build_indexes(target.engine, bulk)
            loaded = time.perf_counter() - started
            timings, found = [], []
            for _ in range(3):
                with session_factory(target.engine)() as session:
                    started = time.perf_counter()
                    found = computed_contacts(session, TODAY)
                    timings.append(time.perf_counter() - started)
            best = min(timings)
            verdict = "PASS" if best < TARGET_SECONDS else "FAIL"
            print(f"  {target.name:<10} all contacts: {best:6.2f} s (runs {', '.join(f'{t:.2f}' for t in timings)}); "
                  f"{len(found):,} contact rows, {len({c.contact_id_number for c in found}):,} people; "
                  f"target < {TARGET_SECONDS:.0f} s: {verdict}  [data load {loaded:.0f} s]")
        finally:
            target.drop()


if __name__ == "__main__":
    main()
