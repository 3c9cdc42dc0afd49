"""Errors of signing in."""

from __future__ import annotations

from healthcode.errors import DomainError, Unauthorised


class LoginFailed(Unauthorised):
    code = "invalid_credentials"


class AccountLocked(DomainError):
    status_code = 429
    code = "account_locked"
