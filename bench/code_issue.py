"""Code issuing speed: status + signed token + number code + stored record per code, on one core, against the
target of >= 2,000 codes/s; QR PNG rendering against < 5 ms, with segno's defaults (best mask, its own PNG writer)
as the baseline; and resolving codes as the checkpoint does.

    .venv/bin/python -m bench.code_issue [--rows 20000] [--people 5000] [--db sqlite:///... | postgresql+psycopg://...]

The database (default bench/data/code_issue.sqlite3) is rebuilt each run with `--people` residents and some feed
rows, so that the colour really is computed from the feeds.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("HEALTHCODE_ENV", "test")

DATA = Path(__file__).parent / "data"
NOW = datetime(2020, 2, 24, 9, 0)
TARGET_RATE = 2_000
TARGET_PNG_MS = 5.0


def build(url: str, people: int) -> object:
    from sqlalchemy import insert
    from stdnum.cn.ric import calc_check_digit

    import healthcode.models  # noqa: F401
    from healthcode.db import Base, make_engine, transaction
    from healthcode.feeds import models as feeds
    from healthcode.residents.models import Person

    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    ids = []
    for n in range(people):
        body = f"350102{datetime(1950, 1, 1) + timedelta(days=n // 1000):%Y%m%d}{n % 1000:03d}"
        ids.append(body + calc_check_digit(body + "0"))
    with transaction(engine) as session:
        session.execute(insert(Person), [{"id_number": i, "name": "李小明", "initial_region_code": "350102",
                                          "created_at": NOW} for i in ids])
        batch = feeds.Batch(feed="clinic_visits", status="applied", source="bench", sha256="0" * 64, created_at=NOW)
        session.add(batch)
        session.flush()
        # One resident in ten has a fever-clinic visit: a realistic mix of green and orange.
        session.execute(insert(feeds.ClinicVisitRecord), [
            {"batch_id": batch.id, "row_key": f"r{n}", "record_id": f"r{n}", "id_number": ids[n], "name": "李小明",
             "visited_at": NOW - timedelta(days=3), "visited_on": (NOW - timedelta(days=3)).date(),
             "department": "发热门诊", "institution": "省立医院"} for n in range(0, people, 10)])
    return engine


def bench_issue(engine: object, rows: int, people: int, chunk: int) -> tuple[float, float, list[str], list[str]]:
    """Codes per wall-clock second and per CPU second of this process (the "one core" figure, which other load on
    the machine does not distort), issuing `chunk` codes per transaction (1: one per request, as the page does)."""
    from sqlalchemy import select

    from healthcode.codes import service
    from healthcode.codes.keys import ensure_signing_key
    from healthcode.config import get_settings
    from healthcode.db import transaction
    from healthcode.residents.models import Person

    settings = get_settings()
    qr_texts: list[str] = []
    numbers: list[str] = []
    with transaction(engine) as session:  # the first key and the residents, outside the timing
        ensure_signing_key(session, NOW, settings.secret_key)
        persons = list(session.scalars(select(Person).order_by(Person.id)))
    start, cpu = time.perf_counter(), time.process_time()
    done = 0
    while done < rows:
        with transaction(engine) as session:
            for _ in range(min(chunk, rows - done)):
                issued = service.issue_for_person(session, settings, persons[done % people], NOW)
                if done % 10 == 0:
                    qr_texts.append(issued.qr_text)
                    numbers.append(issued.number_code)
                done += 1
    return rows / (time.perf_counter() - start), rows / (time.process_time() - cpu), qr_texts, numbers


def bench_parts(engine: object, n: int) -> dict[str, float]:
    """Microseconds per call of each step of issuing, to see where the time goes."""
    import secrets

    from sqlalchemy import select

    from healthcode.codes import keys, numbers, repository, tokens
    from healthcode.config import get_settings
    from healthcode.db import transaction
    from healthcode.residents.models import Person
    from healthcode.rules.service import status_for

    settings = get_settings()
    out: dict[str, float] = {}
    with transaction(engine) as session:
        person = session.scalars(select(Person).limit(1)).one()
        key = keys.current_signing_key(session, NOW, settings.secret_key)
        claims = tokens.CodeClaims("CN-35", 1582506000, 1582506060, secrets.token_bytes(16), "green", "李*明",
                                   "350102", "fj-2020-02")
        signed = tokens.sign(claims, key)
        steps = {
            "status_for": lambda: status_for(session, settings, person.id_number, NOW),
            "key lookup (per session)": lambda: repository.signer_row_at(session, NOW),
            "sign COSE_Sign1": lambda: tokens.sign(claims, key),
            "zlib + base45": lambda: tokens.to_qr_text(signed),
            "number + record insert": lambda: numbers.store_with_new_number(
                session, NOW, cti=secrets.token_bytes(16), person_id=person.id, color="green", kid=key.kid,
                issued_at=NOW, expires_at=NOW + timedelta(seconds=60)),
        }
        for name, step in steps.items():
            t = time.process_time()
            for _ in range(n):
                step()
            out[name] = (time.process_time() - t) / n * 1e6
        session.rollback()
    return out


def bench_resolve(engine: object, qr_texts: list[str], numbers: list[str]) -> tuple[float, float]:
    from healthcode.codes import service
    from healthcode.db import transaction

    rates = []
    for texts in (qr_texts, numbers):
        with transaction(engine) as session:
            t = time.process_time()
            for text in texts:
                service.resolve(session, text, NOW + timedelta(seconds=1))
            rates.append(len(texts) / (time.process_time() - t))
    return rates[0], rates[1]


def bench_png(qr_texts: list[str], n: int) -> tuple[list[float], list[float]]:
    import segno

    from healthcode.codes import qr

    ours, baseline = [], []
    for text in qr_texts[:n]:
        t = time.process_time()
        qr.png_bytes(text)
        ours.append((time.process_time() - t) * 1e3)
        t = time.process_time()
        segno.make_qr(text, error="m").save(io.BytesIO(), kind="png", scale=4, border=4)
        baseline.append((time.process_time() - t) * 1e3)
    return ours, baseline


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="codes to issue")
    parser.add_argument("--people", type=int, default=5_000, help="residents in the database")
    parser.add_argument("--db", default=f"sqlite:///{(DATA / 'code_issue.sqlite3').resolve()}")
    args = parser.parse_args(argv)
    DATA.mkdir(parents=True, exist_ok=True)
    people = max(1, min(args.people, args.rows))

    url, schema = args.db, None
    if url.startswith("postgresql"):
        # A schema of its own, dropped at the end: the shared test database is never touched.
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        _pg(url, f"CREATE SCHEMA {schema}")
        url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    try:
        return run(url, args.rows, people)
    finally:
        if schema:
            _pg(args.db, f"DROP SCHEMA {schema} CASCADE")


def _pg(url: str, statement: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(statement))
    admin.dispose()


def run(url: str, rows: int, people: int) -> int:
    engine = build(url, people)
    try:
        report(engine, url, rows, people)
    finally:
        engine.dispose()  # type: ignore[attr-defined]
    return 0


def report(engine: object, url: str, rows: int, people: int) -> None:
    print(f"database: {url.split('@')[-1].split('?')[0]}  residents: {people}  codes: {rows}")
    wall, cpu, qr_texts, numbers = bench_issue(engine, rows, people, chunk=500)
    verdict = "OK" if cpu >= TARGET_RATE else "BELOW TARGET"
    print(f"issue (status + token + number code + record), 500 a transaction: {cpu:,.0f} codes per CPU second "
          f"({wall:,.0f}/s wall clock)  target {TARGET_RATE:,}/s on one core  {verdict}")
    wall, cpu, _, _ = bench_issue(engine, max(1, rows // 10), people, chunk=1)
    print(f"issue, one transaction per code (a page request's database work): {cpu:,.0f} per CPU second "
          f"({wall:,.0f}/s wall clock)")
    parts = bench_parts(engine, min(2_000, rows))
    for name, micros in parts.items():
        print(f"  {name:<24} {micros:8.1f} µs CPU/call")
    ours = sum(v for k, v in parts.items() if k not in ("status_for", "key lookup (per session)"))
    print(f"  code domain's own share: {ours:.0f} µs/code = {1e6 / ours:,.0f} codes/s without status_for "
          f"(+ the key lookup once a session)")
    qr_rate, number_rate = bench_resolve(engine, qr_texts, numbers)
    print(f"resolve QR text: {qr_rate:,.0f} per CPU second   resolve number code: {number_rate:,.0f} per CPU second")
    ours_ms, baseline = bench_png(qr_texts, min(200, len(qr_texts)))
    verdict = "OK" if statistics.mean(ours_ms) < TARGET_PNG_MS else "ABOVE TARGET"
    print(f"QR PNG, CPU time (ours): mean {statistics.mean(ours_ms):.2f} ms  p95 {p95(ours_ms):.2f} ms  target < "
          f"{TARGET_PNG_MS} ms  {verdict}")
    print(f"QR PNG, CPU time (baseline, segno defaults): mean {statistics.mean(baseline):.2f} ms  "
          f"p95 {p95(baseline):.2f} ms  speed-up x{statistics.mean(baseline) / statistics.mean(ours_ms):.1f}")


if __name__ == "__main__":
    sys.exit(main())
