"""Signing keys (SPEC 6): the first key signs at once, a rotated key is published a day before it signs, a retired
key stays published for the longest token lifetime and is then refused; ES256 verifies too; PEMs are encrypted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from healthcode.codes import keys, service
from healthcode.codes.errors import CodeRefused, NoSigningKey
from healthcode.codes.keys import b64url
from healthcode.residents.models import Person
from tests.codes.factories import NOW, person


def kids(db, now) -> list[str]:
    return [jwk["kid"] for jwk in keys.public_jwks(db, now)["keys"]]


def test_given_fresh_platform_then_first_key_signs_at_once_and_is_published(db):
    jwks = keys.public_jwks(db, NOW)

    assert len(jwks["keys"]) == 1
    jwk = jwks["keys"][0]
    assert {k: jwk[k] for k in ("kty", "crv", "alg", "use")} == {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA",
                                                                   "use": "sig"}
    assert len(keys.b64url_decode(jwk["kid"])) == 8 and len(keys.b64url_decode(jwk["x"])) == 32
    assert keys.current_signing_key(db, NOW).kid == keys.b64url_decode(jwk["kid"])


def test_given_rotation_then_new_key_published_at_once_and_signs_a_day_later(db):
    first = keys.ensure_signing_key(db, NOW)
    rotated_at = NOW + timedelta(hours=1)

    new = keys.rotate(db, rotated_at)

    assert kids(db, rotated_at) == [b64url(first.kid), b64url(new.kid)]
    switch = rotated_at + timedelta(days=1)
    assert new.activates_at == switch and first.retires_at == switch
    assert keys.current_signing_key(db, switch - timedelta(seconds=1)).kid == first.kid
    assert keys.current_signing_key(db, switch).kid == new.kid


def test_given_retired_key_then_published_300s_after_retirement_and_refused_after(db):
    resident = person(db)
    keys.ensure_signing_key(db, NOW)
    new = keys.rotate(db, NOW)
    switch = new.activates_at
    last_of_old = service.issue_for_person(db, resident, switch - timedelta(seconds=1))
    first_of_new = service.issue_for_person(db, resident, switch)

    # Still valid after the switch: a verifier must still have the old key.
    assert service.resolve(db, last_of_old.qr_text, switch + timedelta(seconds=58)).kind == "qr"
    assert len(kids(db, switch + timedelta(seconds=299))) == 2
    gone = switch + timedelta(seconds=300)
    assert kids(db, gone) == [b64url(new.kid)]
    with pytest.raises(CodeRefused) as caught:
        service.resolve(db, last_of_old.qr_text, gone)
    assert caught.value.code == "unknown_key"
    assert service.resolve(db, first_of_new.qr_text, switch + timedelta(seconds=59)).kind == "qr"


def test_given_two_rotations_then_each_key_retires_when_the_next_signs(db):
    first = keys.ensure_signing_key(db, NOW)
    second = keys.rotate(db, NOW)
    third = keys.rotate(db, NOW + timedelta(hours=2))

    assert first.retires_at == second.activates_at
    assert second.retires_at == third.activates_at
    assert third.retires_at is None
    assert keys.current_signing_key(db, third.activates_at).kid == third.kid


def test_given_es256_key_then_codes_sign_and_verify_with_it(db):
    resident = person(db)
    keys.ensure_signing_key(db, NOW)
    new = keys.rotate(db, NOW, alg="ES256")
    issued = service.issue_for_person(db, resident, new.activates_at)

    resolved = service.resolve(db, issued.qr_text, new.activates_at)

    assert resolved.kind == "qr"
    jwk = next(j for j in keys.public_jwks(db, new.activates_at)["keys"] if j["kid"] == b64url(new.kid))
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("EC", "P-256", "ES256") and "y" in jwk


def test_private_key_is_stored_encrypted_and_needs_the_secret_key(db, monkeypatch):
    key = keys.ensure_signing_key(db, NOW)
    assert "ENCRYPTED PRIVATE KEY" in key.private_key_pem
    assert all("d" not in jwk for jwk in keys.public_jwks(db, NOW)["keys"])

    from healthcode.config import get_settings

    monkeypatch.setenv("HEALTHCODE_SECRET_KEY", "another-secret")
    get_settings.cache_clear()
    keys._load_private.cache_clear()
    try:
        with pytest.raises(NoSigningKey):
            keys.current_signing_key(db, NOW)
    finally:
        get_settings.cache_clear()
        keys._load_private.cache_clear()


def test_given_clock_before_every_key_then_no_signing_key(db):
    keys.ensure_signing_key(db, NOW)
    with pytest.raises(NoSigningKey):
        keys.current_signing_key(db, NOW - timedelta(seconds=1))


def test_given_rolled_back_first_key_then_the_next_transaction_signs_with_a_stored_key(db):
    resident_id = person(db).id
    db.commit()
    keys.current_signing_key(db, NOW)  # creates the first key in this transaction ...
    db.rollback()  # ... which is then undone

    issued = service.issue_for_person(db, db.get(Person, resident_id), NOW)

    assert service.resolve(db, issued.qr_text, NOW).kind == "qr"
