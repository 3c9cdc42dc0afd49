"""A printed card at the checkpoint (issue 16, an extension of SPEC section 8): its QR carries no colour, so the scan
computes the colour now and answers like any scan with `"via": "card"`; a revoked, expired or forged card is
refused with 422 in Chinese and counted against the scanner. On PostgreSQL the card takes the scan in steps."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from healthcode.checkpoints.models import Scan, ScanRefusal
from healthcode.codes import card_tokens, cards
from healthcode.codes import tokens as code_tokens
from tests.checkpoints.factories import ISSUING, NOW, add_point, org, person, scan, scanner, token
from tests.codes.factories import confirmed_case


def _ready(db, client, freeze):
    freeze(NOW)
    admin = org(db)
    headers = token(client, scanner(db, admin.username))
    return headers, add_point(client, headers)


def _card(db, resident, now=NOW) -> cards.Card:
    card = cards.print_card(db, ISSUING, resident, now, "cli")
    db.commit()
    return card


def test_a_card_scans_like_a_code_with_the_colour_of_now_and_via_card(db, client, freeze):
    headers, point_id = _ready(db, client, freeze)
    resident = person(db, name="李斌")
    card = _card(db, resident)

    green = scan(client, headers, point_id, card.qr_text)
    confirmed_case(db, resident.id_number, NOW)  # a record after printing: the same card now scans orange
    db.commit()
    orange = scan(client, headers, point_id, card.qr_text)

    assert green.status_code == 201, green.text
    body = green.json()
    assert (body["color"], body["via"], body["name_masked"]) == ("green", "card", "*斌")
    assert body["address"] == "福建省福州市鼓楼区" and body["most_severe_region"]["code"] == "350102"
    assert orange.status_code == 201 and orange.json()["color"] == "orange"
    assert orange.json()["recent_scans"][0]["address"].endswith("东大街西角")
    db.rollback()
    stored = db.execute(select(Scan.color, Scan.via).order_by(Scan.id)).all()
    assert [tuple(row) for row in stored] == [("green", "card"), ("orange", "card")]


def test_a_code_scan_answers_its_via_too(db, client, freeze):
    from tests.checkpoints.factories import issue

    headers, point_id = _ready(db, client, freeze)
    issued = issue(db, person(db), NOW)

    assert scan(client, headers, point_id, issued.qr_text).json()["via"] == "qr"
    assert scan(client, headers, point_id, issued.number_code).json()["via"] == "number"


def test_revoked_expired_and_forged_cards_are_refused_in_chinese_and_counted(db, client, freeze):
    headers, point_id = _ready(db, client, freeze)
    resident = person(db)
    old = _card(db, resident)
    new = _card(db, resident, NOW + timedelta(minutes=1))  # printing again revokes the first card
    forged = card_tokens.CARD_PREFIX + new.qr_text[len(card_tokens.CARD_PREFIX):-4] + "0000"

    revoked = scan(client, headers, point_id, old.qr_text)
    bad = scan(client, headers, point_id, forged)
    freeze(NOW + timedelta(days=366))
    expired = scan(client, headers, point_id, new.qr_text)

    assert revoked.status_code == 422 and revoked.json() == {
        "error": "card_revoked", "message": "该纸质健康码已作废（已补打新卡或已被持卡人作废），请出示新卡或用手机亮码"}
    assert bad.status_code == 422 and bad.json()["error"] in ("bad_signature", "invalid_code")
    assert expired.status_code == 422 and expired.json()["error"] == "expired"
    assert "纸质健康码已过期" in expired.json()["message"]
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Scan)) == 0
    refused = db.execute(select(ScanRefusal.via, ScanRefusal.error).order_by(ScanRefusal.id)).all()
    assert [tuple(r) for r in refused] == [("card", "card_revoked"), ("card", bad.json()["error"]),
                                          ("card", "expired")]


def test_a_card_text_under_the_code_prefix_is_refused_as_a_code(db, client, freeze):
    headers, point_id = _ready(db, client, freeze)
    card = _card(db, person(db))

    response = scan(client, headers, point_id, code_tokens.PREFIX + card.qr_text[len(card_tokens.CARD_PREFIX):])

    assert response.status_code == 422 and response.json()["error"] == "invalid_code"
