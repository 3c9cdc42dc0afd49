"""A double-clicked 新增员工 or 添加经办人: the second request's look-up missed, its insert meets the first one's row
(unique enterprise and ID number). It is refused as a repeated 新增 / 添加 is (409 on the page, the 经办人 flash),
never a 500, and one row stays; an operator associating himself twice at once is associated once. Played
deterministically (tests/races.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from healthcode import db as database
from healthcode.db import session_factory
from healthcode.enterprise import consent_repository, operators, service
from healthcode.enterprise import operator_repository as operator_repo
from healthcode.enterprise.errors import RequestExists
from healthcode.enterprise.models import EmploymentRequest
from healthcode.enterprise.operator_models import EnterpriseOperator
from healthcode.residents.models import Person
from tests.enterprise.factories import console_login, enterprise, id_number, uscc_code
from tests.identity.flow import ZHANG
from tests.races import miss_once

NOW = datetime(2020, 2, 24, 9, 0)
OPERATOR = id_number(7)


def count(db: Session, model: Any, org_id: int, number: str) -> int:
    db.rollback()  # a fresh snapshot: the app committed in its own transactions
    return db.scalar(select(func.count()).select_from(model).where(model.org_id == org_id,
                                                                   model.id_number == number)) or 0


def test_given_the_request_committed_meanwhile_then_add_employee_refuses_as_a_repeat(
    engine: Any, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = enterprise(db)
    first = service.add_employee(db, org.org_id, service.EmployeeInput("张小明", ZHANG), NOW).id
    db.commit()
    missed = miss_once(monkeypatch, consent_repository, "request_of")
    with session_factory(engine)() as session, session.begin():
        with pytest.raises(RequestExists, match="发送过员工确认请求"):
            service.add_employee(session, org.org_id, service.EmployeeInput("张小明", ZHANG), NOW)
        assert missed and session.scalar(select(func.count()).select_from(EmploymentRequest)) == 1  # still usable
    assert count(db, EmploymentRequest, org.org_id, ZHANG) == 1
    assert db.scalar(select(EmploymentRequest.id)) == first


def test_given_a_double_clicked_add_employee_then_the_page_refuses_it_not_500(
    client: Any, db: Session, freeze: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db)
    console_login(client, org)
    assert client.post("/ent/employees", data={"name": "张小明", "id_number": ZHANG}).status_code == 200  # 1st click
    missed = miss_once(monkeypatch, consent_repository, "request_of")
    again = client.post("/ent/employees", data={"name": "张小明", "id_number": ZHANG})
    assert again.status_code == 409 and "发送过员工确认请求" in again.text and missed
    assert count(db, EmploymentRequest, org.org_id, ZHANG) == 1


def test_given_the_operator_committed_meanwhile_then_add_operator_refuses_as_a_repeat(
    client: Any, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = enterprise(db)
    console_login(client, org)
    first = client.post("/ent/operators", data={"name": "王经办", "id_number": OPERATOR})  # the 1st click
    assert "已添加经办人 王经办" in first.text
    missed = miss_once(monkeypatch, operator_repo, "operator")
    again = client.post("/ent/operators", data={"name": "王经办", "id_number": OPERATOR})
    assert again.status_code == 200 and "已是本企业经办人" in again.text and missed
    assert count(db, EnterpriseOperator, org.org_id, OPERATOR) == 1
    assert [o.name for o in operators.operators(db, org.org_id)] == ["王经办"]


def test_given_another_constraint_failing_then_add_or_existing_raises_and_the_transaction_goes_on(
    engine: Any, db: Session
) -> None:
    db.add(Person(id_number=ZHANG, name="张小明", created_at=NOW))
    db.commit()
    with session_factory(engine)() as session, session.begin():
        with pytest.raises(IntegrityError):  # nothing found: not a race to hide
            database.add_or_existing(session, Person(id_number=ZHANG, name="别人", created_at=NOW), lambda: None)
        assert session.scalar(select(func.count()).select_from(Person)) == 1


def test_given_he_was_associated_meanwhile_then_associating_himself_again_finds_him_associated(
    engine: Any, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from healthcode.enterprise.operator_models import OperatorEvent
    from tests.enterprise.factories import person, registered

    org_id = registered(db, 3, "关联企业", operator=OPERATOR, legal=id_number(8))
    operators.associate(db, person(db, OPERATOR), "关联企业", uscc_code(3), NOW)  # the first click's request
    db.commit()
    missed = miss_once(monkeypatch, operator_repo, "operator")
    with session_factory(engine)() as session, session.begin():
        org = operators.associate(session, person(session, OPERATOR), "关联企业", uscc_code(3), NOW)
        assert missed and org.id == org_id  # the second click: associated, no 500
    assert count(db, EnterpriseOperator, org_id, OPERATOR) == 1
    associated = select(func.count()).select_from(OperatorEvent).where(OperatorEvent.action == "associate")
    assert db.scalar(associated) == 1  # the association logged once
