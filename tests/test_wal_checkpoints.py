"""SQLite's files: the write-ahead log is checkpointed outside the requests (db.wal_checkpoints); a new file gets 8 KiB
pages."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from healthcode.app import create_app
from healthcode.config import Settings
from healthcode.db import make_engine
from healthcode.db.wal import WAL_CHECKPOINT_SECONDS, _checkpoint


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


def test_the_running_server_checkpoints_the_log_into_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:  # the platform's engine makes the file, in WAL mode
        conn.execute(text("CREATE TABLE t (x TEXT)"))
    app = create_app(Settings(env="test", data_dir=tmp_path), engine)
    with TestClient(app) as client:
        assert client.get("/").status_code == 200
        before = path.stat().st_size
        with sqlite3.connect(path) as writer:  # another process's writes, which never checkpoint by themselves
            writer.execute("PRAGMA wal_autocheckpoint = 0")
            writer.executemany("INSERT INTO t VALUES (?)", [("健康码" * 50,)] * 2_000)
        # The server's checkpointer (every WAL_CHECKPOINT_SECONDS) copies the log into the file: wait for it.
        deadline = time.monotonic() + 20 * WAL_CHECKPOINT_SECONDS
        while path.stat().st_size <= before + 2_000 * 150 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size > before + 2_000 * 150
        writer.close()  # only now: the last connection to close would checkpoint the log itself
    engine.dispose()


def test_a_new_database_gets_8_kib_pages_and_an_existing_one_keeps_its_own(tmp_path: Path) -> None:
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
