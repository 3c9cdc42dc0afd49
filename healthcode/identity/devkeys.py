"""The development identity provider's ID-token key (仅供开发使用), one for every server process: kept in the
database (table `dev_idp_keys`), so that a sign-in begun on one process and finished on another verifies against the
keys either publishes. Each process loads it once; when the table has none, the key this process made is stored."""

from __future__ import annotations

from functools import lru_cache

from joserfc.jwk import KeyParameters, RSAKey
from sqlalchemy.orm import Session

from healthcode.identity import repository

ALG = "RS256"
_PARAMETERS: KeyParameters = {"alg": ALG, "use": "sig"}


def signing_key(session: Session) -> RSAKey:
    """The provider's key: the stored one, else this process's own, stored first (when several processes offer
    theirs at once, the first committed is the one every process then uses)."""
    pem = repository.dev_key_pem(session)
    if pem is None:
        repository.offer_dev_key(session, _made_here())
        pem = repository.dev_key_pem(session)
        assert pem is not None
    return _loaded(pem)


@lru_cache(maxsize=1)
def _made_here() -> str:
    """A key made once per process (RSA key generation costs tens of milliseconds), offered to an empty table."""
    return RSAKey.generate_key(2048, parameters=_PARAMETERS, private=True).as_pem(private=True).decode("ascii")


@lru_cache(maxsize=4)
def _loaded(pem: str) -> RSAKey:
    key = RSAKey.import_key(pem, parameters=_PARAMETERS)
    key.ensure_kid()  # the RFC 7638 thumbprint: the same kid in every process
    return key
