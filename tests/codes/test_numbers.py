"""The 12-digit number code (SPEC 6): Luhn check digit, refusal of a wrong one, valid until the code's exp, unique
among unexpired codes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthcode.codes import numbers, service
from healthcode.codes.errors import CodeRefused
from tests.codes.factories import NOW, person


def refusal(db, text: str, now=NOW) -> str:
    with pytest.raises(CodeRefused) as caught:
        service.resolve(db, text, now)
    return caught.value.code


def test_luhn_check_digit_of_known_numbers():
    assert numbers.check_digit("7992739871") == "3"  # the classic Luhn example
    assert numbers.check_digit("00000000000") == "0"
    assert numbers.check_digit("12345678901") == "5"


@given(st.integers(min_value=0, max_value=10**11 - 1), st.integers(min_value=0, max_value=11),
       st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_breaks_the_check(body, position, delta):
    number = f"{body:011d}" + numbers.check_digit(f"{body:011d}")
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1:]
    with pytest.raises(CodeRefused) as caught:
        numbers.parse(changed)
    assert caught.value.code == "check_digit"


def test_issued_number_is_12_digits_with_valid_check_digit(db, settings):
    issued = service.issue_for_person(db, settings, person(db), NOW)
    assert len(issued.number_code) == 12 and issued.number_code.isdigit()
    assert numbers.check_digit(issued.number_code[:11]) == issued.number_code[11]


def test_given_number_code_then_resolves_until_exp_and_not_at_exp(db, settings):
    resident = person(db)
    issued = service.issue_for_person(db, settings, resident, NOW)

    resolved = service.resolve(db, issued.number_code, issued.expires_at - timedelta(microseconds=1))

    assert (resolved.kind, resolved.person_id, resolved.color_at_issue) == ("number", resident.id, "green")
    assert resolved.claims is None
    assert refusal(db, issued.number_code, issued.expires_at) == "expired"


def test_typed_number_with_spaces_or_full_width_digits_is_read(db, settings):
    issued = service.issue_for_person(db, settings, person(db), NOW)
    n = issued.number_code
    spaced = f" {n[:4]} {n[4:8]}-{n[8:]} "
    full_width = n.translate(str.maketrans("0123456789", "０１２３４５６７８９"))

    assert service.resolve(db, spaced, NOW).person_id == service.resolve(db, full_width, NOW).person_id


def test_wrong_check_digit_and_wrong_length_and_unknown_number(db, settings):
    issued = service.issue_for_person(db, settings, person(db), NOW)
    n = issued.number_code
    wrong = n[:11] + str((int(n[11]) + 1) % 10)
    unknown = "00000000000" + numbers.check_digit("00000000000")

    assert refusal(db, wrong) == "check_digit"
    assert refusal(db, n[:11]) == "invalid_code"
    assert refusal(db, n + "0") == "invalid_code"
    assert refusal(db, unknown) == "expired"  # never issued and no longer valid are one case (documented)


def test_given_number_taken_by_unexpired_code_then_another_is_drawn_and_reuse_after_expiry(db, monkeypatch, settings):
    drawn = iter(["111111111113", "111111111113", "222222222226", "111111111113"])
    monkeypatch.setattr(numbers, "random_number", lambda: next(drawn))
    resident = person(db)

    first = service.issue_for_person(db, settings, resident, NOW)
    second = service.issue_for_person(db, settings, resident, NOW + timedelta(seconds=10))
    after_expiry = service.issue_for_person(db, settings, resident, first.expires_at)

    assert (first.number_code, second.number_code, after_expiry.number_code) == (
        "111111111113", "222222222226", "111111111113")
    assert service.resolve(db, "111111111113", first.expires_at).issued_code.issued_at == after_expiry.issued_at
