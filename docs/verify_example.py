"""Offline verifier of 八闽健康码 QR codes, using only public libraries (cwt, base45; zlib and json from Python).

    pip install cwt base45
    python verify_example.py jwks.json 'BMJKM1:...'        # jwks.json: `healthcode keys export` or the
                                                           # /.well-known/healthcode/jwks.json of the platform
Prints the claims as JSON and exits 0 when the code is genuine and unexpired, else prints why and exits 1.
"""

from __future__ import annotations

import base64
import json
import sys
import zlib

import base45
import cwt

PREFIX = "BMJKM1:"
HEALTH_CLAIM = -70000


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cose_key(jwk: dict) -> cwt.COSEKey:
    """A COSE key from one JWK. The JWK's kid is the base64url of the 8-byte COSE kid, so it is decoded here
    (cwt's own COSEKey.from_jwk would take the kid string's UTF-8 bytes, which match no token)."""
    kid = b64url_decode(jwk["kid"])
    if jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519":
        return cwt.COSEKey.new({1: 1, 2: kid, 3: -8, -1: 6, -2: b64url_decode(jwk["x"])})
    if jwk["kty"] == "EC" and jwk["crv"] == "P-256":
        return cwt.COSEKey.new({1: 2, 2: kid, 3: -7, -1: 1, -2: b64url_decode(jwk["x"]), -3: b64url_decode(jwk["y"])})
    raise ValueError(f"unsupported key type {jwk['kty']}/{jwk.get('crv')}")


def verify(jwks: dict, qr_text: str) -> dict:
    """The claims of a genuine, unexpired code; raises ValueError (or a cwt error) otherwise."""
    if not qr_text.startswith(PREFIX):
        raise ValueError("not a BMJKM1 code")
    cose = zlib.decompress(base45.b45decode(qr_text[len(PREFIX):]))
    keys = [cose_key(jwk) for jwk in jwks["keys"]]
    # cwt checks the signature with the key whose kid the protected header names, and that exp has not passed.
    claims = cwt.decode(cose, keys)
    health = claims[HEALTH_CLAIM]
    return {"iss": claims[1], "iat": claims[6], "exp": claims[4], "cti": claims[7].hex(),
            "color": health["c"], "name": health["n"], "region": health["r"], "rule_set": health["v"]}


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        jwks = json.load(fh)
    try:
        claims = verify(jwks, argv[2].strip())
    except Exception as exc:  # a verifier reports every refusal the same way: not valid, and why
        print(f"INVALID: {type(exc).__name__}: {exc}")
        return 1
    print(json.dumps(claims, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
