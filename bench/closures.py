"""Closed-community matching at scale: 1M households against 1,000 closures, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.closures [--scale 1.0] [--db both|sqlite|postgresql] [--pg-url URL]

Target (the issue): listing every resident of a closed community in < 30 s.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import Engine

from bench.contacts import DEFAULT_PG, TODAY, add_batch, build_indexes, bulk_insert, create_schema, person, targets

TARGET_SECONDS = 30.0
WORDS = ["软件园", "金山", "屏西", "湖滨", "井大", "三坊七巷", "东方", "福屿", "新港", "凤凰", "光明", "龙腾", "温泉",
         "华林", "鼓东", "五四", "茶亭", "洪山", "南门", "西湖", "闽江", "榕城", "海峡", "白马", "桂湖", "梅峰"]
SUFFIXES = ["社区", "小区", "花园", "新村", "公寓", "家园"]
HOUSEHOLD_COLUMNS = ("batch_id", "id_number", "name", "address", "region_code", "county_code", "address_norm")
CLOSURE_COLUMNS = ("batch_id", "community", "address", "starts_on", "ends_on", "region_code", "source", "county_code",
                   "community_norm")


def communities() -> list[str]:
    """About 4,000 community names such as 软件园社区, 金山二期小区."""
    phases = ["", "一期", "二期", "三期", "东区", "西区", "南苑", "北苑", "新苑", "佳园"]
    return [f"{w}{p}{s}" for w in WORDS for p in phases for s in SUFFIXES] + [f"{w}{v}{s}" for w in WORDS
                                                                              for v in WORDS[:10] for s in SUFFIXES[:2]]


def fujian_counties() -> list[str]:
    from healthcode.regions.divisions import counties

    return [d.code for d in counties() if d.code.startswith("35")]


def household_rows(rng: random.Random, rows: int, batch_id: int, names: list[str]) -> Iterator[tuple]:
    from healthcode.feeds.closures import household_derived
    from healthcode.regions.divisions import full_name

    counties = fujian_counties()
    prefixes = {c: full_name(c) for c in counties}
    for i in range(rows):
        county = rng.choice(counties)
        building = f"{rng.randint(1, 40)}号楼{rng.randint(1, 30)}0{rng.randint(1, 4)}室"
        address = f"{prefixes[county]}{rng.choice(names)}{building}"
        region = county if i % 2 else None
        county_code, norm = household_derived(address, region)
        yield (batch_id, person(i), "居民", address, region, county_code, norm)


def closure_rows(rng: random.Random, count: int, batch_id: int, names: list[str]) -> Iterator[tuple]:
    from healthcode.feeds.closures import closure_derived
    from healthcode.regions.divisions import short_name

    counties = fujian_counties()
    for _ in range(count):
        county, community = rng.choice(counties), rng.choice(names)
        starts = TODAY - timedelta(days=rng.randint(-3, 20))  # a few announced for the coming days
        ends = None if rng.random() < 0.5 else starts + timedelta(days=rng.randint(7, 28))
        address = f"{short_name(county)}{community}"
        region = county if rng.random() < 0.3 else None
        county_code, norm = closure_derived(community, address, region)
        yield (batch_id, community, address, starts, ends, region, "县疫情防控指挥部公告", county_code, norm)


def load(engine: Engine, households: int, closures: int, seed: int = 2020) -> None:
    from healthcode.feeds.models import ClosureRecord, HouseholdRecord

    rng = random.Random(seed)
    names = communities()
    bulk_insert(engine, HouseholdRecord.__table__, HOUSEHOLD_COLUMNS,
                household_rows(rng, households, add_batch(engine, "households"), names))
    bulk_insert(engine, ClosureRecord.__table__, CLOSURE_COLUMNS,
                closure_rows(rng, closures, add_batch(engine, "closures"), names))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1M households and 1,000 closures")
    parser.add_argument("--db", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args()

    from healthcode.db import session_factory
    from healthcode.feeds.closures_repository import closed_residents
    from healthcode.feeds.models import ClosureRecord, HouseholdRecord

    households, closures = int(1_000_000 * args.scale), max(1, int(1_000 * args.scale))
    print(f"closed-community matching: {households:,} households x {closures:,} closures; "
          f"target < {TARGET_SECONDS:.0f} s")
    for target in targets(args.db, "closures", args.pg_url):
        try:
            bulk = [HouseholdRecord.__table__, ClosureRecord.__table__]
            started = time.perf_counter()
            create_schema(target.engine, bulk)
            load(target.engine, households, closures)
            build_indexes(target.engine, bulk)
            loaded = time.perf_counter() - started
            timings, found = [], []
            for _ in range(2):
                with session_factory(target.engine)() as session:
                    started = time.perf_counter()
                    found = closed_residents(session, TODAY)
                    timings.append(time.perf_counter() - started)
            best = min(timings)
            verdict = "PASS" if best < TARGET_SECONDS else "FAIL"
            print(f"  {target.name:<10} all closed-community residents: {best:6.2f} s "
                  f"(runs {', '.join(f'{t:.2f}' for t in timings)}); {len({r.id_number for r in found}):,} residents "
                  f"of {len({r.closure_id for r in found}):,} closures in force; target < {TARGET_SECONDS:.0f} s: "
                  f"{verdict}  [data generation and load {loaded:.0f} s]")
        finally:
            target.drop()


if __name__ == "__main__":
    main()
