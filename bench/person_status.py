"""Latency of one person's status (`status_for`) among 1M flagged people, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.person_status [--scale 1.0] [--lookups 3000] [--db both|sqlite|postgresql] [--pg-url URL]

Every one of 1M people has a record in one of the rule feeds (close contacts, arrivals, fever-clinic visits, drug
purchases) and a household; 1M travel rows, 1,000 current cases and 1,000 closures come on top. Each look-up is its
own transaction, as a code display or a scan is. Target (the issue): p99 < 5 ms.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bench.closures import communities
from bench.closures import load as load_closures
from bench.contacts import (
    DEFAULT_PG,
    NOW,
    TODAY,
    add_batch,
    build_indexes,
    bulk_insert,
    create_schema,
    load_travel_and_cases,
    mark_ready,
    person,
    targets,
)

TARGET_P99_MS = 5.0
FEVER_CODES = 200


def flagged_rows(rng: random.Random, people: int, feed: str, batch_id: int, days: int = 30,
                 all_count: bool = False) -> Iterator[tuple]:
    """One record for every fourth person (person k goes to feed k % 4), dated over the last `days` days. With
    `all_count`, every visit is to a fever clinic and every drug a listed fever drug (else 70% and a quarter)."""
    offset = ["close_contacts", "arrivals", "clinic_visits", "drug_purchases"].index(feed)
    for k in range(offset, people, 4):
        day = TODAY - timedelta(days=rng.randint(0, days - 1))
        at = datetime.combine(day, datetime.min.time()) + timedelta(minutes=rng.randint(0, 1439))
        who = person(k)
        if feed == "close_contacts":
            yield (batch_id, f"cc{k}", who, "密接", day)
        elif feed == "arrivals":
            yield (batch_id, who, "入闽", "湖北省武汉市", day, rng.random() < 0.05)
        elif feed == "clinic_visits":
            department = "发热门诊" if all_count or rng.random() < 0.7 else "呼吸内科"
            yield (batch_id, f"cv{k}", f"cv{k}", who, "患者", at, day, department)
        else:
            code = rng.randint(1, FEVER_CODES if all_count else 800)
            yield (batch_id, f"dp{k}", f"dp{k}", who, "患者", at, day, f"XN{code:05d}")


def load(engine: Engine, people: int, travel: int, cases: int, closures: int, days: int = 30,
         all_count: bool = False) -> None:
    from healthcode.feeds import models as m

    rng = random.Random(7)
    bulk_insert(engine, m.CloseContactRecord.__table__, ("batch_id", "row_key", "id_number", "name", "contact_date"),
                flagged_rows(rng, people, "close_contacts", add_batch(engine, "close_contacts"), days, all_count))
    bulk_insert(engine, m.ArrivalRecord.__table__,
                ("batch_id", "id_number", "name", "origin", "arrived_on", "health_abnormal"),
                flagged_rows(rng, people, "arrivals", add_batch(engine, "arrivals"), days, all_count))
    bulk_insert(engine, m.ClinicVisitRecord.__table__,
                ("batch_id", "row_key", "record_id", "id_number", "name", "visited_at", "visited_on", "department"),
                flagged_rows(rng, people, "clinic_visits", add_batch(engine, "clinic_visits"), days, all_count))
    bulk_insert(engine, m.DrugPurchaseRecord.__table__,
                ("batch_id", "row_key", "record_id", "id_number", "name", "purchased_at", "purchased_on", "drug_code"),
                flagged_rows(rng, people, "drug_purchases", add_batch(engine, "drug_purchases"), days, all_count))
    codes_batch = add_batch(engine, "fever_drug_codes")
    bulk_insert(engine, m.FeverDrugCode.__table__, ("batch_id", "drug_code", "drug_name"),
                ((codes_batch, f"XN{i:05d}", "退烧药") for i in range(1, FEVER_CODES + 1)))
    load_travel_and_cases(engine, travel, cases, people)
    load_closures(engine, people, closures)  # households of persons 0 … people-1, same person() numbering


def sample(rng: random.Random, engine: Engine, people: int, lookups: int) -> list[str]:
    """Mostly random flagged people, plus current cases, their computed contacts, and people no feed names."""
    from healthcode.db import session_factory
    from healthcode.feeds.contacts_repository import computed_contacts
    from healthcode.feeds.models import CaseRecord

    with session_factory(engine)() as session:
        contacts = sorted({c.contact_id_number for c in computed_contacts(session, TODAY)})
        cases = sorted(set(session.scalars(CaseRecord.__table__.select().with_only_columns(CaseRecord.id_number))))
    ids = [person(rng.randrange(people)) for _ in range(lookups * 7 // 10)]
    ids += rng.choices(contacts, k=lookups // 10) if contacts else []
    ids += rng.choices(cases, k=lookups // 10) if cases else []
    ids += [person(people + rng.randrange(people)) for _ in range(lookups - len(ids))]
    rng.shuffle(ids)
    return ids


def measure(engine: Engine, ids: list[str]) -> tuple[list[float], list[float], list[float], dict[str, int]]:
    from healthcode.config import get_settings
    from healthcode.db import session_factory
    from healthcode.rules.service import status_for

    settings = get_settings()
    sessions = session_factory(engine)
    for id_number in ids[:200]:  # warm the pool, the caches and PostgreSQL's prepared statements
        with sessions() as session, session.begin():
            status_for(session, settings, id_number, NOW)
    timings: list[float] = []
    cpu: list[float] = []
    unpreempted: list[float] = []
    colors: dict[str, int] = {}
    for id_number in ids:
        switches = resource.getrusage(resource.RUSAGE_THREAD).ru_nivcsw
        started, started_cpu = time.perf_counter(), time.thread_time()
        with sessions() as session, session.begin():
            status = status_for(session, settings, id_number, NOW)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        # On a shared machine the scheduler pre-empts some calls for other processes' time slices: also report
        # the calls this process ran through without an involuntary context switch.
        if resource.getrusage(resource.RUSAGE_THREAD).ru_nivcsw == switches:
            unpreempted.append(timings[-1])
        colors[status.color] = colors.get(status.color, 0) + 1
    return timings, cpu, unpreempted, colors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1M flagged people")
    parser.add_argument("--lookups", type=int, default=3000)
    parser.add_argument("--db", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated data (bench/data/, schema bench_person_status) and reuse it next time")
    args = parser.parse_args()

    from healthcode.feeds import models as m

    people = int(1_000_000 * args.scale)
    travel, cases, closures = people, max(1, int(1_000 * args.scale)), max(1, int(1_000 * args.scale))
    print(f"person status: one person among {people:,} flagged (+{travel:,} travel rows, {cases:,} cases, "
          f"{closures:,} closures, {len(communities()):,} community names); {args.lookups:,} look-ups; "
          f"target p99 < {TARGET_P99_MS:.0f} ms")
    bulk = [m.CloseContactRecord.__table__, m.ArrivalRecord.__table__, m.ClinicVisitRecord.__table__,
            m.DrugPurchaseRecord.__table__, m.TravelRecord.__table__, m.CaseRecord.__table__,
            m.HouseholdRecord.__table__, m.ClosureRecord.__table__]
    tag = f"person_status scale={args.scale}"
    for target in targets(args.db, "person_status", args.pg_url, keep=tag if args.keep else None):
        try:
            started = time.perf_counter()
            if not target.reused:
                create_schema(target.engine, bulk)
                load(target.engine, people, travel, cases, closures)
                build_indexes(target.engine, bulk, vacuum=True)
                mark_ready(target.engine, tag)
            loaded = time.perf_counter() - started
            ids = sample(random.Random(1), target.engine, people, args.lookups)
            print(f"  {target.name} [data {'reused' if target.reused else 'generated and loaded'} in {loaded:.0f} s]")
            # Python's full garbage collections walk every object of the process (SQLAlchemy, FastAPI, ...): a
            # server should gc.freeze() after start-up so that they only walk what requests allocate.
            for label, freeze in (("default gc", False), ("gc.freeze()", True)):
                gc.collect()
                if freeze:
                    gc.freeze()
                timings, cpu, unpreempted, colors = measure(target.engine, ids)
                if freeze:
                    gc.unfreeze()
                q, c = statistics.quantiles(timings, n=100), statistics.quantiles(cpu, n=100)
                u = statistics.quantiles(unpreempted, n=100) if len(unpreempted) > 1 else [float("nan")] * 99
                verdict = "PASS" if q[98] < TARGET_P99_MS else "FAIL"
                print(f"    {label:<12} p50 {q[49]:.2f} ms  p90 {q[89]:.2f} ms  p99 {q[98]:.2f} ms  "
                      f"max {max(timings):.2f} ms; target p99 < {TARGET_P99_MS:.0f} ms: {verdict}; "
                      f"{colors.get('orange', 0):,} orange / {colors.get('green', 0):,} green")
                print(f"    {'':<12} this process's CPU p50 {c[49]:.2f} ms  p99 {c[98]:.2f} ms; "
                      f"{len(unpreempted):,} calls not pre-empted by the scheduler: p50 {u[49]:.2f} ms  "
                      f"p99 {u[98]:.2f} ms  (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        finally:
            target.drop()


if __name__ == "__main__":
    main()
