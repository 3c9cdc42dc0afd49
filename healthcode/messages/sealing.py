"""Sealing of outbox texts that carry a secret (an SMS verification code): the gateway needs the full text after the
commit, the table must never hold it in plain. AES-256-GCM under a key derived (HKDF-SHA256) from the platform's
secret key, which is not in the database; the phone is the associated data, so a sealed text opens only on its row's
phone. The dispatcher wipes the sealed text once the row is delivered or failed."""

from __future__ import annotations

import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
_INFO = b"healthcode sms outbox v1"


class Unreadable(Exception):
    """The sealed text does not open: sealed under another secret key (it was changed since), or altered."""


def seal(secret_key: str, phone: str, text: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(_key(secret_key)).encrypt(nonce, text.encode(), phone.encode())


def unseal(secret_key: str, phone: str, sealed: bytes) -> str:
    try:
        plain = AESGCM(_key(secret_key)).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], phone.encode())
    except (InvalidTag, ValueError) as exc:
        raise Unreadable() from exc
    return plain.decode()


@lru_cache(maxsize=4)
def _key(secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
