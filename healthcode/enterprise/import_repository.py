"""Queries on the kept files of 批量导入 (error reports, uploads waiting for a confirmation)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, or_, select
from sqlalchemy.orm import Session

from healthcode.enterprise.import_models import ImportFile


def add(session: Session, row: ImportFile) -> None:
    session.add(row)
    session.flush()


def find(session: Session, token_hash: bytes, owner_hash: bytes, kind: str, now: datetime) -> ImportFile | None:
    return session.scalars(select(ImportFile).where(
        ImportFile.token_hash == token_hash, ImportFile.owner_hash == owner_hash, ImportFile.kind == kind,
        ImportFile.expires_at > now)).first()


def drop(session: Session, token_hash: bytes, owner_hash: bytes) -> None:
    session.execute(delete(ImportFile).where(ImportFile.token_hash == token_hash,
                                             ImportFile.owner_hash == owner_hash))


def purge(session: Session, now: datetime, *, org_id: int | None = None, owner_hash: bytes | None = None) -> int:
    """Removes the expired files (of one enterprise, with `org_id`), and with `owner_hash` every file of that
    uploader (a new upload replaces them). SKIP LOCKED on PostgreSQL: two uploads at once never wait on each other."""
    gone = ImportFile.expires_at <= now
    if org_id is not None:
        gone = and_(gone, ImportFile.org_id == org_id)
    if owner_hash is not None:
        gone = or_(gone, ImportFile.owner_hash == owner_hash)
    ids = select(ImportFile.id).where(gone).with_for_update(skip_locked=True).scalar_subquery()
    result = cast(CursorResult[Any], session.execute(delete(ImportFile).where(ImportFile.id.in_(ids))))
    return result.rowcount or 0
