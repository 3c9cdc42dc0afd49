"""Queries on region levels and policies."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import lru_cache

from sqlalchemy import DateTime, Integer, String, Text, bindparam, cast, null, select, union_all
from sqlalchemy.orm import Session

from healthcode.db.hotsql import Hot
from healthcode.regions.models import RegionLevel, RegionPolicy

_rl, _rp = RegionLevel.__table__.c, RegionPolicy.__table__.c


@lru_cache(maxsize=64)
def _levels_and_policies(count: int) -> Hot:
    """The scan path needs the levels of a few regions and the policy of the winner: one round trip for both (one
    statement per number of regions, parameters code0, code1, …)."""
    codes = [bindparam(f"code{i}", type_=String(6)) for i in range(count)]
    return Hot(union_all(
        select(_rl.code, _rl.level, _rl.set_at, _rl.id, cast(null(), String(100)).label("headline"),
               cast(null(), Text).label("text")).where(_rl.code.in_(codes)),
        select(cast(null(), String(6)), _rp.level, cast(null(), DateTime), cast(null(), Integer), _rp.headline,
               _rp.text),
    ))


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


def levels_and_edited_policies(session: Session, codes: Collection[str]
                               ) -> tuple[dict[str, int], dict[int, tuple[str, str]]]:
    """The current level of each code that has one, and every edited policy as {level: (headline, text)}."""
    newest: dict[str, tuple[tuple[datetime, int], int]] = {}
    edited: dict[int, tuple[str, str]] = {}
    distinct = sorted(set(codes))
    rows = _levels_and_policies(len(distinct)).rows(session, {f"code{i}": code for i, code in enumerate(distinct)})
    for code, level, set_at, row_id, headline, text in rows:
        if code is None:
            edited[level] = (headline, text)
        elif code not in newest or (set_at, row_id) > newest[code][0]:
            newest[code] = ((set_at, row_id), level)
    return {code: level for code, (_, level) in newest.items()}, edited


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
