"""What-if of a rule set over N flagged residents (issue 16), on SQLite and PostgreSQL.

    .venv/bin/python -m bench.rules_whatif [--residents 1000000] [--db both|sqlite|postgresql] [--pg-url URL] [--keep]

The data is bench.person_status's, dated within the windows and every record counting (fever-clinic visits only, listed
fever drugs only), so that all N people are flagged and evaluated: each has one record in one of the rule feeds (close
contacts, arrivals, fever-clinic visits, drug purchases, over the last 14 days) and a household; N travel rows, N/1000
current cases and N/1000 closures come on top. Measured in the same run, each in a transaction rolled back:
  - rows alone: the streamed facts statement read to the end (rules/bulk_repository.py), nothing evaluated;
  - in force only: the same rows grouped by person, every person evaluated by the set in force (fj-2020-02) without
    the what-if's memo of identical fact patterns;
  - what-if: `healthcode rules what-if fj-2021-09`'s service, both sets evaluated for every person and counted.
Target (the issue): the what-if over 1,000,000 flagged residents in < 30 s.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from operator import attrgetter

from sqlalchemy import Engine

from bench.closures import communities
from bench.contacts import DEFAULT_PG, TODAY, build_indexes, create_schema, mark_ready, targets
from bench.person_status import load

TARGET_SECONDS = 30.0


def rows_alone(engine: Engine) -> tuple[float, int]:
    from datetime import timedelta

    from healthcode.config import get_settings
    from healthcode.db import session_factory
    from healthcode.rules import bulk_repository
    from healthcode.rules.repository import case_statuses
    from healthcode.rules.ruleset import FJ_2020_02

    started, count = time.perf_counter(), 0
    with session_factory(engine)() as session:
        for _ in bulk_repository.stream_facts(session, [case_statuses(FJ_2020_02)], get_settings().fever_departments,
                                              TODAY - timedelta(days=FJ_2020_02.lookback_days - 1), TODAY):
            count += 1
        session.rollback()
    return time.perf_counter() - started, count


def in_force_only(engine: Engine) -> tuple[float, int]:
    from datetime import timedelta

    from healthcode.config import get_settings
    from healthcode.db import session_factory
    from healthcode.rules import bulk_repository
    from healthcode.rules.repository import case_statuses
    from healthcode.rules.ruleset import FJ_2020_02
    from healthcode.rules.status import evaluate
    from healthcode.rules.what_if import person_flags

    started, people = time.perf_counter(), 0
    with session_factory(engine)() as session:
        rows = bulk_repository.stream_facts(session, [case_statuses(FJ_2020_02)], get_settings().fever_departments,
                                            TODAY - timedelta(days=FJ_2020_02.lookback_days - 1), TODAY)
        for id_number, facts in itertools.groupby(rows, key=attrgetter("id_number")):
            evaluate(person_flags(id_number, facts), TODAY, FJ_2020_02)
            people += 1
        session.rollback()
    return time.perf_counter() - started, people


def what_if(engine: Engine) -> tuple[float, dict]:
    from healthcode.config import get_settings
    from healthcode.db import session_factory
    from healthcode.rules.ruleset import FJ_2021_09
    from healthcode.rules.what_if import what_if as run

    started = time.perf_counter()
    with session_factory(engine)() as session:
        result = run(session, get_settings(), FJ_2021_09, TODAY)
        session.rollback()
    return time.perf_counter() - started, result.as_json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=1_000_000, help="flagged residents (default 1,000,000)")
    parser.add_argument("--db", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated data (bench/data/, schema bench_rules_whatif) and reuse it next time")
    args = parser.parse_args()

    from healthcode.feeds import models as m

    people = args.residents
    travel, cases, closures = people, max(1, people // 1000), max(1, people // 1000)
    print(f"rules what-if fj-2021-09 against fj-2020-02: {people:,} flagged residents (+{travel:,} travel rows, "
          f"{cases:,} cases, {closures:,} closures, {len(communities()):,} community names); "
          f"target < {TARGET_SECONDS:.0f} s")
    bulk = [m.CloseContactRecord.__table__, m.ArrivalRecord.__table__, m.ClinicVisitRecord.__table__,
            m.DrugPurchaseRecord.__table__, m.TravelRecord.__table__, m.CaseRecord.__table__,
            m.HouseholdRecord.__table__, m.ClosureRecord.__table__]
    tag = f"rules_whatif residents={people} days=14 all"
    for target in targets(args.db, "rules_whatif", args.pg_url, keep=tag if args.keep else None):
        try:
            started = time.perf_counter()
            if not target.reused:
                create_schema(target.engine, bulk)
                load(target.engine, people, travel, cases, closures, days=14, all_count=True)
                build_indexes(target.engine, bulk, vacuum=True)
                mark_ready(target.engine, tag)
            loaded = time.perf_counter() - started
            print(f"  {target.name} [data {'reused' if target.reused else 'generated and loaded'} in {loaded:.0f} s]")
            seconds, rows = rows_alone(target.engine)
            print(f"    rows alone (baseline)       {seconds:6.1f} s  {rows:,} fact rows streamed")
            seconds, evaluated = in_force_only(target.engine)
            print(f"    in force only, no memo      {seconds:6.1f} s  {evaluated:,} residents evaluated by fj-2020-02")
            seconds, result = what_if(target.engine)
            verdict = "PASS" if seconds < TARGET_SECONDS else "FAIL"
            print(f"    what-if fj-2021-09          {seconds:6.1f} s  {result['residents']:,} residents; "
                  f"target < {TARGET_SECONDS:.0f} s: {verdict}")
            print(f"      changes {result['changes']}")
            print(f"      by_rule {result['by_rule']}")
            print(f"      (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        finally:
            target.drop()


if __name__ == "__main__":
    main()
