"""A small province for the what-if and the switch of the rule set in force (issue 16): one person per rule and
colour change, on 2020-02-24, and the figures `healthcode rules what-if fj-2021-09` must give for it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.rules import factories as f

DAY = "2020-02-24"
P = {name: f.person_id(n) for n, name in enumerate(
    ["case", "contact", "passenger", "arrival", "closed", "clinic", "old_clinic", "drug", "cleared", "not_fever",
     "long_ago"], start=101)}


def build(db: Session) -> None:
    f.case(db, P["case"], "confirmed", "2020-02-20 10:00")
    f.travel(db, P["case"], "K101", "bus", "2020-02-19")
    f.travel(db, P["passenger"], "K101", "bus", "2020-02-19")  # a computed close contact of the case
    f.close_contact(db, P["contact"], "2020-02-20")
    f.arrival(db, P["arrival"], "2020-02-20")
    f.household(db, P["closed"], "福建省福州市鼓楼区软件园社区3号楼")
    f.closure(db, "软件园社区", "鼓楼区软件园社区", "2020-02-20", "2020-03-05")
    f.clinic_visit(db, P["clinic"], "2020-02-20 10:00")
    f.clinic_visit(db, P["old_clinic"], "2020-02-12 10:00")  # 13 days ago: within 14 days, not within 7
    f.fever_drug_code(db, "XN001")
    f.drug_purchase(db, P["drug"], "2020-02-22 10:00", "XN001")
    f.case(db, P["cleared"], "suspected", "2020-02-10 10:00")
    f.case(db, P["cleared"], "cleared", "2020-02-12 10:00")
    f.clinic_visit(db, P["not_fever"], "2020-02-20 10:00", department="呼吸内科")  # no fever clinic: not named
    f.clinic_visit(db, P["long_ago"], "2020-01-02 10:00")  # outside every window: not read
    db.commit()


# Colour of each person on DAY under fj-2020-02 and fj-2021-09.
COLORS = {"case": ("orange", "red"), "contact": ("orange", "red"), "passenger": ("orange", "red"),
          "arrival": ("orange", "yellow"), "closed": ("orange", "yellow"), "clinic": ("orange", "yellow"),
          "old_clinic": ("orange", "green"), "drug": ("orange", "yellow"), "cleared": ("green", "green")}

EXPECTED = {
    "rule_set": "fj-2021-09", "in_force": "fj-2020-02", "day": DAY, "residents": 9,
    "changes": {"orange->green": 1, "orange->red": 3, "orange->yellow": 4},
    "by_rule": {"case": {"holds": 1, "changes": 1}, "close_contact": {"holds": 2, "changes": 2},
                "high_risk_arrival": {"holds": 1, "changes": 1}, "closed_community": {"holds": 1, "changes": 1},
                "fever_clinic": {"holds": 1, "changes": 1}, "fever_drug": {"holds": 1, "changes": 1}},
    "unchanged": 1,
    "colors": {"in_force": {"green": 1, "orange": 8}, "rule_set": {"green": 2, "red": 3, "yellow": 4}},
}
