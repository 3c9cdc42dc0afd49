"""Errors of rule sets."""

from __future__ import annotations

from healthcode.errors import NotFound


class UnknownRuleSet(NotFound):
    code = "unknown_rule_set"
    message = "未知的赋码规则集"
