"""注册验证: a self-registered enterprise can do nothing but verify until its legal representative proves the
registration — the SMS code to the legal representative's phone, or their real-name sign-in at L4 with the ID number
given at registration (who then becomes an operator)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.enterprise.models import EnterpriseProfile
from healthcode.enterprise.operator_models import EnterpriseOperator, OperatorEvent
from healthcode.identity.devprovider import add_dev_account
from healthcode.orgs.models import Org
from tests.enterprise.factories import id_number, realname_login, registered, sms_code, uscc_code

LEGAL, LEGAL_NAME = id_number(201), "陈法人"
OPERATOR = id_number(202)
OTHER = id_number(203)
LEGAL_PHONE = "13900000009"
PASSWORD = "Abc12345!x"


def _pending(db: Session, client: Any) -> int:
    """A registered, unverified enterprise, its admin signed in (the login lands on the verification step)."""
    org_id = registered(db, 1, "福州甲公司", operator=OPERATOR, legal=LEGAL, verified=False)
    signed = client.post("/gov/login", data={"username": uscc_code(1), "password": PASSWORD})
    assert str(signed.url).endswith("/ent/verify") and "注册验证" in signed.text and "139****0009" in signed.text
    return org_id


def _org(db: Session, org_id: int) -> tuple[Org, EnterpriseProfile]:
    db.rollback()
    org, profile = db.get(Org, org_id), db.get(EnterpriseProfile, org_id)
    assert org is not None and profile is not None
    return org, profile


def test_given_an_unverified_enterprise_then_every_page_and_api_but_the_verification_refuses(
        client: Any, db: Session, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    _pending(db, client)
    for path in ("/ent/", "/ent/health", "/ent/employees", "/ent/reports/export", "/ent/health/export",
                 "/ent/exports", "/gov/", "/gov/records", "/gov/scanners", "/gov/records/export", "/gov/password"):
        page = client.get(path)
        assert page.status_code == 403 and "注册尚未完成验证" in page.text and "/ent/verify" in page.text, path
    for path, form in (("/ent/employees", {"name": "张三", "id_number": id_number(5)}), ("/ent/sync", {}),
                       ("/ent/operators", {"name": "张三", "id_number": id_number(5)})):
        assert client.post(path, data=form).status_code == 403, path
    token = client.post("/api/v1/auth/token", data={"username": uscc_code(1), "password": PASSWORD}).json()
    api = client.get("/api/v1/org/scans", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert api.status_code == 403 and api.json()["error"] == "pending_verification"
    assert client.get("/ent/verify").status_code == 200
    db.rollback()
    assert db.scalar(select(EnterpriseOperator)) is None


def test_given_the_sms_code_to_the_legal_phone_then_the_enterprise_is_verified(
        client: Any, db: Session, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org_id = _pending(db, client)
    sent = client.post("/ent/verify/sms/send")
    assert sent.status_code == 200 and "验证码已发送至法人手机 139****0009" in sent.text
    wrong = client.post("/ent/verify/sms", data={"code": "000000" if sms_code(db, LEGAL_PHONE) != "000000"
                                                 else "111111"})
    assert wrong.status_code == 422 and "验证码错误，还可尝试4次" in wrong.text
    assert _org(db, org_id)[0].pending_verification

    done = client.post("/ent/verify/sms", data={"code": sms_code(db, LEGAL_PHONE)})
    assert str(done.url).endswith("/ent/") and "注册验证已完成" in done.text and "企业看板" in done.text
    org, profile = _org(db, org_id)
    assert not org.pending_verification and profile.verified_via == "sms" and profile.verified_at is not None
    assert client.get("/ent/health").status_code == 200
    assert str(client.get("/ent/verify").url).endswith("/ent/")  # nothing left to verify


def _realname_verify(client: Any, number: str) -> Any:
    """From the verification page: 法人实名认证 through the development provider, back to the check."""
    start = client.get("/ent/verify/realname/start")
    assert "/dev-idp/authorize" in str(start.url), start.text
    step = client.post(str(start.url), data={"step": "password", "id_number": number, "password": "Passw0rd"})
    assert step.status_code == 200, step.text
    return client.post(str(start.url), data={"step": "face"})


def test_given_the_legal_representatives_l4_sign_in_then_verified_and_an_operator(
        client: Any, db: Session, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org_id = _pending(db, client)
    add_dev_account(db, LEGAL, LEGAL_NAME, "Passw0rd", level="L4")
    db.commit()

    entered = _realname_verify(client, LEGAL)
    assert str(entered.url).endswith("/ent/") and "注册验证已完成（法定代表人实名认证）" in entered.text
    assert "陈法人（经办人" in entered.text
    org, profile = _org(db, org_id)
    assert not org.pending_verification and profile.verified_via == "realname"
    row = db.scalar(select(EnterpriseOperator))
    assert row is not None and (row.org_id, row.id_number, row.role) == (org_id, LEGAL, "legal")
    actions = [e.action for e in db.scalars(select(OperatorEvent).order_by(OperatorEvent.id))]
    assert actions == ["verify", "associate", "login"]


def test_given_another_id_number_or_a_level_below_l4_then_the_verification_is_refused(
        client: Any, db: Session, freeze: Any, monkeypatch: Any) -> None:
    freeze("2020-02-24 09:00")
    org_id = _pending(db, client)
    add_dev_account(db, OTHER, "李路人", "Passw0rd", level="L4")
    add_dev_account(db, LEGAL, LEGAL_NAME, "Passw0rd", level="L3")
    db.commit()

    other = _realname_verify(client, OTHER)
    assert other.status_code == 403 and "与该企业注册时登记的法定代表人身份证号不一致" in other.text
    client.post("/gov/login", data={"username": uscc_code(1), "password": PASSWORD})
    low = _realname_verify(client, LEGAL)  # the identity platform's sign-in itself refuses L3 by default
    assert low.status_code == 403 and "L4" in low.text
    # A deployment that lets L3 into the citizen portal still needs L4 for this verification.
    monkeypatch.setattr(client.app.state.settings, "min_assurance_level", "L3")
    client.post("/gov/login", data={"username": uscc_code(1), "password": PASSWORD})
    low = _realname_verify(client, LEGAL)
    assert low.status_code == 403 and "须达到 L4 级（当前 L3）" in low.text
    assert _org(db, org_id)[0].pending_verification
    assert db.scalar(select(EnterpriseOperator)) is None
    refusals = [e.detail for e in db.scalars(select(OperatorEvent).where(OperatorEvent.action == "refused"))]
    assert len(refusals) == 2 and all("法人实名认证未通过" in (d or "") for d in refusals)
    # The registered operator cannot associate while the registration waits for the legal representative.
    add_dev_account(db, OPERATOR, "王经办", "Passw0rd", level="L4")
    db.commit()
    monkeypatch.setattr(client.app.state.settings, "min_assurance_level", "L4")
    realname_login(client, OPERATOR)
    refused = client.post("/ent/realname/associate", data={"name": "福州甲公司", "uscc": uscc_code(1)})
    assert refused.status_code == 403 and "尚未完成验证" in refused.text


def test_given_a_verified_enterprise_then_its_legal_representative_associates_themselves(
        client: Any, db: Session, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org_id = registered(db, 1, "福州甲公司", operator=OPERATOR, legal=LEGAL)
    add_dev_account(db, LEGAL, LEGAL_NAME, "Passw0rd", level="L4")
    db.commit()
    first = realname_login(client, LEGAL)
    assert "企业信息关联" in first.text
    entered = client.post("/ent/realname/associate", data={"name": "福州甲公司", "uscc": uscc_code(1)})
    assert str(entered.url).endswith("/ent/") and "陈法人（经办人" in entered.text
    db.rollback()
    row = db.scalar(select(EnterpriseOperator))
    assert row is not None and (row.org_id, row.role) == (org_id, "legal")


def test_a_huge_or_unknown_enterprise_id_on_the_return_from_sign_in_is_refused_cleanly(
        client: Any, db: Session, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    add_dev_account(db, OTHER, "李路人", "Passw0rd", level="L4")
    db.commit()
    realname_login(client, OTHER)
    assert client.get("/ent/verify/realname", params={"org": str(10**30)}).status_code == 422
    unknown = client.get("/ent/verify/realname", params={"org": "999"})
    assert unknown.status_code == 404 and "企业注册信息不存在" in unknown.text


def test_the_migration_puts_enterprises_that_registered_themselves_before_to_verification(tmp_path: Any) -> None:
    from sqlalchemy import text

    from healthcode.db import make_engine, migrate
    from tests.migrating import upgrade_to

    # Given a database at the revision before, with a self-registered enterprise (a profile) and a CLI-made one
    engine = make_engine(f"sqlite:///{tmp_path / 'before.sqlite3'}")
    with engine.begin() as connection:
        upgrade_to(connection, "9a4f6c2d8e13")
        for org_id, code in ((1, uscc_code(1)), (2, uscc_code(2))):
            connection.execute(text("INSERT INTO orgs (id, name, uscc, kind, created_at) VALUES "
                                    "(:id, :name, :uscc, 'enterprise', '2020-02-01 08:00:00')"),
                               {"id": org_id, "name": f"企业{org_id}", "uscc": code})
        connection.execute(text("INSERT INTO enterprise_profiles (org_id, legal_name, legal_phone, created_at, "
                                "updated_at) VALUES (1, '陈法人', '13900000009', '2020-02-01', '2020-02-01')"))
        connection.execute(text("INSERT INTO accounts (id, kind, username, password_hash, must_change_password, "
                                "token_version, failed_logins, created_at) VALUES (1, 'org_admin', :u, 'x', 0, 0, 0, "
                                "'2020-02-01')"), {"u": uscc_code(1)})
    # When the schema is upgraded
    migrate(engine)
    # Then the self-registered one waits for verification, the other does not
    with engine.connect() as connection:
        rows: dict[int, bool] = dict(connection.execute(text("SELECT id, pending_verification FROM orgs")).all())
        profiles = connection.execute(text("SELECT org_id, legal_name FROM enterprise_profiles")).all()
        active = connection.execute(text("SELECT count(*) FROM accounts WHERE active")).scalar()
    engine.dispose()
    assert {k: bool(v) for k, v in rows.items()} == {1: True, 2: False}
    assert profiles == [(1, "陈法人")]  # the upgrade keeps every row (no table rebuilt under foreign keys)
    assert active == 1
