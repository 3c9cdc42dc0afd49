"""A unit holds a USCC once: the database refuses a second row, a second registration is refused with a clear message
and kept as a dispute, which only the health authority sees and resolves (dismiss, or transfer: the holder's account
is deactivated and the claimant's enterprise created, pending verification)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from healthcode.accounts.models import Account
from healthcode.checkpoints.models import Scanner
from healthcode.enterprise.dispute_models import UsccDispute
from healthcode.messages.models import SmsOutbox
from healthcode.orgs import repository as org_repository
from healthcode.orgs.models import Org
from healthcode.orgs.service import add_org
from tests.checkpoints.factories import scanner
from tests.enterprise.factories import console_login, enterprise, id_number, uscc_code

CLAIM = {"name": "泉州真企业有限公司", "uscc": uscc_code(7), "legal_name": "林真法人", "legal_phone": "13700137000",
         "legal_id_number": id_number(301), "operator_name": "黄经办", "operator_id_number": id_number(302),
         "operator_phone": "13700137001", "password": "Claim1234", "confirm_password": "Claim1234"}


def _authority(db: Session, client: Any, monkeypatch: Any) -> Any:
    code = "12350000MB0000001" + uscc.calc_check_digit("12350000MB0000001")
    created = add_org(db, name="省疫情防控指挥部", uscc=code, kind="government", now=datetime(2020, 2, 1))
    db.commit()
    monkeypatch.setattr(client.app.state.settings, "authority_usccs", [code])
    return created


def _gov_login(client: Any, created: Any) -> None:
    response = client.post("/gov/login", data={"username": created.username, "password": created.password})
    assert response.status_code == 200 and "/gov/" in str(response.url), response.text


def test_the_database_refuses_a_second_org_with_the_same_uscc(db: Session) -> None:
    enterprise(db, 7)
    db.add(Org(name="重复", uscc=uscc_code(7), kind="enterprise", created_at=datetime(2020, 2, 1)))
    with pytest.raises(IntegrityError):
        db.flush()


def test_given_a_held_uscc_when_registering_again_then_refused_and_kept_as_a_dispute(
        client: Any, db: Session, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    holder = enterprise(db, 7, name="泉州抢注公司")
    refused = client.post("/ent/register", data=CLAIM)
    assert refused.status_code == 409 and "该统一社会信用代码已注册" in refused.text and "如有异议" in refused.text
    assert "泉州抢注公司" in refused.text and 'data-testid="disputed"' in refused.text
    again = client.post("/ent/register", data={**CLAIM, "name": "泉州真企业有限公司（二）"})
    assert again.status_code == 409
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Org)) == 1
    dispute = db.scalars(select(UsccDispute)).one()  # the same claimant again: their open dispute, updated
    assert (dispute.uscc, dispute.holder_org_id, dispute.status) == (uscc_code(7), holder.org_id, "open")
    assert dispute.name == "泉州真企业有限公司（二）" and dispute.legal_phone == "13700137000"
    assert dispute.client_ip == "testclient" and dispute.created_at == datetime(2020, 2, 24, 9)
    assert "Claim1234" not in dispute.password_hash


def test_given_a_race_with_another_registration_then_the_unique_constraint_makes_it_a_dispute(
        client: Any, db: Session, freeze: Any, monkeypatch: Any) -> None:
    freeze("2020-02-24 09:00")
    enterprise(db, 7)
    real = org_repository.org_by_uscc
    calls: list[str] = []

    def not_yet_seen(session: Session, uscc: str) -> Org | None:
        # The first registration's two checks run before the other registration commits.
        calls.append(uscc)
        return None if len(calls) <= 2 else real(session, uscc)

    monkeypatch.setattr(org_repository, "org_by_uscc", not_yet_seen)
    refused = client.post("/ent/register", data=CLAIM)
    assert refused.status_code == 409 and "该统一社会信用代码已注册" in refused.text
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Org)) == 1
    assert db.scalar(select(func.count()).select_from(UsccDispute)) == 1


def test_only_the_health_authority_sees_and_resolves_disputes(client: Any, db: Session, freeze: Any,
                                                              monkeypatch: Any) -> None:
    freeze("2020-02-24 09:00")
    holder = enterprise(db, 7, name="泉州抢注公司")
    client.post("/ent/register", data=CLAIM)
    authority = _authority(db, client, monkeypatch)
    dispute_id = db.scalar(select(UsccDispute.id))
    db.rollback()
    other_unit = enterprise(db, 9, name="别的企业")
    for created in (holder, other_unit):
        with TestClient(client.app) as other:
            console_login(other, created)
            assert other.get("/gov/disputes").status_code == 403
            assert other.post(f"/gov/disputes/{dispute_id}", data={"action": "transfer"}).status_code == 403
    db.rollback()
    assert db.get(UsccDispute, dispute_id).status == "open"

    _gov_login(client, authority)
    page = client.get("/gov/disputes")
    assert page.status_code == 200 and "泉州抢注公司" in page.text and "泉州真企业有限公司" in page.text
    assert "林真法人" in page.text and "13700137000" in page.text and id_number(301) not in page.text
    dismissed = client.post(f"/gov/disputes/{dispute_id}", data={"action": "dismiss", "note": "营业执照不符"})
    assert dismissed.status_code == 200 and "已驳回该异议" in dismissed.text
    twice = client.post(f"/gov/disputes/{dispute_id}", data={"action": "transfer"})
    assert twice.status_code == 409 and "已处理" in twice.text
    assert client.post(f"/gov/disputes/{10**30}", data={"action": "dismiss"}).status_code == 422
    assert client.post("/gov/disputes/999", data={"action": "dismiss"}).status_code == 404
    bad = client.post(f"/gov/disputes/{dispute_id}", data={"action": "delete"})
    assert bad.status_code in (409, 422)
    db.rollback()
    row = db.get(UsccDispute, dispute_id)
    assert (row.status, row.resolution_note, row.resolved_at) == ("dismissed", "营业执照不符", datetime(2020, 2, 24, 9))
    assert row.resolved_by == authority.username
    texts = db.scalars(select(SmsOutbox.body).where(SmsOutbox.phone == "13700137000")).all()
    assert any("未予支持" in t for t in texts)


def test_a_transfer_deactivates_the_holder_and_creates_the_claimants_enterprise_pending_verification(
        client: Any, db: Session, freeze: Any, monkeypatch: Any) -> None:
    freeze("2020-02-24 09:00")
    holder = enterprise(db, 7, name="泉州抢注公司")
    scanner(db, holder.username, 1, authorise=True)
    client.post("/ent/register", data=CLAIM)
    authority = _authority(db, client, monkeypatch)
    dispute_id = db.scalar(select(UsccDispute.id))
    db.rollback()
    with TestClient(client.app) as squatter:
        console_login(squatter, holder)  # signed in before the transfer
        _gov_login(client, authority)
        done = client.post(f"/gov/disputes/{dispute_id}", data={"action": "transfer", "note": "核实营业执照"})
        assert done.status_code == 200 and "原登记单位账号已停用" in done.text
        assert squatter.get("/ent/", follow_redirects=False).status_code == 303  # the old session has ended
    old = client.post("/gov/login", data={"username": holder.username, "password": holder.password})
    assert old.status_code == 401 and "用户名或密码错误" in old.text
    db.rollback()
    old_org = db.get(Org, holder.org_id)
    assert old_org is not None and old_org.uscc != uscc_code(7)
    old_account = db.scalars(select(Account).where(Account.username.like(f"已停用-{uscc_code(7)}%"))).one()
    assert old_account.active is False
    assert db.scalars(select(Scanner.status).where(Scanner.org_id == holder.org_id)).all() == ["revoked"]
    row = db.get(UsccDispute, dispute_id)
    assert row.status == "transferred" and row.new_org_id is not None
    new_org = db.get(Org, row.new_org_id)
    assert new_org is not None and new_org.uscc == uscc_code(7) and new_org.pending_verification
    assert any("已转移给贵企业" in t for t in db.scalars(select(SmsOutbox.body)
                                                        .where(SmsOutbox.phone == "13700137000")))
    claimant = client.post("/gov/login", data={"username": uscc_code(7), "password": "Claim1234"})
    assert str(claimant.url).endswith("/ent/verify") and "泉州真企业有限公司" in claimant.text


def test_a_deactivated_account_cannot_sign_in_even_with_its_password(client: Any, db: Session) -> None:
    from healthcode.accounts import service as accounts

    created = enterprise(db, 7)
    account = db.scalars(select(Account).where(Account.username == created.username)).one()
    accounts.deactivate(db, account, datetime(2020, 2, 24, 9))
    db.commit()
    refused = client.post("/gov/login", data={"username": created.username, "password": created.password})
    assert refused.status_code == 401 and "该账号已停用" in refused.text
    token = client.post("/api/v1/auth/token", data={"username": created.username, "password": created.password})
    assert token.status_code == 401 and token.json()["message"] == "该账号已停用，如有疑问请联系疫情防控指挥部"
