"""Family codes (为家人申领): adding relatives, the limit, Fujian's orange rule, showing a relative's code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from stdnum.cn.ric import calc_check_digit

from healthcode.residents.family_models import FamilyLink, FamilyView
from healthcode.residents.models import Person
from tests.identity.flow import LI, ZHANG, make_account, sign_in
from tests.residents.citizen import claims_of, fever_visit, household, households

CHILD = "350102201505050038"
GRANDMA = "350102194503030049"
HOME = "福建省福州市鼓楼区软件园1号"


def one_household(engine: Any, folder: Path, address: str = HOME) -> None:
    """张小明 and his son 张小宝 (born 2015) at the same address in the 户籍 snapshot: guardianship holds."""
    households(engine, folder, [(ZHANG, "张小明", address), (CHILD, "张小宝", address)])


def relative(n: int) -> str:
    body = f"35010219500101{n:03d}"
    return body + calc_check_digit(body + "0")


def links(db: Any) -> int:
    db.rollback()  # a fresh snapshot: the app committed in its own transactions
    return db.scalar(select(func.count()).select_from(FamilyLink))


def signed_in(client: Any, db: Any) -> None:
    make_account(db)
    assert sign_in(client).status_code == 200


def add(client: Any, name: str, id_number: str, relation: str = "子女") -> Any:
    return client.post("/citizen/family", data={"name": name, "id_number": id_number, "relation": relation})


def test_given_a_green_resident_when_adding_a_child_then_the_childs_code_is_shown(
        client: Any, db: Any, engine: Any, tmp_path: Path) -> None:
    one_household(engine, tmp_path)
    signed_in(client, db)
    client.post("/citizen/code", data={"region_code": "350203"})
    page = add(client, "张小宝", CHILD)
    assert page.status_code == 200 and "/citizen/family/" in str(page.url)
    assert "家人健康码" in page.text and "张*宝" in page.text and 'data-testid="color-label">绿码<' in page.text
    child = db.scalar(select(Person).where(Person.id_number == CHILD))
    assert child.initial_region_code == "350203"  # the applicant's initial region
    data = client.get(f"/api/v1/me/code?member={child.id}").json()
    assert data["name"] == "张小宝" and claims_of(db, data["qr_text"], data["number_code"]).masked_name == "张*宝"
    assert "张*宝" in client.get("/citizen/family").text


def test_given_an_orange_resident_when_adding_a_relative_then_refused_in_chinese(
    client: Any, db: Any, engine: Any, tmp_path: Path, freeze: Any
) -> None:
    freeze("2020-02-24 09:00")
    fever_visit(engine, tmp_path, ZHANG, "张小明", "2020-02-22T08:00:00")
    signed_in(client, db)
    page = add(client, "张小宝", CHILD)
    assert page.status_code == 403 and "您当前为橙码，按规定不能为他人申领健康码" in page.text
    assert links(db) == 0 and db.scalar(select(Person).where(Person.id_number == CHILD)) is None


def test_given_a_resident_who_turned_orange_then_the_relatives_code_is_refused(
    client: Any, db: Any, engine: Any, tmp_path: Path, freeze: Any
) -> None:
    freeze("2020-02-24 09:00")
    one_household(engine, tmp_path)
    signed_in(client, db)
    add(client, "张小宝", CHILD)
    child = db.scalar(select(Person).where(Person.id_number == CHILD))
    fever_visit(engine, tmp_path, ZHANG, "张小明", "2020-02-24T08:00:00")
    response = client.get(f"/api/v1/me/code?member={child.id}")
    assert response.status_code == 403 and response.json()["error"] == "orange_cannot_apply"


def test_at_most_five_relatives(client: Any, db: Any) -> None:
    signed_in(client, db)
    for n in range(5):
        assert add(client, f"家人{n}", relative(n)).status_code == 200
    page = add(client, "家人5", relative(5))
    assert page.status_code == 409 and "最多可为5位家人申领健康码" in page.text
    assert links(db) == 5


def test_bad_relatives_are_refused_and_nothing_is_stored(
    client: Any, db: Any, engine: Any, tmp_path: Path
) -> None:
    household(engine, tmp_path, GRANDMA, "王秀英", "福建省福州市鼓楼区软件园1号")
    signed_in(client, db)
    cases = [
        (("王秀英", GRANDMA[:-1] + "0"), "身份证号校验码错误"),
        (("张小明", ZHANG), "不能把自己添加为家人"),
        (("", CHILD), "请填写家人姓名"),
    ]
    for (name, number), message in cases:
        page = add(client, name, number)
        assert page.status_code == 422 and message in page.text
    assert add(client, "张小宝", CHILD, relation="邻居").status_code == 422
    assert links(db) == 0
    assert add(client, "张小宝", CHILD).status_code == 200
    assert add(client, "张小宝", CHILD).status_code == 409


def test_a_wrong_name_is_answered_like_the_right_one_and_the_relative_sees_it_masked(client: Any, db: Any) -> None:
    """No oracle of name + ID number: a wrong name makes a pending link as the right one does; the applicant sees
    only the name he entered, the relative sees it (masked) and refuses."""
    make_account(db, LI, "李四")
    make_account(db, GRANDMA, "王秀英")
    relative_client = TestClient(client.app)
    assert sign_in(relative_client, GRANDMA).status_code == 200  # registered: the platform knows her real name
    signed_in(client, db)
    wrong, right = add(client, "赵钱孙", GRANDMA, relation="父母"), add(client, "李四", LI, relation="兄弟姐妹")
    assert wrong.status_code == right.status_code == 200
    assert str(wrong.url) == str(right.url) and "requested" in str(wrong.url)
    assert links(db) == 2
    page = client.get("/citizen/family")
    assert "赵*孙" in page.text and "王*英" not in page.text and "王秀英" not in page.text
    asked = relative_client.get("/citizen/family")
    assert 'data-testid="other-name"' in asked.text and "赵*孙" in asked.text and "与您的实名不一致" in asked.text
    link_id = db.scalar(select(FamilyLink.id).join(Person, Person.id == FamilyLink.member_id)
                        .where(Person.id_number == GRANDMA))
    assert relative_client.post(f"/citizen/family/requests/{link_id}", data={"action": "refuse"}).status_code < 400
    db.rollback()
    assert db.get(FamilyLink, link_id).refused_at is not None
    brother = TestClient(client.app)
    assert sign_in(brother, LI).status_code == 200
    assert 'data-testid="other-name"' not in brother.get("/citizen/family").text


def test_a_resident_cannot_see_the_code_of_someone_who_is_not_their_relative(client: Any, db: Any) -> None:
    make_account(db, LI, "李四")
    sign_in(client, LI)
    add(client, "张小宝", CHILD)
    child = db.scalar(select(Person).where(Person.id_number == CHILD))
    db.rollback()  # end the read: the sign-out writes (its session row), and the test writes after it
    client.post("/citizen/logout")
    signed_in(client, db)
    assert client.get(f"/citizen/family/{child.id}/code").status_code == 404
    assert client.get(f"/api/v1/me/code?member={child.id}").status_code == 404
    assert client.get(f"/citizen/reasons?member={child.id}").status_code == 404


def test_a_relative_can_be_removed(client: Any, db: Any) -> None:
    signed_in(client, db)
    add(client, "张小宝", CHILD)
    child = db.scalar(select(Person).where(Person.id_number == CHILD))
    client.post(f"/citizen/family/{child.id}/remove")
    assert links(db) == 0


def test_before_the_applicants_first_code_a_relative_gets_the_applicants_household_region(
    client: Any, db: Any, engine: Any, tmp_path: Path
) -> None:
    one_household(engine, tmp_path, "福建省漳州市云霄县云陵镇1号")
    signed_in(client, db)
    add(client, "张小宝", CHILD)
    db.rollback()
    regions = dict(db.execute(select(Person.id_number, Person.initial_region_code)).all())
    assert regions == {CHILD: "350622", ZHANG: None}


def test_every_showing_of_a_relatives_code_or_reasons_is_logged_and_a_refused_one_is_not(
        client: Any, db: Any, engine: Any, tmp_path: Path) -> None:
    one_household(engine, tmp_path)
    signed_in(client, db)
    client.post("/citizen/code", data={"region_code": "350203"})
    add(client, "张小宝", CHILD)  # shows the child's code page
    child = db.scalar(select(Person).where(Person.id_number == CHILD))
    client.get(f"/api/v1/me/code?member={child.id}")  # the page's refresh
    client.get(f"/citizen/reasons?member={child.id}")
    client.get("/api/v1/me/code")  # the resident's own code: not a view of someone else's data
    db.rollback()
    views = db.execute(select(FamilyView.owner_id, FamilyView.member_id, FamilyView.what).order_by(FamilyView.id)).all()
    me = db.scalar(select(Person.id).where(Person.id_number == ZHANG))
    assert [tuple(v) for v in views] == [(me, child.id, "code"), (me, child.id, "code"), (me, child.id, "reasons")]
    # A stranger's attempt shows nothing and logs nothing
    db.rollback()  # end the read: the sign-out writes (its session row), and the test writes after it
    client.post("/citizen/logout")
    make_account(db, LI, "李四")
    sign_in(client, LI)
    assert client.get(f"/api/v1/me/code?member={child.id}").status_code == 404
    db.rollback()
    assert db.scalar(select(func.count()).select_from(FamilyView)) == 3
