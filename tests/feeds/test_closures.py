"""Closed-community matching: same county and the normalised community name inside the normalised address."""

from __future__ import annotations

from healthcode.feeds.closures_repository import closed_residents, closures_for
from tests.rules import factories as f

A, B, C, D = (f.person_id(n) for n in range(1, 5))
TODAY = f.TODAY


def residents(db) -> set[str]:
    return {r.id_number for r in closed_residents(db, TODAY)}


def test_given_full_address_then_matches_closure_named_by_county_and_community(db):
    f.household(db, A, "福建省福州市鼓楼区软件园社区3号楼")
    f.closure(db, "软件园社区", "鼓楼区软件园社区", "2020-02-20")
    assert residents(db) == {A}
    [match] = closures_for(db, A, TODAY)
    assert (match.community, match.starts_on.isoformat(), match.ends_on) == ("软件园社区", "2020-02-20", None)


def test_given_closure_with_region_code_then_matches(db):
    f.household(db, A, "福建省福州市鼓楼区软件园社区3号楼")
    f.closure(db, "软件园社区", "软件园社区", "2020-02-20", region_code="350102")
    assert residents(db) == {A}


def test_given_household_with_region_code_and_short_address_then_matches(db):
    f.household(db, A, "软件园社区3号楼", region_code="350102")
    f.closure(db, "软件园社区", "福州市鼓楼区软件园社区", "2020-02-20")
    assert residents(db) == {A}


def test_given_same_community_name_in_another_county_then_no_match(db):
    f.household(db, A, "福建省福州市台江区软件园社区3号楼")
    f.household(db, B, "福建省厦门市思明区软件园社区1号楼")
    f.closure(db, "软件园社区", "鼓楼区软件园社区", "2020-02-20")
    assert residents(db) == set()


def test_given_full_width_forms_and_spaces_then_still_matches(db):
    f.household(db, A, "福建省 福州市 鼓楼区 软件园社区３号楼")
    f.household(db, B, "福建省福州市鼓楼区ＡＢＣ花园 2 栋")
    f.closure(db, "软件园 社区", "鼓楼区 软件园社区", "2020-02-20")
    f.closure(db, "ABC 花园", "福州市鼓楼区ABC花园", "2020-02-20")
    assert residents(db) == {A, B}
    assert {r.community for r in closures_for(db, B, TODAY)} == {"ABC 花园"}


def test_given_latin_letters_in_another_case_then_still_matches(db):
    f.household(db, A, "福建省福州市鼓楼区Sm城市广场c座1201")
    f.closure(db, "SM城市广场", "福州市鼓楼区sm城市广场", "2020-02-20")
    assert residents(db) == {A}


def test_given_other_community_in_same_county_then_no_match(db):
    f.household(db, A, "福建省福州市鼓楼区金山小区5号楼")
    f.closure(db, "软件园社区", "鼓楼区软件园社区", "2020-02-20")
    assert residents(db) == set()


def test_given_closure_window_then_only_in_force_closures_match(db):
    f.household(db, A, "福建省福州市鼓楼区软件园社区3号楼")
    f.closure(db, "软件园社区", "鼓楼区软件园社区", "2020-02-25")  # starts tomorrow
    f.closure(db, "软件园社区", "鼓楼区软件园社区", "2020-02-01", "2020-02-23")  # ended yesterday
    assert residents(db) == set()
    f.closure(db, "软件园社区", "鼓楼区软件园社区", "2020-02-10", "2020-02-24")  # ends today
    assert residents(db) == {A}
    assert len(closed_residents(db, None)) == 3  # without a day: every matching closure


def test_given_community_name_with_like_wildcards_then_matched_literally(db):
    f.household(db, A, "福建省福州市鼓楼区软件园社区3号楼")
    f.closure(db, "软件%", "鼓楼区软件%", "2020-02-20")
    f.closure(db, "_件园", "鼓楼区_件园", "2020-02-20")
    assert residents(db) == set()


def test_given_closure_naming_only_the_county_then_it_matches_no_one(db):
    f.household(db, A, "福建省福州市鼓楼区软件园社区3号楼")
    f.closure(db, "鼓楼区", "福州市鼓楼区", "2020-02-20")
    assert residents(db) == set()


def test_given_unresolvable_addresses_then_no_match(db):
    f.household(db, A, "软件园社区3号楼")
    f.closure(db, "软件园社区", "软件园社区", "2020-02-20")
    assert residents(db) == set()
