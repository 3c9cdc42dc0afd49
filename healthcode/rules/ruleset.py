"""Versioned rule sets (SPEC section 3): rule ids, kinds, windows, colours and Chinese texts, in one place.

A later rule set (e.g. Fujian's 2021 red/yellow/green scheme) is a new `RuleSet` registered in `RULE_SETS`, reusing the
rule kinds the pure evaluator knows (`healthcode.rules.status`); the settings' `rule_set` selects which one applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from healthcode.rules.errors import UnknownRuleSet

# The kinds of rule the evaluator knows; a rule set combines them with its own windows, colours and texts.
KIND_LATEST_CASE = "latest_case"  # the person's latest case record has one of `statuses`
KIND_WINDOWED = "windowed"  # a dated fact from one of `sources` lies within the window
KIND_ARRIVAL = "arrival"  # windowed on arrival date, or open-ended while health is abnormal
KIND_PERIOD = "period"  # a dated period (closure) that contains today


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


FJ_2020_02 = RuleSet(
    id="fj-2020-02",
    name="福建省八闽健康码赋码规则（2020年2月）",
    colors=("green", "orange"),
    color_labels=MappingProxyType({"green": "绿码", "orange": "橙码"}),
    rules=(
        Rule(
            id="case", kind=KIND_LATEST_CASE, title="新冠肺炎确诊人员、疑似人员", color="orange",
            statuses=("confirmed", "suspected"),
            texts=MappingProxyType({
                "confirmed": "新冠肺炎确诊人员（{since} 报告），治愈并解除隔离后恢复绿码",
                "suspected": "新冠肺炎疑似人员（{since} 报告），排除后恢复绿码",
            }),
        ),
        Rule(
            id="close_contact", kind=KIND_WINDOWED, title="确诊或疑似人员的可能密切接触者", color="orange",
            window_days=14, sources=("close_contacts", "computed_contacts"),
            texts=MappingProxyType({
                "detail": "{window}天内为确诊或疑似人员的可能密切接触者（接触日期 {dates}），{back} 起恢复绿码",
            }),
        ),
        Rule(
            id="high_risk_arrival", kind=KIND_ARRIVAL, title="来自疫情高发地区人员", color="orange",
            window_days=14, sources=("arrivals",),
            texts=MappingProxyType({
                "detail": "{window}天内自疫情高发地区（{names}）入闽（{dates}），{back} 起恢复绿码",
                "open": "自疫情高发地区（{names}）入闽（{dates}）且健康状况异常，健康状况恢复正常后恢复绿码",
            }),
        ),
        Rule(
            id="closed_community", kind=KIND_PERIOD, title="实行封闭管理小区的居民", color="orange",
            sources=("closures",),
            texts=MappingProxyType({
                "detail": "户籍地址所在小区（{names}）实行封闭管理（{since} 至 {until}），{back} 起恢复绿码",
                "open": "户籍地址所在小区（{names}）实行封闭管理（{since} 起），封闭管理解除后恢复绿码",
            }),
        ),
        Rule(
            id="fever_clinic", kind=KIND_WINDOWED, title="14天内在我省有发热门诊就诊记录", color="orange",
            window_days=14, sources=("fever_clinic_visits",),
            texts=MappingProxyType({"detail": "{window}天内有发热门诊就诊记录（{dates}），{back} 起恢复绿码"}),
        ),
        Rule(
            id="fever_drug", kind=KIND_WINDOWED, title="14天内在我省有购买退烧药品记录", color="orange",
            window_days=14, sources=("fever_drug_purchases",),
            texts=MappingProxyType({"detail": "{window}天内有购买退烧药品记录（{dates}），{back} 起恢复绿码"}),
        ),
    ),
)

RULE_SETS: Mapping[str, RuleSet] = MappingProxyType({FJ_2020_02.id: FJ_2020_02})


def get_rule_set(rule_set_id: str) -> RuleSet:
    try:
        return RULE_SETS[rule_set_id]
    except KeyError:
        raise UnknownRuleSet(f"未知的赋码规则集：{rule_set_id}") from None
