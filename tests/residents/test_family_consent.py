"""Family codes by consent: knowing a relative's name and ID number shows nothing; the relative's own confirmation,
or guardianship proven from official data (under 14 or 70 and over, same 户籍 address), makes a link active."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from stdnum.cn.ric import calc_check_digit

from healthcode.residents.family_models import FamilyLink, FamilyView
from healthcode.residents.models import Person
from tests.identity.flow import LI, ZHANG, make_account, sign_in
from tests.residents.citizen import households

CHILD = "350102201505050038"  # born 2015-05-05
GRANDMA = "350102194503030049"  # born 1945-03-03
ADULT = "35010219900101001" + calc_check_digit("35010219900101001" + "0")
HOME, ELSEWHERE = "福建省福州市鼓楼区软件园1号", "福建省福州市鼓楼区软件园2号"


def _browser(client: Any, db: Any, number: str, name: str) -> TestClient:
    browser = TestClient(client.app)
    db.rollback()  # a fresh snapshot to write from: the app wrote in its own transactions
    make_account(db, number, name)
    assert sign_in(browser, number).status_code == 200
    return browser


def _add(browser: Any, name: str, number: str, relation: str = "子女") -> Any:
    return browser.post("/citizen/family", data={"name": name, "id_number": number, "relation": relation})


def _shows(browser: Any, db: Any, number: str) -> bool:
    """Whether every way of showing the relative's data answers; none must answer for a link that is not active."""
    db.rollback()
    member_id = db.scalar(select(Person.id).where(Person.id_number == number))
    answers = {browser.get(f"/citizen/family/{member_id}/code").status_code,
               browser.get(f"/api/v1/me/code?member={member_id}").status_code,
               browser.get(f"/citizen/reasons?member={member_id}").status_code}
    assert len(answers) == 1, answers
    return answers == {200}


def _views(db: Any) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(FamilyView)) or 0


def test_a_stranger_who_knows_a_name_and_id_number_sees_nothing(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    zhang = _browser(client, db, ZHANG, "张小明")
    stranger = _browser(client, db, LI, "李四")
    added = _add(stranger, "张小明", ZHANG, "其他亲属")
    assert added.status_code == 200 and "需对方本人登录" in added.text
    assert "张*明" in added.text and "待对方确认" in added.text and "张小明" not in added.text
    assert "/code" not in added.text.split('data-testid="members"')[1].split("</ul>")[0]  # no 亮码 link
    assert not _shows(stranger, db, ZHANG) and _views(db) == 0
    # The relative sees the request (the applicant masked) on his own family page
    page = zhang.get("/citizen/family")
    assert 'data-testid="applicants"' in page.text and "*四" in page.text and "待您确认" in page.text


def test_a_link_the_relative_confirms_shows_and_ending_it_stops_it(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    zhang = _browser(client, db, ZHANG, "张小明")
    li = _browser(client, db, LI, "李四")
    _add(li, "张小明", ZHANG, "兄弟姐妹")
    link_id = db.scalar(select(FamilyLink.id))
    # another resident cannot confirm a link that does not name him
    assert li.post(f"/citizen/family/requests/{link_id}", data={"action": "accept"}).status_code == 404
    assert not _shows(li, db, ZHANG)
    accepted = zhang.post(f"/citizen/family/requests/{link_id}", data={"action": "accept"})
    assert accepted.status_code == 200 and "已确认" in accepted.text
    assert _shows(li, db, ZHANG) and _views(db) == 3  # code page, its refresh, the reasons: each one logged
    zhang.post(f"/citizen/family/requests/{link_id}", data={"action": "end"})
    assert not _shows(li, db, ZHANG) and _views(db) == 3
    assert _add(li, "张小明", ZHANG, "兄弟姐妹").status_code == 409  # ended: cannot be asked for again
    assert li.post(f"/citizen/family/{db.scalar(select(Person.id).where(Person.id_number == ZHANG))}/remove"
                   ).status_code == 404  # and the applicant cannot wipe the refusal away


def test_guardianship_needs_the_same_household_and_the_age_rule(client: Any, db: Any, engine: Any, tmp_path: Path,
                                                               freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    households(engine, tmp_path, [(ZHANG, "张小明", HOME), (CHILD, "张小宝", HOME), (ADULT, "张大宝", HOME),
                                  (GRANDMA, "王秀英", HOME)])
    zhang = _browser(client, db, ZHANG, "张小明")
    _add(zhang, "张小宝", CHILD)
    _add(zhang, "张大宝", ADULT)
    _add(zhang, "王秀英", GRANDMA, "祖父母/外祖父母")
    # a child under 14 and a relative of 70 and over at the same address: shown; an adult of 30: not
    assert _shows(zhang, db, CHILD) and _shows(zhang, db, GRANDMA) and not _shows(zhang, db, ADULT)
    # the child moves to another address in the next 户籍 snapshot: no longer
    households(engine, tmp_path, [(ZHANG, "张小明", HOME), (CHILD, "张小宝", ELSEWHERE), (GRANDMA, "王秀英", HOME)])
    assert not _shows(zhang, db, CHILD) and _shows(zhang, db, GRANDMA)
    # back at home, the day before his 14th birthday and on it
    households(engine, tmp_path, [(ZHANG, "张小明", HOME), (CHILD, "张小宝", HOME)])
    freeze("2029-05-04 23:00")
    assert sign_in(zhang, ZHANG).status_code == 200  # nine years on: the session ended long ago (idle limit)
    assert _shows(zhang, db, CHILD)
    freeze("2029-05-05 00:01")
    assert not _shows(zhang, db, CHILD)


def test_an_elderly_relative_who_ends_a_guardianship_link_is_no_longer_shown(client: Any, db: Any, engine: Any,
                                                                            tmp_path: Path, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    households(engine, tmp_path, [(ZHANG, "张小明", HOME), (GRANDMA, "王秀英", HOME)])
    zhang = _browser(client, db, ZHANG, "张小明")
    _add(zhang, "王秀英", GRANDMA, "祖父母/外祖父母")
    assert _shows(zhang, db, GRANDMA)
    grandma = _browser(client, db, GRANDMA, "王秀英")
    link_id = db.scalar(select(FamilyLink.id))
    assert grandma.post(f"/citizen/family/requests/{link_id}", data={"action": "hack"}).status_code == 422
    grandma.post(f"/citizen/family/requests/{link_id}", data={"action": "refuse"})
    assert not _shows(zhang, db, GRANDMA)
    assert "对方已拒绝" in zhang.get("/citizen/family").text
    grandma.post(f"/citizen/family/requests/{link_id}", data={"action": "accept"})
    assert _shows(zhang, db, GRANDMA)
