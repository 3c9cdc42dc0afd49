"""Errors of rule sets."""

from __future__ import annotations

from healthcode.errors import Conflict, Invalid, NotFound


class UnknownRuleSet(NotFound):
    code = "unknown_rule_set"
    message = "未知的赋码规则集"


class InvalidRuleSet(Invalid):
    """A rule-set file that cannot be used: its message names the file and the field."""

    code = "invalid_rule_set"
    message = "赋码规则文件有误"


class AlreadyInForce(Conflict):
    code = "rule_set_in_force"
    message = "该赋码规则集已在执行中"
