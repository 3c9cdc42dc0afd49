"""Queries on region levels and policies."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.regions.models import RegionLevel, RegionPolicy


def current_levels(session: Session, codes: Collection[str]) -> dict[str, int]:
    """The newest level of each code that has one (one indexed query; a region's history is short)."""
    if not codes:
        return {}
    rows = session.execute(
        select(RegionLevel.code, RegionLevel.level).where(RegionLevel.code.in_(sorted(set(codes))))
        .order_by(RegionLevel.code, RegionLevel.set_at.desc(), RegionLevel.id.desc())
    ).all()
    levels: dict[str, int] = {}
    for code, level in rows:
        levels.setdefault(code, level)
    return levels


def all_current_levels(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(RegionLevel.code, RegionLevel.level).order_by(RegionLevel.code, RegionLevel.set_at.desc(),
                                                             RegionLevel.id.desc())
    ).all()
    levels: dict[str, int] = {}
    for code, level in rows:
        levels.setdefault(code, level)
    return levels


def history(session: Session, code: str) -> list[RegionLevel]:
    return list(session.scalars(
        select(RegionLevel).where(RegionLevel.code == code).order_by(RegionLevel.set_at.desc(), RegionLevel.id.desc())
    ))


def edited_policies(session: Session) -> dict[int, RegionPolicy]:
    return {p.level: p for p in session.scalars(select(RegionPolicy))}


def policy_row(session: Session, level: int) -> RegionPolicy | None:
    return session.get(RegionPolicy, level)
