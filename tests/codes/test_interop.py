"""Interoperability: an issued QR verifies with another COSE implementation (cwt) and with docs/verify_example.py,
given only the published JWK Set."""

from __future__ import annotations

import json
import subprocess
import sys
import zlib
from pathlib import Path

import base45
import cwt
import pytest

from healthcode import clock
from healthcode.codes import keys, service, tokens
from tests.codes.factories import person

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "verify_example.py"


def cose_key(jwk: dict) -> cwt.COSEKey:
    return cwt.COSEKey.new({1: 1, 2: keys.b64url_decode(jwk["kid"]), 3: -8, -1: 6, -2: keys.b64url_decode(jwk["x"])})


def test_issued_qr_verifies_with_cwt_from_the_jwks_alone(db, settings):
    # cwt checks exp against the real time, so this code is issued now.
    now = clock.now()
    issued = service.issue_for_person(db, settings, person(db, name="李斌"), now)
    # exactly what is published, nothing more
    jwks = json.loads(json.dumps(keys.public_jwks(db, now, settings.secret_key)))

    claims = cwt.decode(zlib.decompress(base45.b45decode(issued.qr_text[7:])), [cose_key(j) for j in jwks["keys"]])

    assert claims[-70000] == {"c": "green", "n": "*斌", "r": "350102", "v": "fj-2020-02"}
    assert claims[4] - claims[6] == 60


def test_tampered_qr_fails_cwt_verification(db, settings):
    now = clock.now()
    issued = service.issue_for_person(db, settings, person(db), now)
    jwks = keys.public_jwks(db, now, settings.secret_key)
    cose = bytearray(zlib.decompress(base45.b45decode(issued.qr_text[7:])))
    cose[-1] ^= 1

    with pytest.raises(cwt.VerifyError):
        cwt.decode(bytes(cose), [cose_key(j) for j in jwks["keys"]])


def test_docs_verify_example_accepts_a_genuine_code_and_refuses_a_tampered_one(db, tmp_path, settings):
    now = clock.now()
    issued = service.issue_for_person(db, settings, person(db), now)
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(keys.public_jwks(db, now, settings.secret_key)))
    cose = bytearray(zlib.decompress(base45.b45decode(issued.qr_text[7:])))
    cose[-1] ^= 1
    tampered = tokens.to_qr_text(bytes(cose))

    genuine = run_example(jwks_file, issued.qr_text)
    refused = run_example(jwks_file, tampered)

    assert genuine.returncode == 0, genuine.stdout + genuine.stderr
    assert json.loads(genuine.stdout)["color"] == "green"
    assert refused.returncode == 1 and refused.stdout.startswith("INVALID")


def run_example(jwks_file: Path, qr_text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLE), str(jwks_file), qr_text], capture_output=True, text=True,
                          timeout=60)
