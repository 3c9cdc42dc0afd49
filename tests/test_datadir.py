"""The data directory and the SQLite files are the owner's only, and temporary files (uploads being read, exports
being sent) live in `<data dir>/tmp`, where what a crashed process left is removed when the app starts."""

from __future__ import annotations

import asyncio
import fcntl
import multiprocessing
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from healthcode.app import create_app
from healthcode.config import Settings
from healthcode.datadir import scratch_dir
from healthcode.db import make_engine
from healthcode.web.exports import xlsx_response
from tests.feeds.test_api import provider, upload


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # what most systems give a service: files 0644, directories 0755
    yield
    os.umask(previous)


def test_a_fresh_data_dir_and_its_sqlite_files_are_readable_by_the_owner_only(tmp_path: Path,
                                                                              loose_umask: None) -> None:
    data_dir = tmp_path / "srv" / "var"
    settings = Settings(env="test", data_dir=data_dir)

    app = create_app(settings)
    with app.state.engine.begin() as conn:  # a write: SQLite creates the -wal and -shm files
        conn.execute(text("UPDATE alembic_version SET version_num = version_num"))

    database = data_dir / "healthcode.sqlite3"
    assert _mode(data_dir) == 0o700 and _mode(data_dir / "tmp") == 0o700
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        assert _mode(path) == 0o600, path
    assert scratch_dir().parent == (data_dir / "tmp").absolute() and _mode(scratch_dir()) == 0o700
    app.state.engine.dispose()


def test_a_data_dir_an_older_version_created_open_is_tightened_at_start(tmp_path: Path, loose_umask: None) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir(mode=0o755)
    database = data_dir / "healthcode.sqlite3"
    make_engine(f"sqlite:///{database}").dispose()
    os.chmod(database, 0o644)

    create_app(Settings(env="test", data_dir=data_dir)).state.engine.dispose()

    assert _mode(data_dir) == 0o700 and _mode(database) == 0o600


def test_what_a_crashed_process_left_in_tmp_is_removed_when_the_app_starts(engine: Engine, settings: Settings) -> None:
    tmp = settings.data_dir / "tmp"
    crashed = tmp / "pcrashed"
    crashed.mkdir(parents=True)
    (crashed / "upload.csv").write_text("id_number,name\n", "utf-8")
    (tmp / "pcrashed.lock").touch()  # its lock file, no longer locked: the process is gone
    (tmp / "healthcode-export-1.xlsx").write_bytes(b"PK")
    alive = tmp / "palive"
    alive.mkdir()
    (alive / "upload.csv").write_text("", "utf-8")
    with open(tmp / "palive.lock", "w") as lock:  # another process, still running, holds its lock
        fcntl.flock(lock, fcntl.LOCK_EX)

        create_app(settings, engine)

        left = sorted(p.name for p in tmp.iterdir())
    assert "pcrashed" not in left and "pcrashed.lock" not in left and "healthcode-export-1.xlsx" not in left
    assert (alive / "upload.csv").exists()
    assert scratch_dir().parent == tmp.absolute() and f"{scratch_dir().name}.lock" in left


def test_uploads_and_exports_use_the_tmp_folder_and_leave_nothing_there(client, engine: Engine,
                                                                        settings: Settings) -> None:
    response = upload(client, provider(engine).api_key)
    assert response.status_code == 200

    assert list(scratch_dir().iterdir()) == []
    export = xlsx_response("导出.xlsx", "表", ["姓名"], [["李斌"]])
    assert Path(export.path).parent == scratch_dir()


def test_an_export_whose_download_broke_off_is_removed_at_once(settings: Settings) -> None:
    export = xlsx_response("导出.xlsx", "表", ["姓名"], [["李斌"]])

    async def receive() -> dict[str, object]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.body":
            raise OSError("the client went away")

    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], "http_version": "1.1",
             "asgi": {"version": "3.0", "spec_version": "2.4"}}  # ASGI 2.4: send raises once the client left
    with pytest.raises(OSError), ThreadPoolExecutor(1) as thread:  # a loop of its own: the browser tests' runs here
        thread.submit(asyncio.run, export(scope, receive, send)).result()
    assert not Path(export.path).exists()


def _child_folder(conn: Connection) -> None:
    conn.send(str(scratch_dir()))


def test_a_worker_forked_after_start_up_takes_a_folder_of_its_own(engine: Engine, settings: Settings) -> None:
    create_app(settings, engine)
    parent = scratch_dir()
    receiving, sending = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_child_folder, args=(sending,))
    child.start()
    folder = Path(receiving.recv())
    child.join(30)

    assert folder != parent and folder.parent == parent.parent
    assert parent.is_dir() and scratch_dir() == parent
    # The next process to start finds the exited worker's folder unlocked and removes it, and leaves this one's.
    start = f"from pathlib import Path; from healthcode.datadir import secure; secure(Path({str(settings.data_dir)!r}))"
    subprocess.run([sys.executable, "-c", start], check=True, timeout=60, cwd=Path(__file__).parent.parent)
    assert not folder.exists() and parent.is_dir()
