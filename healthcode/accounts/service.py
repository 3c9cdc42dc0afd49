"""Signing in: password check with lockout after repeated failures, token issue, password change."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, object_session

from healthcode.accounts import passwords, repository, throttle, tokens
from healthcode.accounts.errors import AccountLocked, LoginFailed, UsernameTaken
from healthcode.accounts.models import Account
from healthcode.accounts.throttle import Limit, limit_of
from healthcode.config import Settings
from healthcode.errors import InvalidPassword
from healthcode.sessions import repository as web_sessions

LOCKOUT_LIMIT = Limit(5, 15 * 60)  # without settings (the CLI, tests of the service): 5 failures in 15 minutes
LOGIN_FAILURES = "login_user"  # the throttle's action of failed sign-ins per username
INACTIVE = "该账号已停用，如有疑问请联系疫情防控指挥部"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    kind: str
    must_change_password: bool

    def as_json(self) -> dict[str, object]:
        return {"access_token": self.access_token, "token_type": "bearer", "expires_in": self.expires_in,
                "account_kind": self.kind, "must_change_password": self.must_change_password}


def create_account(session: Session, *, kind: str, username: str, password: str, now: datetime,
                   must_change_password: bool = False) -> Account:
    """A new account; the password must follow the rule. Refuses a username already in use."""
    password_hash = passwords.hash_password(password)
    if repository.username_taken(session, username):
        raise UsernameTaken(f"账号 {username} 已存在")
    account = Account(kind=kind, username=username, password_hash=password_hash,
                      must_change_password=must_change_password, token_version=0, failed_logins=0,
                      created_at=now, password_changed_at=now)
    session.add(account)
    session.flush()
    return account


def login(session: Session, username: str, password: str, now: datetime, secret_key: str, *,
          settings: Settings | None = None, address: str | None = None) -> IssuedToken:
    """A token for the right password. Refusals read the same whether or not the username exists: failures are
    counted per username in the throttle (kept although the sign-in then fails: healthcode/db/survive.py), and the
    fifth within 15 minutes locks that username, known or not. With `settings`, failures are also counted per client
    address, and an address over its limit is refused (429) before any password is checked."""
    lockout = limit_of(settings, "login_lockout") if settings is not None else LOCKOUT_LIMIT
    if settings is not None:
        throttle.check_address(session, settings, throttle.LOGIN, address, now)
    name = username.strip()
    until = throttle.blocked_until(session, LOGIN_FAILURES, name, lockout, now, secret_key)
    if until is not None:
        raise AccountLocked(_locked_message(until))
    account = repository.by_username(session, name)
    if account is None:
        passwords.verify_nobody(password)
    if account is None or not passwords.verify(account.password_hash, password):
        if settings is not None:
            throttle.record_address(session, settings, throttle.LOGIN, address, now)
        left = throttle.record(session, LOGIN_FAILURES, name, lockout, now, secret_key)
        if left == 0:
            until = throttle.blocked_until(session, LOGIN_FAILURES, name, lockout, now, secret_key)
            raise AccountLocked(_locked_message(until or now + lockout.window))
        raise LoginFailed(f"用户名或密码错误，再错{left}次账号将被锁定{lockout.seconds // 60}分钟")
    if not account.active:
        # the password was right: its count ends all the same
        throttle.clear_kept(session, LOGIN_FAILURES, name, secret_key)
        raise LoginFailed(INACTIVE)
    throttle.clear(session, LOGIN_FAILURES, name, secret_key)
    account.last_login_at = now
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    claims = tokens.Claims(account.kind, account.id, account.token_version)
    return IssuedToken(tokens.issue(secret_key, claims), tokens.TOKEN_TTL_SECONDS, account.kind,
                       account.must_change_password)


def change_password(session: Session, account: Account, old_password: str, new_password: str,
                    now: datetime) -> None:
    """Changes the password and invalidates every token issued before."""
    if not passwords.verify(account.password_hash, old_password):
        raise LoginFailed("原密码错误")
    if old_password == new_password:
        raise InvalidPassword("新密码不能与原密码相同")
    account.password_hash = passwords.hash_password(new_password)
    account.must_change_password = False
    account.password_changed_at = now
    revoke_tokens(account)


def set_password(account: Account, new_password: str, now: datetime, *, must_change: bool) -> None:
    """An operator (or the self-service page) sets a new password; earlier tokens stop working."""
    account.password_hash = passwords.hash_password(new_password)
    account.must_change_password = must_change
    account.password_changed_at = now
    revoke_tokens(account)


def set_password_hash(account: Account, password_hash: str, now: datetime) -> None:
    """A password chosen earlier and kept only as its hash (a USCC dispute's claimant); earlier tokens stop."""
    account.password_hash = password_hash
    account.must_change_password = False
    account.password_changed_at = now
    revoke_tokens(account)


def deactivate(session: Session, account: Account, now: datetime) -> None:
    """The one way to deactivate an account: it can no longer sign in, and every token and session issued for it
    ends now (sessions check `active` and the token version on every request)."""
    account.active = False
    revoke_tokens(account)
    session.flush()


def revoke_tokens(account: Account) -> None:
    """Every token issued for the account stops working, and every web session it is signed in to ends (in the
    account's own transaction: a console password change then signs its own browser in again under a new token)."""
    account.token_version = (account.token_version or 0) + 1
    session = object_session(account)
    assert session is not None, "an account is changed in the transaction that loaded it"
    web_sessions.end_for_account(session, account.id)


def sign_out(session: Session, account_id: int, via: str) -> None:
    """退出登录 of a scanner (its page or `POST /api/v1/auth/logout`) or an admin's API client: every token and web
    session of the account ends, on every device (docs/decisions.md, "Logout ends every token of the account"). The
    log names the account by its id only: a scanner's username is his phone number."""
    account = repository.by_id(session, account_id)
    if account is None:
        return
    revoke_tokens(account)
    log.info("account %s signed out (%s): every token and session of it ended", account_id, via)


def clear_failures(session: Session, username: str, secret_key: str) -> None:
    """Ends a username's lockout (an operator reset its password)."""
    throttle.clear(session, LOGIN_FAILURES, username, secret_key)


def _locked_message(until: datetime) -> str:
    return f"密码错误次数过多，账号已锁定，请于{until:%H:%M}后再试"
