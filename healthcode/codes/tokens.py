"""The QR token (SPEC section 6, CONTRACT): a COSE_Sign1 over CWT claims, zlib-compressed, Base45, prefixed `BMJKM1:`.

Signing and verification go through pycose; this module only builds the claims map and checks its shape."""

from __future__ import annotations

import io
import re
import sys
import zlib
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeGuard

import base45
import cbor2
from pycose.algorithms import EdDSA, Es256
from pycose.exceptions import CoseException
from pycose.headers import KID, Algorithm
from pycose.keys import CoseKey
from pycose.messages import Sign1Message

from healthcode.clock import TZ
from healthcode.codes.errors import BadSignature, ExpiredCode, InvalidCode, UnknownKey
from healthcode.codes.keys import ALGORITHMS, SigningMaterial

PREFIX = "BMJKM1:"
COSE_SIGN1_TAG = 18
CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_CTI, CLAIM_HEALTH = 1, 4, 6, 7, -70000
MAX_LIFETIME_SECONDS = 300
# Tokens are a few hundred bytes; anything far larger is not ours (and must not inflate without bound).
MAX_TOKEN_BYTES = 2048
COLORS = ("green", "orange", "yellow", "red")  # yellow/red: room for a later rule set, as Fujian's of 2021
_REGION = re.compile(r"^\d{6}$")
_B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_PAIRS = tuple(_B45[n % 45] + _B45[n // 45 % 45] + _B45[n // 2025] for n in range(65536))
_DECODE_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, RecursionError,
                  EOFError, cbor2.CBORDecodeError, CoseException)

KeyLookup = Callable[[bytes], "tuple[str, CoseKey] | None"]


class Payload(Protocol):
    """What a token signs: a claims map, CBOR-encoded (a code's `CodeClaims`, a printed card's `CardClaims`)."""

    def to_cbor(self) -> bytes: ...


@dataclass(frozen=True)
class CodeClaims:
    iss: str
    iat: int
    exp: int
    cti: bytes
    color: str
    masked_name: str
    region_code: str
    rule_set: str

    def to_cbor(self) -> bytes:
        return cbor2.dumps({
            CLAIM_ISS: self.iss, CLAIM_IAT: self.iat, CLAIM_EXP: self.exp, CLAIM_CTI: self.cti,
            CLAIM_HEALTH: {"c": self.color, "n": self.masked_name, "r": self.region_code, "v": self.rule_set},
        })

    @classmethod
    def from_map(cls, claims: Any) -> CodeClaims:
        """The claims of a decoded payload, or InvalidCode when their shape is not the contract's."""
        if not isinstance(claims, dict):
            raise invalid("内容不是声明集合")
        iss, iat, exp, cti, health = (claims.get(k) for k in (CLAIM_ISS, CLAIM_IAT, CLAIM_EXP, CLAIM_CTI, CLAIM_HEALTH))
        if not isinstance(iss, str) or not isinstance(cti, bytes) or not 1 <= len(cti) <= 64:
            raise invalid("签发方或编号缺失")
        if not is_int(iat) or not is_int(exp) or not 0 < exp - iat <= MAX_LIFETIME_SECONDS:
            raise invalid("有效期格式错误")
        if not isinstance(health, dict):
            raise invalid("缺少健康码声明")
        color, name, region, rule_set = (health.get(k) for k in ("c", "n", "r", "v"))
        if color not in COLORS or not isinstance(name, str) or not isinstance(rule_set, str):
            raise invalid("健康码声明格式错误")
        if not isinstance(region, str) or not _REGION.match(region):
            raise invalid("地区代码格式错误")
        return cls(iss, iat, exp, cti, color, name, region, rule_set)


def sign(claims: Payload, key: SigningMaterial) -> bytes:
    """The tagged COSE_Sign1 message of the claims, signed with the key (kid in the protected header)."""
    payload = claims.to_cbor()
    if key.ed25519 is None or not key.protected:
        message = Sign1Message(phdr={Algorithm: ALGORITHMS[key.alg], KID: key.kid}, payload=payload)
        message.key = key.cose_key
        return message.encode(tag=True)
    # The hot path, for Ed25519: the RFC 9052 Sig_structure and message array laid out directly around the header
    # pycose encoded for this key, signed with the loaded key. It is byte for byte what pycose's encode() gives
    # (Ed25519 is deterministic; tested), at a third of the cost; pycose still verifies every token.
    to_be_signed = cbor2.dumps(["Signature1", key.protected, b"", payload])
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [key.protected, {}, payload, key.ed25519.sign(to_be_signed)]))


def to_qr_text(cose: bytes, prefix: str = PREFIX) -> str:
    # A 512-byte window and the smallest memory level: a token is ~170 bytes, and zlib's default state (~256 KiB,
    # allocated and cleared per call) would cost ten times the compression itself. Any inflater reads it.
    deflater = zlib.compressobj(9, zlib.DEFLATED, 9, 1)
    return prefix + b45encode(deflater.compress(cose) + deflater.flush())


def b45encode(data: bytes) -> str:
    """Base45 (RFC 9285) by a table of every byte pair: the same output as the `base45` package (tested against
    it), five times faster, which matters at thousands of codes a second. Decoding stays with the package."""
    pairs = array("H", data[: len(data) & ~1])
    if sys.byteorder == "little":
        pairs.byteswap()  # RFC 9285 reads each pair as a big-endian 16-bit number
    text = "".join(map(_B45_PAIRS.__getitem__, pairs))
    if len(data) & 1:
        text += _B45[data[-1] % 45] + _B45[data[-1] // 45]
    return text


def from_qr_text(text: str, prefix: str = PREFIX) -> bytes:
    """The COSE bytes inside QR text, or InvalidCode."""
    if not text.startswith(prefix):
        raise invalid("不是八闽健康码")
    try:
        compressed = base45.b45decode(text[len(prefix):])
        inflater = zlib.decompressobj()
        cose = inflater.decompress(compressed, MAX_TOKEN_BYTES + 1)
    except (ValueError, zlib.error) as exc:
        raise invalid("编码损坏") from exc
    if not inflater.eof or inflater.unused_data or len(cose) > MAX_TOKEN_BYTES:
        raise invalid("编码损坏")
    return cose


def verify(text: str, lookup: KeyLookup, now: datetime) -> CodeClaims:
    """The claims of a QR text, checked in the order: format, key, signature, claims, expiry.

    `lookup(kid)` gives (alg, public key) for a published kid, else None."""
    claims = CodeClaims.from_map(verified_payload(text, PREFIX, lookup))
    if now.replace(tzinfo=TZ).timestamp() >= claims.exp:
        raise ExpiredCode()
    return claims


def verified_payload(text: str, prefix: str, lookup: KeyLookup) -> Any:
    """The decoded claims map of a QR text with this prefix whose signature verifies with the key `lookup` gives for
    its kid: format, key and signature checked in that order (InvalidCode, UnknownKey, BadSignature)."""
    message = _decode_sign1(from_qr_text(text, prefix))
    alg = message.phdr.get(Algorithm)
    kid = message.phdr.get(KID)
    if alg not in (EdDSA, Es256):
        raise invalid("不支持的签名算法")
    if not isinstance(kid, bytes) or len(kid) != 8:
        raise invalid("密钥标识格式错误")
    found = lookup(kid)
    if found is None:
        raise UnknownKey()
    key_alg, public_key = found
    if ALGORITHMS.get(key_alg) is not alg:
        raise BadSignature()
    message.key = public_key
    try:
        valid = message.verify_signature()
    except _DECODE_ERRORS:
        valid = False
    if not valid:
        raise BadSignature()
    if message.payload is None:  # _decode_sign1 let only a byte-string payload through
        raise invalid("缺少内容")
    return _cbor_one(message.payload)


def _decode_sign1(cose: bytes) -> Sign1Message:
    """A COSE_Sign1 message, tagged (18) or untagged, with nothing after it."""
    item = _cbor_one(cose)
    if isinstance(item, cbor2.CBORTag):
        if item.tag != COSE_SIGN1_TAG:
            raise invalid("不是 COSE_Sign1 消息")
        item = item.value
    if not (isinstance(item, list) and len(item) == 4 and isinstance(item[0], bytes) and isinstance(item[1], dict)
            and isinstance(item[2], bytes) and isinstance(item[3], bytes)):
        raise invalid("COSE_Sign1 结构错误")
    try:
        return Sign1Message.from_cose_obj(list(item), True)
    except _DECODE_ERRORS as exc:
        raise invalid("COSE 头部格式错误") from exc


def _cbor_one(data: bytes) -> Any:
    stream = io.BytesIO(data)
    try:
        item = cbor2.CBORDecoder(stream).decode()
    except _DECODE_ERRORS as exc:
        raise invalid("CBOR 格式错误") from exc
    if stream.tell() != len(data):
        raise invalid("CBOR 之后有多余数据")
    return item


def is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def invalid(detail: str) -> InvalidCode:
    return InvalidCode(f"无法识别的健康码（{detail}）")
