"""The evidence of an appeal: a photo or a PDF, checked by its content (magic bytes) and size, stored under the data
directory (`<data dir>/appeals`, owner-only like the rest of it) under a random name, outside the database; the
appeal's row keeps the name, type, size and SHA-256. Removed with its appeal (`healthcode purge`)."""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from healthcode.appeals.errors import EvidenceTooLarge, EvidenceType
from healthcode.datadir import PRIVATE_FILE, make_private_dir

FOLDER = "appeals"
CHUNK = 64 * 1024
# What a file is, by its first bytes: the three kinds a resident may send.
MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"%PDF-", "application/pdf"))
SUFFIX = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


@dataclass(frozen=True)
class Evidence:
    content: bytes
    media_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def read(upload: BinaryIO | None, max_mb: int) -> Evidence | None:
    """The upload checked: None when no file was sent (or an empty one), else its content and type. Read in chunks
    and never more than the limit and one chunk (a larger upload is refused before it is read whole)."""
    if upload is None:
        return None
    limit = max_mb * 1024 * 1024
    chunks, total = [], 0
    while chunk := upload.read(CHUNK):
        total += len(chunk)
        if total > limit:
            raise EvidenceTooLarge(f"证明材料不能超过 {max_mb} MB")
        chunks.append(chunk)
    content = b"".join(chunks)
    if not content:
        return None
    media_type = next((kind for magic, kind in MAGIC if content.startswith(magic)), None)
    if media_type is None:
        raise EvidenceType()
    return Evidence(content, media_type, hashlib.sha256(content).hexdigest())


def folder(data_dir: Path) -> Path:
    return data_dir / FOLDER


def store(data_dir: Path, evidence: Evidence) -> str:
    """Writes the file owner-only under a new random name and returns the name."""
    where = folder(data_dir)
    make_private_dir(where)
    name = secrets.token_hex(16)
    fd = os.open(where / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(evidence.content)
    return name


def path_of(data_dir: Path, name: str) -> Path:
    if not name.isalnum():  # only names `store` made (hex): never a path
        raise ValueError("not an evidence file name")
    return folder(data_dir) / name


def remove(data_dir: Path, name: str | None) -> None:
    if name:
        path_of(data_dir, name).unlink(missing_ok=True)


def sweep_orphans(data_dir: Path, known: set[str], older_than_seconds: float = 86_400) -> int:
    """Removes files that no appeal names (a filing whose transaction rolled back after the file was written), once
    they are older than a day (a filing in flight is never touched)."""
    where = folder(data_dir)
    if not where.is_dir():
        return 0
    removed, limit = 0, time.time() - older_than_seconds
    for entry in os.scandir(where):
        if entry.name not in known and entry.is_file() and entry.stat().st_mtime < limit:
            Path(entry.path).unlink(missing_ok=True)
            removed += 1
    return removed
