"""Schemathesis against /api/openapi.json (issue 12): no operation answers 5xx, whatever it is sent. Every operation
is fuzzed in-process with valid and invalid data, signed in as whoever it expects (scanner, unit admin, resident,
data provider) so that the requests get past authentication. Bounded: a fixed number of examples an operation,
derandomised, no shrinking (about half a minute on two cores). Every answer must also match the schema the
document declares for its status (schemathesis' response_schema_conformance; see tests/test_openapi.py)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from healthcode.db import transaction
from healthcode.feeds.service import add_provider
from tests.checkpoints.factories import NOW, add_point, issue, org, person, scanner, token
from tests.identity.flow import make_account, sign_in

EXAMPLES = 12  # per operation and generation mode


@pytest.fixture
def world(client, db, engine, freeze) -> dict[str, Any]:
    """Credentials of every kind of caller, and a few rows for ids to point at."""
    freeze(NOW)
    unit = org(db)
    scanner_headers = token(client, scanner(db, unit.username))
    add_point(client, scanner_headers)
    issue(db, person(db, 2), NOW)
    admin_headers = token(client, unit.username, unit.password)
    with transaction(engine) as session:
        key = add_provider(session, "国家卫健委", ["cases", "close_contacts", "households"]).api_key
    make_account(db)
    assert sign_in(client).status_code == 200
    return {"scanner": scanner_headers, "admin": admin_headers, "key": key, "cookies": dict(client.cookies)}


def credentials(path: str, world: dict[str, Any]) -> dict[str, Any]:
    if path.startswith("/api/v1/checkpoint/"):
        return {"headers": world["scanner"]}
    if path.startswith(("/api/v1/org/", "/api/v1/auth/")):
        return {"headers": world["admin"]}
    if path.startswith("/api/v1/feeds/"):
        return {"headers": {"X-API-Key": world["key"]}}
    if path.startswith("/api/v1/me/"):
        return {"cookies": world["cookies"]}
    return {}


def fuzz(strategy: Any, auth: dict[str, Any]) -> None:
    """Sends EXAMPLES cases of the strategy; fails at the first 5xx or answer unlike its documented schema."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def send(case: Any) -> None:
        response = case.call(**auth)
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
        case.validate_response(response, checks=[response_schema_conformance])

    send()


def test_no_api_operation_answers_a_server_error(client, world) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", client.app)
    failures: list[str] = []
    operations = 0
    # Revoking a scanner (which the fuzzer may well do to the scanner signed in) comes last.
    for operation in sorted((r.ok() for r in schema.get_all_operations()), key=lambda o: o.path.endswith("/revoke")):
        operations += 1
        auth = credentials(operation.path, world)
        # Valid data for a feed the provider may write; invalid data for any feed name.
        fixed = {"feed": "cases"} if "{feed}" in operation.path else None
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed if mode.is_positive else None)
            try:
                fuzz(strategy, auth)
            except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
                continue
            except Exception as exc:  # an assertion above, or an exception the app raised  # noqa: BLE001
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): "
                                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    assert operations >= 20
    assert failures == []
