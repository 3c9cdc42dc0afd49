"""Errors of residents and their family links that have a code of their own."""

from __future__ import annotations

from healthcode.errors import Forbidden


class OrangeCannotApply(Forbidden):
    code = "orange_cannot_apply"
    message = "您当前为橙码，按规定不能为他人申领健康码；转为绿码后可再为家人申领"
