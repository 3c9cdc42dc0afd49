"""The shape of a rule set, as the pure evaluator (rules/status.py) reads it: the rule kinds, `Rule` and `RuleSet`.
The sets themselves are data (rules/sets/*.toml, read by rules/loader.py; rules/ruleset.py names them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# The kinds of rule the evaluator knows; a rule set combines them with its own windows, colours and texts.
KIND_LATEST_CASE = "latest_case"  # the person's latest case record has one of `statuses`
KIND_WINDOWED = "windowed"  # a dated fact from one of `sources` lies within the window
KIND_ARRIVAL = "arrival"  # windowed on arrival date, or open-ended while health is abnormal
KIND_PERIOD = "period"  # a dated period (closure) that contains today
# The colours a code can carry (codes/tokens.py), from the least to the most severe.
KNOWN_COLORS = ("green", "yellow", "orange", "red")


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    title: str  # the seed's wording of the condition
    color: str  # the colour this rule gives when it holds
    # Texts with str.format fields: {window} days, {dates} of the facts, {since}, {until}, {back} (until + 1 day),
    # {names} (communities, origins). Keys depend on the kind: "detail" (windowed / ended), "open" (open-ended),
    # or one per case status.
    texts: Mapping[str, str]
    window_days: int | None = None
    sources: tuple[str, ...] = ()  # the Flags fields a windowed rule reads
    statuses: tuple[str, ...] = ()  # latest_case: the statuses that hold


@dataclass(frozen=True)
class RuleSet:
    id: str
    name: str
    colors: tuple[str, ...]  # from the least to the most severe; the first is the colour when no rule holds
    color_labels: Mapping[str, str]
    rules: tuple[Rule, ...]
    rule_by_id: Mapping[str, Rule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule_by_id", MappingProxyType({r.id: r for r in self.rules}))
        unknown = {r.color for r in self.rules} - set(self.colors)
        if unknown:
            raise ValueError(f"rule colours not in the rule set: {unknown}")

    @property
    def default_color(self) -> str:
        return self.colors[0]

    @property
    def lookback_days(self) -> int:
        """How many days of dated facts any windowed rule can look at (today included)."""
        return max((r.window_days or 0 for r in self.rules), default=0)

    def most_severe(self, colors: list[str]) -> str:
        return max(colors, key=self.colors.index, default=self.default_color)
