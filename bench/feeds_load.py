"""Feed loading speed and memory: 1M-row drug_purchases (append) and households (snapshot) CSVs through `load_file`,
on SQLite and on PostgreSQL, against DuckDB's plain `read_csv` of the same files as the floor.

    .venv/bin/python -m bench.feeds_load [--rows 1000000] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each load runs in a child process so that its peak RSS (and CPU time: the loader's own, not the database server's)
is its own. Target (the issue): >= 200,000 rows/s, < 1 GiB. `load` is the 1-minute load average right after each
load: other work on the machine inflates the seconds, not the loader's own CPU seconds.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
import uuid
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path

DATA = Path(__file__).parent / "data"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕晓红玉兰文斌"
STREETS = ["五一", "东街", "鼓东", "温泉", "华大", "南街", "安泰", "洪山", "王庄", "茶园", "鳌峰", "宁化", "水部"]
COMMUNITIES = ["软件园", "金山", "屏西", "湖滨", "井大", "三坊七巷", "东方", "福屿", "新港", "凤凰", "光明", "龙腾"]


def _ids(rng: random.Random, counties: list[str]):
    from stdnum.cn.ric import calc_check_digit

    while True:
        body = (f"{rng.choice(counties)}{rng.randint(1940, 2015)}{rng.randint(1, 12):02d}"
                f"{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}")
        yield body + calc_check_digit(body + "0")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def generate(feed: str, rows: int) -> Path:
    """A CSV of `rows` valid rows (made once, kept under bench/data/)."""
    from healthcode.regions import divisions

    path = DATA / f"{feed}_{rows}.csv"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2020)
    fujian = [d.code for d in divisions.counties() if d.code.startswith("35")]
    ids = _ids(rng, fujian)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8-sig") as handle:
        out = csv.writer(handle)
        if feed == "drug_purchases":
            out.writerow(["record_id", "id_number", "name", "purchased_at", "drug_code", "drug_name", "institution"])
            start = datetime(2020, 2, 1, 8, 0)
            for i in range(rows):
                at = start + timedelta(seconds=rng.randint(0, 23 * 86400))
                out.writerow([f"YB{i:010d}", next(ids), _name(rng), at.isoformat(timespec="seconds") + "+08:00",
                              f"XN{rng.randint(1, 800):05d}", "对乙酰氨基酚片", f"第{rng.randint(1, 300)}药店"])
        else:
            out.writerow(["id_number", "name", "address", "region_code"])
            written = 0
            while written < rows:
                # A household (户) of one to five people sharing an address, as in the register.
                county = rng.choice(fujian)
                address = (f"{divisions.full_name(county)}{rng.choice(STREETS)}街道{rng.choice(COMMUNITIES)}社区"
                           f"{rng.randint(1, 60)}号楼{rng.randint(1, 30)}0{rng.randint(1, 4)}室")
                region = county if rng.random() < 0.5 else ""
                for _ in range(min(rng.randint(1, 5), rows - written)):
                    out.writerow([next(ids), _name(rng), address, region])
                    written += 1
    tmp.rename(path)
    return path


def child(feed: str, path: str, url: str) -> None:
    """Runs one load and prints its figures as JSON (in its own process, for its own peak RSS)."""
    import resource

    from healthcode.config import get_settings
    from healthcode.db import Base, make_engine
    from healthcode.feeds.service import load_file

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    started = time.perf_counter()
    report = load_file(engine, get_settings(), feed, Path(path), operator="bench")
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"status": report.status, "rows": report.rows, "seconds": seconds,
                      "peak_rss": usage.ru_maxrss * 1024, "cpu": usage.ru_utime + usage.ru_stime}))


def run_child(feed: str, path: Path, url: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.feeds_load", "--child", feed, str(path), url],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def duckdb_floor(path: Path) -> float:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}', header = true, all_varchar = true)")
    con.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg-url", default=os.environ.get("HEALTHCODE_BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("FEED", "FILE", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"feed load benchmark, {args.rows:,} rows per file, {os.cpu_count()} CPUs; target >= 200,000 rows/s, "
          "peak RSS < 1 GiB")
    print(f"load average {os.getloadavg()[0]:.1f} (other work on the machine slows every figure but the ratio)")
    print(f"{'feed':<16}{'database':<12}{'seconds':>9}{'rows/s':>12}{'peak RSS':>11}{'cpu s':>8}{'duckdb s':>10}"
          f"{'x floor':>9}{'load':>6}")
    for feed in ("drug_purchases", "households"):
        path = generate(feed, args.rows)
        floor = duckdb_floor(path)
        targets = [("sqlite", None)] + ([] if args.skip_pg else [("postgresql", args.pg_url)])
        for name, url in targets:
            schema = None
            if url is None:
                db = DATA / "bench.sqlite3"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                url = f"sqlite:///{db}"
            else:
                schema = _pg_schema(url, create=True)
                url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
            try:
                result = run_child(feed, path, url)
            finally:
                if schema:
                    _pg_schema(args.pg_url, drop=schema)
            rate = result["rows"] / result["seconds"]
            print(f"{feed:<16}{name:<12}{result['seconds']:>9.2f}{rate:>12,.0f}{result['peak_rss'] / 2**20:>7.0f} MiB"
                  f"{result['cpu']:>8.1f}{floor:>10.2f}{result['seconds'] / floor:>9.1f}{os.getloadavg()[0]:>6.1f}")


def _pg_schema(url: str, create: bool = False, drop: str | None = None) -> str:
    from sqlalchemy import text

    from healthcode.db import make_engine

    engine = make_engine(url)
    schema = drop or f"bench_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}" if create else f"DROP SCHEMA {schema} CASCADE"))
    if create:
        # Each load starts with the server's dirty pages of earlier runs written out (a superuser's CHECKPOINT;
        # without the right it is skipped): otherwise the last run's writes land in this one's seconds.
        with suppress(Exception), engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("CHECKPOINT"))
    engine.dispose()
    return schema


if __name__ == "__main__":
    main()
