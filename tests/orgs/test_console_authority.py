"""Health-authority pages (疫情防控指挥部, by USCC in settings `authority_usccs`): region levels and policy texts,
fever-drug codes, and the feed status board with overdue feeds in red. Other units are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from healthcode.feeds.models import Batch
from healthcode.regions import service as regions
from tests.orgs.console_factories import NOW, login, unit


@pytest.fixture
def authority(client, db, freeze):
    freeze(NOW)
    hq = unit(db, 1, "省疫情防控指挥部")
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"authority_usccs": [hq.created.username]})
    login(client, hq.created.username, hq.created.password)
    return hq


def test_other_units_are_refused(client, db, freeze):
    freeze(NOW)
    a = unit(db, 2, "甲单位")
    login(client, a.created.username, a.created.password)

    pages = [client.get(p) for p in ("/gov/regions", "/gov/feeds/status", "/gov/feeds/fever-drugs")]

    assert [p.status_code for p in pages] == [403, 403, 403]
    assert "疫情区等级" not in client.get("/gov/").text


def test_setting_a_level_keeps_history_and_shows_in_list(client, db, authority):
    menu = client.get("/gov/")
    done = client.post("/gov/regions/level", data={"code": "350102", "level": "2"})
    bad = client.post("/gov/regions/level", data={"code": "350100", "level": "2"})

    assert "疫情区等级" in menu.text and "数据源状态" in menu.text
    assert done.status_code == 200 and "一般疫情区" in done.text and "福州市鼓楼区" in done.text
    assert bad.status_code == 422 and "不是县级行政区" in bad.text
    assert regions.current_level(db, "350102") == 2
    assert [h.set_by for h in regions.history(db, "350102")] == [authority.created.username]


def test_editing_a_policy_text(client, db, authority):
    response = client.post("/gov/regions/policy/1", data={"headline": "新标题", "text": "新的防控策略全文"})
    empty = client.post("/gov/regions/policy/1", data={"headline": "", "text": "x"})

    assert response.status_code == 200 and "新的防控策略全文" in response.text
    assert empty.status_code == 422
    assert regions.policies(db)[1].headline == "新标题"


def test_feed_board_marks_overdue_feeds_red(client, db, authority):
    db.add_all([
        Batch(feed="cases", status="applied", source="api", sha256="a" * 64, rows_read=3, rows_applied=3,
              bad_rows=0, created_at=NOW - timedelta(minutes=20)),
        Batch(feed="arrivals", status="applied", source="arrivals.csv", sha256="b" * 64, rows_read=9, rows_applied=9,
              bad_rows=0, created_at=NOW - timedelta(hours=30)),
        Batch(feed="arrivals", status="rejected", source="arrivals2.csv", sha256="c" * 64, rows_read=9,
              rows_applied=0, bad_rows=1,
              errors='[{"line": 3, "column": "id_number", "reason": "校验码错误"}]', created_at=NOW),
    ])
    db.commit()

    page = client.get("/gov/feeds/status")

    cases = page.text.split('id="feed-cases"')[1].split("</tr>")[0]
    arrivals = page.text.split('id="feed-arrivals"')[1].split("</tr>")[0]
    clinics = page.text.split('id="feed-clinic_visits"')[1].split("</tr>")[0]
    assert 'class="fresh"' in cases and "20分钟前" in cases
    assert "超期" in arrivals and "30.0小时前" in arrivals and "第3行 id_number：校验码错误" in arrivals
    assert "从未送达" in clinics and "超期" in clinics


def test_fever_drug_list(client, db, authority):
    from healthcode.feeds.models import FeverDrugCode

    batch = Batch(feed="fever_drug_codes", status="applied", source="codes.csv", sha256="d" * 64, rows_read=2,
                  rows_applied=2, bad_rows=0, created_at=NOW)
    db.add(batch)
    db.flush()
    db.add_all([FeverDrugCode(batch_id=batch.id, drug_code="XN02BEA", drug_name="对乙酰氨基酚片"),
                FeverDrugCode(batch_id=batch.id, drug_code="XM01AEB", drug_name="布洛芬缓释胶囊")])
    db.commit()

    everything = client.get("/gov/feeds/fever-drugs")
    searched = client.get("/gov/feeds/fever-drugs", params={"q": "布洛芬"})

    assert "对乙酰氨基酚片" in everything.text and "共 2 条记录" in everything.text
    assert "布洛芬缓释胶囊" in searched.text and "对乙酰氨基酚片" not in searched.text
