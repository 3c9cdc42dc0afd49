"""SMS verification codes (短信验证码) for a scanner's registration and an enterprise's verification: sent through
the SMS adapter, valid 5 minutes, at most 5 tries each, one send a minute and ten a day per phone number. Only a
keyed hash of a code is stored."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from healthcode.common.masking import mask_phone
from healthcode.db import survive
from healthcode.messages import repository, sms
from healthcode.messages.errors import CodeRejected, SmsThrottled
from healthcode.messages.models import SmsCode

TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=60)
MAX_PER_DAY = 10
COUNTED_FOR = timedelta(days=1)  # the window of MAX_PER_DAY; a code older than that is purged
LENGTH = 6
log = logging.getLogger(__name__)


# --- rules --------------------------------------------------------------------------------------------------------

def send(session: Session, phone: str, purpose: str, *, secret_key: str, now: datetime, log_text: bool = False) -> int:
    """Sends a fresh code to the phone and returns the seconds before another may be asked for. The previous
    code of the same purpose stops working (only the latest counts). `log_text`: development (ENV != prod), where
    the code is logged and kept in the outbox for a developer to read; elsewhere it is stored nowhere in plain."""
    latest = repository.latest_sms_code(session, phone, purpose)
    if latest is not None and now - latest.created_at < RESEND_AFTER:
        wait = int((RESEND_AFTER - (now - latest.created_at)).total_seconds()) + 1
        raise SmsThrottled(f"验证码发送过于频繁，请{wait}秒后再试")
    if repository.sms_codes_sent_since(session, phone, now - COUNTED_FOR) >= MAX_PER_DAY:
        raise SmsThrottled("该手机号今日获取验证码次数已达上限，请明天再试")
    code = f"{secrets.randbelow(10 ** LENGTH):0{LENGTH}d}"
    session.add(SmsCode(phone=phone, purpose=purpose, code_hash=_hash(secret_key, phone, code), created_at=now,
                        expires_at=now + TTL, attempts=0))
    text = f"【八闽健康码】您的验证码为{code}，5分钟内有效。如非本人操作，请忽略本短信。"
    # Outside development (log_text False) the outbox row reads 验证码为******; the full text is sealed for the
    # gateway and wiped once delivered (messages/sealing.py).
    sms.sender().send(session, [(phone, text)], now, secret=None if log_text else code, secret_key=secret_key)
    session.flush()
    if log_text:  # development outbox only: the log is where a developer reads the code
        log.warning("SMS to %s: %s", mask_phone(phone), text)
    return int(RESEND_AFTER.total_seconds())


def verify(session: Session, phone: str, purpose: str, code: str, *, secret_key: str, now: datetime) -> SmsCode:
    """The matching, unexpired, unused latest code, else CodeRejected. A wrong code counts one try against it (kept
    although the request then fails: healthcode/db/survive.py); the fifth wrong try spends the code."""
    entered = (code or "").strip()
    latest = repository.latest_sms_code(session, phone, purpose)
    if latest is None or latest.used_at is not None:
        raise CodeRejected("请先获取短信验证码")
    if latest.expires_at <= now:
        raise CodeRejected("验证码已过期，请重新获取")
    if latest.attempts >= MAX_ATTEMPTS:
        raise CodeRejected("验证码错误次数过多，请重新获取")
    if not hmac.compare_digest(latest.code_hash, _hash(secret_key, phone, entered)):
        code_id = latest.id
        left = max(MAX_ATTEMPTS - survive.keep(session, lambda own: repository.count_sms_code_try(own, code_id)), 0)
        raise CodeRejected(f"验证码错误，还可尝试{left}次" if left else "验证码错误次数过多，请重新获取")
    return latest


def spend(record: SmsCode, now: datetime) -> None:
    record.used_at = now


def purge(session: Session, now: datetime) -> int:
    """Deletes the codes written more than a day ago (`healthcode purge`): long expired, and past the day over which
    `MAX_PER_DAY` counts a phone's codes, they serve nothing more."""
    return repository.delete_sms_codes_before(session, now - COUNTED_FOR)


def _hash(secret_key: str, phone: str, code: str) -> str:
    return hmac.new(secret_key.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()
