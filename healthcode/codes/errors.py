"""Refusals of a presented code (SPEC section 8): each a 422 with one of the contract's error codes."""

from __future__ import annotations

from healthcode.errors import Invalid


class CodeRefused(Invalid):
    """Any refused code; the checkpoint counts these against the scanner."""

    code = "invalid_code"
    message = "健康码无效"

    @staticmethod
    def stored(code: str, message: str) -> CodeRefused:
        """The refusal kept as its code and message (an offline scan's row): the same class, so the same answer."""
        kinds: list[type[CodeRefused]] = [InvalidCode, CheckDigitError, ExpiredCode, BadSignature, UnknownKey,
                                          CardRevoked]
        return next((kind for kind in kinds if kind.code == code), CodeRefused)(message)


class InvalidCode(CodeRefused):
    code = "invalid_code"
    message = "无法识别的健康码"


class CheckDigitError(CodeRefused):
    code = "check_digit"
    message = "数字码校验位错误，请核对后重新输入"


class ExpiredCode(CodeRefused):
    code = "expired"
    message = "健康码已过期，请对方刷新健康码后重新扫码"


class BadSignature(CodeRefused):
    code = "bad_signature"
    message = "健康码签名无效，可能是伪造或被篡改的二维码"


class UnknownKey(CodeRefused):
    code = "unknown_key"
    message = "健康码的签名密钥未知或已停用，请对方刷新健康码"


class CardRevoked(CodeRefused):
    """A printed card (issue 16) that was revoked: by its holder, or by printing a newer card for the same person."""

    code = "card_revoked"
    message = "该纸质健康码已作废（已补打新卡或已被持卡人作废），请出示新卡或用手机亮码"


class NoSigningKey(Exception):
    """The platform cannot sign: a configuration fault, not the user's (so not a DomainError)."""


class CardFontMissing(Exception):
    """The CJK font of the printed card's PDF is not installed: a configuration fault, not the user's."""
