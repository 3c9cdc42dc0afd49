"""Unified social credit codes (统一社会信用代码, GB 32100): one rule for every form and look-up that takes one (a
unit's creation, an enterprise's registration and association, a scanner's registration, account retrieval and
resets, the employer named on a health report, the code inside a CA certificate). The check character is
python-stdnum's; spaces and dashes are dropped and letters upper-cased."""

from __future__ import annotations

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError


class InvalidUscc(ValueError):
    """Not a valid USCC; `str()` is the Chinese reason (each caller puts it in its own words and error code)."""


def normalise_uscc(value: str | None) -> str:
    """The canonical USCC (18 characters, upper case, no separators) with a valid check character, else InvalidUscc."""
    try:
        return stdnum_uscc.validate(value or "")
    except InvalidLength:
        raise InvalidUscc("应为18位") from None
    except InvalidChecksum:
        raise InvalidUscc("校验码错误") from None
    except ValidationError:
        raise InvalidUscc("前8位应为数字，其余为数字或大写字母（不含I、O、Z、S、V）") from None


def compact_uscc(value: str | None) -> str:
    """What was entered, without separators and upper-cased, but not checked: to find the unit an attempt named
    whatever it was (an audit of a refusal). "" when nothing usable was entered."""
    try:
        return stdnum_uscc.compact(value or "")
    except ValidationError:
        return ""
