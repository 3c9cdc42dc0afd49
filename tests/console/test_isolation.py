"""Tenant isolation: every route of the app under /gov and /api/v1/org, called by the admin of unit B with unit A's
ids in every path and query parameter, returns nothing of A and changes nothing of A. A new route is walked too;
one with a path parameter this test does not know fails it until the parameter is added here."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.routing import APIRoute
from sqlalchemy import select

from healthcode.checkpoints.models import Scanner
from healthcode.orgs.audit_models import DataAccess
from tests.checkpoints.factories import token
from tests.orgs.console_factories import NOW, add_scans, login, unit

PUBLIC = {"/gov/login", "/gov/logout", "/gov/password", "/gov/retrieval"}
PREFIXES = ("/gov", "/api/v1/org")


def all_routes(routes, prefix=""):
    """(path, methods) of every API route, through included routers (FastAPI ≥ 0.16x wraps them)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from all_routes(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route.methods


def test_admin_of_b_gets_nothing_of_a_through_any_route(client, db, freeze):
    freeze(NOW + timedelta(hours=2))
    a = unit(db, 1, "甲单位", scanner_name="甲扫码员", person_name="甲居民")
    b = unit(db, 2, "乙单位", scanner_name="乙扫码员", person_name="乙居民")
    add_scans(db, a, 5)
    add_scans(db, b, 2)
    assert login(client, b.created.username, b.created.password).status_code == 303
    bearer = token(client, b.created.username, b.created.password)
    pending_a = a.scanner_ids[1]
    values = {"scan_id": a.scan_ids[0], "person_id": a.person_ids[0], "scanner_id": pending_a,
              "org_id": a.org_id, "action": "authorise", "level": 1, "point_id": a.point_ids[0], "dispute_id": 1,
              "flag_id": 1, "account_id": 1, "appeal_id": 1}  # B is no health authority: refused

    query = {"point_id": a.point_ids[0], "org": a.org_id, "scanner_id": pending_a, "person_id": a.person_ids[0]}
    markers = ["甲居民", "甲*民", "甲扫码员", "甲单位", a.created.username]

    walked = []
    for template, methods in all_routes(client.app.routes):
        if not template.startswith(PREFIXES) or template in PUBLIC:
            continue
        names = re.findall(r"{(\w+)(?::\w+)?}", template)
        unknown = [n for n in names if n not in values]
        assert not unknown, f"{template}: 请在本测试中为路径参数 {unknown} 提供甲单位的值"
        path = template
        for n in names:
            path = re.sub("{" + n + r"(?::\w+)?}", str(values[n]), path)
        for method in sorted(methods - {"HEAD"}):
            response = client.request(method, path, params=query, headers=bearer,
                                      data={"purpose": "疫情防控排查"} if method == "POST" else None,
                                      follow_redirects=False)
            walked.append((method, template, response.status_code))
            body = response.text if "spreadsheet" not in response.headers.get("content-type", "") else ""
            for marker in markers:
                assert marker not in body, f"{method} {template} 泄露了甲单位的数据：{marker}"
            if "spreadsheet" in response.headers.get("content-type", ""):
                assert "甲".encode() not in response.content  # xlsx is zipped: checked by the export tests too

    db.expire_all()
    assert db.get(Scanner, pending_a).status == "pending"
    assert db.scalars(select(DataAccess).where(DataAccess.person_id == a.person_ids[0])).all() == []
    assert len(walked) >= 12, walked
