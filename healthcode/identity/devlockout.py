"""The development identity provider's lockout, as the real platforms do it: after `dev_idp_lockout` wrong passwords
for one ID number within its window the number is locked for a while, whether or not it has an account (the answers
never tell which). The counts are rows of the shared throttle, kept although the sign-in then fails
(healthcode/db/survive.py), so every process and the next request see them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.accounts import throttle
from healthcode.accounts.throttle import limit_of
from healthcode.config import Settings
from healthcode.identity.errors import DevLocked, DevLoginFailed

FAILURES = "dev_idp_user"  # the throttle's action of wrong passwords per ID number


def check(session: Session, settings: Settings, id_number: str, right: bool) -> None:
    """Passes when the password was right and the number is not locked; else DevLocked (429) or DevLoginFailed
    (400), with the wrong try counted."""
    limit, now, secret = limit_of(settings, "dev_idp_lockout"), clock.now(), settings.secret_key
    until = throttle.blocked_until(session, FAILURES, id_number, limit, now, secret)
    if until is not None:
        raise DevLocked(_locked(until))
    if right:
        throttle.clear(session, FAILURES, id_number, secret)
        return
    left = throttle.record(session, FAILURES, id_number, limit, now, secret)
    if left == 0:
        until = throttle.blocked_until(session, FAILURES, id_number, limit, now, secret)
        raise DevLocked(_locked(until or now + limit.window))
    raise DevLoginFailed(f"身份证号或密码错误，还可尝试{left}次，连续错误{limit.count}次账号将被锁定")


def _locked(until: datetime) -> str:
    return f"密码错误次数过多，账号已被锁定，请于{until:%H:%M}后再试"
