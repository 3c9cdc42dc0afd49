"""Manual flags in the pure status function: a reason of their own (rule id `manual`) outside the rule set's rules,
holding from the day of approval to the end of the end date, with the written reason in the text."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

from healthcode.rules.flags import DatedFact, Flags, ManualFact
from healthcode.rules.ruleset import FJ_2020_02, RuleSet
from healthcode.rules.status import MANUAL_RULE, evaluate, manual_color

ID = "350102199001010010"
FLAG = ManualFact(7, "orange", "与境外输入病例同一航班，待核酸检测", date(2020, 2, 20), date(2020, 2, 25))


def test_an_approved_flag_holds_from_its_start_to_the_end_of_its_end_date_and_not_a_day_more():
    flags = Flags(ID, manual=(FLAG,))
    colours = {d: evaluate(flags, date(2020, 2, d), FJ_2020_02).color for d in (19, 20, 25, 26)}
    assert colours == {19: "green", 20: "orange", 25: "orange", 26: "green"}


def test_the_reason_carries_the_written_reason_its_days_and_when_it_ends():
    status = evaluate(Flags(ID, manual=(FLAG,)), date(2020, 2, 22), FJ_2020_02)
    assert status.as_json() == {"color": "orange", "reasons": [{
        "rule": MANUAL_RULE, "since": "2020-02-20", "until": "2020-02-25",
        "detail": "卫生健康部门人工标记：与境外输入病例同一航班，待核酸检测（2020-02-20 至 2020-02-25），"
                  "2020-02-26 起解除标记"}]}


def test_a_flag_adds_its_reason_after_the_rules_reasons():
    flags = Flags(ID, fever_clinic_visits=(DatedFact(date(2020, 2, 21)),), manual=(FLAG,))
    status = evaluate(flags, date(2020, 2, 22), FJ_2020_02)
    assert [r.rule for r in status.reasons] == ["fever_clinic", MANUAL_RULE] and status.color == "orange"


def test_a_colour_the_rule_set_lacks_counts_as_its_mildest_non_default_one():
    three = RuleSet(id="t-3", name="三色", colors=("green", "yellow", "red"),
                    color_labels=MappingProxyType({"green": "绿码", "yellow": "黄码", "red": "红码"}), rules=())
    assert (manual_color(three, "orange"), manual_color(three, "red"), manual_color(FJ_2020_02, "orange")) == (
        "yellow", "red", "orange")
    assert evaluate(Flags(ID, manual=(FLAG,)), date(2020, 2, 22), three).color == "yellow"
