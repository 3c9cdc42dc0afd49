"""Issue 16, appeals: a resident contests one reason of his colour (statement, optional photo or PDF checked by
content and size); the health authority alone reads it with its source records and decides within the deadline;
upheld makes corrections that every colour path honours and that survive feed reloads; rejected gives a reason the
resident reads. Messages, ledger entries, and the purge of decided appeals with their evidence."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from healthcode import clock
from healthcode.appeals import evidence
from healthcode.ledger import repository as ledger_repository
from healthcode.ledger.service import verify
from healthcode.messages import service as messages
from healthcode.residents.models import Person
from healthcode.rules.correction_models import Correction
from healthcode.rules.service import status_for
from tests.appeals.helpers import NOW, PDF, PNG, VISIT_HEADER, appeals, color, file, load, sides, visit
from tests.checkpoints.factories import add_point, org, scan, scanner, token
from tests.identity.flow import ZHANG


@pytest.fixture
def world(client: Any, db: Any, engine: Any, freeze: Any, tmp_path: Path) -> Any:
    freeze(NOW)
    found = sides(client, db, engine, tmp_path / "feeds")
    yield found
    found.authority.__exit__(None, None, None)


def _evidence_files(settings: Any) -> list[Path]:
    folder = evidence.folder(settings.data_dir)
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize(("statement", "content", "status", "message"), [
    ("", PNG, 422, "请填写申诉理由"),
    ("   ", None, 422, "请填写申诉理由"),
    ("理" * 501, None, 422, "申诉理由不能超过500字"),
    ("我没有去过发热门诊", b"GIF89a" + b"0" * 100, 422, "证明材料只能是 JPG、PNG 图片或 PDF 文件"),
    ("我没有去过发热门诊", b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024), 413, "证明材料不能超过 5 MB"),
])
def test_a_refused_appeal_says_why_in_chinese_and_stores_nothing(world: Any, db: Any, settings: Any, statement: str,
                                                                 content: bytes | None, status: int,
                                                                 message: str) -> None:
    response = file(world.resident, statement=statement, evidence=content)

    assert response.status_code == status and message in response.text
    assert 'data-testid="appeal-form"' in response.text  # the form again, with what he wrote
    assert appeals(db) == [] and _evidence_files(settings) == []
    assert ledger_repository.of_person(db, ZHANG) == []


def test_a_reason_that_does_not_hold_cannot_be_contested(world: Any, db: Any) -> None:
    page = world.resident.get("/citizen/appeals/new?rule=case")
    response = file(world.resident, rule="case")

    assert page.status_code == 422 and "该赋码原因当前不成立" in page.text
    assert response.status_code == 422 and appeals(db) == []


def test_filed_with_evidence_one_open_appeal_per_reason_and_the_resident_sees_its_deadline(
        world: Any, db: Any, settings: Any) -> None:
    reasons = world.resident.get("/citizen/reasons")
    form = world.resident.get("/citizen/appeals/new?rule=fever_clinic")
    filed = file(world.resident)
    again = file(world.resident, evidence=None)

    assert 'data-testid="appeal-fever_clinic"' in reasons.text and "2020-02-20" in form.text
    assert filed.status_code == 200 and str(filed.url).endswith("/citizen/appeals?done=filed")
    assert "处理中" in filed.text and "处理期限 2020-02-27 09:00" in filed.text and "已附证明材料" in filed.text
    assert again.status_code == 409 and "已有一项申诉正在处理" in again.text
    [appeal] = appeals(db)
    assert (appeal.rule, appeal.state, appeal.evidence_type, appeal.evidence_size) == (
        "fever_clinic", "open", "image/png", len(PNG))
    [stored] = _evidence_files(settings)
    assert stored.name == appeal.evidence_file and stored.read_bytes() == PNG
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    [entry] = ledger_repository.of_person(db, ZHANG)
    assert entry.kind == "appeal.filed" and appeal.evidence_sha256 in entry.body and "发热门诊" not in entry.body


def test_only_the_authority_lists_and_reads_the_evidence(world: Any, client: Any, db: Any) -> None:
    file(world.resident, evidence=PDF, filename="report.pdf")
    [appeal] = appeals(db)
    other = org(db, 3, name="其他单位")
    from fastapi.testclient import TestClient
    with TestClient(client.app) as stranger:
        stranger.post("/gov/login", data={"username": other.username, "password": other.password})
        refused = [stranger.get(p).status_code for p in ("/gov/appeals", f"/gov/appeals/{appeal.id}")]
        evidence_refused = stranger.get(f"/gov/appeals/{appeal.id}/evidence")

    listed = world.authority.get("/gov/appeals")
    detail = world.authority.get(f"/gov/appeals/{appeal.id}")
    shown = world.authority.get(f"/gov/appeals/{appeal.id}/evidence")
    saved = world.authority.get(f"/gov/appeals/{appeal.id}/evidence?download=1")
    resident = world.resident.get(f"/gov/appeals/{appeal.id}/evidence", follow_redirects=False)

    assert refused == [403, 403] and evidence_refused.status_code == 404 and PDF[:8] not in evidence_refused.content
    assert resident.status_code in (303, 401) and PDF[:8] not in resident.content
    assert listed.status_code == 200 and "35*****011" in listed.text and "14天内在我省有发热门诊就诊记录" in listed.text
    assert "申诉处理" in listed.text and "我没有去过发热门诊" in detail.text
    assert "v-1" in detail.text and "门诊和住院诊疗记录" in detail.text and "2020-02-20" in detail.text
    assert shown.content == PDF and shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"].startswith("inline")
    assert saved.headers["content-disposition"].startswith("attachment")


def test_upheld_turns_green_at_the_next_refresh_and_stays_so_when_the_record_is_delivered_again(
        world: Any, db: Any, engine: Any, settings: Any) -> None:
    assert color(world.resident) == "orange"
    file(world.resident)
    [appeal] = appeals(db)

    bad = world.authority.post(f"/gov/appeals/{appeal.id}/decide", data={"outcome": "upheld", "reason": ""})
    done = world.authority.post(f"/gov/appeals/{appeal.id}/decide",
                                data={"outcome": "upheld", "reason": "经核实，就诊记录为他人误录"})
    twice = world.authority.post(f"/gov/appeals/{appeal.id}/decide",
                                 data={"outcome": "rejected", "reason": "改判"})

    assert bad.status_code == 422 and "请选择处理结果并填写理由" in bad.text
    assert done.status_code == 200 and "已支持申诉" in done.text
    assert twice.status_code == 409 and "不可更改" in twice.text
    [decided] = appeals(db)
    assert (decided.state, decided.decided_by) == ("upheld", world.authority_uscc)
    [correction] = db.scalars(select(Correction)).all()
    assert (correction.feed, correction.record_key, correction.rule, correction.appeal_id) == (
        "clinic_visits", "v-1", "fever_clinic", appeal.id)
    assert color(world.resident) == "green"
    # The same record delivered again (another file: the feed's row is replaced), then a new visit.
    load(engine, world.folder, "clinic_visits", VISIT_HEADER,
         [visit("v-1", "2020-02-20 10:00"), visit("v-9", "2020-02-21 10:00", "350203199002020023", "李小红")])
    assert color(world.resident) == "green"
    assert status_for(db, settings, ZHANG, clock.now()).color == "green"
    load(engine, world.folder, "clinic_visits", VISIT_HEADER, [visit("v-2", "2020-02-23 10:00")])
    assert color(world.resident) == "orange"
    inbox = messages.inbox(db, ZHANG)
    assert [m.title for m in inbox] == ["申诉处理结果"] and "已核实" in inbox[0].body
    kinds = [e.kind for e in ledger_repository.of_person(db, ZHANG)]
    assert kinds == ["appeal.filed", "correction.made", "appeal.decided"]
    assert verify(db).ok


def test_rejected_the_resident_reads_the_reason_and_gets_a_message_and_a_text(world: Any, db: Any) -> None:
    db.execute(update(Person).where(Person.id_number == ZHANG).values(phone="13900000001"))
    db.commit()
    file(world.resident, evidence=None)
    [appeal] = appeals(db)

    world.authority.post(f"/gov/appeals/{appeal.id}/decide",
                         data={"outcome": "rejected", "reason": "医院核实确有就诊记录"})
    page = world.resident.get("/citizen/appeals")
    db.rollback()  # a fresh snapshot: the app committed the decision

    assert "未支持" in page.text and "医院核实确有就诊记录" in page.text
    assert color(world.resident) == "orange" and db.scalars(select(Correction)).all() == []
    assert [m.title for m in messages.inbox(db, ZHANG)] == ["申诉处理结果"]
    [text] = messages.outbox(db, "13900000001")
    assert "未获支持" in text.body and "医院核实" not in text.body  # the reason stays in the portal
    assert [e.kind for e in ledger_repository.of_person(db, ZHANG)] == ["appeal.filed", "appeal.decided"]
    again = file(world.resident, statement="补充材料", evidence=PNG)  # decided: a new appeal may be filed
    assert again.status_code == 200 and len(appeals(db)) == 2


def test_a_scan_reads_the_corrected_colour(world: Any, client: Any, db: Any, caplog: Any) -> None:
    """On PostgreSQL the scan is one statement whose colour is computed in SQL; on SQLite the scan in steps."""
    unit = org(db, 4, name="扫码单位")
    headers = token(client, scanner(db, unit.username, 41))
    point = add_point(client, headers)
    before = scan(client, headers, point, world.resident.get("/api/v1/me/code").json()["qr_text"])
    file(world.resident, evidence=None)
    [appeal] = appeals(db)
    world.authority.post(f"/gov/appeals/{appeal.id}/decide", data={"outcome": "upheld", "reason": "误录"})
    clock_now = clock.now()
    after = scan(client, headers, point, world.resident.get("/api/v1/me/code").json()["qr_text"])

    assert before.json()["color"] == "orange" and after.status_code == 201, after.text
    assert after.json()["color"] == "green" and clock.now() == clock_now
    assert "in SQL gave" not in caplog.text  # PostgreSQL: the colour computed in SQL honoured the correction too


def test_a_correction_of_a_snapshot_feed_survives_its_reload(world: Any, db: Any, engine: Any) -> None:
    header = ["id_number", "name", "origin", "arrived_on", "health_abnormal"]
    load(engine, world.folder, "arrivals", header, [[ZHANG, "张小明", "湖北省武汉市", "2020-02-18", "否"]])
    load(engine, world.folder, "clinic_visits", VISIT_HEADER, [visit("v-1", "2020-01-01 10:00")])  # out of window
    file(world.resident, rule="high_risk_arrival", evidence=None)
    [appeal] = appeals(db)
    world.authority.post(f"/gov/appeals/{appeal.id}/decide", data={"outcome": "upheld", "reason": "未曾到过武汉"})
    assert color(world.resident) == "green"

    other = ["350203199002020023", "李小红", "湖北省孝感市", "2020-02-19", "否"]
    load(engine, world.folder, "arrivals", header, [[ZHANG, "张小明", "湖北省武汉市", "2020-02-18", "否"], other])
    assert color(world.resident) == "green"
    load(engine, world.folder, "arrivals", header, [[ZHANG, "张小明", "湖北省武汉市", "2020-02-22", "否"]])
    assert color(world.resident) == "orange"


def test_purge_removes_decided_appeals_past_retention_with_their_evidence(
        world: Any, db: Any, settings: Any, cli_engine: Any, freeze: Any) -> None:
    from healthcode import cli

    file(world.resident)
    [appeal] = appeals(db)
    world.authority.post(f"/gov/appeals/{appeal.id}/decide", data={"outcome": "upheld", "reason": "误录"})
    assert len(_evidence_files(settings)) == 1

    kept = CliRunner().invoke(cli.app, ["purge"])
    freeze(clock.now() + timedelta(days=settings.appeal_retention_days + 1))
    purged = CliRunner().invoke(cli.app, ["purge"])

    assert kept.exit_code == 0 and "0 件处理满 180 天的申诉" in kept.output
    assert purged.exit_code == 0, purged.output
    assert "1 件处理满 180 天的申诉（1 个证明材料文件）" in purged.output
    assert appeals(db) == [] and _evidence_files(settings) == []
    assert len(db.scalars(select(Correction)).all()) == 1  # the correction is data: it stays
    assert verify(db).ok


def test_the_history_json_lists_the_appeal_and_its_correction(world: Any, db: Any) -> None:
    from healthcode.appeals.history import appeals_json, corrections_json

    file(world.resident)
    [appeal] = appeals(db)
    world.authority.post(f"/gov/appeals/{appeal.id}/decide", data={"outcome": "upheld", "reason": "误录"})
    db.rollback()

    [listed] = appeals_json(db, ZHANG)
    [made] = corrections_json(db, ZHANG)
    assert (listed["id"], listed["state"], listed["decision"], listed["evidence"]["type"]) == (
        appeal.id, "upheld", "误录", "image/png")
    assert (made["feed"], made["record_key"], made["record_on"], made["appeal_id"]) == (
        "clinic_visits", "v-1", "2020-02-20", appeal.id)
    assert appeals_json(db, "350203199002020023") == [] and corrections_json(db, "350203199002020023") == []


def test_person_history_names_the_appeal_and_the_correction_behind_its_ledger_entries(world: Any, db: Any,
                                                                                       settings: Any) -> None:
    from healthcode import clock
    from healthcode.history.service import person_history

    file(world.resident)
    [appeal] = appeals(db)
    world.authority.post(f"/gov/appeals/{appeal.id}/decide", data={"outcome": "upheld", "reason": "误录"})
    db.rollback()

    body = person_history(db, settings, ZHANG, clock.now().date()).as_json()
    assert [(a["kind"], a["row"]["state"]) for a in body["appeals"]] == [("appeal.filed", "upheld"),
                                                                         ("appeal.decided", "upheld")]
    [made] = body["corrections"]
    assert (made["kind"], made["row"]["record_key"], made["row"]["reason"]) == ("correction.made", "v-1", "误录")
    assert body["entries"][-1]["color"] == "green"  # the corrected visit no longer counts today
