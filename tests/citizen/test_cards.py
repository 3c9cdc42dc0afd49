"""Printed cards from the citizen portal (issue 16): the resident prints the A6 PDF of himself and of a relative whose
link is active, sees the card on the family page and revokes it; nobody else's card (404), no half-applied print."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from healthcode.codes.models import PrintedCard
from healthcode.residents.family_models import FamilyView
from healthcode.residents.models import Person
from tests.identity.flow import LI, ZHANG, make_account, sign_in
from tests.residents.citizen import fever_visit
from tests.residents.test_family import CHILD, add, one_household, signed_in


def cards_of(db: Any, id_number: str) -> list[PrintedCard]:
    db.rollback()  # a fresh snapshot: the app committed in its own transactions
    return list(db.scalars(select(PrintedCard).join(Person, Person.id == PrintedCard.person_id)
                           .where(Person.id_number == id_number).order_by(PrintedCard.id)))


def test_a_resident_prints_his_own_card_sees_it_and_revokes_it(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    signed_in(client, db)

    response = client.post("/citizen/card")

    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    card = cards_of(db, ZHANG)[0]
    assert response.headers["content-disposition"] == f'attachment; filename="healthcode-card-{card.serial}.pdf"'
    assert response.content[:5] == b"%PDF-" and response.headers["cache-control"] == "no-store"
    page = client.get("/citizen/family").text
    assert f"纸质卡 {card.serial}，有效期至 2021-02-23" in page
    revoked = client.post("/citizen/card/revoke")
    assert revoked.status_code == 200 and "纸质健康码已作废" in revoked.text and "未打印纸质健康码" in revoked.text
    assert cards_of(db, ZHANG)[0].revoked_by == f"resident:{card.person_id}"
    again = client.post("/citizen/card/revoke")
    assert again.status_code == 404 and "没有可作废的纸质健康码" in again.text


def test_an_orange_resident_may_print_his_own_card_but_not_a_relatives(
        client: Any, db: Any, engine: Any, tmp_path: Path, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    one_household(engine, tmp_path)
    signed_in(client, db)
    add(client, "张小宝", CHILD)
    child = db.scalar(select(Person).where(Person.id_number == CHILD))
    assert client.post(f"/citizen/family/{child.id}/card").status_code == 200
    fever_visit(engine, tmp_path, ZHANG, "张小明", "2020-02-24T08:00:00")

    refused = client.post(f"/citizen/family/{child.id}/card")

    assert refused.status_code == 403 and "不能为他人申领" in refused.text
    assert len(cards_of(db, CHILD)) == 1 and cards_of(db, CHILD)[0].revoked_at is None  # the first card stands
    assert client.post("/citizen/card").status_code == 200


def test_a_relatives_card_is_printed_logged_and_revoked_through_an_active_link(
        client: Any, db: Any, engine: Any, tmp_path: Path, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    one_household(engine, tmp_path)
    signed_in(client, db)
    add(client, "张小宝", CHILD)
    child = db.scalar(select(Person).where(Person.id_number == CHILD))

    first = client.post(f"/citizen/family/{child.id}/card")
    second = client.post(f"/citizen/family/{child.id}/card")

    assert first.status_code == second.status_code == 200 and second.content[:5] == b"%PDF-"
    printed = cards_of(db, CHILD)
    assert [c.revoked_at is not None for c in printed] == [True, False]  # the newer card revoked the older
    assert f"纸质卡 {printed[1].serial}" in client.get("/citizen/family").text
    assert client.post(f"/citizen/family/{child.id}/card/revoke").status_code == 200
    assert all(c.revoked_at is not None for c in cards_of(db, CHILD))
    views = db.scalars(select(FamilyView.what).where(FamilyView.member_id == child.id).order_by(FamilyView.id))
    assert list(views) == ["code", "card", "card", "card_revoked"]  # "code": adding him showed his code


def test_nobody_prints_or_revokes_the_card_of_someone_who_is_not_their_active_relative(
        client: Any, db: Any) -> None:
    make_account(db, LI, "李四")
    sign_in(client, LI)
    add(client, "张小宝", CHILD)  # 李四's link to the child waits for a confirmation: not active
    child = db.scalar(select(Person).where(Person.id_number == CHILD))
    assert client.post(f"/citizen/family/{child.id}/card").status_code == 404
    db.rollback()
    stranger = TestClient(client.app)
    signed_in(stranger, db)
    li = db.scalar(select(Person).where(Person.id_number == LI))

    for path in (f"/citizen/family/{child.id}/card", f"/citizen/family/{li.id}/card",
                 f"/citizen/family/{child.id}/card/revoke", f"/citizen/family/{li.id}/card/revoke"):
        assert stranger.post(path).status_code == 404, path
    assert cards_of(db, CHILD) == [] and cards_of(db, LI) == []


def test_without_a_session_the_card_routes_lead_to_the_login_button(client: Any) -> None:
    for path in ("/citizen/card", "/citizen/card/revoke", "/citizen/family/1/card", "/citizen/family/1/card/revoke"):
        page = client.post(path)
        assert str(page.url) == "http://testserver/citizen/" and "闽政通实名登录" in page.text, path
