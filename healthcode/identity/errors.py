"""Errors of the residents' real-name sign-in."""

from __future__ import annotations

from healthcode.errors import DomainError, RateLimited, Unauthorised


class SignInFailed(Unauthorised):
    code = "sign_in_failed"
    message = "登录未完成，请重新登录"


class NotSignedIn(Unauthorised):
    code = "not_signed_in"
    message = "请先使用闽政通实名登录"


class DevLocked(RateLimited):
    """The development identity provider's lockout of an ID number."""

    code = "account_locked"
    message = "密码错误次数过多，账号已被锁定，请稍后再试"


class DevLoginFailed(DomainError):
    code = "invalid_credentials"
    message = "身份证号或密码错误"


class SignInUnavailable(SignInFailed):
    """The identity platform cannot be reached or is not configured: not the resident's fault."""

    status_code = 503
    message = "暂时无法连接身份认证平台，请稍后再试"
