"""Passwords: Argon2id hashes (argon2-cffi), the seed's rule of 6–16 case-sensitive characters, random passwords."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from healthcode.errors import InvalidPassword

MIN_LENGTH = 6
MAX_LENGTH = 16
# Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): a login costs tens of milliseconds, so a
# shift change with hundreds of scanners signing in at once does not starve the scan path of CPU.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Letters and digits that cannot be mistaken for one another when read aloud or copied from paper.
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
# Verifying against this hash when the username is unknown keeps the response time the same (no user enumeration).
_DUMMY_HASH = _hasher.hash("dummy-password")


def check_rule(password: str) -> None:
    """Refuses a password that breaks the rule, with the reason in Chinese."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InvalidPassword(f"密码须为{MIN_LENGTH}–{MAX_LENGTH}个字符（区分大小写）")
    if any(c.isspace() or not c.isprintable() for c in password):
        raise InvalidPassword("密码不能包含空格或不可见字符")


def hash_password(password: str) -> str:
    check_rule(password)
    return _hasher.hash(password)


def verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_nobody(password: str) -> None:
    """Spends the time of one verification, for a username that does not exist."""
    verify(_DUMMY_HASH, password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def random_password(length: int = 12) -> str:
    """A random password within the rule, with at least one upper-case letter, one lower-case letter and one digit."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if any(c.isupper() for c in candidate) and any(c.islower() for c in candidate) and \
                any(c.isdigit() for c in candidate):
            return candidate
