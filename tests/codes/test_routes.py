"""The published JWK Set endpoint (SPEC 6)."""

from __future__ import annotations

from healthcode.codes import keys
from healthcode.db import transaction
from tests.codes.factories import NOW


def test_jwks_endpoint_publishes_the_same_set_as_the_cli(client, engine, freeze, settings):
    freeze(NOW)

    response = client.get("/.well-known/healthcode/jwks.json")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert [k["alg"] for k in body["keys"]] == ["EdDSA"]
    with transaction(engine) as session:
        # the first request created the key; it is the same one
        assert keys.public_jwks(session, NOW, settings.secret_key) == body


def test_no_endpoint_renders_arbitrary_qr_text(client):
    assert client.get("/api/v1/codes/qr.png", params={"text": "anything"}).status_code == 404
