"""Errors of messages: the inbox and SMS verification codes."""

from __future__ import annotations

from healthcode.errors import Invalid, NotFound, RateLimited


class MessageNotFound(NotFound):
    code = "message_not_found"
    message = "消息不存在"


class SmsThrottled(RateLimited):
    code = "sms_throttled"
    message = "验证码发送过于频繁，请稍后再试"


class CodeRejected(Invalid):
    """A wrong, expired, used or spent SMS code."""

    code = "invalid_sms_code"
    message = "验证码错误"
