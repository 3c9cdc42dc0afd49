"""Body temperatures (℃): the range a recorded temperature may have, and the threshold from which it is abnormal.

One rule for the scanner's feedback (the API, the page and its offline queue: the page is given RANGE and checks it
too, or an offline record would be refused at upload, and lost) and for the residents' health reports.
"""

from __future__ import annotations

LOWEST, HIGHEST = 34.0, 43.0
RANGE = (LOWEST, HIGHEST)
ABNORMAL_FROM = 37.3  # 体温≥37.3℃ is a fever (发热): abnormal
MESSAGE = f"体温应在 {LOWEST:.1f}–{HIGHEST:.1f}℃ 之间"


class InvalidTemperature(ValueError):
    """Outside RANGE; `str()` is the Chinese message."""


def checked_temperature(celsius: float) -> float:
    """The temperature rounded to 0.1 ℃, when it lies in RANGE (checked as given), else InvalidTemperature."""
    if not LOWEST <= celsius <= HIGHEST:
        raise InvalidTemperature(MESSAGE)
    return round(celsius, 1)


def is_abnormal(celsius: float) -> bool:
    return celsius >= ABNORMAL_FROM
