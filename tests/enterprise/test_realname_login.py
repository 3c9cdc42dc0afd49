"""通过个人实名认证登录 of the enterprise console: OIDC sign-in, 企业信息关联 by the registered operator, operators
added in 经办人管理, refusals, the choice among several enterprises, and the assurance level."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.enterprise.operator_models import EnterpriseOperator, OperatorEvent
from healthcode.identity.devprovider import add_dev_account
from healthcode.orgs.audit_models import DataAccess
from tests.enterprise.factories import console_login, enterprise, id_number, realname_login, registered, uscc_code

OPERATOR, OPERATOR_NAME = id_number(101), "王经办"
STRANGER, STRANGER_NAME = id_number(102), "李路人"
LEGAL = id_number(103)


def _registered(db: Session, n: int, name: str) -> int:
    """An enterprise registered through 企业法人注册 and verified, naming OPERATOR as its operator."""
    return registered(db, n, name, operator=OPERATOR, legal=LEGAL)


def _resident(db: Session, number: str, name: str, level: str = "L4") -> None:
    add_dev_account(db, number, name, "Passw0rd", level=level)
    db.commit()


def _events(db: Session) -> list[tuple[int | None, str, str]]:
    db.rollback()
    return [(e.org_id, e.id_number, e.action) for e in db.scalars(select(OperatorEvent).order_by(OperatorEvent.id))]


def test_given_the_registered_operator_when_they_associate_then_they_enter_the_console(
        client: Any, db: Session, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org_id = _registered(db, 1, "福州甲公司")
    _resident(db, OPERATOR, OPERATOR_NAME)
    login_page = client.get("/gov/login")
    assert "个人实名认证登录" in login_page.text and "/ent/realname/login" in login_page.text

    first = realname_login(client, OPERATOR)
    assert first.status_code == 200 and str(first.url).endswith("/ent/realname")
    assert "企业信息关联" in first.text
    assert client.get("/ent/", follow_redirects=False).status_code == 303  # not yet in the console

    entered = client.post("/ent/realname/associate", data={"name": "福州甲公司", "uscc": uscc_code(1)})
    assert entered.status_code == 200 and str(entered.url).endswith("/ent/")
    assert "福州甲公司" in entered.text and "王经办（经办人" in entered.text and "修改密码" not in entered.text
    client.get("/ent/reports/export")  # a view of personal data is logged under the operator's own name
    assert _events(db) == [(org_id, OPERATOR, "associate"), (org_id, OPERATOR, "login")]
    row = db.scalar(select(EnterpriseOperator))
    assert row is not None and (row.org_id, row.role) == (org_id, "registered")
    access = db.scalar(select(DataAccess))
    assert access is not None and access.username.startswith("王经办（经办人") and access.org_id == org_id
    assert client.get("/gov/password").status_code == 403  # the admin's password stays the admin's

    # Next time: straight in, no association form.
    client.post("/gov/logout")
    again = realname_login(client, OPERATOR)
    assert str(again.url).endswith("/ent/") and "福州甲公司" in again.text


def test_given_neither_operator_nor_added_when_associating_then_refused_and_audited(
        client: Any, db: Session, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org_id = _registered(db, 1, "福州甲公司")
    _resident(db, STRANGER, STRANGER_NAME)
    realname_login(client, STRANGER)

    refused = client.post("/ent/realname/associate", data={"name": "福州甲公司", "uscc": uscc_code(1)})
    assert refused.status_code == 403 and "不是该企业注册时登记的经办人或法定代表人" in refused.text
    bad_check = client.post("/ent/realname/associate", data={"name": "福州甲公司", "uscc": uscc_code(1)[:-1] + "0"})
    assert bad_check.status_code == 422 and "校验位不正确" in bad_check.text
    wrong_name = client.post("/ent/realname/associate", data={"name": "别的公司", "uscc": uscc_code(1)})
    assert wrong_name.status_code == 403 and "不匹配" in wrong_name.text
    entering = client.post("/ent/realname/enter", data={"org_id": org_id})
    assert entering.status_code == 403 and "尚未关联企业信息，无法进入企业后台" in entering.text

    assert client.get("/ent/", follow_redirects=False).status_code == 303
    assert db.scalar(select(EnterpriseOperator)) is None
    assert [a for _, n, a in _events(db) if n == STRANGER] == ["refused", "refused", "refused"]


def test_given_an_operator_added_by_the_admin_when_they_sign_in_then_they_enter_directly_until_removed(
        client: Any, db: Session, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    a = enterprise(db, 1)
    _resident(db, STRANGER, STRANGER_NAME)
    console_login(client, a)
    added = client.post("/ent/operators", data={"name": STRANGER_NAME, "id_number": STRANGER})
    assert "已添加经办人 李路人" in added.text and "经办人管理" in added.text
    wrong = client.post("/ent/operators", data={"name": "别人", "id_number": STRANGER})
    assert "已是本企业经办人" in wrong.text
    client.post("/gov/logout")

    entered = realname_login(client, STRANGER)
    assert str(entered.url).endswith("/ent/") and a.username in client.get("/ent/employees").text

    from fastapi.testclient import TestClient

    with TestClient(client.app) as admin:
        console_login(admin, a)
        operator_id = db.scalar(select(EnterpriseOperator.id))
        removed = admin.post("/ent/operators-delete", data={"operator_id": operator_id})
        assert "已移除经办人 李路人" in removed.text
    # Removed: the operator's session ends at their next request.
    assert client.get("/ent/", follow_redirects=False).status_code == 303
    assert [act for _, _, act in _events(db)] == ["add", "login", "remove"]


def test_given_an_operator_of_a_then_b_is_never_entered_and_several_enterprises_are_chosen(
        client: Any, db: Session, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    a_id, b_id = _registered(db, 1, "福州甲公司"), _registered(db, 2, "厦门乙公司")
    _resident(db, OPERATOR, OPERATOR_NAME)
    realname_login(client, OPERATOR)
    client.post("/ent/realname/associate", data={"name": "福州甲公司", "uscc": uscc_code(1)})

    assert client.post("/ent/realname/enter", data={"org_id": b_id}).status_code == 403
    home = client.get("/ent/employees")
    assert uscc_code(1) in home.text and uscc_code(2) not in home.text and "厦门乙公司" not in home.text

    # Registered operator of B too: after associating B, the next sign-in asks which enterprise to enter.
    client.get("/ent/realname?associate=1")
    client.post("/ent/realname/associate", data={"name": "厦门乙公司", "uscc": uscc_code(2)})
    client.post("/gov/logout")
    choice = realname_login(client, OPERATOR)
    assert str(choice.url).endswith("/ent/realname") and "请选择要进入的企业" in choice.text
    assert "福州甲公司" in choice.text and "厦门乙公司" in choice.text
    chosen = client.post("/ent/realname/enter", data={"org_id": b_id})
    assert str(chosen.url).endswith("/ent/") and uscc_code(2) in client.get("/ent/employees").text
    assert {(o, act) for o, _, act in _events(db) if act == "login"} == {(a_id, "login"), (b_id, "login")}


def test_given_a_level_below_l4_then_the_console_is_refused(client: Any, db: Session, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    _registered(db, 1, "福州甲公司")
    _resident(db, OPERATOR, OPERATOR_NAME, level="L3")
    refused = realname_login(client, OPERATOR)
    assert refused.status_code == 403 and "L4" in refused.text
    assert client.post("/ent/realname/associate", data={"name": "福州甲公司", "uscc": uscc_code(1)},
                       follow_redirects=False).status_code == 303
    assert client.get("/ent/", follow_redirects=False).status_code == 303
    assert db.scalar(select(EnterpriseOperator)) is None
