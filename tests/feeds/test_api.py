"""The provider API: keys (401), permissions (403), batch upload (200/422) and the realtime push of one record."""

from __future__ import annotations

from healthcode.db import transaction
from healthcode.feeds.service import add_provider
from tests.feeds.files import bad_check, batches, person_id, stored

A, B = person_id(1), person_id(2)
CSV = f"id_number,name,status,reported_at\n{A},李斌,确诊,2020-02-20T10:00:00+08:00\n".encode()


def provider(engine, name: str = "国家卫健委", feeds: tuple[str, ...] = ("cases", "close_contacts")):
    with transaction(engine) as session:
        return add_provider(session, name, list(feeds))


def upload(client, key: str, feed: str = "cases", content: bytes = CSV, filename: str = "cases.csv"):
    return client.post(f"/api/v1/feeds/{feed}/batches", headers={"X-API-Key": key},
                       files={"file": (filename, content, "text/csv")})


def test_given_a_provider_key_then_an_uploaded_batch_is_applied_with_provenance(client, engine) -> None:
    created = provider(engine)
    response = upload(client, created.api_key)
    assert response.status_code == 200
    assert response.json() | {"batch_id": 0} == {"status": "applied", "rows": 1, "bad_rows": [], "applied": 1,
                                                  "batch_id": 0}
    [batch] = batches(engine)
    assert (batch.source, batch.provider_id, batch.operator) == ("cases.csv", created.id, "国家卫健委")
    assert upload(client, created.api_key).json()["status"] == "duplicate"


def test_given_a_bad_row_then_the_upload_is_rejected_with_422_and_the_report(client, engine) -> None:
    created = provider(engine)
    content = f"id_number,name,status,reported_at\n{bad_check(A)},李斌,确诊,2020-02-20T10:00\n".encode()
    response = upload(client, created.api_key, content=content)
    assert response.status_code == 422
    assert response.json()["bad_rows"] == [{"line": 2, "column": "id_number", "reason": "身份证号校验码错误"}]
    assert stored(engine, "cases", "id") == []


def test_given_no_or_a_wrong_key_then_401(client, engine) -> None:
    provider(engine)
    assert upload(client, "wrong").status_code == 401
    response = client.post("/api/v1/feeds/cases/records", json={"id_number": A})
    assert response.status_code == 401 and response.json()["error"] == "unauthorised"


def test_given_a_feed_the_provider_may_not_write_then_403_and_nothing_stored(client, engine) -> None:
    created = provider(engine, "省统计局", ("arrivals",))
    response = upload(client, created.api_key)
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    record = {"id_number": A, "name": "李斌", "status": "confirmed", "reported_at": "2020-02-20T10:00:00"}
    push = client.post("/api/v1/feeds/cases/records", headers={"X-API-Key": created.api_key}, json=record)
    assert push.status_code == 403
    assert stored(engine, "cases", "id") == [] and batches(engine) == []


def test_given_a_realtime_record_then_it_is_stored_at_once_and_replaced_by_record_id(client, engine) -> None:
    key = provider(engine).api_key
    record = {"id_number": A, "name": "李斌", "status": "疑似", "reported_at": "2020-02-20T10:00:00+08:00",
              "record_id": "NHC-7"}
    first = client.post("/api/v1/feeds/cases/records", headers={"X-API-Key": key}, json=record)
    assert first.status_code == 201
    body = first.json()
    assert (body["id_number"], body["status"], body["reported_at"], body["row_key"]) == (
        A, "suspected", "2020-02-20T10:00:00", "NHC-7")
    second = client.post("/api/v1/feeds/cases/records", headers={"X-API-Key": key},
                         json=record | {"status": "confirmed"})
    assert second.status_code == 201 and second.json()["batch_id"] != body["batch_id"]
    assert stored(engine, "cases", "record_id", "status") == [("NHC-7", "confirmed")]
    assert [b.source for b in batches(engine)] == ["api", "api"]


def test_given_an_invalid_record_then_422_names_its_columns(client, engine) -> None:
    key = provider(engine).api_key
    response = client.post("/api/v1/feeds/close_contacts/records", headers={"X-API-Key": key},
                           json={"id_number": B, "name": "王芳", "contact_date": "2020-02-31"})
    assert response.status_code == 422
    assert response.json()["bad_rows"] == [{"line": 1, "column": "contact_date",
                                            "reason": "日期无效，格式应为YYYY-MM-DD"}]
    assert stored(engine, "close_contacts", "id") == []


def test_given_a_feed_that_is_not_realtime_then_records_cannot_be_pushed(client, engine) -> None:
    key = provider(engine, "省卫健委", ("clinic_visits",)).api_key
    response = client.post("/api/v1/feeds/clinic_visits/records", headers={"X-API-Key": key}, json={})
    assert response.status_code == 422 and response.json()["error"] == "not_realtime"


def test_given_an_upload_with_an_unknown_extension_then_422(client, engine) -> None:
    key = provider(engine).api_key
    response = upload(client, key, filename="cases.txt")
    assert response.status_code == 422 and "不支持的文件格式" in response.json()["message"]


def test_given_a_pushed_case_then_the_very_next_status_query_is_orange(client, engine, freeze, settings) -> None:
    from datetime import datetime

    from healthcode.rules.service import status_for

    freeze("2020-02-24 09:00")
    key = provider(engine).api_key
    with transaction(engine) as session:
        assert status_for(session, settings, A, datetime(2020, 2, 24, 9)).color == "green"
    record = {"id_number": A, "name": "李斌", "status": "confirmed", "reported_at": "2020-02-24T08:00:00"}
    assert client.post("/api/v1/feeds/cases/records", headers={"X-API-Key": key}, json=record).status_code == 201
    with transaction(engine) as session:
        assert status_for(session, settings, A, datetime(2020, 2, 24, 9)).color == "orange"
