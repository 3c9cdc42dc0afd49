"""One phone rule for every form: a mainland mobile number (11 digits beginning 13–19), spaces and dashes dropped.
The scanner's registration and the enterprise's forms answer alike (before, the scanner's took any 1xxxxxxxxxx)."""

from __future__ import annotations

from typing import Any

import pytest

from healthcode.checkpoints.service import add_scanner
from healthcode.common.phones import MESSAGE, InvalidPhone, normalise_phone
from healthcode.enterprise.service import clean_phone
from healthcode.errors import Invalid
from tests.checkpoints.factories import NOW, id_number, org

GOOD = {"13912345678": "13912345678", "139 1234 5678": "13912345678", "199-1234-5678": "19912345678"}
BAD = ["12012345678", "10012345678", "1391234567", "139123456789", "1391234567x", "", "+8613912345678"]


@pytest.mark.parametrize("entered, stored", GOOD.items())
def test_mobile_numbers_are_kept_without_spaces_or_dashes(entered: str, stored: str) -> None:
    assert normalise_phone(entered) == stored == clean_phone(entered)


@pytest.mark.parametrize("entered", BAD)
def test_anything_else_is_refused_with_one_message(entered: str) -> None:
    with pytest.raises(InvalidPhone, match=MESSAGE):
        normalise_phone(entered)


def test_the_scanner_and_the_enterprise_forms_refuse_the_same_number(db: Any) -> None:
    unit = org(db)
    with pytest.raises(Invalid) as scanner:
        add_scanner(db, org_uscc=unit.username, phone="12012345678", name="李强", id_number=id_number(1),
                    password="Scan2020ok", authorise=False, now=NOW)
    with pytest.raises(Invalid) as employee:
        clean_phone("12012345678")
    assert scanner.value.code == employee.value.code == "invalid_phone"
    assert scanner.value.message == employee.value.message == MESSAGE
