"""Mainland mobile numbers: 11 digits beginning 13–19. One rule for every form that takes one (a scanner's
registration, an enterprise's legal representative, operator and employees); spaces and dashes are dropped."""

from __future__ import annotations

import re

MOBILE = re.compile(r"1[3-9]\d{9}")
MESSAGE = "手机号码应为11位手机号，以13至19开头"
# A fixed line as people write it: 区号 (3–4 digits from 0) and 7–8 digits, e.g. 0591-87654321; an extension may
# follow. Recognised only to say why it is refused where a mobile number is needed.
LANDLINE = re.compile(r"0\d{2,3}[- ]?\d{7,8}(?:[-转]\d{1,6})?")


class InvalidPhone(ValueError):
    """Not a mainland mobile number; `str()` is the Chinese message."""


def is_landline(value: object) -> bool:
    return LANDLINE.fullmatch(("" if value is None else str(value)).strip()) is not None


def normalise_phone(value: object) -> str:
    phone = ("" if value is None else str(value)).strip().replace(" ", "").replace("-", "")
    if not MOBILE.fullmatch(phone):
        raise InvalidPhone(MESSAGE)
    return phone
