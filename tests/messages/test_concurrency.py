"""Several dispatchers at once (server processes, a `healthcode sms dispatch` worker) post each text once: a claim
counts the try and takes a lease in its own transaction; on PostgreSQL rows another dispatcher is claiming are
skipped (FOR UPDATE SKIP LOCKED), not waited for."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import Engine

from healthcode.config import Settings
from healthcode.db import session_factory
from healthcode.messages import repository
from healthcode.messages.outbox import Tally
from tests.messages.conftest import NOW, dispatch, queue, rows
from tests.messages.gateway import FakeGateway


def test_two_dispatchers_at_once_post_each_text_once(engine: Engine, sms_settings: Settings,
                                                     gateway: FakeGateway) -> None:
    # Given 60 texts (three batches) and a gateway slow enough that the dispatchers' rounds overlap
    texts = [(f"1391234{n:04d}", f"第{n}条") for n in range(60)]
    queue(engine, texts)
    gateway.delay = 0.05
    # When two dispatchers run at the same moment, each in its own thread and event loop
    tallies: list[Tally] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        tallies.append(dispatch(engine, sms_settings))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # Then every text was posted exactly once, and the two shared the work
    posted = Counter((r.json["phone"], r.json["text"]) for r in gateway.received)
    assert posted == Counter(texts)
    assert sum(t.delivered for t in tallies) == 60
    assert {r.status for r in rows(engine)} == {"delivered"}


def test_on_postgresql_a_dispatcher_skips_the_rows_another_is_claiming(engine: Engine, sms_settings: Settings,
                                                                       gateway: FakeGateway) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite's claim holds the database's write lock)")
    # Given 30 texts, and another dispatcher in the middle of claiming the first 20 (its transaction open)
    queue(engine, [(f"1391234{n:04d}", f"第{n}条") for n in range(30)])
    with session_factory(engine)() as other, other.begin():
        locked = repository.lock_due_sms(other, NOW, 20)
        # When a second dispatcher runs meanwhile
        started = time.monotonic()
        tally = dispatch(engine, sms_settings)
        elapsed = time.monotonic() - started
        # Then it delivered the 10 others at once, without waiting for the open claim
        assert tally.delivered == 10 and elapsed < 5
        assert {r.json["phone"] for r in gateway.received}.isdisjoint({row.phone for row in locked})
