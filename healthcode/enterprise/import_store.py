"""Keeping a 批量导入 file for the admin who uploaded it, for `KEEP`: the error report of a refused file (downloaded
from the page's link) and an upload whose removals wait for the admin's confirmation. Kept in the database rather
than in a temporary folder, so that every server process (and every machine) finds it, and it goes with the
transaction that made it. Bound to the uploader: another admin, or an operator of the same enterprise, finds
nothing with the same token (404, as for an expired one)."""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from healthcode.enterprise import import_repository as repository
from healthcode.enterprise.errors import ImportFileGone
from healthcode.enterprise.import_checking import LINE_COLUMN, REASON_COLUMN, Checked
from healthcode.enterprise.import_models import ImportFile
from healthcode.web.exports import write_xlsx

KEEP = timedelta(minutes=30)
REPORT, UPLOAD = "report", "upload"


@dataclass(frozen=True)
class Uploader:
    """Who uploaded: the enterprise, its console account, and the operator who signed in by real name (None for the
    admin's own password sign-in)."""

    org_id: int
    account_id: int
    operator_id_number: str | None = None

    @property
    def owner_hash(self) -> bytes:
        key = f"{self.org_id}|{self.account_id}|{self.operator_id_number or ''}"
        return hashlib.sha256(key.encode()).digest()


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def keep(session: Session, uploader: Uploader, kind: str, suffix: str, content: bytes, now: datetime) -> str:
    """Stores the content for the uploader (replacing what he kept before) and returns its token."""
    repository.purge(session, now, org_id=uploader.org_id, owner_hash=uploader.owner_hash)
    token = secrets.token_urlsafe(32)
    repository.add(session, ImportFile(token_hash=_hash(token), org_id=uploader.org_id,
                                       owner_hash=uploader.owner_hash, kind=kind, suffix=suffix, content=content,
                                       created_at=now, expires_at=now + KEEP))
    return token


def fetch(session: Session, uploader: Uploader, kind: str, token: str, now: datetime) -> ImportFile:
    found = repository.find(session, _hash(token or ""), uploader.owner_hash, kind, now) if len(token) < 100 else None
    if found is None:
        raise ImportFileGone()
    return found


def discard(session: Session, uploader: Uploader, token: str) -> None:
    repository.drop(session, _hash(token or ""), uploader.owner_hash)


def purge_expired(session: Session, now: datetime) -> int:
    """`healthcode purge`: every enterprise's expired files."""
    return repository.purge(session, now)


def error_report(checked: Checked) -> bytes:
    """The refused file's bad lines as an .xlsx: the file's own columns as written (so the admin can correct the
    report itself and import it again: the two added columns are ignored on import), then 错误原因 and the line.
    Written through the exports' writer: no cell can start a formula."""
    buffer = io.BytesIO()
    write_xlsx(buffer, "错误报告", [*checked.header, REASON_COLUMN, LINE_COLUMN], checked.error_rows())
    return buffer.getvalue()
