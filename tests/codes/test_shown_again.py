"""The code page's code (`service.code_for_page`): a code issued less than half its lifetime ago is shown again, unless
a new code would say something else (the colour, the signing key); the page's own refresh, 10 s before expiry, always
gets a new code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from healthcode.codes import keys, service, tokens
from healthcode.codes.models import IssuedCode
from tests.codes.factories import NOW, confirmed_case, person


def stored(db) -> int:
    return int(db.scalar(select(func.count()).select_from(IssuedCode)))


def kid_of(qr_text: str) -> bytes:
    return tokens._decode_sign1(tokens.from_qr_text(qr_text)).phdr[tokens.KID]


def test_given_a_code_issued_seconds_ago_then_the_page_is_shown_it_again_and_nothing_is_written(db, settings):
    resident = person(db)
    first = service.code_for_page(db, settings, resident, NOW)

    again = service.code_for_page(db, settings, resident, NOW + timedelta(seconds=29))

    assert stored(db) == 1
    assert (again.number_code, again.qr_text, again.issued_at, again.expires_at) == (
        first.number_code, first.qr_text, first.issued_at, first.expires_at)
    claims = service.resolve(db, again.qr_text, NOW + timedelta(seconds=29)).claims
    assert claims is not None and claims.exp - claims.iat == 60


def test_given_half_the_lifetime_gone_then_a_new_code(db, settings):
    resident = person(db)
    first = service.code_for_page(db, settings, resident, NOW)

    # The page asks 10 s before expiry (portal.REFRESH_MARGIN_SECONDS); half the lifetime is the last moment shown.
    for seconds in (30, 60):
        later = service.code_for_page(db, settings, resident, NOW + timedelta(seconds=seconds))
        assert later.number_code != first.number_code and later.qr_text != first.qr_text
        assert later.issued_at == NOW + timedelta(seconds=seconds)
        first = later
    assert stored(db) == 3


def test_given_a_new_case_record_then_the_next_refresh_shows_the_new_colour_at_once(db, settings):
    resident = person(db)
    first = service.code_for_page(db, settings, resident, NOW)
    assert first.color == "green"

    confirmed_case(db, resident.id_number, reported_at=NOW)
    later = service.code_for_page(db, settings, resident, NOW + timedelta(seconds=1))

    assert later.color == "orange" and later.number_code != first.number_code
    resolved = service.resolve(db, later.qr_text, NOW + timedelta(seconds=1))
    assert resolved.color_at_issue == "orange" and resolved.claims is not None and resolved.claims.color == "orange"
    assert service.resolve(db, first.qr_text, NOW + timedelta(seconds=1)).color_at_issue == "green"  # still its own


def test_given_the_next_key_starts_signing_then_the_next_refresh_is_signed_by_it(db, settings):
    old = keys.ensure_signing_key(db, NOW - timedelta(days=2), settings.secret_key)
    resident = person(db)
    first = service.code_for_page(db, settings, resident, NOW)
    new = keys.rotate(db, NOW - keys.ROTATION_NOTICE + timedelta(seconds=5), settings.secret_key)  # signs at NOW + 5 s

    before = service.code_for_page(db, settings, resident, NOW + timedelta(seconds=4))
    after = service.code_for_page(db, settings, resident, NOW + timedelta(seconds=5))

    assert kid_of(first.qr_text) == kid_of(before.qr_text) == old.kid and before.number_code == first.number_code
    assert kid_of(after.qr_text) == new.kid and after.number_code != first.number_code
    assert service.resolve(db, after.qr_text, NOW + timedelta(seconds=5)).claims is not None


def test_a_text_shown_again_is_signed_again_alike_when_the_process_no_longer_has_it(db, settings, monkeypatch):
    resident = person(db)
    first = service.code_for_page(db, settings, resident, NOW)
    monkeypatch.setattr(service, "_SHOWN", {})  # another process, or the memo emptied meanwhile

    again = service.code_for_page(db, settings, resident, NOW + timedelta(seconds=10))

    assert again.qr_text == first.qr_text and service._SHOWN  # Ed25519: the same claims and key, the same bytes


def test_the_memo_of_texts_stays_bounded(db, settings, monkeypatch):
    monkeypatch.setattr(service, "_SHOWN", {})
    monkeypatch.setattr(service, "SHOWN_TEXTS", 2)
    resident = person(db)

    for seconds in range(0, 150, 30):
        service.code_for_page(db, settings, resident, NOW + timedelta(seconds=seconds))

    assert 1 <= len(service._SHOWN) <= 2


def test_the_printed_code_is_always_new(db, settings):
    resident = person(db)
    first = service.issue_for_person(db, settings, resident, NOW)

    assert service.issue_for_person(db, settings, resident, NOW).number_code != first.number_code


@pytest.mark.parametrize("ttl", [60, 300])
def test_given_another_lifetime_then_half_of_it_is_shown_again(db, settings, ttl):
    settings = settings.model_copy(update={"code_ttl_seconds": ttl})
    resident = person(db)
    first = service.code_for_page(db, settings, resident, NOW)

    shown = service.code_for_page(db, settings, resident, NOW + timedelta(seconds=ttl // 2 - 1))
    new = service.code_for_page(db, settings, resident, NOW + timedelta(seconds=ttl // 2))

    assert shown.number_code == first.number_code and new.number_code != first.number_code
