"""Public endpoint of the code domain: the JWK Set that verifies QR tokens (SPEC section 6, CONTRACT)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from healthcode import clock
from healthcode.codes import schemas
from healthcode.codes.keys import public_jwks
from healthcode.config import AppSettings
from healthcode.db import DbSession
from healthcode.web.schemas import documented

router = APIRouter(tags=["codes"])


@router.get("/.well-known/healthcode/jwks.json", name="codes.jwks", **documented(schemas.JwkSet))
def jwks(session: DbSession, settings: AppSettings, response: Response) -> dict[str, Any]:
    # Keys are published a day before they sign, so an hour of caching never hides a key a verifier needs.
    response.headers["Cache-Control"] = "public, max-age=3600"
    return public_jwks(session, clock.now(), settings.secret_key)
