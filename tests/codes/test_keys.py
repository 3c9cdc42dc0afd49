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
from tests.conftest import count_statements


def kids(db, now, settings) -> list[str]:
    return [jwk["kid"] for jwk in keys.public_jwks(db, now, settings.secret_key)["keys"]]


def test_given_fresh_platform_then_first_key_signs_at_once_and_is_published(db, settings):
    jwks = keys.public_jwks(db, NOW, settings.secret_key)

    assert len(jwks["keys"]) == 1
    jwk = jwks["keys"][0]
    assert {k: jwk[k] for k in ("kty", "crv", "alg", "use")} == {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA",
                                                                   "use": "sig"}
    assert len(keys.b64url_decode(jwk["kid"])) == 8 and len(keys.b64url_decode(jwk["x"])) == 32
    assert keys.current_signing_key(db, NOW, settings.secret_key).kid == keys.b64url_decode(jwk["kid"])


def test_given_rotation_then_new_key_published_at_once_and_signs_a_day_later(db, settings):
    first = keys.ensure_signing_key(db, NOW, settings.secret_key)
    rotated_at = NOW + timedelta(hours=1)

    new = keys.rotate(db, rotated_at, settings.secret_key)

    assert kids(db, rotated_at, settings) == [b64url(first.kid), b64url(new.kid)]
    switch = rotated_at + timedelta(days=1)
    assert new.activates_at == switch and first.retires_at == switch
    assert keys.current_signing_key(db, switch - timedelta(seconds=1), settings.secret_key).kid == first.kid
    assert keys.current_signing_key(db, switch, settings.secret_key).kid == new.kid


def test_given_retired_key_then_published_300s_after_retirement_and_refused_after(db, settings):
    resident = person(db)
    keys.ensure_signing_key(db, NOW, settings.secret_key)
    new = keys.rotate(db, NOW, settings.secret_key)
    switch = new.activates_at
    last_of_old = service.issue_for_person(db, settings, resident, switch - timedelta(seconds=1))
    first_of_new = service.issue_for_person(db, settings, resident, switch)

    # Still valid after the switch: a verifier must still have the old key.
    assert service.resolve(db, last_of_old.qr_text, switch + timedelta(seconds=58)).kind == "qr"
    assert len(kids(db, switch + timedelta(seconds=299), settings)) == 2
    gone = switch + timedelta(seconds=300)
    assert kids(db, gone, settings) == [b64url(new.kid)]
    with pytest.raises(CodeRefused) as caught:
        service.resolve(db, last_of_old.qr_text, gone)
    assert caught.value.code == "unknown_key"
    assert service.resolve(db, first_of_new.qr_text, switch + timedelta(seconds=59)).kind == "qr"


def test_given_two_rotations_then_each_key_retires_when_the_next_signs(db, settings):
    first = keys.ensure_signing_key(db, NOW, settings.secret_key)
    second = keys.rotate(db, NOW, settings.secret_key)
    third = keys.rotate(db, NOW + timedelta(hours=2), settings.secret_key)

    assert first.retires_at == second.activates_at
    assert second.retires_at == third.activates_at
    assert third.retires_at is None
    assert keys.current_signing_key(db, third.activates_at, settings.secret_key).kid == third.kid


def test_given_es256_key_then_codes_sign_and_verify_with_it(db, settings):
    resident = person(db)
    keys.ensure_signing_key(db, NOW, settings.secret_key)
    new = keys.rotate(db, NOW, settings.secret_key, alg="ES256")
    issued = service.issue_for_person(db, settings, resident, new.activates_at)

    resolved = service.resolve(db, issued.qr_text, new.activates_at)

    assert resolved.kind == "qr"
    published = keys.public_jwks(db, new.activates_at, settings.secret_key)["keys"]
    jwk = next(j for j in published if j["kid"] == b64url(new.kid))
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("EC", "P-256", "ES256") and "y" in jwk


def test_private_key_is_stored_encrypted_and_needs_the_secret_key(db, settings):
    key = keys.ensure_signing_key(db, NOW, settings.secret_key)
    assert "ENCRYPTED PRIVATE KEY" in key.private_key_pem
    assert all("d" not in jwk for jwk in keys.public_jwks(db, NOW, settings.secret_key)["keys"])

    with pytest.raises(NoSigningKey):
        keys.current_signing_key(db, NOW, "another-secret")
    assert keys.current_signing_key(db, NOW, settings.secret_key).kid == key.kid


def test_given_clock_before_every_key_then_no_signing_key(db, settings):
    keys.ensure_signing_key(db, NOW, settings.secret_key)
    with pytest.raises(NoSigningKey):
        keys.current_signing_key(db, NOW - timedelta(seconds=1), settings.secret_key)


def test_given_rolled_back_first_key_then_the_next_transaction_signs_with_a_stored_key(db, settings):
    resident_id = person(db).id
    db.commit()
    keys.current_signing_key(db, NOW, settings.secret_key)  # creates the first key in this transaction ...
    db.rollback()  # ... which is then undone

    issued = service.issue_for_person(db, settings, db.get(Person, resident_id), NOW)

    assert service.resolve(db, issued.qr_text, NOW).kind == "qr"


def test_the_signing_key_is_read_once_a_minute_per_process(db, settings, engine):
    keys.ensure_signing_key(db, NOW, settings.secret_key)
    db.commit()
    keys.current_signing_key(db, NOW, settings.secret_key)
    statements = count_statements(engine)

    for seconds in (1, 59):
        db.commit()  # a new transaction each time, as every refresh
        keys.current_signing_key(db, NOW + timedelta(seconds=seconds), settings.secret_key)
    assert not [s for s in statements if "code_signing_keys" in s]
    db.commit()
    keys.current_signing_key(db, NOW + timedelta(seconds=60), settings.secret_key)
    assert len([s for s in statements if "code_signing_keys" in s]) == 1


def test_given_a_rotation_by_another_process_then_this_one_signs_with_the_new_key_when_it_starts_signing(
    db, settings, monkeypatch
):
    old = keys.ensure_signing_key(db, NOW, settings.secret_key)
    db.commit()
    assert keys.current_signing_key(db, NOW, settings.secret_key).kid == old.kid  # kept by this process
    monkeypatch.setattr(keys, "forget_signers", lambda: None)  # the rotation runs elsewhere: nothing forgotten here
    rotated_at = NOW + timedelta(seconds=30)
    new = keys.rotate(db, rotated_at, settings.secret_key)
    db.commit()
    switch = rotated_at + keys.ROTATION_NOTICE

    for at, kid in ((rotated_at, old.kid), (switch - timedelta(seconds=1), old.kid), (switch, new.kid),
                    (switch + timedelta(seconds=30), new.kid)):
        db.commit()
        assert keys.current_signing_key(db, at, settings.secret_key).kid == kid, at


def test_a_signing_key_kept_by_the_process_is_not_used_with_another_secret(db, settings):
    keys.ensure_signing_key(db, NOW, settings.secret_key)
    db.commit()
    keys.current_signing_key(db, NOW, settings.secret_key)
    db.commit()

    with pytest.raises(NoSigningKey):
        keys.current_signing_key(db, NOW, "another-secret")
