"""A small province for the security tests: a superior unit with a subordinate unit (points, an authorised and a pending
scanner, scans), another unit with its own scanner, two enterprises, the health authority, two signed-in residents
(one the subordinate unit's scanned resident, employee of the first enterprise, with a relative, a report and a
message), a data provider, a USCC dispute and an enterprise that registered itself and is not verified yet; and
one TestClient a role, signed in as that role on one app."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.accounts.models import Account
from healthcode.app import create_app
from healthcode.appeals import evidence
from healthcode.appeals.models import Appeal
from healthcode.checkpoints.repository import scanner_by_phone
from healthcode.config import Settings
from healthcode.enterprise import consent, import_store, registration
from healthcode.enterprise import service as enterprise_service
from healthcode.enterprise.models import Employee
from healthcode.feeds.service import add_provider
from healthcode.manualflags import service as manualflags
from healthcode.messages import service as messages
from healthcode.messages.models import Message
from healthcode.orgs.users import add_user
from healthcode.residents import family
from healthcode.residents.family_models import FamilyLink
from healthcode.residents.models import Person
from healthcode.rules.ruleset import FJ_2020_02
from tests.checkpoints.factories import PASSWORD, org, scanner
from tests.enterprise.factories import enterprise, report, uscc_code
from tests.identity.flow import make_account, sign_in
from tests.orgs.console_factories import NOW, Unit, add_scans, unit

RESIDENT_ID, RESIDENT_NAME = "350102198001010011", "张小明"
OTHER_ID, OTHER_NAME = "350203199002020023", "李小红"
RELATIVE_ID, RELATIVE_NAME = "350102195001010018", "张老汉"

ROLES = ("anonymous", "resident", "other_resident", "scanner", "pending_scanner", "other_scanner", "unit_admin",
         "superior_admin", "other_unit", "enterprise", "other_enterprise", "pending_enterprise", "authority",
         "provider")
ENTERPRISE_USCC = uscc_code(1)
CLAIM_PASSWORD = "Claim1234"


@dataclass
class World:
    superior: Unit
    unit: Unit
    other: Unit
    ids: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, TestClient] = field(default_factory=dict)
    markers: list[str] = field(default_factory=list)  # texts of the subordinate unit's and its residents' data


def build(engine: Engine, settings: Settings, db: Session) -> World:
    """The world, committed, and a signed-in client for every role in ROLES."""
    superior = unit(db, 1, "上级单位", scanner_name="钱上级", person_name="孙上级")
    sub = unit(db, 2, "下级单位", parent=superior, scanner_name="周扫码", person_name="吴居民")
    other = unit(db, 3, "其他单位", scanner_name="郑其他", person_name="冯其他")
    authority = org(db, 9, name="卫健委")
    add_scans(db, sub, 3)
    # The scanner the admins' routes authorise and revoke: not one of the roles, whose sessions those would end.
    decided = scanner_by_phone(db, scanner(db, sub.created.username, 23, authorise=False, name="赵七"))
    assert decided is not None
    ent, other_ent = enterprise(db, 1, "甲企业"), enterprise(db, 2, "乙企业")
    for number, name in ((RESIDENT_ID, RESIDENT_NAME), (OTHER_ID, OTHER_NAME)):
        make_account(db, number, name)
    app_settings = settings.model_copy(update={"authority_usccs": [authority.username]})
    app = create_app(app_settings, engine)
    clients = {role: TestClient(app) for role in ROLES}
    for client in clients.values():
        client.__enter__()
    sign_in(clients["resident"], RESIDENT_ID)
    sign_in(clients["other_resident"], OTHER_ID)
    resident = db.scalars(select(Person).where(Person.id_number == RESIDENT_ID)).one()
    member = family.add_member(db, app_settings, resident, name=RELATIVE_NAME, id_number=RELATIVE_ID, relation="父母",
                               now=NOW)
    link_id = db.scalars(select(FamilyLink.id)).one()
    family.decide(db, member.person, link_id, "accept", NOW)  # the relative confirmed it from his own sign-in
    asked = enterprise_service.add_employee(db, ent.org_id, enterprise_service.EmployeeInput(
        RESIDENT_NAME, RESIDENT_ID, "13900000001"), datetime(2020, 2, 1))
    consent.decide(db, resident, asked.id, "accept", datetime(2020, 2, 1))
    employee = db.scalars(select(Employee).where(Employee.org_id == ent.org_id)).one()
    pending = enterprise_service.add_employee(db, ent.org_id, enterprise_service.EmployeeInput(
        OTHER_NAME, OTHER_ID, ""), datetime(2020, 2, 1))  # the other resident has not answered
    dispute = registration.register(db, _claim(ENTERPRISE_USCC, "冒名企业"), NOW)
    unverified = registration.register(db, _claim(uscc_code(3), "待验证企业"), NOW)
    assert isinstance(dispute, registration.Disputed) and isinstance(unverified, registration.Registered)
    own_report = report(db, resident, date(2020, 2, 24))
    messages.send(db, [RESIDENT_ID], title="请上报", body="今日健康上报", now=NOW)
    provider = add_provider(db, "省卫健委", ["cases"])
    ent_account = db.scalars(select(Account.id).where(Account.username == ent.username)).one()
    reviewer = add_user(db, authority.org_id, username="reviewer1", name="张审核", now=NOW)
    reviewer_id = db.scalars(select(Account.id).where(Account.username == reviewer.username)).one()
    flag = manualflags.propose(db, manualflags.Actor(reviewer_id, "卫健委（张审核）"), id_number="350102199001010024",
                               color="orange", reason="测试", ends_on="2020-02-28", ruleset=FJ_2020_02, max_days=14,
                               now=NOW)
    import_report = import_store.keep(db, import_store.Uploader(ent.org_id, ent_account), import_store.REPORT,
                                      ".xlsx", b"PK", clock.now())  # A's error report of a refused roster
    proof = evidence.Evidence(b"%PDF-1.4 world", "application/pdf", "0" * 64)
    appeal = Appeal(id_number=RESIDENT_ID, rule="fever_clinic", reason_since=date(2020, 2, 20),
                    reason_detail="14天内有发热门诊就诊记录", statement="未曾就诊", state="open", filed_at=NOW,
                    due_at=NOW, evidence_file=evidence.store(settings.data_dir, proof),
                    evidence_type=proof.media_type, evidence_size=proof.size, evidence_sha256=proof.sha256)
    db.add(appeal)  # resident A's appeal, with its evidence file
    db.commit()
    message_id = db.scalars(select(Message.id)).one()
    _console(clients["unit_admin"], sub.created.username, sub.created.password)
    _console(clients["superior_admin"], superior.created.username, superior.created.password)
    _console(clients["other_unit"], other.created.username, other.created.password)
    _console(clients["authority"], authority.username, authority.password)
    _console(clients["enterprise"], ent.username, ent.password)
    _console(clients["other_enterprise"], other_ent.username, other_ent.password)
    _console(clients["pending_enterprise"], unverified.username, CLAIM_PASSWORD, api=False)
    _scanner(clients["scanner"], f"138{21:08d}")
    _scanner(clients["pending_scanner"], f"138{22:08d}", authorised=False)
    _scanner(clients["other_scanner"], f"138{31:08d}")
    clients["provider"].headers["X-API-Key"] = provider.api_key
    ids = {"scan_id": sub.scan_ids[0], "scanner_id": decided.id, "org_id": sub.org_id,
           "person_id": sub.person_ids[0], "point_id": sub.point_ids[0], "member_id": member.person.id,
           "employee_id": employee.id, "report_id": own_report.id, "message_id": message_id, "feed": "cases",
           "code": "350102", "level": 1, "action": "authorise", "request_id": asked.id, "link_id": link_id,
           "pending_request_id": pending.id, "dispute_id": dispute.dispute_id,
           "token": import_report, "flag_id": flag.id, "account_id": reviewer_id, "appeal_id": appeal.id}
    markers = ["吴居民", "吴*民", "周扫码", RESIDENT_NAME, RESIDENT_ID, RELATIVE_NAME, RELATIVE_ID]
    return World(superior, sub, other, ids, clients, markers)


def _claim(uscc: str, name: str) -> registration.Registration:
    return registration.Registration(name, uscc, "林法人", "13700137000", "黄经办", "350102198503150022",
                                     "13700137001", CLAIM_PASSWORD, CLAIM_PASSWORD, "", "350102198503150014")


def _console(client: TestClient, username: str, password: str, *, api: bool = True) -> None:
    response = client.post("/gov/login", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    if not api:
        return
    token = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert token.status_code == 200, token.text
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"


def _scanner(client: TestClient, phone: str, *, authorised: bool = True) -> None:
    response = client.post("/scanner/login", data={"phone": phone, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token = client.post("/api/v1/auth/token", data={"username": phone, "password": PASSWORD})
    if authorised:
        assert token.status_code == 200, token.text
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"


def close(world: World) -> None:
    for client in world.clients.values():
        client.__exit__(None, None, None)


__all__ = ["ROLES", "World", "build", "close"]
