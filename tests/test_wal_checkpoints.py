"""SQLite's files: the write-ahead log is checkpointed outside the requests (db.wal_checkpoints); a new file gets 8 KiB
pages."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from healthcode.app import create_app
from healthcode.config import Settings
from healthcode.db import make_engine
from healthcode.db.wal import _checkpoint


def test_a_checkpoint_copies_the_log_into_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "wal.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")  # the commit itself must not checkpoint
        conn.execute(text("CREATE TABLE t (x TEXT)"))
        conn.execute(text("INSERT INTO t VALUES (:x)"), [{"x": "健康码" * 50} for _ in range(2_000)])
    before = path.stat().st_size

    _checkpoint(engine)

    assert path.stat().st_size > before + 2_000 * 150  # the rows are now in the database file itself
    engine.dispose()


def test_the_server_starts_and_stops_its_checkpointer(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    app = create_app(Settings(env="test", data_dir=tmp_path), engine)
    with TestClient(app) as client:
        assert client.get("/").status_code == 200
    engine.dispose()


def test_a_new_database_gets_8_kib_pages_and_an_existing_one_keeps_its_own(tmp_path: Path) -> None:
    import sqlite3

    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(old) as raw:  # made before, with SQLite's default page size
        raw.execute("CREATE TABLE t (x TEXT)")
    for path, size in ((tmp_path / "new.sqlite3", 8192), (old, 4096)):
        engine = make_engine(f"sqlite:///{path}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS u (x TEXT)"))
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA page_size").scalar() == size
        engine.dispose()
