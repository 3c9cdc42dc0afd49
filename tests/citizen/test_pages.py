"""The citizen portal: one-tap code, the JSON the page polls, the initial region, the reasons page."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from healthcode import clock
from healthcode.residents.models import Person
from tests.identity.flow import ZHANG, make_account, sign_in
from tests.residents.citizen import claims_of, fever_visit, household, luhn_ok

FIELDS = {"color", "color_label", "number_code", "qr_text", "issued_at", "expires_at", "name_masked", "name"}


def person(db: Any) -> Person:
    db.rollback()  # a fresh snapshot: the app committed in its own transactions
    return db.scalar(select(Person).where(Person.id_number == ZHANG))


def signed_in(client: Any, db: Any) -> None:
    make_account(db)
    assert sign_in(client).status_code == 200


def test_the_code_endpoint_requires_a_session(client: Any) -> None:
    response = client.get("/api/v1/me/code")
    assert response.status_code == 401
    assert response.json() == {"error": "not_signed_in", "message": "请先使用闽政通实名登录"}


def test_without_a_session_the_pages_lead_to_the_login_button(client: Any) -> None:
    for path in ("/citizen/code", "/citizen/reasons", "/citizen/family"):
        page = client.get(path)
        assert str(page.url) == "http://testserver/citizen/" and "闽政通实名登录" in page.text


def test_given_a_signed_in_resident_when_tapping_the_code_button_then_the_code_page_shows_everything(
    client: Any, db: Any, freeze: Any
) -> None:
    freeze("2020-02-24 09:00")
    signed_in(client, db)
    page = client.post("/citizen/code", data={"region_code": "350102"})
    assert page.status_code == 200 and str(page.url) == "http://testserver/citizen/code"
    assert 'data-testid="color-label">绿码<' in page.text
    number = re.search(r'data-number="(\d{12})"', page.text).group(1)
    assert luhn_ok(number)
    assert "张*明" in page.text and 'data-full="张小明"' in page.text
    assert page.headers["cache-control"] == "no-store"
    qr_text = re.search(r'data-qr-text="(BMJKM1:[^"]+)"', page.text).group(1)  # the phone draws it
    assert claims_of(db, qr_text, number).masked_name == "张*明"
    assert "data:image/png" not in page.text  # the server draws no QR


def test_the_code_json_has_the_page_fields_and_a_new_number_when_the_page_refreshes(
    client: Any, db: Any, freeze: Any
) -> None:
    freeze("2020-02-24 09:00")
    signed_in(client, db)
    first = client.get("/api/v1/me/code")
    data = first.json()
    assert FIELDS <= data.keys() and first.headers["cache-control"] == "no-store"
    shown = (data["color"], data["color_label"], data["name_masked"], data["name"])
    assert shown == ("green", "绿码", "张*明", "张小明")
    issued, expires = datetime.fromisoformat(data["issued_at"]), datetime.fromisoformat(data["expires_at"])
    assert issued.isoformat() == "2020-02-24T09:00:00+08:00" and (expires - issued).total_seconds() == 60
    assert data["refresh_at_ms"] < data["expires_at_ms"]
    assert "qr_png" not in data and claims_of(db, data["qr_text"], data["number_code"]).color == "green"
    again = client.get("/api/v1/me/code").json()  # asked again at once (a reload): the same code, shown again
    assert (again["number_code"], again["qr_text"]) == (data["number_code"], data["qr_text"])
    freeze(datetime.fromtimestamp(data["refresh_at_ms"] / 1000, clock.TZ).replace(tzinfo=None))  # the page's refresh
    fresh = client.get("/api/v1/me/code").json()
    assert fresh["number_code"] != data["number_code"] and fresh["issued_at_ms"] == data["refresh_at_ms"]


def test_a_new_fever_clinic_record_shows_at_the_next_refresh(
    client: Any, db: Any, engine: Any, freeze: Any, tmp_path: Path
) -> None:
    freeze("2020-02-24 09:00")
    signed_in(client, db)
    first = client.get("/api/v1/me/code").json()
    assert first["color"] == "green"

    fever_visit(engine, tmp_path, ZHANG, "张小明", "2020-02-23 10:00:00")
    later = client.get("/api/v1/me/code").json()

    assert (later["color"], later["color_label"]) == ("orange", "橙码") and later["number_code"] != first["number_code"]
    assert claims_of(db, later["qr_text"], later["number_code"]).color == "orange"


def test_the_first_code_fixes_the_picked_region_and_later_picks_change_nothing(
    client: Any, db: Any, engine: Any, tmp_path: Path
) -> None:
    household(engine, tmp_path, ZHANG, "张小明", "福建省厦门市思明区莲前街道1号")
    signed_in(client, db)
    home = client.get("/citizen/")
    assert "当前所在地区" in home.text and '<option value="350203" selected>' in home.text
    client.post("/citizen/code", data={"region_code": "350102"})
    assert person(db).initial_region_code == "350102"
    home = client.get("/citizen/")
    assert "当前所在地区" not in home.text
    client.post("/citizen/code", data={"region_code": "350203"})
    assert person(db).initial_region_code == "350102"


def test_without_a_household_nothing_is_preselected_and_skipping_the_pick_leaves_the_region_open(
    client: Any, db: Any
) -> None:
    signed_in(client, db)
    assert '<option value="" selected>暂不选择</option>' in client.get("/citizen/").text
    assert client.post("/citizen/code", data={"region_code": ""}).status_code == 200
    assert person(db).initial_region_code is None
    assert "当前所在地区" in client.get("/citizen/").text


def test_a_region_that_is_not_a_county_is_refused_and_nothing_changes(client: Any, db: Any) -> None:
    signed_in(client, db)
    page = client.post("/citizen/code", data={"region_code": "350100"})
    assert page.status_code == 422 and "请选择所在的县" in page.text
    assert person(db).initial_region_code is None


def test_without_a_pick_the_initial_region_is_the_household_county(
    client: Any, db: Any, engine: Any, tmp_path: Path
) -> None:
    household(engine, tmp_path, ZHANG, "张小明", "福建省厦门市思明区莲前街道1号")
    signed_in(client, db)
    assert client.get("/api/v1/me/code").status_code == 200
    assert person(db).initial_region_code == "350203"


def test_an_orange_resident_sees_the_orange_label_and_the_reasons_with_the_day_it_turns_green(
    client: Any, db: Any, engine: Any, tmp_path: Path, freeze: Any
) -> None:
    freeze("2020-02-24 09:00")
    fever_visit(engine, tmp_path, ZHANG, "张小明", "2020-02-20T10:30:00")
    signed_in(client, db)
    data = client.get("/api/v1/me/code").json()
    assert (data["color"], data["color_label"]) == ("orange", "橙码")
    page = client.get("/citizen/reasons")
    assert "当前为<strong>橙码</strong>" in page.text
    assert "14天内在我省有发热门诊就诊记录" in page.text
    assert "起始日期 2020-02-20" in page.text and "持续至 2020-03-04" in page.text
    assert "将于 2020-03-05 起恢复绿码" in page.text


def test_a_green_resident_has_no_reasons(client: Any, db: Any) -> None:
    signed_in(client, db)
    page = client.get("/citizen/reasons")
    assert "当前为<strong>绿码</strong>" in page.text and "没有需要说明的原因" in page.text
