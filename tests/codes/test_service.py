"""Issuing for residents (registry, colour, initial region) and the printed-code path by ID number."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from healthcode.codes import service
from healthcode.codes.views import color_label
from healthcode.errors import Invalid, NotFound
from healthcode.residents.models import Person
from healthcode.residents.service import get_registered
from tests.codes.factories import NOW, confirmed_case, household, id_number, person

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def test_given_confirmed_case_then_code_is_orange(db, settings):
    resident = person(db)
    confirmed_case(db, resident.id_number)

    issued = service.issue_for_person(db, settings, resident, NOW)

    assert (issued.color, color_label(issued.color)) == ("orange", "橙码")
    assert service.resolve(db, issued.qr_text, NOW).color_at_issue == "orange"


def test_as_json_is_exactly_the_contract_shape(db, settings):
    issued = service.issue_for_person(db, settings, person(db), NOW.replace(microsecond=123456))

    data = issued.as_json()

    assert set(data) == {"color", "number_code", "qr_text", "issued_at", "expires_at"}
    assert data["issued_at"] == "2020-02-24T09:00:00+08:00" and data["expires_at"] == "2020-02-24T09:01:00+08:00"
    assert ISO.match(data["issued_at"]) and (data["color"], color_label(data["color"])) == ("green", "绿码")


def test_given_ttl_setting_then_expiry_follows_it(db, settings):
    resident = person(db)
    for ttl in (120, 300):
        issued = service.issue_for_person(db, settings.model_copy(update={"code_ttl_seconds": ttl}), resident, NOW)
        assert issued.ttl_seconds == ttl


def test_given_household_only_resident_then_registered_with_household_county(db, settings):
    number = id_number(7)
    household(db, number, "王芳", "350102")

    issued = service.issue_for_id_number(db, settings, number.lower(), NOW)

    created = db.scalars(select(Person).where(Person.id_number == number)).one()
    assert (created.name, created.initial_region_code) == ("王芳", "350102")
    assert issued.person_id == created.id and issued.region_code == "350102" and issued.masked_name == "*芳"
    assert get_registered(db, number) is created  # the second time it is simply found


def test_given_unknown_resident_then_not_found_and_nothing_written(db, settings):
    with pytest.raises(NotFound, match="未登记"):
        service.issue_for_id_number(db, settings, id_number(8), NOW)
    assert db.scalars(select(Person)).all() == []


def test_given_invalid_id_number_then_invalid_in_chinese(db, settings):
    with pytest.raises(Invalid, match="身份证号"):
        service.issue_for_id_number(db, settings, "123", NOW)


def test_given_no_known_region_then_picked_region_becomes_initial_and_stays(db, settings):
    resident = person(db, region=None)

    unknown = service.issue_for_person(db, settings, resident, NOW)
    picked = service.issue_for_person(db, settings, resident, NOW, region_code="350203")
    later = service.issue_for_person(db, settings, resident, NOW, region_code="110101")

    assert unknown.region_code == "350000"  # the province, not stored
    assert (picked.region_code, later.region_code, resident.initial_region_code) == ("350203", "350203", "350203")


def test_given_bad_region_code_then_invalid(db, settings):
    with pytest.raises(Invalid):
        service.issue_for_person(db, settings, person(db, region=None), NOW, region_code="35")
