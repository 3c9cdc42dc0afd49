"""Versioned rule sets (SPEC section 3): rule ids, kinds, windows, colours and Chinese texts, as data.

Each set is a TOML file of `healthcode/rules/sets/` (read and checked by rules/loader.py) combining the rule kinds the
pure evaluator knows (`healthcode.rules.status`); a later set (Fujian's red/yellow/green of 2021-09) is a new file.
Which set is in force is rules/in_force.py's (the authority's switch, else the settings' `rule_set`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from healthcode.rules.definitions import (
    KIND_ARRIVAL,
    KIND_LATEST_CASE,
    KIND_PERIOD,
    KIND_WINDOWED,
    KNOWN_COLORS,
    Rule,
    RuleSet,
)
from healthcode.rules.errors import UnknownRuleSet
from healthcode.rules.loader import load_directory

__all__ = ["KIND_ARRIVAL", "KIND_LATEST_CASE", "KIND_PERIOD", "KIND_WINDOWED", "KNOWN_COLORS", "RULE_SETS",
           "FJ_2020_02", "FJ_2021_09", "Rule", "RuleSet", "get_rule_set"]

# The rule sets shipped as TOML files in `healthcode/rules/sets/`, read and checked once at import.
RULE_SETS: Mapping[str, RuleSet] = MappingProxyType(load_directory())
FJ_2020_02 = RULE_SETS["fj-2020-02"]  # in force by default (settings.rule_set)
FJ_2021_09 = RULE_SETS["fj-2021-09"]


def get_rule_set(rule_set_id: str) -> RuleSet:
    try:
        return RULE_SETS[rule_set_id]
    except KeyError:
        raise UnknownRuleSet(f"未知的赋码规则集：{rule_set_id}") from None
