"""Refused codes counted per scanner: too many in a short window locks that scanner's number-code look-ups, so the
12-digit codes cannot be guessed by trying (QR codes are signed and stay usable). ID-card checks (id_check.py), which
a typed number could enumerate too, are counted and locked with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from healthcode.checkpoints import repository
from healthcode.checkpoints.models import ScanRefusal
from healthcode.config import Settings
from healthcode.db import survive
from healthcode.errors import RateLimited

LOOKUPS = ("number", "id_card")  # the ways in that typing could guess: locked together


@dataclass(frozen=True)
class RefusalLimits:
    max_refusals: int
    window: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> RefusalLimits:
        return cls(settings.scan_refusal_limit, timedelta(seconds=settings.scan_refusal_window_seconds))


def check_number_lookup(scanner: Any, now: datetime) -> None:
    """Refuses a number-code look-up or an ID-card check while the scanner is locked (no query: the lock is on the
    scanner's row)."""
    _check_lock(scanner.number_locked_until, now)


def _check_lock(until: datetime | None, now: datetime) -> None:
    if until is not None and until > now:
        raise RateLimited(f"错误次数过多，数字码查询和身份证核验已暂停，请于{until:%H:%M:%S}后再试，或改用扫码")


def record_refusal(session: Session, scanner: Any, via: str, error: str, now: datetime,
                   limits: RefusalLimits) -> None:
    """Counts a refused code (or ID-card check) against the scanner (model or row), kept although the scan then
    fails (healthcode/db/survive.py), and locks its number look-ups and ID-card checks past the limit. Concurrent
    refusals of one scanner queue on its row: each counts the ones committed before it, and a number-code attempt
    (or ID-card check) that finds the scanner locked meanwhile is refused as rate-limited, not counted (PostgreSQL
    let 13 refusals through against a limit of 10 when each request read the lock and the count before the others
    had committed)."""
    scanner_id = scanner.id

    def write(own: Session) -> None:
        locked_until = repository.lock_scanner_number_lookup(own, scanner_id)
        if via in LOOKUPS:
            _check_lock(locked_until, now)
        repository.add_refusal(own, ScanRefusal(scanner_id=scanner_id, at=now, via=via, error=error[:32]))
        if repository.count_refusals(own, scanner_id, now - limits.window) >= limits.max_refusals:
            repository.lock_number_lookups_until(own, scanner_id, now + limits.window)

    survive.keep(session, write)
