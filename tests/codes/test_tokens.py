"""The QR token (SPEC 6): round trip, tampering, unknown and retired keys, expiry, and what the QR does not carry."""

from __future__ import annotations

import zlib
from datetime import timedelta

import base45
import cbor2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthcode.codes import keys, service, tokens
from healthcode.codes.errors import CodeRefused
from tests.codes.factories import NOW, person


def cose_of(qr_text: str) -> bytes:
    return zlib.decompress(base45.b45decode(qr_text[len(tokens.PREFIX):]))


def refusal(db, text: str, now=NOW) -> str:
    with pytest.raises(CodeRefused) as caught:
        service.resolve(db, text, now)
    assert caught.value.status_code == 422
    return caught.value.code


def test_given_issued_qr_when_resolved_then_claims_and_person_match(db, settings):
    resident = person(db, name="欧阳小明")
    issued = service.issue_for_person(db, settings, resident, NOW)

    resolved = service.resolve(db, issued.qr_text, NOW + timedelta(seconds=59))

    assert issued.qr_text.startswith("BMJKM1:")
    assert (resolved.kind, resolved.person_id, resolved.color_at_issue) == ("qr", resident.id, "green")
    claims = resolved.claims
    assert claims is not None
    assert (claims.iss, claims.masked_name, claims.region_code, claims.rule_set) == (
        "CN-35", "欧**明", "350102", "fj-2020-02")
    assert claims.exp - claims.iat == 60


def test_token_layout_is_the_contract_one(db, settings):
    issued = service.issue_for_person(db, settings, person(db), NOW)

    tagged = cbor2.loads(cose_of(issued.qr_text))
    assert tagged.tag == 18
    protected, _unprotected, payload, signature = tagged.value
    header = cbor2.loads(protected)
    assert header[1] == -8 and isinstance(header[4], bytes) and len(header[4]) == 8
    claims = cbor2.loads(payload)
    assert set(claims) == {1, 4, 6, 7, -70000}
    assert set(claims[-70000]) == {"c", "n", "r", "v"}
    assert len(signature) == 64


def test_given_untagged_message_then_accepted_too(db, settings):
    issued = service.issue_for_person(db, settings, person(db), NOW)
    untagged = cbor2.dumps(cbor2.loads(cose_of(issued.qr_text)).value)

    resolved = service.resolve(db, tokens.to_qr_text(untagged), NOW)

    assert resolved.kind == "qr"


def test_qr_carries_no_id_number_nor_anything_derived_from_it(db, settings):
    resident = person(db)
    issued = service.issue_for_person(db, settings, resident, NOW)

    raw = cose_of(issued.qr_text)
    message = cbor2.loads(raw).value
    everything = raw + message[0] + message[2] + repr(cbor2.loads(message[2])).encode()
    for fragment in (resident.id_number, resident.id_number[-6:], resident.id_number[6:14], resident.name):
        assert fragment.encode() not in everything
    again = cbor2.loads(cbor2.loads(cose_of(service.issue_for_person(db, settings, resident, NOW).qr_text)).value[2])
    assert again[7] != cbor2.loads(message[2])[7] and len(again[7]) == 16  # a random token id, never the same


def test_every_changed_byte_is_refused_never_accepted(db, settings):
    issued = service.issue_for_person(db, settings, person(db), NOW)
    cose = cose_of(issued.qr_text)
    codes = set()
    for position in range(len(cose)):
        for flip in (0x01, 0x80):
            changed = bytearray(cose)
            changed[position] ^= flip
            codes.add(refusal(db, tokens.to_qr_text(bytes(changed))))
    # A changed kid names no published key; everything else is malformed or fails the signature.
    assert codes <= {"bad_signature", "invalid_code", "unknown_key"}
    assert "bad_signature" in codes


def test_given_changed_claim_resigned_by_another_key_then_unknown_key(db, settings):
    issued = service.issue_for_person(db, settings, person(db), NOW)
    stranger = keys._load_private(b"\x00" * 8, "EdDSA", _foreign_pem(settings.secret_key), settings.secret_key)
    claims = tokens.CodeClaims.from_map(cbor2.loads(cbor2.loads(cose_of(issued.qr_text)).value[2]))

    forged = tokens.to_qr_text(tokens.sign(claims, stranger))

    assert refusal(db, forged) == "unknown_key"


def test_given_token_past_exp_then_expired_and_just_before_then_valid(db, settings):
    issued = service.issue_for_person(db, settings, person(db), NOW)

    assert service.resolve(db, issued.qr_text, issued.expires_at - timedelta(microseconds=1)).kind == "qr"
    assert refusal(db, issued.qr_text, issued.expires_at) == "expired"


@pytest.mark.parametrize("text", ["", "hello", "BMJKM1:", "BMJKM1:!!!", "BMJKM2:6BFK90", "bmjkm1:6BFK90",
                                  "BMJKM1:" + base45.b45encode(b"not zlib").decode(),
                                  tokens.to_qr_text(cbor2.dumps([1, 2, 3])),
                                  tokens.to_qr_text(cbor2.dumps(cbor2.CBORTag(98, [b"", {}, b"", b""]))),
                                  tokens.to_qr_text(cbor2.dumps([b"", {}, b"", b""]) + b"\x00")])
def test_malformed_texts_are_invalid_code(db, text):
    assert refusal(db, text) == "invalid_code"


def test_given_wrong_claim_shape_signed_by_our_key_then_invalid_code(db, settings):
    person(db)
    key = keys.current_signing_key(db, NOW, settings.secret_key)
    good = tokens.CodeClaims("CN-35", 1582506000, 1582506060, b"x" * 16, "green", "*明", "350102", "fj-2020-02")
    too_long = tokens.CodeClaims(**{**good.__dict__, "exp": good.iat + 301})
    bad_region = tokens.CodeClaims(**{**good.__dict__, "region_code": "35"})
    bad_color = tokens.CodeClaims(**{**good.__dict__, "color": "purple"})

    for claims in (too_long, bad_region, bad_color):
        assert refusal(db, tokens.to_qr_text(tokens.sign(claims, key))) == "invalid_code"


def _foreign_pem(secret_key: str) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(keys._pem_password(secret_key)),
    ).decode()


@given(st.binary(max_size=400))
def test_base45_encoder_matches_the_base45_package(data):
    assert tokens.b45encode(data) == base45.b45encode(data).decode()
    assert base45.b45decode(tokens.b45encode(data)) == data


def test_fast_ed25519_signing_gives_exactly_what_pycose_gives(db, settings):
    key = keys.current_signing_key(db, NOW, settings.secret_key)
    plain = keys.SigningMaterial(key.kid, key.alg, key.cose_key)  # no loaded key: pycose signs and encodes
    claims = tokens.CodeClaims("CN-35", 1582506000, 1582506060, b"c" * 16, "orange", "李*明", "350102", "fj-2020-02")

    assert key.ed25519 is not None and key.protected
    assert tokens.sign(claims, key) == tokens.sign(claims, plain)
