"""The health authority's 短信投递 page: texts per delivery state and the latest texts with a masked phone, state,
tries, last error and times, never a text. Other units' admins are refused."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from healthcode.messages.models import SmsOutbox
from tests.messages.conftest import NOW, queue
from tests.orgs.console_factories import login, unit


def _states(engine: Engine) -> None:
    """Three texts: delivered at the second try, waiting for a third, failed after six."""
    queue(engine, [("13912345678", "【八闽健康码】您的验证码为******"), ("13800000001", "【八闽健康码】请填报健康信息"),
                   ("13700000002", "【八闽健康码】异议处理结果")])
    with engine.begin() as conn:
        conn.execute(update(SmsOutbox).where(SmsOutbox.id == 1).values(
            status="delivered", attempts=2, last_error="网关返回 HTTP 500", delivered_at=NOW + timedelta(seconds=9),
            next_attempt_at=None))
        conn.execute(update(SmsOutbox).where(SmsOutbox.id == 2).values(
            attempts=2, last_error="网关超时", next_attempt_at=NOW + timedelta(seconds=20)))
        conn.execute(update(SmsOutbox).where(SmsOutbox.id == 3).values(
            status="failed", attempts=6, last_error="网关返回 HTTP 503", next_attempt_at=None))


def test_the_authority_sees_delivery_states_and_counts_without_texts(client, db: Session, engine: Engine,
                                                                     freeze) -> None:
    # Given the health authority signed in, and texts in three states
    freeze(NOW)
    hq = unit(db, 1, "省疫情防控指挥部")
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"authority_usccs": [hq.created.username]})
    login(client, hq.created.username, hq.created.password)
    _states(engine)
    # When it opens the page, and filters the failed ones
    page = client.get("/gov/sms")
    failed = client.get("/gov/sms", params={"status": "failed"})
    # Then it sees the counts, each text's masked phone, state, tries and last error, and no text at all
    assert page.status_code == 200 and "短信投递" in client.get("/gov/").text
    counts = {state: page.text.split(f'id="count-{state}"')[1].split("</a>")[0].rsplit(">", 1)[1]
              for state in ("pending", "delivered", "failed")}
    assert counts == {"pending": "1", "delivered": "1", "failed": "1"}
    delivered = page.text.split('id="sms-1"')[1].split("</tr>")[0]
    assert "139****5678" in delivered and "已送达" in delivered and "2020-02-24 09:00:09" in delivered
    assert "网关返回 HTTP 500" in delivered
    waiting = page.text.split('id="sms-2"')[1].split("</tr>")[0]
    assert "待投递" in waiting and "网关超时" in waiting and "2020-02-24 09:00:20" in waiting
    for secret in ("13912345678", "13800000001", "验证码", "请填报健康信息", "异议处理结果"):
        assert secret not in page.text
    assert 'id="sms-3"' in failed.text and 'id="sms-1"' not in failed.text and "投递失败" in failed.text
    assert "未配置短信网关" in page.text  # the test settings have none


def test_other_units_are_refused(client, db: Session, freeze) -> None:
    freeze(NOW)
    other = unit(db, 2, "甲单位")
    login(client, other.created.username, other.created.password)

    assert client.get("/gov/sms").status_code == 403
    assert "短信投递" not in client.get("/gov/").text
