"""Errors in the shape of SPEC section 11: JSON `{"error", "message"}` under /api/, the portal's Chinese page under
/citizen/, /scanner/, /gov/ and /ent/, never FastAPI's English `{"detail": …}`; every row id a request names is
bounded (422, not a 500 from the database)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from healthcode.db import DB_ID_MAX
from tests.checkpoints.factories import NOW, add_point, org, scanner, token
from tests.console.test_isolation import all_routes
from tests.orgs.console_factories import login, unit

# Each portal's own stylesheet, which its layout links.
PORTALS = {"citizen": "citizen.css", "scanner": "scanner.css", "gov": "console.css", "ent": "ent.css"}
HUGE = 10**30


def assert_json_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert body["error"] == code and not body["message"].isascii() and "detail" not in body


def assert_portal_page(response, status: int, stylesheet: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert f"出错了（{status}）" in response.text and stylesheet in response.text and "detail" not in response.text


@pytest.mark.parametrize("portal", PORTALS)
def test_given_an_unknown_url_under_a_portal_then_that_portals_chinese_404_page(client, portal) -> None:
    assert_portal_page(client.get(f"/{portal}/no-such-page"), 404, PORTALS[portal])


@pytest.mark.parametrize("portal", PORTALS)
def test_given_a_wrong_method_under_a_portal_then_that_portals_chinese_405_page(client, portal) -> None:
    paths = sorted(path for path, methods in all_routes(client.app.routes)
                   if path.startswith(f"/{portal}/") and "{" not in path and "PUT" not in methods)
    assert paths
    for path in paths:
        response = client.put(path)
        assert_portal_page(response, 405, PORTALS[portal])
        assert response.headers["allow"]


def test_given_an_unknown_url_or_a_wrong_method_under_api_then_a_json_error(client) -> None:
    assert_json_error(client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_json_error(client.get("/api/nothing"), 404, "not_found")
    assert_json_error(client.delete("/api/v1/checkpoint/scans"), 405, "method_not_allowed")
    assert_json_error(client.post("/.well-known/healthcode/jwks.json"), 405, "method_not_allowed")


def test_given_an_unknown_url_elsewhere_then_a_plain_chinese_page(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "出错了（404）" in response.text


def test_given_a_bad_query_on_a_page_then_the_portals_error_page_not_bare_text(client, db, freeze) -> None:
    freeze(NOW + timedelta(days=1))
    a = unit(db, 1, "甲单位")
    assert login(client, a.created.username, a.created.password).status_code == 303
    response = client.get("/gov/records", params={"page": "abc"})
    assert_portal_page(response, 422, "console.css")
    assert "请求参数有误" in response.text


def test_given_an_api_validation_error_then_the_json_shape_with_its_fields(client, db, freeze) -> None:
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    response = client.post("/api/v1/checkpoint/scans", headers=headers, json={"code": "x"})
    assert_json_error(response, 422, "invalid_request")
    assert response.json()["fields"] == ["point_id"]


@pytest.fixture
def scanner_headers(client, db, freeze):
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    add_point(client, headers)
    return headers


@pytest.mark.parametrize("point_id", [HUGE, 2**63, 2**31, 0, -1])
def test_given_a_point_id_beyond_64_bits_or_not_positive_then_422_not_500(client, scanner_headers, point_id) -> None:
    response = client.post("/api/v1/checkpoint/scans", headers=scanner_headers,
                           json={"point_id": point_id, "code": "123456789012"})
    assert_json_error(response, 422, "invalid_request")


def test_given_huge_ids_in_paths_queries_and_forms_then_422_everywhere(client, db, freeze, scanner_headers) -> None:
    assert_json_error(client.post(f"/api/v1/checkpoint/scans/{HUGE}/feedback", headers=scanner_headers,
                                  json={"pass_reason": "工作", "temperature_result": "normal"}), 422, "invalid_request")
    a = unit(db, 2, "甲单位")
    admin = token(client, a.created.username, a.created.password)
    assert_json_error(client.get("/api/v1/org/scans", headers=admin, params={"point_id": HUGE}), 422,
                      "invalid_request")
    assert_json_error(client.get("/api/v1/org/scans", headers=admin, params={"page": HUGE}), 422, "invalid_request")
    assert_json_error(client.post(f"/api/v1/org/scanners/{HUGE}/authorise", headers=admin), 422, "invalid_request")
    assert login(client, a.created.username, a.created.password).status_code == 303
    for path in (f"/gov/records/{HUGE}", f"/gov/people/{HUGE}", f"/gov/scanners/{HUGE}/records",
                 f"/gov/reports?org={HUGE}", f"/gov/records?page={HUGE}"):
        assert_portal_page(client.get(path), 422, "console.css")


def test_given_the_largest_id_then_it_is_looked_up_and_simply_not_found(client, scanner_headers) -> None:
    response = client.post("/api/v1/checkpoint/scans", headers=scanner_headers,
                           json={"point_id": DB_ID_MAX, "code": "123456789012"})
    assert response.status_code == 404 and response.json()["error"] == "point_not_found"


def test_given_a_nul_in_any_text_field_then_422_before_the_database_sees_it(client, db, freeze) -> None:
    freeze(NOW)
    response = client.post("/api/v1/auth/token", data={"username": "13800000001\x00", "password": "x"})
    assert_json_error(response, 422, "invalid_characters")
    page = client.post("/gov/login", data={"username": "a\x00b", "password": "x"})  # the login page says why
    assert page.status_code == 422 and "NUL" in page.text
