"""Plain factories for the checkpoint, organisation and account tests: organisations, scanners, residents, codes,
and the API calls a scanner makes."""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

import base45
import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from pycose.keys import OKPKey
from pycose.keys.curves import Ed25519
from sqlalchemy.orm import Session
from stdnum.cn import uscc as stdnum_uscc
from stdnum.cn.ric import calc_check_digit

from healthcode.checkpoints.service import add_scanner
from healthcode.codes import keys, tokens
from healthcode.codes.service import Issued, issue_for_person
from healthcode.config import Settings
from healthcode.orgs.service import Created, add_org
from healthcode.residents.models import Person

NOW = datetime(2020, 2, 24, 9, 0)
PASSWORD = "Scan2020ok"
GULOU, TAIJIANG, SIMING = "350102", "350103", "350203"  # 福州市鼓楼区, 福州市台江区, 厦门市思明区
ISSUING = Settings(env="test")  # the codes the tests hand to scanners: the default issuer, TTL and rule set


def uscc(n: int, region: str = "350100") -> str:
    body = f"12{region}MB{n:07d}"
    return body + stdnum_uscc.calc_check_digit(body)


def id_number(n: int, area: str = "350102") -> str:
    body = f"{area}19900101{n:03d}"
    return body + calc_check_digit(body + "0")


def org(db: Session, n: int = 1, *, name: str | None = None, kind: str = "government",
        parent_uscc: str | None = None, delivered: bool = True) -> Created:
    created = add_org(db, name=name or f"测试单位{n}", uscc=uscc(n), kind=kind, region_code=None,
                      parent_uscc=parent_uscc, now=NOW, delivered=delivered)
    db.commit()
    return created


def scanner(db: Session, org_username: str, n: int = 1, *, authorise: bool = True, name: str = "李强") -> str:
    """A scanner of the organisation (whose admin username is its USCC); returns the phone number (the login)."""
    phone = f"138{n:08d}"
    add_scanner(db, org_uscc=org_username, phone=phone, name=name, id_number=id_number(500 + n), password=PASSWORD,
                authorise=authorise, now=NOW)
    db.commit()
    return phone


def person(db: Session, n: int = 1, *, name: str = "李斌", region: str | None = GULOU) -> Person:
    row = Person(id_number=id_number(n), name=name, initial_region_code=region, created_at=NOW)
    db.add(row)
    db.commit()
    return row


def issue(db: Session, resident: Person, now: datetime) -> Issued:
    issued = issue_for_person(db, ISSUING, resident, now)
    db.commit()
    return issued


def token(client: Any, username: str, password: str = PASSWORD) -> dict[str, str]:
    """The Authorization header of a fresh token."""
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def add_point(client: Any, headers: dict[str, str], region_code: str = GULOU, name: str = "东大街西角") -> int:
    response = client.post("/api/v1/checkpoint/points", headers=headers, json={
        "community": "软件园社区", "name": name, "address": "福州市鼓楼区软件大道89号", "region_code": region_code})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def scan(client: Any, headers: dict[str, str], point_id: int, code: str) -> Any:
    return client.post("/api/v1/checkpoint/scans", headers=headers, json={"point_id": point_id, "code": code})


def scanning(client: Any, db: Session) -> tuple[dict[str, str], int, Person]:
    """A unit's authorised scanner signed in (its API headers), a point it reported, and a resident: ready to scan."""
    admin = org(db, 1)
    phone = scanner(db, admin.username, 1)
    db.commit()
    headers = token(client, phone)
    point = add_point(client, headers)
    resident = person(db, 1)
    db.commit()
    return headers, point, resident


def bad_signature(qr_text: str) -> str:
    """The same token with the last byte of its signature changed."""
    cose = bytearray(zlib.decompress(base45.b45decode(qr_text[len(tokens.PREFIX):])))
    cose[-1] ^= 0x01
    return tokens.to_qr_text(bytes(cose))


def unknown_key(qr_text: str) -> str:
    """The same claims signed by a key the platform never published."""
    message = cbor2.loads(zlib.decompress(base45.b45decode(qr_text[len(tokens.PREFIX):])))
    claims = tokens.CodeClaims.from_map(cbor2.loads(message.value[2]))
    private = ed25519.Ed25519PrivateKey.generate()
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    stranger = keys.SigningMaterial(b"\x00" * 8, "EdDSA", OKPKey(crv=Ed25519, d=raw, x=public))
    return tokens.to_qr_text(tokens.sign(claims, stranger))


def wrong_check_digit(number_code: str) -> str:
    return number_code[:11] + str((int(number_code[11]) + 1) % 10)
