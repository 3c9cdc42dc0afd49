"""Printed cards (issue 16): the BMJKK1 token carries no colour and no ID number, resolves online to its person, a
newer card or the holder's revocation refuses the older, expiry, forgery, and a card outliving its signing key."""

from __future__ import annotations

import zlib
from datetime import timedelta

import base45
import cbor2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from pycose.keys import OKPKey
from pycose.keys.curves import Ed25519

from healthcode.codes import card_tokens, cards, keys, service, tokens
from healthcode.codes.errors import BadSignature, CardRevoked, ExpiredCode, InvalidCode, UnknownKey
from healthcode.errors import InvalidIdNumber, NotFound
from tests.codes.factories import NOW, household, id_number, person


def _claims_map(text: str) -> dict:
    message = cbor2.loads(zlib.decompress(base45.b45decode(text[len(card_tokens.CARD_PREFIX):])))
    return cbor2.loads(message.value[2])


def test_a_card_names_its_person_online_and_carries_neither_colour_nor_id_number(db, settings):
    resident = person(db, name="欧阳小明")
    card = cards.print_card(db, settings, resident, NOW, "cli")

    assert card.qr_text.startswith("BMJKK1:") and card.masked_name == "欧**明"
    claims = _claims_map(card.qr_text)
    assert set(claims) == {1, 4, 6, -70001} and tokens.CLAIM_HEALTH not in claims  # no colour claim at all
    assert set(claims[-70001]) == {"k", "n", "s"} and claims[-70001]["s"] == card.serial
    assert claims[4] - claims[6] == 365 * 86400
    payload = cbor2.dumps(claims)
    assert resident.id_number.encode() not in payload and resident.id_number[-6:].encode() not in payload
    resolved = service.resolve(db, card.qr_text, NOW + timedelta(days=200))
    assert (resolved.person_id, resolved.kind, resolved.claims) == (resident.id, "card", None)


def test_a_new_card_revokes_the_older_one(db, settings):
    resident = person(db)
    old = cards.print_card(db, settings, resident, NOW, "cli")
    new = cards.print_card(db, settings, resident, NOW + timedelta(hours=1), "resident:1")

    with pytest.raises(CardRevoked) as refused:
        service.resolve(db, old.qr_text, NOW + timedelta(hours=2))
    assert refused.value.code == "card_revoked" and "已作废" in refused.value.message
    assert service.resolve(db, new.qr_text, NOW + timedelta(hours=2)).person_id == resident.id
    assert old.serial != new.serial
    assert list(cards.states(db, [resident.id], NOW)) == [resident.id]


def test_the_holder_revokes_his_card_and_cannot_revoke_twice(db, settings):
    resident = person(db)
    card = cards.print_card(db, settings, resident, NOW, "cli")

    cards.revoke(db, resident, NOW + timedelta(minutes=5), "resident:1")

    with pytest.raises(CardRevoked):
        service.resolve(db, card.qr_text, NOW + timedelta(minutes=6))
    with pytest.raises(NotFound, match="没有可作废的纸质健康码"):
        cards.revoke(db, resident, NOW + timedelta(minutes=7), "resident:1")
    assert cards.states(db, [resident.id], NOW) == {}


def test_a_card_expires_after_the_settings_validity(db, settings, monkeypatch):
    monkeypatch.setattr(settings, "card_validity_days", 30)
    resident = person(db)
    card = cards.print_card(db, settings, resident, NOW, "cli")

    assert service.resolve(db, card.qr_text, NOW + timedelta(days=30, seconds=-1)).person_id == resident.id
    with pytest.raises(ExpiredCode, match="纸质健康码已过期"):
        service.resolve(db, card.qr_text, NOW + timedelta(days=30))
    assert cards.states(db, [resident.id], NOW + timedelta(days=31))[resident.id].expired


def test_a_card_outlives_its_signing_key_which_leaves_the_jwk_set_after_300_seconds(db, settings):
    resident = person(db)
    card = cards.print_card(db, settings, resident, NOW, "cli")
    code = service.issue_for_person(db, settings, resident, NOW)
    keys.rotate(db, NOW, settings.secret_key)  # the first key retires a day later
    later = NOW + timedelta(days=100)
    keys.forget_signers()

    assert len(keys.public_jwks(db, later, settings.secret_key)["keys"]) == 1  # only the new key is published
    assert service.resolve(db, card.qr_text, later).person_id == resident.id  # verified online, old key kept
    with pytest.raises(UnknownKey):  # a code of that key is refused by the rule of SPEC 6, as before
        tokens.verify(code.qr_text, lambda kid: keys.verification_key(db, kid, later), later)


def _resigned(text: str, key: keys.SigningMaterial, **changes: object) -> str:
    claims = card_tokens.CardClaims.from_map(_claims_map(text))
    fields = {**claims.__dict__, **changes}
    return card_tokens.card_text(card_tokens.CardClaims(**fields), key)  # type: ignore[arg-type]


def _stranger() -> keys.SigningMaterial:
    private = ed25519.Ed25519PrivateKey.generate()
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return keys.SigningMaterial(b"\x00" * 8, "EdDSA", OKPKey(crv=Ed25519, d=raw, x=public))


def test_forged_and_tampered_cards_are_refused(db, settings):
    resident = person(db)
    card = cards.print_card(db, settings, resident, NOW, "cli")
    cose = bytearray(zlib.decompress(base45.b45decode(card.qr_text[len(card_tokens.CARD_PREFIX):])))
    cose[-1] ^= 0x01
    tampered = tokens.to_qr_text(bytes(cose), card_tokens.CARD_PREFIX)
    signer = keys.current_signing_key(db, NOW, settings.secret_key)

    with pytest.raises(BadSignature):
        service.resolve(db, tampered, NOW)
    with pytest.raises(UnknownKey):
        service.resolve(db, _resigned(card.qr_text, _stranger()), NOW)
    with pytest.raises(ExpiredCode, match="无效的纸质健康码"):  # our key, but a card id the platform never printed
        service.resolve(db, _resigned(card.qr_text, signer, card_id=b"\x01" * 16), NOW)
    with pytest.raises(BadSignature):  # our key, claiming a print time before the key signed
        service.resolve(db, _resigned(card.qr_text, signer, iat=card_tokens.CardClaims.from_map(
            _claims_map(card.qr_text)).iat - 86400), NOW)
    with pytest.raises(InvalidCode):
        service.resolve(db, "BMJKK1:!!!", NOW)


def test_a_card_is_never_taken_for_a_code_nor_a_code_for_a_card(db, settings):
    resident = person(db)
    card = cards.print_card(db, settings, resident, NOW, "cli")
    code = service.issue_for_person(db, settings, resident, NOW)
    lookup = lambda kid: keys.verification_key(db, kid, NOW)  # noqa: E731

    as_code = tokens.PREFIX + card.qr_text[len(card_tokens.CARD_PREFIX):]
    with pytest.raises(InvalidCode):  # an offline verifier of BMJKM1 sees no health claim and a year's lifetime
        tokens.verify(as_code, lookup, NOW)
    as_card = card_tokens.CARD_PREFIX + code.qr_text[len(tokens.PREFIX):]
    with pytest.raises(InvalidCode):
        service.resolve(db, as_card, NOW)


def test_printing_by_id_number_needs_a_registered_resident(db, settings):
    with pytest.raises(NotFound, match="未登记的居民"):
        cards.print_for_id_number(db, settings, id_number(7), NOW, "cli")
    with pytest.raises(InvalidIdNumber):
        cards.print_for_id_number(db, settings, "350102199001010000", NOW, "cli")
    household(db, id_number(8), "陈静", "350102")

    card = cards.print_for_id_number(db, settings, id_number(8), NOW, "cli")

    assert card.masked_name == "*静"


def test_a_print_racing_another_gets_a_conflict_and_the_index_keeps_one_live_card(db, settings, monkeypatch):
    from healthcode.codes import card_repository
    from healthcode.errors import Conflict

    resident = person(db)
    first = cards.print_card(db, settings, resident, NOW, "cli")
    # The other print's revocation ran before this one's card was committed: this one finds nothing to revoke.
    monkeypatch.setattr(card_repository, "revoke_live", lambda *args: 0)

    with pytest.raises(Conflict, match="请稍后重试"):
        cards.print_card(db, settings, resident, NOW, "cli")

    assert service.resolve(db, first.qr_text, NOW).person_id == resident.id
    assert list(cards.states(db, [resident.id], NOW).values())[0].serial == first.serial
