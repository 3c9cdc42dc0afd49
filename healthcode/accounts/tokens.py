"""Bearer tokens for the API: signed with the platform secret (itsdangerous), carrying the account kind, id and
token version, so that a password change or revocation invalidates every earlier token at once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from itsdangerous import BadData, URLSafeTimedSerializer

from healthcode.errors import Unauthorised

TOKEN_TTL_SECONDS = 12 * 3600  # one working day of a checkpoint shift
_SALT = "healthcode.api-token.v1"


@dataclass(frozen=True)
class Claims:
    kind: str
    account_id: int
    version: int


@lru_cache(maxsize=4)
def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def issue(secret_key: str, claims: Claims) -> str:
    return _serializer(secret_key).dumps({"k": claims.kind, "a": claims.account_id, "v": claims.version})


def read(secret_key: str, token: str, max_age: int = TOKEN_TTL_SECONDS) -> Claims:
    """The claims of a valid, unexpired token, else Unauthorised `invalid_token`."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
        return Claims(str(data["k"]), int(data["a"]), int(data["v"]))
    except (BadData, KeyError, TypeError, ValueError):
        raise Unauthorised("登录已失效，请重新登录", code="invalid_token") from None
