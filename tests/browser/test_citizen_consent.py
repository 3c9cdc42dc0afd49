"""On a phone: a resident finds an enterprise's request to add him as an employee (工作单位确认), accepts it, and
reads who looked at his data (我的数据访问记录). Screenshots go to tests/browser/screenshots/."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from healthcode.accounts.models import Account
from healthcode.enterprise import service
from healthcode.enterprise.models import Employee, EmploymentRequest
from healthcode.orgs.audit_models import DataAccess
from healthcode.residents.models import Person
from tests.browser.test_citizen import sign_in
from tests.enterprise.factories import enterprise
from tests.identity.flow import ZHANG, make_account

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent / "screenshots"


def test_on_a_phone_a_resident_accepts_an_employers_request_and_reads_his_access_log(phone: Any, db: Any) -> None:
    SHOTS.mkdir(exist_ok=True)
    # Given an enterprise asked to add 张小明 by name + ID number
    org = enterprise(db, 1, "福州某某科技有限公司")
    service.add_employee(db, org.org_id, service.EmployeeInput("张小明", ZHANG), datetime(2020, 2, 24, 9))
    make_account(db)
    db.commit()
    # When he signs in and opens 工作单位确认 from the home page
    sign_in(phone)
    phone.get_by_test_id("employers").tap()
    phone.wait_for_url(re.compile(r"/citizen/employers$"))
    phone.get_by_text("福州某某科技有限公司").wait_for()
    assert phone.get_by_test_id("state").inner_text() == "待确认"
    phone.screenshot(path=str(SHOTS / "citizen-employers-pending.png"), full_page=True)
    phone.get_by_test_id("accept").tap()
    # Then the request is confirmed, and the enterprise now has him as an employee
    phone.get_by_test_id("done").wait_for()
    assert phone.get_by_test_id("state").inner_text() == "已确认"
    phone.screenshot(path=str(SHOTS / "citizen-employers-confirmed.png"), full_page=True)
    db.rollback()
    assert db.scalar(select(EmploymentRequest.state)) == "confirmed"
    assert db.scalar(select(Employee.id_number).where(Employee.org_id == org.org_id)) == ZHANG
    # And when the enterprise opens one of his reports, his access log says so
    admin = db.scalar(select(Account.id).where(Account.username == org.username))
    person_id = db.scalar(select(Person.id).where(Person.id_number == ZHANG))
    db.add(DataAccess(account_id=admin, username=org.username, org_id=org.org_id, subject="person",
                      person_id=person_id, purpose="查看健康上报详情", at=datetime(2020, 2, 24, 10, 30)))
    db.commit()
    phone.goto("/citizen/")
    phone.get_by_test_id("access-log").tap()
    phone.wait_for_url(re.compile(r"/citizen/access$"))
    entry = phone.locator("[data-kind=report]")
    assert "企业查看健康上报" in entry.inner_text() and "福州某某科技有限公司" in entry.inner_text()
    phone.screenshot(path=str(SHOTS / "citizen-access-log.png"), full_page=True)


def test_on_a_phone_a_relative_confirms_a_family_link_from_his_own_sign_in(phone: Any, db: Any, settings: Any) -> None:
    SHOTS.mkdir(exist_ok=True)
    # Given 李四 asked to show 张小明's code (a pending link: knowing his name and ID number is not enough)
    from healthcode.residents import family
    from tests.identity.flow import LI

    make_account(db)
    applicant = Person(id_number=LI, name="李四", created_at=datetime(2020, 2, 1))
    db.add(applicant)
    db.flush()
    family.add_member(db, settings, applicant, name="张小明", id_number=ZHANG, relation="兄弟姐妹", now=datetime.now())
    db.commit()
    # When 张小明 signs in and opens 为家人申领
    sign_in(phone)
    phone.goto("/citizen/family")
    applicants = phone.get_by_test_id("applicants")
    assert "*四" in applicants.inner_text() and "待您确认" in applicants.inner_text()
    phone.screenshot(path=str(SHOTS / "citizen-family-request.png"), full_page=True)
    phone.get_by_test_id("family-accept").tap()
    # Then the link is confirmed, and he may end it again
    phone.get_by_test_id("done").wait_for()
    assert "已确认" in phone.get_by_test_id("applicants").inner_text()
    phone.get_by_test_id("family-end").wait_for()
    db.rollback()
    from healthcode.residents.family_models import FamilyLink

    assert db.scalar(select(FamilyLink.confirmed_at)) is not None
