"""The 12-digit number code shown above the QR: 11 random digits and a Luhn check digit, unique among unexpired
codes."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.orm import Session
from stdnum import luhn

from healthcode.codes import repository
from healthcode.codes.errors import CheckDigitError, InvalidCode

LENGTH = 12
_FOLD = str.maketrans("０１２３４５６７８９", "0123456789", " -\u3000\t")


def check_digit(body: str) -> str:
    """The Luhn check digit of the first 11 digits."""
    return luhn.calc_check_digit(body)


def random_number() -> str:
    body = f"{secrets.randbelow(10 ** (LENGTH - 1)):0{LENGTH - 1}d}"
    return body + check_digit(body)


def store_with_new_number(session: Session, now: datetime, **record: object) -> str:
    """Stores the issued-code record under a fresh number that no unexpired code carries, and returns the number
    (a random one collides about once in 10^11 draws per live code; a few tries are plenty)."""
    for _ in range(8):
        number = random_number()
        if repository.add_issued_if_number_free(session, now, number_code=number, **record):
            return number
    raise RuntimeError("数字码空间异常拥挤：连续 8 次随机均已被占用")  # pragma: no cover


def looks_like_number_code(text: str) -> bool:
    folded = text.translate(_FOLD)
    return folded.isascii() and folded.isdigit()


def parse(text: str) -> str:
    """The 12 digits of a typed number code (full-width digits, spaces and hyphens tolerated), or a refusal."""
    number = text.translate(_FOLD)
    if len(number) != LENGTH or not number.isascii() or not number.isdigit():
        raise InvalidCode("数字码应为12位数字")
    if not luhn.is_valid(number):
        raise CheckDigitError()
    return number
