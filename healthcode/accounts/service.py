"""Signing in: password check with lockout after repeated failures, token issue, password change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, object_session

from healthcode.accounts import passwords, repository, tokens
from healthcode.accounts.errors import AccountLocked, LoginFailed
from healthcode.accounts.models import Account
from healthcode.errors import Conflict, Invalid
from healthcode.sessions import repository as web_sessions

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


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
        raise Conflict(f"账号 {username} 已存在", code="username_taken")
    account = Account(kind=kind, username=username, password_hash=password_hash,
                      must_change_password=must_change_password, token_version=0, failed_logins=0,
                      created_at=now, password_changed_at=now)
    session.add(account)
    session.flush()
    return account


def login(session: Session, username: str, password: str, now: datetime, secret_key: str) -> IssuedToken:
    """A token for the right password. Failures are counted on the account (the caller must keep them even though
    it answers with an error); the fifth in a row locks the account for 15 minutes."""
    account = repository.by_username(session, username.strip())
    if account is None:
        passwords.verify_nobody(password)
        raise LoginFailed("用户名或密码错误")
    if account.locked_until is not None and account.locked_until > now:
        raise AccountLocked(_locked_message(account.locked_until))
    if not passwords.verify(account.password_hash, password):
        account.failed_logins = (account.failed_logins or 0) + 1
        if account.failed_logins >= MAX_FAILURES:
            account.failed_logins = 0
            account.locked_until = now + LOCKOUT
            raise AccountLocked(_locked_message(account.locked_until))
        left = MAX_FAILURES - account.failed_logins
        raise LoginFailed(f"用户名或密码错误，再错{left}次账号将被锁定15分钟")
    account.failed_logins = 0
    account.locked_until = None
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
        raise Invalid("新密码不能与原密码相同", code="invalid_password")
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


def revoke_tokens(account: Account) -> None:
    """Every token issued for the account stops working, and every web session it is signed in to ends (in the
    account's own transaction: a console password change then signs its own browser in again under a new token)."""
    account.token_version = (account.token_version or 0) + 1
    session = object_session(account)
    assert session is not None, "an account is changed in the transaction that loaded it"
    web_sessions.end_for_account(session, account.id)


def _locked_message(until: datetime) -> str:
    return f"密码错误次数过多，账号已锁定，请于{until:%H:%M}后再试"
