"""Issue 13: a server left running makes the scans' partitions of the coming days on its own
(`checkpoints.partitions.in_server`, every `UPKEEP_SECONDS` from a worker thread); on SQLite (a plain table) it runs
nothing. The rounds are awaited as events, the interval set to zero: no test sleeps."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest

from healthcode import clock
from healthcode.app import create_app
from healthcode.checkpoints import partition_repository as repo
from healthcode.checkpoints import partitions
from tests.asyncrun import run_alone


def _serve_until(app, done: threading.Event) -> bool:  # type: ignore[no-untyped-def]
    """Runs the app's lifespan until `done` is set (or 30 s pass); whether it was set."""
    async def serve() -> bool:
        async with app.router.lifespan_context(app):
            return await asyncio.to_thread(done.wait, 30)

    return run_alone(serve())


def test_a_running_server_makes_the_coming_days_partitions(engine, settings, monkeypatch) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the scans table is partitioned on PostgreSQL only")
    rounds: list[object] = []
    done = threading.Event()
    made = partitions.prepare_for

    def counted(engine_, settings_):  # type: ignore[no-untyped-def]
        result = made(engine_, settings_)
        rounds.append(engine_)
        if len(rounds) == 2:  # two rounds: the loop goes on after the first
            done.set()
        return result

    monkeypatch.setattr(partitions, "UPKEEP_SECONDS", 0)
    monkeypatch.setattr(partitions, "prepare_for", counted)
    app = create_app(settings, engine)
    assert _serve_until(app, done), "the upkeep did not run twice"
    # Two rounds or more: with no interval the loop may start a third before the lifespan has ended.
    assert len(rounds) >= 2 and all(round_ is engine for round_ in rounds)
    with engine.connect() as conn:
        attached = set(repo.attached_days(conn))
    today = clock.today()
    assert {today + timedelta(days=n) for n in range(partitions.DAYS_AHEAD + 1)} <= attached


def test_a_failed_round_is_logged_and_the_next_one_runs(engine, settings, monkeypatch, caplog) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the scans table is partitioned on PostgreSQL only")
    calls: list[int] = []
    done = threading.Event()

    def failing_once(engine_, settings_):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("lock timeout")
        done.set()
        return []

    monkeypatch.setattr(partitions, "UPKEEP_SECONDS", 0)
    monkeypatch.setattr(partitions, "prepare_for", failing_once)
    assert _serve_until(create_app(settings, engine), done)
    assert "partition upkeep failed" in caplog.text


def test_on_sqlite_no_upkeep_runs(engine, settings, monkeypatch) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's scans table is plain")

    def never(*_args: object) -> None:
        raise AssertionError("no upkeep on SQLite")

    monkeypatch.setattr(partitions, "_upkeep_every", never)
    done = threading.Event()
    done.set()
    assert _serve_until(create_app(settings, engine), done)
