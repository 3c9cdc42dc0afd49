"""The authorisation matrix: every route of the app's route table, called by every role with the ids of one world
(tests/security/world.py: the subordinate unit's scan, scanner and resident, resident A's relative, report and message,
enterprise A's employee), gets the outcome written here: the roles of its audience get past the permission check (a
page, a result, a redirect to the next step, or a 4xx about the input); every other role is denied (401, 403, 404 or a
redirect to a sign-in page; a 422 about the missing input, which shows nothing, is accepted too). Nobody ever gets a
5xx, and no role outside the world sees its personal data in any answer. A route without a row fails the test until
its audience is written down."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from starlette.routing import Route

from tests.security.world import ROLES, build, close

DENIED_STATUS = {401, 403, 404}
# A denial of a portal's page is a redirect to that portal's sign-in (the citizen home is where an anonymous resident
# signs in). A redirect elsewhere is the next step: 法人实名认证 sends a pending enterprise to the residents' sign-in.
SIGN_IN = {"/gov/": ("/gov/login",), "/ent/": ("/ent/login", "/ent/realname/login"),
           "/citizen/": ("/citizen/login", "/citizen/"), "/scanner/": ("/scanner/login",)}

EVERYONE = frozenset(ROLES)
RESIDENTS = frozenset({"resident", "other_resident"})
RESIDENT_A = frozenset({"resident"})
SCANNERS = frozenset({"scanner", "other_scanner"})  # authorised ones, with an API token
SCANNER_PAGES = frozenset({"scanner", "pending_scanner", "other_scanner"})  # a pending scanner sees its status
ADMINS = frozenset({"unit_admin", "superior_admin", "other_unit", "enterprise", "other_enterprise", "authority"})
UNIT = frozenset({"unit_admin"})
SUPERIOR = frozenset({"superior_admin"})
ENTERPRISES = frozenset({"enterprise", "other_enterprise"})  # verified ones
PENDING_ENTERPRISE = frozenset({"pending_enterprise"})
ANY_ENTERPRISE = ENTERPRISES | PENDING_ENTERPRISE  # a self-registered one not verified yet reaches 注册验证 only
ENTERPRISE_A = frozenset({"enterprise"})
AUTHORITY = frozenset({"authority"})
NOBODY: frozenset[str] = frozenset()
# Roles that may see some of the world's personal data somewhere: the resident himself, the unit where he was
# scanned (its admin and its scanner) and the enterprise he works for. Every other role's answers are searched for it.
INSIDERS = frozenset({"resident", "unit_admin", "scanner", "enterprise"})

AUDIENCE: dict[str, frozenset[str]] = {
    # Public: home, documentation, keys, region levels, sign-in and registration steps, the dev provider and outbox
    # (never mounted in production), the scanner's offline shell.
    "GET /": EVERYONE,
    "GET /.well-known/healthcode/jwks.json": EVERYONE,
    "GET /healthz": EVERYONE,  # probes (SPEC section 11): no session, nothing of anybody's
    "GET /readyz": EVERYONE,
    "GET /api/docs": EVERYONE,
    "GET /api/openapi.json": EVERYONE,
    "POST /api/v1/auth/token": EVERYONE,
    "GET /api/v1/regions/levels": EVERYONE,
    "GET /api/v1/regions/{code}": EVERYONE,
    "GET /citizen/": EVERYONE,
    "GET /citizen/login": EVERYONE,
    "GET /citizen/login/callback": EVERYONE,
    "POST /citizen/logout": EVERYONE,
    "GET /dev-idp/.well-known/openid-configuration": EVERYONE,
    "GET /dev-idp/jwks.json": EVERYONE,
    "GET /dev-idp/authorize": EVERYONE,
    "POST /dev-idp/authorize": EVERYONE,
    "POST /dev-idp/token": EVERYONE,
    "GET /dev/sms": EVERYONE,
    "GET /ent/register": EVERYONE,
    "POST /ent/register": EVERYONE,
    "GET /ent/ca-login": EVERYONE,
    "GET /ent/realname/login": EVERYONE,
    "GET /ent/login": EVERYONE,
    "POST /ent/login": EVERYONE,
    "GET /gov/login": EVERYONE,
    "POST /gov/login": EVERYONE,
    "POST /gov/logout": EVERYONE,
    "GET /gov/retrieval": EVERYONE,  # answers only from the internal network (the test client is outside)
    "POST /gov/retrieval": EVERYONE,
    "GET /scanner/login": EVERYONE,
    "POST /scanner/login": EVERYONE,
    "POST /scanner/logout": EVERYONE,
    "GET /scanner/register": EVERYONE,
    "POST /scanner/register": EVERYONE,
    "POST /scanner/register/sms": EVERYONE,
    "GET /scanner/counties.json": EVERYONE,
    "GET /scanner/sw.js": EVERYONE,
    "POST /scanner/decode": EVERYONE,  # decodes a photo's QR text only; verifying it needs the checkpoint API
    # Data providers: the feed API checks its own key (no role here holds one but the provider).
    "POST /api/v1/feeds/{feed}/batches": EVERYONE,
    "POST /api/v1/feeds/{feed}/records": EVERYONE,
    # Residents: their own code, reasons, family, reports and inbox; another resident's ids find nothing.
    "GET /api/v1/me/code": RESIDENTS,
    "GET /api/v1/me/messages": RESIDENTS,
    "POST /api/v1/me/messages/{message_id}/read": RESIDENT_A,
    "GET /api/v1/me/reports": RESIDENTS,
    "POST /api/v1/me/reports": RESIDENTS,
    "GET /citizen/code": RESIDENTS,
    "POST /citizen/code": RESIDENTS,
    "GET /citizen/reasons": RESIDENTS,
    "GET /citizen/family": RESIDENTS,
    "POST /citizen/family": RESIDENTS,
    "GET /citizen/family/{member_id}/code": RESIDENT_A,
    "POST /citizen/family/{member_id}/remove": RESIDENT_A,
    # Printed cards (issue 16): one's own, and an active relative's (resident A's). Printing comes first in the
    # matrix's order, so that each revocation finds a card (without one it is a 404 about the input).
    "POST /citizen/card": RESIDENTS,
    "POST /citizen/card/revoke": RESIDENTS,
    "POST /citizen/family/{member_id}/card": RESIDENT_A,
    "POST /citizen/family/{member_id}/card/revoke": RESIDENT_A,
    "GET /citizen/inbox": RESIDENTS,
    "POST /citizen/inbox/read-all": RESIDENTS,
    "GET /citizen/inbox/{message_id}": RESIDENT_A,
    "GET /citizen/report": RESIDENTS,
    "POST /citizen/report": RESIDENTS,
    "GET /citizen/report/history": RESIDENTS,
    "GET /citizen/access": RESIDENTS,  # who looked at his own data
    "GET /citizen/appeals": RESIDENTS,  # his own appeals (issue 16)
    "GET /citizen/appeals/new": RESIDENTS,  # a reason of his own colour (none held: the page says so)
    "POST /citizen/appeals": RESIDENTS,
    "GET /citizen/employers": RESIDENTS,
    "POST /citizen/employers/{request_id}": RESIDENT_A,  # an employer's request to him only
    "POST /citizen/family/requests/{link_id}": NOBODY,  # only the relative it names (not the applicant)
    "GET /ent/realname": RESIDENTS,  # 个人实名认证登录: the signed-in person picks or associates an enterprise
    "POST /ent/realname/associate": RESIDENTS,
    "POST /ent/realname/enter": NOBODY,  # only an operator the enterprise added
    # Scanners: the checkpoint API (authorised scanners' tokens) and the scanner pages (a pending scanner sees that
    # it is pending).
    "GET /api/v1/checkpoint/me": SCANNERS,
    "GET /api/v1/checkpoint/points": SCANNERS,
    "POST /api/v1/checkpoint/points": SCANNERS,
    "POST /api/v1/checkpoint/scans": frozenset({"scanner"}),  # at the unit's own point only
    "POST /api/v1/checkpoint/scans/{scan_id}/feedback": frozenset({"scanner"}),
    "POST /api/v1/checkpoint/id-checks": frozenset({"scanner"}),  # 刷身份证, at the unit's own point only
    "POST /api/v1/checkpoint/offline-scans": SCANNERS,
    "GET /scanner/": SCANNER_PAGES,
    "GET /scanner/service": SCANNER_PAGES,
    "POST /scanner/point": SCANNER_PAGES,
    "POST /scanner/token": SCANNER_PAGES,  # the checkpoint API still refuses a pending scanner's token
    # Every account with a password may change it, and sign its API tokens out (every one of the account's: called
    # among the sign-outs, last, after which the scanners' and admins' tokens and sessions have ended).
    "POST /api/v1/auth/password": SCANNERS | ADMINS,
    "POST /api/v1/auth/logout": SCANNERS | ADMINS,
    "GET /gov/password": ADMINS,  # a pending enterprise only verifies
    "POST /gov/password": ADMINS,
    # Organisation admins: their own unit's data; another unit's ids find nothing.
    "GET /api/v1/org/me": ADMINS,
    "GET /api/v1/org/scans": ADMINS,
    "GET /api/v1/org/scanners": ADMINS,
    "POST /api/v1/org/scanners/{scanner_id}/authorise": UNIT,
    "POST /api/v1/org/scanners/{scanner_id}/revoke": UNIT,
    "GET /gov/": ADMINS,
    "GET /gov/scanners": ADMINS,
    "POST /gov/scanners/{scanner_id}/{action}": UNIT,
    "GET /gov/scanners/{scanner_id}/records": UNIT,
    "GET /gov/scanners/{scanner_id}/records/print": UNIT,
    "GET /gov/units": ADMINS,
    "POST /gov/units/reset-password": SUPERIOR | AUTHORITY,  # names the unit by USCC: checked in the form
    "GET /gov/exports": ADMINS,  # the unit's own export log (the authority: every unit's)
    "GET /gov/records": ADMINS,
    "GET /gov/records/export": ADMINS,
    "GET /gov/records/print": ADMINS,
    "GET /gov/records/{scan_id}": UNIT,
    "GET /gov/people/{person_id}": UNIT,
    "POST /gov/people/{person_id}": UNIT,
    "GET /gov/reports": ADMINS,
    "GET /gov/reports/export": ADMINS,
    # The health authority's pages.
    "GET /gov/regions": AUTHORITY,
    "POST /gov/regions/level": AUTHORITY,
    "POST /gov/regions/policy/{level}": AUTHORITY,
    "GET /gov/rules": AUTHORITY,
    "POST /gov/rules/switch": AUTHORITY,
    "GET /gov/feeds/fever-drugs": AUTHORITY,
    "GET /gov/feeds/status": AUTHORITY,
    "GET /gov/disputes": AUTHORITY,
    "POST /gov/disputes/{dispute_id}": AUTHORITY,
    "GET /gov/sms": AUTHORITY,  # SMS delivery states (masked phones, no texts)
    "GET /gov/audit": AUTHORITY,  # 问责记录: the ledger (masked ID numbers; a person filter is logged)
    # Manual flags (a named user of the authority proposed the world's flag, so its admin may decide it) and the
    # authority admin's named users.
    "GET /gov/flags": AUTHORITY,
    "POST /gov/flags": AUTHORITY,
    "POST /gov/flags/{flag_id}/approve": AUTHORITY,
    "POST /gov/flags/{flag_id}/reject": AUTHORITY,
    "POST /gov/flags/{flag_id}/withdraw": AUTHORITY,
    "GET /gov/users": AUTHORITY,
    "POST /gov/users": AUTHORITY,
    "POST /gov/users/{account_id}/deactivate": AUTHORITY,
    "GET /gov/appeals": AUTHORITY,  # 申诉处理 (issue 16): masked residents
    "GET /gov/appeals/{appeal_id}": AUTHORITY,
    "POST /gov/appeals/{appeal_id}/decide": AUTHORITY,  # no outcome in the matrix's call: 422, nothing decided
    "GET /gov/appeals/{appeal_id}/evidence": AUTHORITY,  # another unit: 404, as if there were none
    # Enterprises: their own console; another enterprise's employee and report ids find nothing.
    "GET /ent/": ENTERPRISES,
    "GET /ent/reports": ENTERPRISES,
    "GET /ent/reports/export": ENTERPRISES,
    "GET /ent/reports/{report_id}": ENTERPRISE_A,
    "GET /ent/health": ENTERPRISES,
    "GET /ent/health/export": ENTERPRISES,
    "POST /ent/health/remind": ENTERPRISES,
    "GET /ent/employees": ENTERPRISES,
    "POST /ent/employees": ENTERPRISES,
    "POST /ent/employees/{employee_id}": ENTERPRISE_A,
    "GET /ent/employees/{employee_id}/history": ENTERPRISE_A,
    "POST /ent/employees-delete": ENTERPRISES,
    "POST /ent/employees-import": ENTERPRISES,
    # No upload is kept for confirmation in the world: every caller gets 404 (the uploader's own confirmation is
    # tests/enterprise/test_import_pages.py).
    "POST /ent/employees-import/confirm": NOBODY,
    "POST /ent/employees-import/cancel": ENTERPRISES,
    "GET /ent/employees-import/report/{token}": ENTERPRISE_A,  # the uploader's own error report
    "GET /ent/employees-template": ENTERPRISES,
    "POST /ent/sync": ENTERPRISES,
    "POST /ent/profile": ENTERPRISES,
    "POST /ent/operators": ENTERPRISES,
    "POST /ent/operators-delete": ENTERPRISES,
    "POST /ent/employee-requests/{request_id}/withdraw": ENTERPRISE_A,
    "GET /ent/exports": ENTERPRISES,
    "GET /ent/verify": ANY_ENTERPRISE,  # a verified one is sent on to its console
    "POST /ent/verify/sms/send": PENDING_ENTERPRISE,  # a verified one has nothing left to verify (404)
    "POST /ent/verify/sms": PENDING_ENTERPRISE,
    "GET /ent/verify/realname/start": ANY_ENTERPRISE,
    "GET /ent/verify/realname": EVERYONE,  # the identity platform's return: checks the signed-in person itself
}

# Path parameters whose world value differs for one route: a withdrawal needs a request still pending.
ROUTE_IDS: dict[str, dict[str, str]] = {
    "POST /ent/employee-requests/{request_id}/withdraw": {"request_id": "pending_request_id"},
}

# Bodies that get an allowed caller past input validation, so that the permission check is what decides.
BODIES: dict[str, dict[str, Any]] = {
    "POST /gov/password": {"data": {"old_password": "x", "new_password": "Passw0rd1", "confirm_password": "Passw0rd2"}},
    "POST /gov/rules/switch": {"data": {"rule_set": "fj-2021-09"}},  # unconfirmed: 422 for the authority, no switch
    "POST /api/v1/checkpoint/scans": {"json": {"point_id": "{point_id}", "code": "000000000000"}},
    "POST /api/v1/checkpoint/id-checks": {"json": {"point_id": "{point_id}", "name": "张三",
                                                   "id_number": "350102198001010012"}},
    "POST /api/v1/checkpoint/scans/{scan_id}/feedback": {"json": {"pass_reason": "工作",
                                                                  "temperature_result": "normal"}},
    "POST /api/v1/checkpoint/points": {"json": {"community": "软件园社区", "name": "北门", "address": "软件大道89号",
                                                "region_code": "350102"}},
    "POST /api/v1/feeds/{feed}/records": {"json": {"id_number": "350102198001010012", "name": "张三",
                                                   "status": "confirmed", "reported_at": "2020-02-24T08:00:00"}},
}


def all_routes(routes: list[Any], prefix: str = "") -> Iterator[str]:
    """`METHOD /path/{param}` of every route, through included routers (FastAPI ≥ 0.16x keeps them nested)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from all_routes(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Route):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                yield f"{method} {prefix}{route.path}"


def outcome(response: Any, path: str) -> str:
    if response.status_code >= 500:
        return "error"
    if response.status_code in DENIED_STATUS:
        return "denied"
    location = response.headers.get("location", "") if response.is_redirect else ""
    target = location.split("?", 1)[0].removeprefix("http://testserver")
    sign_in = next((pages for portal, pages in SIGN_IN.items() if path.startswith(portal)), ())
    return "denied" if location and target in sign_in else "allowed"


def _fill(template: str, ids: dict[str, Any]) -> str:
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: str(ids[m.group(1)]), template)


def _body(route: str, ids: dict[str, Any]) -> dict[str, Any]:
    body = BODIES.get(route, {})
    if "json" not in body:
        return body
    return {"json": {k: int(_fill(v, ids)) if v.startswith("{") else v for k, v in body["json"].items()}}


def _order(route: str) -> tuple[bool, str]:
    """Sign-outs last: after them the role's session is gone."""
    return "logout" in route, route


def test_every_route_answers_every_role_as_the_matrix_says(engine, settings, db, freeze) -> None:
    freeze("2020-02-24 12:00")
    world = build(engine, settings, db)
    try:
        routes = sorted(all_routes(world.clients["anonymous"].app.routes), key=_order)
        missing = [route for route in routes if route not in AUDIENCE]
        assert not missing, f"请在授权矩阵中写明这些路由的可访问角色：{missing}"
        wrong = []
        for route in routes:
            method, template = route.split(" ", 1)
            ids = {**world.ids, **{name: world.ids[key] for name, key in ROUTE_IDS.get(route, {}).items()}}
            path, body = _fill(template, ids), _body(route, ids)
            for role in ROLES:
                response = world.clients[role].request(method, path, follow_redirects=False, **body)
                got = outcome(response, path)
                expected = "allowed" if role in AUDIENCE[route] else "denied"
                public = AUDIENCE[route] == EVERYONE  # sign-in steps answer by their input, not by the role
                tolerated = public or (expected == "denied" and response.status_code == 422)
                if got == "error" or (got != expected and not tolerated):
                    wrong.append(f"{route} as {role}: {got} ({response.status_code}), expected {expected}")
                if role not in INSIDERS:
                    leaked = [m for m in world.markers if m in response.text]
                    if leaked:
                        wrong.append(f"{route} as {role}: shows {leaked}")
        assert not wrong, "\n".join(wrong)
        assert len(routes) >= 100
    finally:
        close(world)
