"""The residents' side: the health report form, its history, the inbox where reminders arrive; and 法人注册."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from healthcode.enterprise import service
from healthcode.enterprise.models import EnterpriseProfile, HealthReport
from healthcode.messages import service as messages
from healthcode.orgs.models import Org
from tests.enterprise.factories import console_login, employ, enterprise, id_number, sms_code, uscc_code
from tests.identity.flow import LI, ZHANG, make_account, sign_in

FORM = {"temperature": "36.7", "symptoms": ["无"], "location_code": "350102", "contact_risk": "0",
        "report_type": "日常上报"}


def _signed_in(client: Any, db: Any, number: str = ZHANG, name: str = "张小明") -> None:
    make_account(db, number, name)
    assert sign_in(client, number).status_code == 200


def test_without_a_session_the_report_pages_lead_home(client: Any) -> None:
    for path in ("/citizen/report", "/citizen/report/history", "/citizen/inbox", "/citizen/inbox/1"):
        assert str(client.get(path).url) == "http://testserver/citizen/"


def test_given_a_signed_in_resident_when_reporting_then_it_is_saved_and_in_the_history(client: Any, db: Any,
                                                                                        freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    _signed_in(client, db)
    form = client.get("/citizen/report")
    assert "今日尚未上报" in form.text and "结膜充血" in form.text
    saved = client.post("/citizen/report", data=FORM)
    assert 'data-testid="saved"' in saved.text and 'data-testid="reported-today"' in saved.text
    corrected = client.post("/citizen/report", data={**FORM, "temperature": "37.6", "symptoms": ["发热", "乏力"]})
    assert corrected.status_code == 200
    history = client.get("/citizen/report/history")
    assert "共 1 次上报" in history.text and "37.6℃" in history.text and "异常" in history.text


def test_a_bad_report_is_refused_with_the_form_kept_and_nothing_stored(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    _signed_in(client, db)
    refused = client.post("/citizen/report", data={**FORM, "symptoms": ["无", "发热"], "temperature": "36.9"})
    assert refused.status_code == 422 and "选择了“无”就不能再选择其他症状" in refused.text
    assert 'value="36.9"' in refused.text
    db.rollback()
    assert db.scalar(select(func.count()).select_from(HealthReport)) == 0


def test_given_a_reminder_when_the_resident_opens_the_inbox_then_it_is_there_and_only_theirs(
        client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db)
    employee = employ(db, org.org_id, "张小明", ZHANG, datetime(2020, 2, 1))
    service.remind(db, org.org_id, [employee.id], datetime(2020, 2, 24, 9))
    messages.send(db, [LI], title="别人的消息", body="不属于张小明", now=datetime(2020, 2, 24, 9))
    db.commit()
    _signed_in(client, db)
    inbox = client.get("/citizen/inbox")
    assert "健康上报提醒" in inbox.text and "测试企业1" in inbox.text and "别人的消息" not in inbox.text
    unread = '<span class="badge" data-testid="unread-count" aria-label="1条未读">1</span>'
    assert unread in client.get("/citizen/report").text and unread in client.get("/citizen/").text
    own = messages.inbox(db, ZHANG)[0]
    other = messages.inbox(db, LI)[0]
    opened = client.get(f"/citizen/inbox/{own.id}")
    assert "尚未进行健康上报" in opened.text and "去上报" in opened.text
    assert client.get(f"/citizen/inbox/{other.id}").status_code == 404
    assert "unread-count" not in client.get("/citizen/").text  # all read: no count
    db.rollback()
    assert messages.unread_count(db, ZHANG) == 0 and messages.unread_count(db, LI) == 1


REGISTRATION = {"name": "泉州某某制造有限公司", "uscc": uscc_code(42), "legal_name": "王法人",
                "legal_phone": "13900139000", "legal_id_number": id_number(4), "operator_name": "李经办",
                "operator_id_number": id_number(3), "operator_phone": "13800138000", "password": "Secret123",
                "confirm_password": "Secret123"}


def test_given_the_registration_form_when_valid_then_the_enterprise_signs_in_to_verify_it(client: Any,
                                                                                           db: Any) -> None:
    done = client.post("/ent/register", data=REGISTRATION)
    assert done.status_code == 200 and "注册成功" in done.text and REGISTRATION["uscc"] in done.text
    assert "待验证" in done.text
    signed = client.post("/gov/login", data={"username": REGISTRATION["uscc"], "password": "Secret123"})
    assert str(signed.url).endswith("/ent/verify") and "139****9000" in signed.text
    client.post("/ent/verify/sms/send")
    verified = client.post("/ent/verify/sms", data={"code": sms_code(db, "13900139000")})
    assert str(verified.url).endswith("/ent/") and "企业看板" in verified.text
    profile = client.get("/ent/employees")
    assert 'value="王法人"' in profile.text and "13900139000" in profile.text
    db.rollback()
    stored = db.get(EnterpriseProfile, db.scalar(select(Org.id)))
    assert stored.operator_id_number == id_number(3) and stored.legal_id_number == id_number(4)


def test_registration_refuses_bad_details_and_creates_nothing(client: Any, db: Any) -> None:
    bad_uscc = REGISTRATION["uscc"][:17] + ("0" if REGISTRATION["uscc"][17] != "0" else "1")
    for changes, message in (({"uscc": bad_uscc}, "统一社会信用代码无效"),
                             ({"operator_id_number": "350102198001010010"}, "身份证号校验码错误"),
                             ({"legal_id_number": ""}, "法定代表人身份证号"),
                             ({"legal_id_number": "350102198001010010"}, "身份证号校验码错误"),
                             ({"confirm_password": "Other123"}, "两次输入的登录密码不一致"),
                             ({"password": "123", "confirm_password": "123"}, "密码须为"),
                             ({"legal_phone": "123"}, "法人电话号码须填写法定代表人本人的手机号")):
        page = client.post("/ent/register", data={**REGISTRATION, **changes})
        assert page.status_code in (409, 422) and message in page.text, (changes, page.text[-500:])
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Org)) == 0
    existing = enterprise(db, 42)
    twice = client.post("/ent/register", data=REGISTRATION)
    assert twice.status_code == 409 and "该统一社会信用代码已注册" in twice.text and "如有异议" in twice.text
    console_login(client, existing)


def test_the_json_api_reports_and_reads_messages_for_the_signed_in_resident_only(client: Any, db: Any,
                                                                                 freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    assert client.get("/api/v1/me/reports").json()["error"] == "not_signed_in"
    _signed_in(client, db)
    body = {"temperature": "36.8", "symptoms": ["无"], "location_code": "350102", "report_type": "返岗上报"}
    created = client.post("/api/v1/me/reports", json=body)
    assert created.status_code == 201 and created.json()["corrected"] is False
    refused = client.post("/api/v1/me/reports", json={**body, "location_code": "999999"})
    assert refused.status_code == 422 and refused.json()["error"] == "invalid_location"
    assert client.get("/api/v1/me/reports").json()["total"] == 1
    messages.send(db, [ZHANG], title="通知", body="内容", now=datetime(2020, 2, 24, 9))
    db.commit()
    inbox = client.get("/api/v1/me/messages").json()
    assert inbox["unread"] == 1
    assert client.post(f"/api/v1/me/messages/{inbox['items'][0]['id']}/read").json() == {
        "id": inbox["items"][0]["id"], "read": True}


def test_the_citizen_home_links_to_the_report_form_and_the_inbox(client: Any, db: Any) -> None:
    _signed_in(client, db)
    home = client.get("/citizen/")
    assert 'href="http://testserver/citizen/report"' in home.text
    assert 'href="http://testserver/citizen/inbox"' in home.text
