"""The pure status function of rule set fj-2020-02: every rule, its 14-day boundary, since/until and texts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from healthcode.errors import NotFound
from healthcode.rules.flags import ArrivalFact, CaseFact, ClosureFact, DatedFact, Flags
from healthcode.rules.ruleset import FJ_2020_02, get_rule_set
from healthcode.rules.status import evaluate

ID = "350102199001010010"
D = date(2020, 2, 10)


def status(flags: Flags, today: date):
    return evaluate(flags, today, FJ_2020_02)


def day(n: int) -> date:
    return D + timedelta(days=n)


WINDOWED = [
    ("fever_clinic", lambda on: Flags(ID, fever_clinic_visits=(DatedFact(on),))),
    ("fever_drug", lambda on: Flags(ID, fever_drug_purchases=(DatedFact(on),))),
    ("close_contact", lambda on: Flags(ID, close_contacts=(DatedFact(on),))),
    ("close_contact", lambda on: Flags(ID, computed_contacts=(DatedFact(on),))),
    ("high_risk_arrival", lambda on: Flags(ID, arrivals=(ArrivalFact(on, "湖北省武汉市"),))),
]


def test_given_no_facts_when_evaluated_then_green_without_reasons():
    result = status(Flags(ID), D)
    assert result.color == "green"
    assert result.as_json() == {"color": "green", "reasons": []}
    assert "绿码" in result.summary()


@pytest.mark.parametrize(("rule", "make"), WINDOWED)
def test_given_event_on_day_d_when_day_d_plus_13_then_orange_since_d_until_d_plus_13(rule, make):
    for today in (day(0), day(7), day(13)):
        result = status(make(D), today)
        assert result.color == "orange"
        assert [r.as_json() | {"detail": ""} for r in result.reasons] == [
            {"rule": rule, "since": "2020-02-10", "until": "2020-02-23", "detail": ""}]


@pytest.mark.parametrize(("rule", "make"), WINDOWED)
def test_given_event_on_day_d_when_day_d_plus_14_then_green(rule, make):
    assert status(make(D), day(14)).color == "green"
    assert status(make(D), day(40)).color == "green"


@pytest.mark.parametrize(("rule", "make"), WINDOWED)
def test_given_event_tomorrow_when_today_then_it_does_not_count_yet(rule, make):
    assert status(make(day(1)), day(0)).color == "green"
    assert status(make(day(1)), day(1)).color == "orange"


def test_given_fever_clinic_visit_then_detail_names_the_date_and_the_day_back_to_green():
    result = status(Flags(ID, fever_clinic_visits=(DatedFact(D),)), day(13))
    assert result.reasons[0].detail == "14天内有发热门诊就诊记录（2020-02-10），2020-02-24 起恢复绿码"


def test_given_fever_drug_purchase_then_detail_says_fever_drug():
    result = status(Flags(ID, fever_drug_purchases=(DatedFact(D),)), D)
    assert result.reasons[0].detail == "14天内有购买退烧药品记录（2020-02-10），2020-02-24 起恢复绿码"


def test_given_several_events_then_since_is_earliest_in_window_and_until_latest_plus_13():
    flags = Flags(ID, fever_clinic_visits=(DatedFact(day(-3)), DatedFact(day(5)), DatedFact(day(2)),
                                           DatedFact(day(30))))
    reason = status(flags, day(15)).reasons[0]  # day(-3) has left the window, day(30) is still to come
    assert (reason.since, reason.until) == (day(2), day(5 + 13))
    assert "（2020-02-12、2020-02-15），2020-02-29 起恢复绿码" in reason.detail


def test_given_reported_and_computed_contacts_then_one_close_contact_reason_covering_both():
    flags = Flags(ID, close_contacts=(DatedFact(day(1)),), computed_contacts=(DatedFact(day(4)),))
    result = status(flags, day(5))
    assert [(r.rule, r.since, r.until) for r in result.reasons] == [("close_contact", day(1), day(17))]


def case_flags(*records: tuple[str, str]) -> Flags:
    return Flags(ID, cases=tuple(CaseFact(s, datetime.fromisoformat(at), batch_id=i)
                                 for i, (s, at) in enumerate(records, 1)))


def test_given_confirmed_case_then_orange_open_ended_since_report_day():
    result = status(case_flags(("confirmed", "2020-02-10 15:30")), day(40))
    assert result.as_json()["reasons"] == [{"rule": "case", "since": "2020-02-10", "until": None,
                                            "detail": "新冠肺炎确诊人员（2020-02-10 报告），治愈并解除隔离后恢复绿码"}]
    assert result.reasons[0].batch_ids == (1,)


def test_given_suspected_case_then_detail_says_back_to_green_when_excluded():
    result = status(case_flags(("suspected", "2020-02-10 08:00")), D)
    assert result.reasons[0].detail == "新冠肺炎疑似人员（2020-02-10 报告），排除后恢复绿码"


def test_given_confirmed_then_cleared_when_evaluated_then_green():
    assert status(case_flags(("confirmed", "2020-02-01 10:00"), ("cleared", "2020-02-20 10:00")), day(12)).color \
        == "green"


def test_given_records_stored_out_of_order_then_the_latest_by_reported_at_decides():
    flags = case_flags(("cleared", "2020-02-20 10:00"), ("suspected", "2020-02-05 10:00"))
    assert status(flags, day(12)).color == "green"
    flags = case_flags(("cleared", "2020-02-05 10:00"), ("suspected", "2020-02-20 10:00"))
    assert [(r.rule, r.since) for r in status(flags, day(12)).reasons] == [("case", date(2020, 2, 20))]


def test_given_equal_report_times_then_the_record_stored_last_wins():
    assert status(case_flags(("confirmed", "2020-02-05 10:00"), ("cleared", "2020-02-05 10:00")), D).color == "green"
    assert status(case_flags(("cleared", "2020-02-05 10:00"), ("confirmed", "2020-02-05 10:00")), D).color == "orange"


def test_given_clearing_reported_tomorrow_when_today_then_still_orange():
    flags = case_flags(("confirmed", "2020-02-01 10:00"), ("cleared", "2020-02-11 09:00"))
    assert status(flags, day(0)).color == "orange"
    assert status(flags, day(1)).color == "green"


def test_given_abnormal_health_arrival_long_ago_then_orange_open_ended():
    flags = Flags(ID, arrivals=(ArrivalFact(date(2020, 1, 20), "湖北省武汉市", health_abnormal=True),))
    result = status(flags, day(30))
    assert result.as_json()["reasons"] == [{
        "rule": "high_risk_arrival", "since": "2020-01-20", "until": None,
        "detail": "自疫情高发地区（湖北省武汉市）入闽（2020-01-20）且健康状况异常，健康状况恢复正常后恢复绿码"}]


def test_given_normal_arrival_then_detail_names_origin_and_day_back():
    result = status(Flags(ID, arrivals=(ArrivalFact(D, "湖北省武汉市"),)), D)
    assert result.reasons[0].detail == "14天内自疫情高发地区（湖北省武汉市）入闽（2020-02-10），2020-02-24 起恢复绿码"


def test_given_abnormal_arrival_in_the_future_then_it_does_not_count_yet():
    flags = Flags(ID, arrivals=(ArrivalFact(day(3), "湖北省武汉市", health_abnormal=True),))
    assert status(flags, day(2)).color == "green"


def closure_flags(starts: date, ends: date | None) -> Flags:
    return Flags(ID, closures=(ClosureFact("软件园社区", starts, ends, batch_id=7),))


def test_given_closure_with_end_then_orange_from_start_to_end_inclusive():
    flags = closure_flags(day(0), day(9))
    assert status(flags, day(-1)).color == "green"
    for today in (day(0), day(9)):
        reason = status(flags, today).reasons[0]
        assert (reason.rule, reason.since, reason.until) == ("closed_community", day(0), day(9))
    assert status(flags, day(10)).color == "green"
    assert status(flags, day(0)).reasons[0].detail == \
        "户籍地址所在小区（软件园社区）实行封闭管理（2020-02-10 至 2020-02-19），2020-02-20 起恢复绿码"


def test_given_open_ended_closure_then_orange_until_lifted():
    result = status(closure_flags(day(0), None), day(100))
    assert result.as_json()["reasons"] == [{
        "rule": "closed_community", "since": "2020-02-10", "until": None,
        "detail": "户籍地址所在小区（软件园社区）实行封闭管理（2020-02-10 起），封闭管理解除后恢复绿码"}]


def test_given_several_rules_then_one_reason_each_in_rule_set_order():
    flags = Flags(ID, fever_drug_purchases=(DatedFact(D),), fever_clinic_visits=(DatedFact(D), DatedFact(day(1))),
                  cases=(CaseFact("suspected", datetime(2020, 2, 9)),))
    result = status(flags, day(2))
    assert [r.rule for r in result.reasons] == ["case", "fever_clinic", "fever_drug"]
    summary = result.summary()
    assert summary.startswith("健康码：橙码") and "14天内有购买退烧药品记录" in summary


def test_given_unknown_rule_set_id_then_not_found_in_chinese():
    assert get_rule_set("fj-2020-02") is FJ_2020_02
    with pytest.raises(NotFound, match="未知的赋码规则集"):
        get_rule_set("fj-2021-rgy")


def test_given_a_later_red_yellow_green_rule_set_then_it_is_a_new_definition_with_the_most_severe_colour():
    from types import MappingProxyType

    from healthcode.rules.ruleset import KIND_LATEST_CASE, KIND_WINDOWED, Rule, RuleSet

    case, drug = FJ_2020_02.rule_by_id["case"], FJ_2020_02.rule_by_id["fever_drug"]
    rgy = RuleSet(id="fj-2021-rgy", name="三色码", colors=("green", "yellow", "red"),
                  color_labels=MappingProxyType({"green": "绿码", "yellow": "黄码", "red": "红码"}),
                  rules=(Rule("case", KIND_LATEST_CASE, case.title, "red", case.texts, statuses=("confirmed",)),
                         Rule("fever_drug", KIND_WINDOWED, drug.title, "yellow", drug.texts, window_days=7,
                              sources=drug.sources)))
    flags = Flags(ID, fever_drug_purchases=(DatedFact(D),))
    assert (evaluate(flags, day(6), rgy).color, evaluate(flags, day(7), rgy).color) == ("yellow", "green")
    assert evaluate(flags, day(6), rgy).reasons[0].detail.startswith("7天内有购买退烧药品记录")
    flags = Flags(ID, fever_drug_purchases=(DatedFact(D),), cases=(CaseFact("confirmed", datetime(2020, 2, 9)),))
    result = evaluate(flags, D, rgy)
    assert (result.color, result.color_label) == ("red", "红码")
    assert [r.rule for r in result.reasons] == ["case", "fever_drug"]
    assert evaluate(Flags(ID, cases=(CaseFact("suspected", datetime(2020, 2, 9)),)), D, rgy).color == "green"


def test_given_a_rule_with_a_colour_outside_its_rule_set_then_the_definition_is_refused():
    from healthcode.rules.ruleset import Rule, RuleSet

    rule = FJ_2020_02.rule_by_id["fever_drug"]
    bad = Rule(rule.id, rule.kind, rule.title, "purple", rule.texts, window_days=14, sources=rule.sources)
    with pytest.raises(ValueError, match="purple"):
        RuleSet(id="x", name="x", colors=("green", "orange"), color_labels={}, rules=(bad,))
