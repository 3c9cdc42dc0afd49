"""Throttling shared by every server process: attempts are rows of `throttle_hits` (action, hashed key, time),
counted over a sliding window and pruned as they age out. A hit is kept whatever becomes of the request that counts
it (healthcode/db/survive.py): the request may go on to raise its refusal. Per client address for sign-ins,
SMS codes, registrations, account retrieval and real-name sign-in starts; per username for the sign-in lockout (known
or not alike). The values are stored keyed by the platform's secret (`secret_key`, which the caller passes)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from healthcode.accounts import repository
from healthcode.config import Settings
from healthcode.db import survive
from healthcode.errors import RateLimited

# Actions counted per client address, with the setting that limits each and the Chinese refusal.
LOGIN = "login"
SMS = "sms"
REGISTER = "register"
RETRIEVAL = "retrieval"
SIGN_IN_START = "sign_in_start"
_PER_ADDRESS = {
    LOGIN: ("throttle_login_failures", "登录失败次数过多"),
    SMS: ("throttle_sms", "获取验证码过于频繁"),
    REGISTER: ("throttle_registration", "注册提交过于频繁"),
    RETRIEVAL: ("throttle_retrieval", "账号获取尝试过于频繁"),
    SIGN_IN_START: ("throttle_sign_in_starts", "登录请求过于频繁"),
}


@dataclass(frozen=True)
class Limit:
    """At most `count` hits in any `seconds`."""

    count: int
    seconds: int

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.seconds)


def limit_of(settings: Settings, name: str) -> Limit:
    count, seconds = getattr(settings, name)
    return Limit(int(count), int(seconds))


def blocked_until(session: Session, action: str, value: str, limit: Limit, now: datetime,
                  secret_key: str) -> datetime | None:
    """When (action, value) may be tried again, or None when it may be now. Holds the key's turn (PostgreSQL) until
    the transaction ends, so a `record` that follows counts without a race."""
    key = _key(secret_key, action, value)
    repository.lock_throttle_key(session, int.from_bytes(bytes.fromhex(key[:8]), "big", signed=True))
    hits = repository.throttle_hits_since(session, action, key, now - limit.window)
    if len(hits) < limit.count:
        return None
    return hits[limit.count - 1] + limit.window  # the oldest hit that keeps the count at the limit leaves then


def record(session: Session, action: str, value: str, limit: Limit, now: datetime, secret_key: str) -> int:
    """Counts one hit, kept even if the request then fails, and returns how many more the window allows; hits of the
    action older than it go."""
    key = _key(secret_key, action, value)

    def write(own: Session) -> int:
        repository.prune_throttle_hits(own, action, now - limit.window)
        repository.add_throttle_hit(own, action, key, now)
        return max(limit.count - len(repository.throttle_hits_since(own, action, key, now - limit.window)), 0)

    return survive.keep(session, write)


def clear(session: Session, action: str, value: str, secret_key: str) -> None:
    """Forgets the hits of (action, value), in the request's transaction."""
    repository.clear_throttle_hits(session, action, _key(secret_key, action, value))


def clear_kept(session: Session, action: str, value: str, secret_key: str) -> None:
    """`clear`, kept even if the request then fails (a right password ends the count of wrong ones, whatever the
    sign-in answers next)."""
    key = _key(secret_key, action, value)
    survive.keep(session, lambda own: repository.clear_throttle_hits(own, action, key))


def check_address(session: Session, settings: Settings, action: str, address: str | None, now: datetime) -> None:
    """Refuses (429 rate_limited) a client address that used up the action's limit."""
    name, what = _PER_ADDRESS[action]
    until = blocked_until(session, action, _address(address), limit_of(settings, name), now, settings.secret_key)
    if until is not None:
        raise RateLimited(f"{what}，请于{until:%H:%M}后再试")


def record_address(session: Session, settings: Settings, action: str, address: str | None, now: datetime) -> None:
    record(session, action, _address(address), limit_of(settings, _PER_ADDRESS[action][0]), now, settings.secret_key)


def hit_address(session: Session, settings: Settings, action: str, address: str | None, now: datetime) -> None:
    """`check_address`, then the attempt counted (and kept): for actions where every attempt counts (SMS,
    registration, retrieval)."""
    check_address(session, settings, action, address, now)
    record_address(session, settings, action, address, now)


def _address(address: str | None) -> str:
    return address or "unknown"


def _key(secret_key: str, action: str, value: str) -> str:
    # Keyed by the platform's secret (HMAC-SHA256): values are phone numbers, ID numbers and addresses, and a plain
    # hash of 11 digits is reversed in seconds; the table needs only equality.
    return hmac.new(secret_key.encode(), f"{action}\x00{value}".encode(), hashlib.sha256).hexdigest()
