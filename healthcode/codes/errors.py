"""Refusals of a presented code (SPEC section 8): each a 422 with one of the contract's error codes."""

from __future__ import annotations

from healthcode.errors import Invalid


class CodeRefused(Invalid):
    """Any refused code; the checkpoint counts these against the scanner."""

    code = "invalid_code"


class InvalidCode(CodeRefused):
    code = "invalid_code"


class CheckDigitError(CodeRefused):
    code = "check_digit"


class ExpiredCode(CodeRefused):
    code = "expired"


class BadSignature(CodeRefused):
    code = "bad_signature"


class UnknownKey(CodeRefused):
    code = "unknown_key"


class NoSigningKey(Exception):
    """The platform cannot sign: a configuration fault, not the user's (so not a DomainError)."""
