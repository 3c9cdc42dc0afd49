"""The platform clock. Every date and time in the platform is Asia/Shanghai; stored date-times are naive local times."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from healthcode.config import get_settings

TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current Asia/Shanghai time, naive, to the microsecond (or the configured fixed time)."""
    fixed = get_settings().fixed_now
    if fixed is not None:
        return to_local(fixed)
    return datetime.now(TZ).replace(tzinfo=None)


def today() -> date:
    return now().date()


def to_local(value: datetime) -> datetime:
    """A date-time as naive Asia/Shanghai time: one with an offset is converted, one without is taken as local."""
    if value.tzinfo is None:
        return value
    return value.astimezone(TZ).replace(tzinfo=None)


def epoch_seconds(value: datetime) -> int:
    return int(value.replace(tzinfo=TZ).timestamp())
