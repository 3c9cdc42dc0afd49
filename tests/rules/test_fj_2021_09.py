"""The red/yellow/green rule set fj-2021-09 (rules/sets/fj-2021-09.toml): each rule's colour, window and texts, the
most severe colour among several, and the way back to green."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from healthcode.rules.flags import ArrivalFact, CaseFact, ClosureFact, DatedFact, Flags
from healthcode.rules.ruleset import FJ_2021_09
from healthcode.rules.status import evaluate

ID = "350102199001010010"
D = date(2021, 9, 21)


def day(n: int) -> date:
    return D + timedelta(days=n)


# rule → (flags with one fact on day D, the colour, the last day it holds or None when open-ended, the text's start)
RULES = {
    "case": (Flags(ID, cases=(CaseFact("confirmed", datetime(2021, 9, 21, 8)),)), "red", None,
             "新冠肺炎确诊病例（2021-09-21 报告），治愈并解除隔离后恢复绿码"),
    "close_contact": (Flags(ID, close_contacts=(DatedFact(D),)), "red", day(13),
                      "14天内为确诊或疑似病例的密切接触者（接触日期 2021-09-21），须隔离医学观察，"
                      "2021-10-05 起恢复绿码"),
    "high_risk_arrival": (Flags(ID, arrivals=(ArrivalFact(D, "湖北省武汉市"),)), "yellow", day(13),
                          "14天内自疫情高发地区（湖北省武汉市）入闽（2021-09-21），须落实健康监测，"
                          "2021-10-05 起恢复绿码"),
    "closed_community": (Flags(ID, closures=(ClosureFact("软件园社区", D, day(5)),)), "yellow", day(5),
                         "户籍地址所在小区（软件园社区）实行封闭管理（2021-09-21 至 2021-09-26），"
                         "2021-09-27 起恢复绿码"),
    "fever_clinic": (Flags(ID, fever_clinic_visits=(DatedFact(D),)), "yellow", day(6),
                     "7天内有发热门诊就诊记录（2021-09-21），须落实核酸检测和健康监测，2021-09-28 起恢复绿码"),
    "fever_drug": (Flags(ID, fever_drug_purchases=(DatedFact(D),)), "yellow", day(6),
                   "7天内有购买退烧药品记录（2021-09-21），须落实核酸检测和健康监测，2021-09-28 起恢复绿码"),
}


def test_every_rule_of_the_set_is_tested_here() -> None:
    assert sorted(RULES) == sorted(r.id for r in FJ_2021_09.rules)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_gives_its_colour_until_its_last_day_then_green(rule: str) -> None:
    flags, color, until, detail = RULES[rule]
    held = evaluate(flags, D, FJ_2021_09)
    assert (held.color, held.color_label) == (color, {"red": "红码", "yellow": "黄码"}[color])
    assert [(r.rule, r.since, r.until, r.detail) for r in held.reasons] == [(rule, D, until, detail)]
    if until is not None:
        assert evaluate(flags, until, FJ_2021_09).color == color
        after = evaluate(flags, until + timedelta(days=1), FJ_2021_09)
        assert (after.color, after.reasons) == ("green", ())


def test_red_outranks_yellow_and_both_reasons_are_shown() -> None:
    flags = Flags(ID, fever_clinic_visits=(DatedFact(D),), close_contacts=(DatedFact(day(2)),))
    result = evaluate(flags, day(3), FJ_2021_09)
    assert result.color == "red"
    assert [r.rule for r in result.reasons] == ["close_contact", "fever_clinic"]
    assert evaluate(flags, day(16), FJ_2021_09).color == "green"  # the contact's 14 days are over too


def test_suspected_is_red_and_cleared_is_green() -> None:
    suspected = CaseFact("suspected", datetime(2021, 9, 21, 8))
    assert evaluate(Flags(ID, cases=(suspected,)), D, FJ_2021_09).color == "red"
    cleared = CaseFact("cleared", datetime(2021, 9, 22, 8))
    assert evaluate(Flags(ID, cases=(suspected, cleared)), day(1), FJ_2021_09).color == "green"


def test_an_arrival_with_abnormal_health_stays_yellow_until_lifted() -> None:
    flags = Flags(ID, arrivals=(ArrivalFact(D, "湖北省武汉市", health_abnormal=True),))
    result = evaluate(flags, day(60), FJ_2021_09)
    assert result.color == "yellow" and result.reasons[0].until is None
