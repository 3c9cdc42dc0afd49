"""Resident ID numbers (GB 11643): normalisation, the check character, 15→18 conversion, birth date and sex.

The check character comes from python-stdnum; its area-code rule is deliberately not used, because people keep
numbers whose area code was retired, or did not yet exist in their birth year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stdnum.cn.ric import calc_check_digit

_FULL_WIDTH = str.maketrans("０１２３４５６７８９ＸｘＸ", "0123456789XXX")


class InvalidIdNumber(ValueError):
    """Carries the Chinese reason shown to the user."""


def normalize_id_number(value: str, today: date | None = None) -> str:
    """The 18-character form of a resident ID number, or InvalidIdNumber with the reason in Chinese."""
    number = value.strip().translate(_FULL_WIDTH).upper()
    if len(number) == 15:
        if not number.isdigit():
            raise InvalidIdNumber("15位身份证号必须全为数字")
        body = number[:6] + "19" + number[6:]
        number = body + calc_check_digit(body + "0")
    elif len(number) != 18:
        raise InvalidIdNumber("身份证号长度应为18位（或15位旧号码）")
    body, check = number[:17], number[17]
    if not body.isdigit() or not (check.isdigit() or check == "X"):
        raise InvalidIdNumber("身份证号格式错误：前17位必须为数字，末位为数字或X")
    if body[:2] == "00" or body[2:6] == "0000":
        raise InvalidIdNumber("身份证号地址码无效")
    birth = _birth_date(body)
    if birth is None:
        raise InvalidIdNumber("身份证号出生日期无效")
    if birth.year < 1880 or (today is not None and birth > today):
        raise InvalidIdNumber("身份证号出生日期不在合理范围内")
    if calc_check_digit(number) != check:
        raise InvalidIdNumber("身份证号校验码错误")
    return number


def _birth_date(body: str) -> date | None:
    try:
        return date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        return None


@dataclass(frozen=True)
class IdFacts:
    number: str
    birth_date: date
    sex: str  # "male" or "female", from the parity of the order code
    area_code: str


def id_facts(number: str) -> IdFacts:
    """Facts derived from a normalised ID number."""
    birth = _birth_date(number)
    assert birth is not None, "normalise the number first"
    return IdFacts(number, birth, "male" if int(number[16]) % 2 else "female", number[:6])
