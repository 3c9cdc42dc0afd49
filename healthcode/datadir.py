"""The data directory holds personal data (the SQLite database, uploads being read, exports being sent): it and the
database files are readable by their owner only, and every temporary file lives in `<data dir>/tmp`, where what a
crashed process left behind is removed when the next process starts (issue 12)."""

from __future__ import annotations

import atexit
import fcntl
import logging
import os
import shutil
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
TMP = "tmp"
LOCK = ".lock"
log = logging.getLogger(__name__)


def make_private_dir(path: Path) -> None:
    """Creates the directory and any missing parents owner-only (0700)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        _chmod(folder, PRIVATE_DIR)  # mkdir's mode is cut by the umask only, never widened: set it exactly


def secure(data_dir: Path) -> Path:
    """Creates the data directory 0700, or tightens one an older version created with the umask's modes, and takes
    this process's temporary folder in it; returns that folder."""
    make_private_dir(data_dir)
    _chmod(data_dir, PRIVATE_DIR)
    return prepare_scratch(data_dir)


def private_sqlite(path: Path) -> None:
    """Creates the SQLite database file 0600 before SQLite opens it (SQLite gives its -wal and -shm files the mode
    of the database file), or tightens the files an older version created with the umask's modes."""
    make_private_dir(path.parent)
    with suppress(FileExistsError):  # an empty file is an empty database
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if file.exists():
            _chmod(file, PRIVATE_FILE)


def _chmod(path: Path, mode: int) -> None:
    try:
        os.chmod(path, mode)
    except PermissionError:  # another user's file: the operator's to fix, the server still starts
        log.warning("cannot make %s readable by its owner only (not the owner)", path)


# --- temporary files -----------------------------------------------------------------------------------------------
# Each process has a folder of its own, `<data dir>/tmp/pXXXX`, and holds an exclusive lock (flock) on the file
# `pXXXX.lock` next to it for as long as it lives. The kernel releases the lock when the process ends, crashed or
# not: a process starting up removes every folder whose lock it can take, and leaves the folders of the server
# processes and commands still running alone (several workers, a `healthcode` command next to the server).

@dataclass(frozen=True)
class _Scratch:
    root: Path
    folder: Path
    lock: int  # the open, locked lock file
    pid: int  # the process whose folder it is (a forked worker takes a folder of its own)


_current: _Scratch | None = None


def prepare_scratch(data_dir: Path) -> Path:
    """This process's temporary folder under `data_dir` (once per data directory and process)."""
    global _current
    root = (data_dir / TMP).absolute()
    mine = _current is not None and _current.pid == os.getpid()
    if _current is not None and mine and _current.root == root and _current.folder.is_dir():
        return _current.folder
    make_private_dir(root)
    _chmod(root, PRIVATE_DIR)
    _sweep(root)
    if _current is not None and mine:  # tests build apps on many data directories: the previous one's folder goes
        _release(_current)
    if not mine:
        atexit.register(_release_at_exit)  # a process that ends normally leaves nothing for the next one to sweep
    _current = _claim(root)
    return _current.folder


def _release_at_exit() -> None:
    global _current
    if _current is not None and _current.pid == os.getpid():
        _release(_current)
        _current = None


def scratch_dir() -> Path:
    """Where a temporary file goes: this process's folder in the data directory that `secure` prepared where the
    process started (`create_app`, the `healthcode` command)."""
    if _current is not None and _current.pid == os.getpid():
        return _current.folder
    if _current is not None:  # a worker forked after `create_app` (gunicorn --preload): the parent's data directory
        return prepare_scratch(_current.root.parent)
    raise RuntimeError("no data directory: the process must start with datadir.secure(settings.data_dir)")


def _claim(root: Path) -> _Scratch:
    while True:
        fd, lock_path = tempfile.mkstemp(prefix="p", suffix=LOCK, dir=root)
        fcntl.flock(fd, fcntl.LOCK_EX)
        # A process sweeping at this very moment may have taken the new lock file first and removed it.
        try:
            if os.stat(lock_path).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    folder = Path(lock_path.removesuffix(LOCK))
    folder.mkdir(mode=PRIVATE_DIR)
    return _Scratch(root, folder, fd, os.getpid())


def _release(scratch: _Scratch) -> None:
    _remove(scratch.folder)
    Path(f"{scratch.folder}{LOCK}").unlink(missing_ok=True)
    os.close(scratch.lock)


def sweep(data_dir: Path) -> None:
    """Removes the temporary folders of the processes that are gone: for a supervisor whose server processes ended
    (uvicorn ends each by raising the SIGTERM it stopped on again, which skips their exit handlers)."""
    root = (data_dir / TMP).absolute()
    if root.is_dir():
        _sweep(root)


def _sweep(root: Path) -> None:
    """Removes what processes that are gone left in `root`."""
    for entry in os.scandir(root):
        path = Path(entry.path)
        if entry.name.endswith(LOCK):
            _remove_if_unlocked(path)
        elif not Path(f"{path}{LOCK}").exists():  # a stray file, or a folder whose lock file a sweep removed
            _remove(path)


def _remove_if_unlocked(lock_path: Path) -> None:
    try:
        fd = os.open(lock_path, os.O_RDWR)
    except FileNotFoundError:
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # its process is alive
        _remove(Path(str(lock_path).removesuffix(LOCK)))
        lock_path.unlink(missing_ok=True)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
