"""The platform clock. Every date and time in the platform is Asia/Shanghai; stored date-times are naive local times.

The process's clock is set where the process starts, from its settings (`configure`: `create_app`, the `healthcode`
command): the real time, or the fixed time of a demo or a test (`fixed_now`). docs/decisions.md says why it is one
clock per process rather than an object passed to every caller.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from healthcode.config import Settings

TZ = ZoneInfo("Asia/Shanghai")
_fixed: datetime | None = None  # the time `now` answers, when the settings fix it


def configure(settings: Settings) -> None:
    """From now on the clock follows these settings: the real time, or `fixed_now`."""
    global _fixed
    _fixed = None if settings.fixed_now is None else to_local(settings.fixed_now)


def now() -> datetime:
    """The current Asia/Shanghai time, naive, to the microsecond (or the configured fixed time)."""
    if _fixed is not None:
        return _fixed
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
