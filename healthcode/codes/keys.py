"""Signing keys of the QR tokens: creation, rotation, the published JWK Set, and per-process caches of loaded keys.

A new key is published at once and signs a day later; the key it replaces retires when it starts signing and stays
published for the longest token lifetime after that (SPEC section 6). Private keys are stored encrypted with a
password derived from the platform's secret (`secret_key`, HEALTHCODE_SECRET_KEY), which the caller passes."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pycose.algorithms import EdDSA, Es256
from pycose.headers import KID, Algorithm
from pycose.keys import CoseKey, EC2Key, OKPKey
from pycose.keys.curves import P256, Ed25519
from pycose.messages import Sign1Message
from sqlalchemy.orm import Session

from healthcode.codes import repository
from healthcode.codes.errors import NoSigningKey
from healthcode.codes.models import MAX_TOKEN_LIFETIME, SigningKey

ALGORITHMS = {"EdDSA": EdDSA, "ES256": Es256}
ROTATION_NOTICE = timedelta(days=1)
_SESSION_SIGNER = "codes.signer"  # session.info key of the signing key looked up in the current transaction
VERIFICATION_ROW_TTL = timedelta(minutes=1)
_verification_rows: dict[bytes, tuple[datetime, Any]] = {}  # kid -> (when read, signing_keys row)
# The row of the key that signs, kept a minute of platform time per database (and secret): a new key is known a day
# before it signs (ROTATION_NOTICE), and its predecessor's retirement with it, so a copy a minute old still answers
# rightly; keys are never deleted. Issuing a code then reads no key (one statement less a refresh).
SIGNER_TTL = timedelta(minutes=1)
_signers: dict[tuple[Any, str], tuple[datetime, datetime, datetime | None, SigningMaterial]] = {}


@dataclass(frozen=True)
class SigningMaterial:
    kid: bytes
    alg: str
    cose_key: CoseKey
    # For the fast EdDSA path of tokens.sign: the loaded key itself (pycose re-imports it from bytes on every
    # signature) and the protected header, which is the same for every token of a key (encoded once, by pycose).
    ed25519: ed25519.Ed25519PrivateKey | None = None
    protected: bytes = b""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- lifecycle ---------------------------------------------------------------------------------------------------


def ensure_signing_key(session: Session, now: datetime, secret_key: str) -> SigningKey:
    """The key that signs at `now`; on a fresh platform, a first key that signs at once."""
    key = repository.signing_key_at(session, now)
    if key is not None:
        return key
    repository.lock_first_key(session)  # then look again: another process may have made the first key meanwhile
    key = repository.signing_key_at(session, now)
    if key is not None:
        return key
    if repository.any_key(session):
        raise NoSigningKey(f"{now:%Y-%m-%d %H:%M:%S} 没有可用的签名密钥（时钟早于所有密钥的启用时间？）")
    return _create(session, now, secret_key, activates_at=now)


def rotate(session: Session, now: datetime, secret_key: str, alg: str = "EdDSA") -> SigningKey:
    """Adds a key that signs from a day later; the keys before it retire at that moment."""
    ensure_signing_key(session, now, secret_key)
    session.info.pop(_SESSION_SIGNER, None)
    forget_signers()
    new = _create(session, now, secret_key, activates_at=now + ROTATION_NOTICE, alg=alg)
    for key in repository.unretired_keys(session):
        if key.id != new.id and key.activates_at <= new.activates_at:
            key.retires_at = new.activates_at
    session.flush()
    return new


def current_signing_key(session: Session, now: datetime, secret_key: str) -> SigningMaterial:
    """The loaded private key that signs at `now`: decrypted once per process, looked up once per transaction while
    `now` stays within its signing period (a batch of printed codes runs in one transaction), and once a minute of
    platform time per process (`SIGNER_TTL`: every code refresh asks)."""
    transaction = session.get_transaction()  # None before the session's first statement: nothing to match
    cached = session.info.get(_SESSION_SIGNER)
    if (cached is not None and transaction is not None and cached[0] is transaction
            and _signs(cached[1], cached[2], now)):
        material: SigningMaterial = cached[3]
        return material
    database = (_engine(session), secret_key)
    known = _signers.get(database)
    if known is not None and known[0] <= now < known[0] + SIGNER_TTL and _signs(known[1], known[2], now):
        _, activates_at, retires_at, material = known
    else:
        found = repository.signer_row_at(session, now)
        stored = found is not None
        if found is None:  # a fresh platform: its first key, made in this transaction (not kept for the process)
            key = ensure_signing_key(session, now, secret_key)
            found = (key.kid, key.alg, key.private_key_pem, key.activates_at, key.retires_at)
        kid, alg, pem, activates_at, retires_at = found
        material = _load_private(kid, alg, pem, secret_key)
        if stored:
            _signers[database] = (now, activates_at, retires_at, material)
    # Tied to this transaction (when one has begun): after a rollback the key it created may be gone.
    session.info[_SESSION_SIGNER] = (session.get_transaction(), activates_at, retires_at, material)
    return material


def _signs(activates_at: datetime, retires_at: datetime | None, now: datetime) -> bool:
    """Whether a key with this signing period signs at `now`."""
    return activates_at <= now and (retires_at is None or now < retires_at)


def _engine(session: Session) -> Any:
    """The engine behind the session (bound to it, or to one of its connections): the database the keys are in."""
    bind = session.get_bind()
    return getattr(bind, "engine", bind)


def forget_signers() -> None:
    """Drops the process's copies of the signing keys' rows (a rotation here; the tests, which empty the database)."""
    _signers.clear()


def _create(session: Session, now: datetime, secret_key: str, *, activates_at: datetime,
            alg: str = "EdDSA") -> SigningKey:
    if alg not in ALGORITHMS:
        raise ValueError(f"不支持的签名算法：{alg}")
    kid = secrets.token_bytes(8)
    private: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
    private = ed25519.Ed25519PrivateKey.generate() if alg == "EdDSA" else ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_pem_password(secret_key)),
    ).decode("ascii")
    key = SigningKey(
        kid=kid, alg=alg, private_key_pem=pem, public_jwk=json.dumps(_public_jwk(private, kid, alg)),
        created_at=now, activates_at=activates_at, retires_at=None,
    )
    session.add(key)
    session.flush()
    return key


# --- publication and verification ----------------------------------------------------------------------------------


def public_jwks(session: Session, now: datetime, secret_key: str) -> dict[str, list[dict[str, Any]]]:
    """The JWK Set of every key a verifier may need at `now` (upcoming, signing, and recently retired); on a fresh
    platform its first key is made (encrypted with `secret_key`)."""
    ensure_signing_key(session, now, secret_key)
    return {"keys": [json.loads(key.public_jwk) for key in repository.published_keys(session, now)]}


def is_published(key: Any, now: datetime) -> bool:
    """Whether a signing key (model or row) is still published at `now`: until the longest token lifetime after
    its retirement."""
    return key.retires_at is None or now < key.retires_at + MAX_TOKEN_LIFETIME


def verification_key(session: Session, kid: bytes, now: datetime) -> tuple[str, CoseKey] | None:
    """(alg, public key) for a kid published at `now`, else None.

    A known key's row is kept for a minute of platform time (every QR scan asks): its public half never changes, and
    its retirement is set a day ahead (ROTATION_NOTICE), so a minute-old copy still answers rightly."""
    cached = _verification_rows.get(kid)
    if cached is not None and cached[0] <= now < cached[0] + VERIFICATION_ROW_TTL:
        key = cached[1]
    else:
        key = repository.key_by_kid(session, kid)
        if key is not None:
            if len(_verification_rows) > 64:  # only a handful of kids are ever published at once
                _verification_rows.clear()
            _verification_rows[kid] = (now, key)
    if key is None or not is_published(key, now):
        return None
    return key.alg, cose_key_from_jwk_text(key.public_jwk)


@lru_cache(maxsize=256)
def cose_key_from_jwk_text(jwk_text: str) -> CoseKey:
    return cose_key_from_jwk(json.loads(jwk_text))


def cose_key_from_jwk(jwk: dict[str, Any]) -> CoseKey:
    """A public COSE key from a JWK (OKP/Ed25519 or EC/P-256); ValueError for anything else."""
    if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
        x = b64url_decode(jwk["x"])
        if len(x) != 32:
            raise ValueError("Ed25519 公钥长度错误")
        return OKPKey(crv=Ed25519, x=x)
    if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
        x, y = b64url_decode(jwk["x"]), b64url_decode(jwk["y"])
        if len(x) != 32 or len(y) != 32:
            raise ValueError("P-256 公钥长度错误")
        return EC2Key(crv=P256, x=x, y=y)
    raise ValueError("不支持的公钥类型")


# --- private material ----------------------------------------------------------------------------------------------


def _pem_password(secret_key: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"healthcode", info=b"code signing keys").derive(
        secret_key.encode("utf-8")
    )
    return b64url(derived).encode("ascii")


@lru_cache(maxsize=64)
def _load_private(kid: bytes, alg: str, pem: str, secret_key: str) -> SigningMaterial:
    # Decrypting the PEM is deliberately slow (key derivation); cached so that issuing stays cheap.
    try:
        private = serialization.load_pem_private_key(pem.encode("ascii"), _pem_password(secret_key))
    except ValueError as exc:
        raise NoSigningKey("签名密钥无法解密：HEALTHCODE_SECRET_KEY 与生成密钥时不同") from exc
    if alg == "EdDSA" and isinstance(private, ed25519.Ed25519PrivateKey):
        raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())
        public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        protected = Sign1Message(phdr={Algorithm: EdDSA, KID: kid}).phdr_encoded
        return SigningMaterial(kid, alg, OKPKey(crv=Ed25519, d=raw, x=public), private, protected)
    if alg == "ES256" and isinstance(private, ec.EllipticCurvePrivateKey):
        numbers = private.public_key().public_numbers()
        return SigningMaterial(kid, alg, EC2Key(
            crv=P256, d=private.private_numbers().private_value.to_bytes(32, "big"),
            x=numbers.x.to_bytes(32, "big"), y=numbers.y.to_bytes(32, "big"),
        ))
    raise NoSigningKey(f"签名密钥类型与算法 {alg} 不符")


def _public_jwk(
    private: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey, kid: bytes, alg: str
) -> dict[str, str]:
    if isinstance(private, ed25519.Ed25519PrivateKey):
        x = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(x), "kid": b64url(kid), "alg": alg, "use": "sig"}
    numbers = private.public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": b64url(numbers.x.to_bytes(32, "big")),
            "y": b64url(numbers.y.to_bytes(32, "big")), "kid": b64url(kid), "alg": alg, "use": "sig"}
