"""Passwords: Argon2id hashes, the 6–16 character case-sensitive rule, random passwords, and tokens."""

from __future__ import annotations

import pytest

from healthcode.accounts import passwords, tokens
from healthcode.errors import Invalid, Unauthorised


@pytest.mark.parametrize("password", ["abc123", "A" * 16, "Pass-word_2020!"])
def test_passwords_of_6_to_16_characters_are_hashed_with_argon2id(password):
    hashed = passwords.hash_password(password)

    assert hashed.startswith("$argon2id$")
    assert passwords.verify(hashed, password)


@pytest.mark.parametrize("password", ["", "abc12", "A" * 17, "with space", "tab\there"])
def test_passwords_breaking_the_rule_are_refused_in_chinese(password):
    with pytest.raises(Invalid) as caught:
        passwords.hash_password(password)

    assert not caught.value.message.isascii()


def test_passwords_are_case_sensitive():
    hashed = passwords.hash_password("Secret2020")

    assert not passwords.verify(hashed, "secret2020")
    assert not passwords.verify("not a hash", "Secret2020")


def test_random_passwords_follow_the_rule_and_differ():
    made = {passwords.random_password() for _ in range(50)}

    assert len(made) == 50
    for password in made:
        passwords.check_rule(password)
        assert any(c.isupper() for c in password) and any(c.islower() for c in password)
        assert any(c.isdigit() for c in password)


def test_token_round_trip_and_refusals():
    claims = tokens.Claims("scanner", 7, 3)
    token = tokens.issue("secret-a", claims)

    assert tokens.read("secret-a", token) == claims
    for bad in (lambda: tokens.read("secret-b", token), lambda: tokens.read("secret-a", token + "x"),
                lambda: tokens.read("secret-a", token, max_age=-1)):
        with pytest.raises(Unauthorised) as caught:
            bad()
        assert caught.value.code == "invalid_token"
