"""/api/openapi.json documents what every API operation answers (issue 15): a schema for its 2xx answer and the
`{"error", "message"}` body of its errors, and real answers match the documented models exactly (no key more, no
required key less, strict types), so that a drift between the code and its documentation fails here."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import select

from healthcode.db import transaction
from healthcode.feeds.service import add_provider
from healthcode.messages import service as messages
from healthcode.residents.models import Person
from healthcode.web.schemas import ApiError
from tests.checkpoints.factories import NOW, PASSWORD, add_point, id_number, issue, org, person, scanner, token
from tests.identity.flow import ZHANG, make_account, sign_in

CSV = b"id_number,name,status,reported_at\n"


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in spec["paths"].items() for method, op in ops.items()
            if path.startswith(("/api/", "/.well-known/"))]


def test_every_api_operation_documents_its_answer_and_its_errors(client) -> None:
    spec = client.get("/api/openapi.json").json()
    found = operations(spec)
    assert len(found) >= 23
    for method, path, op in found:
        answers = {status: body for status, body in op["responses"].items() if status.startswith("2")}
        assert answers, f"{method} {path}: no 2xx answer"
        for status, body in answers.items():
            if status == "204":  # no content: nothing to describe but that (POST /api/v1/auth/logout)
                assert "content" not in body, f"{method} {path} 204: {body}"
                continue
            schema = body["content"]["application/json"]["schema"]
            assert schema.get("$ref", "").startswith("#/components/schemas/"), f"{method} {path} {status}: {schema}"
        for status, body in op["responses"].items():
            if status.startswith("4"):
                schema = body["content"]["application/json"]["schema"]
                assert "$ref" in schema or "anyOf" in schema, f"{method} {path} {status}: {schema}"
        if "parameters" in op or "requestBody" in op:  # FastAPI's English {"detail"} shape is never documented
            assert "422" in op["responses"], f"{method} {path}"
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    error = spec["components"]["schemas"]["ApiError"]
    assert error["required"] == ["error", "message"] and error["additionalProperties"] is False


def api_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every API route, through included routers (FastAPI ≥ 0.16x keeps them nested)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from api_routes(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def test_no_api_route_validates_or_reserialises_its_answer(client) -> None:
    """The models document only: FastAPI has no response field to run an answer through (the hot routes, POST
    /api/v1/checkpoint/scans and GET /api/v1/me/code, return their JSONResponse as they built it)."""
    routes = [(path, route) for path, route in api_routes(client.app.routes) if path.startswith(("/api/", "/.well"))]
    assert len(routes) >= 23
    assert [path for path, route in routes if route.response_field is not None] == []


def documented_model(app: Any, method: str, path: str, status: int) -> Any:
    """The model a route declares for a status, from the route itself."""
    for full_path, route in api_routes(app.routes):
        if full_path == path and method.upper() in route.methods:
            declared = route.responses.get(status)
            assert declared is not None, f"{method} {path}: status {status} is not documented"
            return declared["model"]
    raise AssertionError(f"no route {method} {path}")


def check(client: Any, response: Any, method: str, path: str) -> dict[str, Any]:
    """The answer's JSON, after checking it against the declared model: strict types, no undocumented key."""
    model = documented_model(client.app, method, path, response.status_code)
    try:
        TypeAdapter(model).validate_json(response.content, strict=True)
    except ValidationError as exc:
        raise AssertionError(f"{method} {path} {response.status_code}: {exc}") from None
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def callers(client, db, engine, freeze) -> dict[str, Any]:
    freeze(NOW)
    unit = org(db)
    with transaction(engine) as session:
        key = add_provider(session, "国家卫健委", ["cases", "close_contacts"]).api_key
    return {"unit": unit, "scanner_phone": scanner(db, unit.username), "key": key}


def test_the_checkpoint_and_org_answers_are_the_documented_ones(client, db, callers) -> None:
    phone = callers["scanner_phone"]
    issued_token = client.post("/api/v1/auth/token", data={"username": phone, "password": PASSWORD})
    check(client, issued_token, "post", "/api/v1/auth/token")
    headers = {"Authorization": f"Bearer {issued_token.json()['access_token']}"}
    check(client, client.get("/api/v1/checkpoint/me", headers=headers), "get", "/api/v1/checkpoint/me")
    point_id = add_point(client, headers)
    check(client, client.get("/api/v1/checkpoint/points", headers=headers), "get", "/api/v1/checkpoint/points")
    issued = issue(db, person(db), NOW)
    scan = client.post("/api/v1/checkpoint/scans", headers=headers, json={"point_id": point_id, "code": issued.qr_text})
    body = check(client, scan, "post", "/api/v1/checkpoint/scans")
    assert body["most_severe_region"] is not None
    again = client.post("/api/v1/checkpoint/scans", headers=headers,
                        json={"point_id": point_id, "code": issued.number_code})
    assert check(client, again, "post", "/api/v1/checkpoint/scans")["recent_scans"]
    feedback = client.post(f"/api/v1/checkpoint/scans/{body['scan_id']}/feedback", headers=headers,
                           json={"pass_reason": "工作", "temperature_result": "normal", "temperature": 36.5})
    check(client, feedback, "post", "/api/v1/checkpoint/scans/{scan_id}/feedback")
    # 刷身份证: the scan's answer, by real name and ID number (a resident who signed in); a refusal as documented.
    resident = db.scalars(select(Person)).one()
    resident.signed_in_at = NOW
    db.commit()
    checked = client.post("/api/v1/checkpoint/id-checks", headers=headers,
                          json={"point_id": point_id, "name": resident.name, "id_number": resident.id_number})
    assert check(client, checked, "post", "/api/v1/checkpoint/id-checks")["via"] == "id_card"
    mismatch = client.post("/api/v1/checkpoint/id-checks", headers=headers,
                           json={"point_id": point_id, "name": "某某", "id_number": resident.id_number})
    assert check(client, mismatch, "post", "/api/v1/checkpoint/id-checks")["error"] == "name_mismatch"
    # A feedback queued with a contradiction is recorded corrected: the answer carries the `correction`.
    offline = {"client_scan_id": "c0ffee-0001", "point_id": point_id, "code": issued.qr_text,
               "scanned_at": NOW.isoformat(), "pass_reason": "工作", "temperature_result": "normal",
               "temperature": 38.5}
    for status in (201, 200):
        sent = client.post("/api/v1/checkpoint/offline-scans", headers=headers, json=offline)
        assert sent.status_code == status, sent.text
        assert check(client, sent, "post", "/api/v1/checkpoint/offline-scans")["correction"]["recorded"] == "abnormal"

    admin = token(client, callers["unit"].username, callers["unit"].password)
    check(client, client.get("/api/v1/org/me", headers=admin), "get", "/api/v1/org/me")
    page = check(client, client.get("/api/v1/org/scans", headers=admin), "get", "/api/v1/org/scans")
    assert page["total"] == 4 and {item["temperature"] for item in page["items"]} == {None, 36.5, 38.5}
    assert sorted(item["via"] for item in page["items"]) == ["id_card", "number", "qr", "qr"]
    check(client, client.get("/api/v1/org/scanners", headers=admin), "get", "/api/v1/org/scanners")
    [listed] = client.get("/api/v1/org/scanners", headers=admin).json()["items"]
    for action in ("revoke", "authorise"):
        done = client.post(f"/api/v1/org/scanners/{listed['id']}/{action}", headers=admin)
        check(client, done, "post", f"/api/v1/org/scanners/{{scanner_id}}/{action}")
    changed = client.post("/api/v1/auth/password", headers=admin,
                          data={"old_password": callers["unit"].password, "new_password": "Changed2020ok"})
    check(client, changed, "post", "/api/v1/auth/password")


def test_the_errors_are_the_documented_ones(client, db, callers) -> None:
    headers = token(client, callers["scanner_phone"])
    refused = client.post("/api/v1/checkpoint/scans", headers=headers, json={"point_id": 1, "code": "x"})
    assert refused.status_code == 404 and check(client, refused, "post", "/api/v1/checkpoint/scans")
    invalid = client.post("/api/v1/checkpoint/scans", headers=headers, json={"point_id": "x"})
    assert check(client, invalid, "post", "/api/v1/checkpoint/scans")["fields"] == ["point_id", "code"]
    stranger = client.get("/api/v1/checkpoint/me")
    assert stranger.status_code == 401 and check(client, stranger, "get", "/api/v1/checkpoint/me")
    admin = token(client, callers["unit"].username, callers["unit"].password)
    forbidden = client.get("/api/v1/checkpoint/points", headers=admin)
    assert forbidden.status_code == 403 and check(client, forbidden, "get", "/api/v1/checkpoint/points")
    signed_out = client.post("/api/v1/auth/logout")
    assert signed_out.status_code == 401 and check(client, signed_out, "post", "/api/v1/auth/logout")
    wrong = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "x"})
    assert wrong.status_code == 401 and check(client, wrong, "post", "/api/v1/auth/token")
    bad_region = client.get("/api/v1/regions/999999")
    assert bad_region.status_code == 422 and check(client, bad_region, "get", "/api/v1/regions/{code}")


def test_the_feed_answers_are_the_documented_ones(client, callers) -> None:
    key = {"X-API-Key": callers["key"]}
    good = CSV + f"{id_number(1)},李斌,确诊,2020-02-20T10:00:00+08:00\n".encode()
    for content, status in ((good, 200), (good, 200), (CSV + b"1,,x,y\n", 422)):
        report = client.post("/api/v1/feeds/cases/batches", headers=key, files={"file": ("c.csv", content)})
        assert report.status_code == status
        check(client, report, "post", "/api/v1/feeds/{feed}/batches")
    record = {"id_number": id_number(1), "name": "李斌", "status": "confirmed", "reported_at": "2020-02-20T10:00:00"}
    pushed = client.post("/api/v1/feeds/cases/records", headers=key, json=record)
    assert pushed.status_code == 201 and check(client, pushed, "post", "/api/v1/feeds/{feed}/records")
    contact = {"id_number": id_number(1), "name": "李斌", "contact_date": "2020-02-20"}
    pushed = client.post("/api/v1/feeds/close_contacts/records", headers=key, json=contact)
    assert pushed.status_code == 201 and check(client, pushed, "post", "/api/v1/feeds/{feed}/records")
    refused = client.post("/api/v1/feeds/cases/records", headers=key, json={"id_number": "1"})
    assert refused.status_code == 422
    assert check(client, refused, "post", "/api/v1/feeds/{feed}/records")["bad_rows"]
    unknown = client.post("/api/v1/feeds/nothing/records", headers=key, json=record)
    assert unknown.status_code == 404 and check(client, unknown, "post", "/api/v1/feeds/{feed}/records")


def test_the_public_and_the_residents_answers_are_the_documented_ones(client, db, freeze) -> None:
    freeze(NOW)
    check(client, client.get("/.well-known/healthcode/jwks.json"), "get", "/.well-known/healthcode/jwks.json")
    check(client, client.get("/api/v1/regions/levels"), "get", "/api/v1/regions/levels")
    check(client, client.get("/api/v1/regions/350102"), "get", "/api/v1/regions/{code}")
    make_account(db)
    assert sign_in(client).status_code == 200
    check(client, client.get("/api/v1/me/code"), "get", "/api/v1/me/code")
    report = {"temperature": "36.5", "symptoms": ["无"], "location_code": "350102"}
    for _ in range(2):  # the second one corrects the first
        check(client, client.post("/api/v1/me/reports", json=report), "post", "/api/v1/me/reports")
    check(client, client.get("/api/v1/me/reports"), "get", "/api/v1/me/reports")
    messages.send(db, [ZHANG], title="通知", body="内容", now=datetime(2020, 2, 24, 9))
    db.commit()
    inbox = check(client, client.get("/api/v1/me/messages"), "get", "/api/v1/me/messages")
    read = client.post(f"/api/v1/me/messages/{inbox['items'][0]['id']}/read")
    check(client, read, "post", "/api/v1/me/messages/{message_id}/read")
    missing = client.post("/api/v1/me/messages/999/read")
    assert missing.status_code == 404 and check(client, missing, "post", "/api/v1/me/messages/{message_id}/read")


def test_a_drift_between_a_model_and_an_answer_fails_the_check(client, freeze) -> None:
    freeze(NOW)
    response = client.get("/api/v1/regions/levels")

    class Fewer(BaseModel):
        model_config = ApiError.model_config

        levels: list[Any]

    with pytest.raises(ValidationError):  # an undocumented key ("regions")
        TypeAdapter(Fewer).validate_json(response.content, strict=True)
    with pytest.raises(ValidationError):  # a documented key missing
        ApiError.model_validate_json(b'{"error": "x"}', strict=True)
