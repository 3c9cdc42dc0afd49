"""Errors of accounts: signing in, tokens, passwords."""

from __future__ import annotations

from healthcode.errors import Conflict, RateLimited, Unauthorised


class LoginFailed(Unauthorised):
    code = "invalid_credentials"
    message = "用户名或密码错误"


class AccountLocked(RateLimited):
    code = "account_locked"
    message = "密码错误次数过多，账号已锁定，请稍后再试"


class InvalidToken(Unauthorised):
    code = "invalid_token"
    message = "登录已失效，请重新登录"


class UsernameTaken(Conflict):
    code = "username_taken"
    message = "账号已存在"
