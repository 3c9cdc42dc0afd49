"""The scanner's pages through TestClient: 法人注册 with the SMS code from the outbox, login (pending, revoked,
authorised), the scan point form, the session token, and the photo decoding."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from healthcode.checkpoints.models import PENDING, Scanner, ScanPoint
from healthcode.checkpoints.service import set_scanner_status
from healthcode.codes import qr
from healthcode.messages.models import SmsCode, SmsOutbox
from tests.checkpoints.factories import NOW, PASSWORD, id_number, issue, org, person, scanner

PHONE = "13912345678"


def _form(admin_uscc: str, **overrides: str) -> dict[str, str]:
    form = {"org_name": "测试单位1", "uscc": admin_uscc, "phone": PHONE, "sms_code": "", "name": "王芳",
            "id_number": id_number(321), "password": "Abc12345", "password_confirm": "Abc12345"}
    return {**form, **overrides}


def _sms_code(db, phone: str = PHONE) -> str:
    body = db.scalars(select(SmsOutbox.body).where(SmsOutbox.phone == phone).order_by(SmsOutbox.id.desc())).first()
    db.rollback()  # end the read, so the test's session sees what the requests commit next
    return re.search(r"验证码为(\d{6})", body).group(1)


def _login(client, phone: str, password: str = PASSWORD):
    return client.post("/scanner/login", data={"phone": phone, "password": password})


def test_given_an_org_when_registering_with_the_sms_code_then_a_pending_scanner_waits_for_authorisation(
        db, client, freeze):
    freeze(NOW)
    admin = org(db)
    sent = client.post("/scanner/register/sms", data={"phone": PHONE})
    assert sent.status_code == 200, sent.text

    page = client.post("/scanner/register", data=_form(admin.username, sms_code=_sms_code(db)))

    assert page.status_code == 200, page.text
    assert "待单位管理员授权" in page.text
    created = db.scalars(select(Scanner).where(Scanner.phone == PHONE)).one()
    assert created.status == PENDING and created.name == "王芳"
    login = _login(client, PHONE, "Abc12345")
    assert login.status_code == 200 and "待单位管理员授权" in login.text
    service = client.get("/scanner/service")  # sends a pending scanner back to the pending page
    assert "待单位管理员授权" in service.text and "12位数字码" not in service.text


def test_given_the_dev_outbox_when_opening_dev_sms_then_the_code_is_listed(db, client, freeze):
    freeze(NOW)
    client.post("/scanner/register/sms", data={"phone": PHONE})

    page = client.get("/dev/sms", params={"phone": PHONE})

    assert _sms_code(db) in page.text and "仅供开发使用" in page.text


def test_given_a_code_just_sent_when_asking_again_within_a_minute_then_it_is_throttled(db, client, freeze):
    freeze(NOW)
    assert client.post("/scanner/register/sms", data={"phone": PHONE}).status_code == 200

    again = client.post("/scanner/register/sms", data={"phone": PHONE})

    assert again.status_code == 429 and "秒后再试" in again.json()["message"]
    freeze(NOW + timedelta(seconds=61))
    assert client.post("/scanner/register/sms", data={"phone": PHONE}).status_code == 200


def test_given_five_wrong_codes_when_the_right_one_comes_then_it_is_refused_and_nothing_is_created(db, client, freeze):
    freeze(NOW)
    admin = org(db)
    client.post("/scanner/register/sms", data={"phone": PHONE})
    right = _sms_code(db)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        page = client.post("/scanner/register", data=_form(admin.username, sms_code=wrong))
        assert page.status_code == 422 and f"还可尝试{left}次" in page.text
    client.post("/scanner/register", data=_form(admin.username, sms_code=wrong))

    page = client.post("/scanner/register", data=_form(admin.username, sms_code=right))

    assert page.status_code == 422 and "错误次数过多" in page.text
    assert db.scalar(select(func.count()).select_from(Scanner)) == 0


def test_given_an_expired_code_when_registering_then_it_is_refused(db, client, freeze):
    freeze(NOW)
    admin = org(db)
    client.post("/scanner/register/sms", data={"phone": PHONE})
    code = _sms_code(db)
    freeze(NOW + timedelta(minutes=5))

    page = client.post("/scanner/register", data=_form(admin.username, sms_code=code))

    assert page.status_code == 422 and "验证码已过期" in page.text


def test_given_a_wrong_org_name_or_unknown_uscc_when_registering_then_no_try_is_spent(db, client, freeze):
    freeze(NOW)
    admin = org(db)
    client.post("/scanner/register/sms", data={"phone": PHONE})
    code = _sms_code(db)

    wrong_name = client.post("/scanner/register", data=_form(admin.username, org_name="别的单位", sms_code=code))
    mismatch = client.post("/scanner/register", data=_form(admin.username, sms_code=code, password_confirm="x"))
    bad_id = client.post("/scanner/register", data=_form(admin.username, sms_code=code, id_number="350102199001010000"))

    assert wrong_name.status_code == 422 and "名称与统一社会信用代码不符" in wrong_name.text
    assert mismatch.status_code == 422 and "两次输入的登录密码不一致" in mismatch.text
    assert bad_id.status_code == 422 and 'value="别的单位"' not in bad_id.text
    assert db.scalar(select(func.count()).select_from(Scanner)) == 0
    assert db.scalars(select(SmsCode.attempts)).one() == 0 and db.scalars(select(SmsCode.used_at)).one() is None
    assert client.post("/scanner/register", data=_form(admin.username, sms_code=code)).status_code == 200


def test_given_a_revoked_scanner_when_logging_in_then_it_is_refused(db, client, freeze):
    freeze(NOW)
    admin = org(db)
    phone = scanner(db, admin.username)
    found = db.scalars(select(Scanner).where(Scanner.phone == phone)).one()
    set_scanner_status(db, found.org_id, found.id, "revoked", "admin", NOW)
    db.commit()

    page = _login(client, phone)

    assert page.status_code == 403 and "撤销" in page.text
    assert client.get("/scanner/", follow_redirects=False).status_code == 303


def test_given_a_wrong_password_when_logging_in_then_the_page_says_so(db, client, freeze):
    freeze(NOW)
    phone = scanner(db, org(db).username)

    page = _login(client, phone, "wrong-pass")

    assert page.status_code == 401 and "手机号码或登录密码错误" in page.text and "再错4次" in page.text


def test_given_an_authorised_scanner_when_reporting_a_point_by_form_then_the_scan_screen_shows_it(db, client, freeze):
    freeze(NOW)
    phone = scanner(db, org(db).username)
    home = _login(client, phone)
    assert "出入扫码服务" in home.text
    first = client.get("/scanner/service")
    assert "上报扫码点" in first.text and 'value="350102"' in first.text  # Fujian's counties in the select

    done = client.post("/scanner/point", data={"community": "软件园社区", "name": "东大门", "address": "软件大道89号",
                                               "region_code": "350102"})

    assert done.status_code == 200 and "修改扫码点位置" in done.text and "请输入健康码上方的12位数字码" in done.text
    assert "软件园社区 · 东大门" in done.text
    assert db.scalars(select(ScanPoint.region_code)).one() == "350102"
    bad = client.post("/scanner/point", data={"community": "", "name": "x", "address": "y", "region_code": "350102"})
    assert bad.status_code == 422 and "社区不能为空" in bad.text
    assert db.scalar(select(func.count()).select_from(ScanPoint)) == 1


def test_given_a_signed_in_page_when_asking_for_a_token_then_the_checkpoint_api_accepts_it(db, client, freeze):
    freeze(NOW)
    assert client.post("/scanner/token").status_code == 401
    _login(client, scanner(db, org(db).username))

    token = client.post("/scanner/token").json()["access_token"]

    me = client.get("/api/v1/checkpoint/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["name"] == "李强"


def test_given_a_photo_of_a_code_when_uploading_then_the_qr_text_comes_back(db, client, freeze):
    freeze(NOW)
    _login(client, scanner(db, org(db).username))
    issued = issue(db, person(db), NOW)

    found = client.post("/scanner/decode", files={"photo": ("code.png", qr.png_bytes(issued.qr_text), "image/png")})
    nothing = client.post("/scanner/decode", files={"photo": ("x.txt", b"not an image", "text/plain")})

    assert found.status_code == 200 and found.json()["text"] == issued.qr_text
    assert nothing.status_code == 422 and "未识别到二维码" in nothing.json()["message"]
