"""The health authority's 问责记录 page (/gov/audit): the ledger newest first, filtered by kind and exact ID number,
the chain's state and head hash, paginated; reading one person's entries is logged as a view of personal data; other
units are refused (the matrix in tests/security covers every role)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from healthcode.ledger.models import LedgerEntry
from healthcode.ledger.service import append
from healthcode.orgs.audit_models import DataAccess
from healthcode.residents.models import Person
from tests.orgs.console_factories import NOW, login, unit
from tests.rules.factories import person_id

A, B = person_id(1), person_id(2)


@pytest.fixture
def authority(client, db, freeze):
    freeze(NOW)
    hq = unit(db, 1, "省疫情防控指挥部")
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"authority_usccs": [hq.created.username]})
    login(client, hq.created.username, hq.created.password)
    return hq


def entries(db, count: int = 3) -> list[LedgerEntry]:
    made = [append(db, "feed.batch", "系统（命令行）", {"feed": "cases", "batch": 1, "sha256": "a" * 64}),
            append(db, "appeal.filed", "本人申请", {"appeal": 7}, id_number=A, ref_table="appeals", ref_id=7),
            append(db, "correction.made", "省卫健委（管理员）", {"correction": 3}, id_number=B)]
    for n in range(count - 3):
        made.append(append(db, "feed.batch", "系统（命令行）", {"feed": "travel", "batch": 10 + n}))
    db.commit()
    return made


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="entry-(\d+)"', html)]


def test_other_units_are_refused(client, db, freeze) -> None:
    freeze(NOW)
    other = unit(db, 2, "甲单位")
    login(client, other.created.username, other.created.password)
    assert client.get("/gov/audit").status_code == 403
    assert "问责记录" not in client.get("/gov/").text


def test_the_ledger_newest_first_with_labels_masked_ids_and_the_chain_head(client, db, authority) -> None:
    made = entries(db)
    page = client.get("/gov/audit")
    assert page.status_code == 200
    assert row_ids(page.text) == [e.id for e in reversed(made)]
    assert "数据批次入库" in page.text and "申诉（提交）" in page.text and "数据更正" in page.text
    assert A not in page.text and f"{A[:2]}*****{A[-3:]}" in page.text
    assert "哈希链完整" in page.text and made[-1].hash in page.text
    assert "问责记录" in client.get("/gov/").text
    assert db.scalars(select(DataAccess)).all() == []  # masked entries of everyone: no one person's data read


def test_filters_by_kind_and_by_exact_id_number_and_logs_the_view_of_a_person(client, db, authority) -> None:
    made = entries(db)
    resident = Person(id_number=A, name="李斌", created_at=NOW)
    db.add(resident)
    db.commit()
    assert row_ids(client.get("/gov/audit", params={"kind": "feed.batch"}).text) == [made[0].id]
    by_person = client.get("/gov/audit", params={"id_number": A.lower()})
    assert row_ids(by_person.text) == [made[1].id]
    [access] = db.scalars(select(DataAccess)).all()
    assert (access.person_id, access.purpose, access.org_id) == (resident.id, "查看问责记录", authority.org_id)


def test_bad_filters_get_a_chinese_error_and_no_filter(client, db, authority) -> None:
    entries(db)
    bad = client.get("/gov/audit", params={"id_number": A[:-1] + ("0" if A[-1] != "0" else "1")})
    assert bad.status_code == 422 and "身份证号有误" in bad.text and "校验码" in bad.text
    assert client.get("/gov/audit", params={"kind": "nope"}).status_code == 422
    assert db.scalars(select(DataAccess)).all() == []


def test_a_broken_chain_names_its_first_broken_entry(client, db, authority) -> None:
    made = entries(db)
    db.execute(update(LedgerEntry).where(LedgerEntry.id == made[1].id).values(actor="别人"))
    db.commit()
    page = client.get("/gov/audit")
    assert "哈希链断裂" in page.text and f"第 {made[1].id} 条" in page.text and made[0].hash in page.text


def test_the_ledger_is_paginated(client, db, authority) -> None:
    made = entries(db, 25)
    first, second = client.get("/gov/audit"), client.get("/gov/audit", params={"page": 2})
    assert row_ids(first.text) == [e.id for e in reversed(made)][:20]
    assert row_ids(second.text) == [e.id for e in reversed(made)][20:]
    assert "共 25 条记录" in " ".join(first.text.split())


def test_a_long_ledger_is_verified_when_asked(client, db, authority, monkeypatch) -> None:
    from healthcode.history import audit

    monkeypatch.setattr(audit, "VERIFY_ON_VIEW", 2)
    made = entries(db)
    page = client.get("/gov/audit", params={"kind": "feed.batch"})
    assert "哈希链完整" not in page.text and "核对哈希链" in page.text and made[-1].hash in page.text
    assert '/gov/audit?kind=feed.batch&amp;verify=1"' in page.text
    checked = client.get("/gov/audit", params={"kind": "feed.batch", "verify": "1"})
    assert "哈希链完整：已核对 3 条" in " ".join(checked.text.split()).replace("： ", "：")


def test_after_a_purge_the_page_lists_what_is_kept_and_verifies_from_the_anchor(client, db, authority, freeze) -> None:
    from datetime import timedelta

    from healthcode import clock
    from healthcode.ledger.service import purge

    freeze(NOW - timedelta(days=800))
    old = entries(db)
    freeze(NOW)
    kept = append(db, "feed.batch", "系统（命令行）", {"feed": "travel", "batch": 99})
    db.commit()
    assert purge(db, clock.now(), 365) == 3
    db.commit()
    page = client.get("/gov/audit")
    assert page.status_code == 200 and row_ids(page.text) == [kept.id]
    assert "哈希链完整" in page.text and "的锚点起" in page.text and old[-1].hash in page.text
