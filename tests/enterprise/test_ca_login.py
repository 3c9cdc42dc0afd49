"""通过 CA 登录: a client certificate passed by the TLS proxy signs the enterprise's admin in when it was issued by the
configured CA, is valid now and names a registered enterprise's USCC; anything else is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient

from healthcode.app import create_app
from tests.enterprise.factories import enterprise, uscc_code

NOW = datetime(2020, 2, 24, 1, 0, tzinfo=UTC)


def _ca(name: str) -> tuple[Any, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(1).not_valid_before(NOW - timedelta(days=365)).not_valid_after(NOW + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(key, hashes.SHA256()))
    return key, cert


def _client_cert(ca: tuple[Any, x509.Certificate], uscc: str, *, days: int = 30) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试企业1"),
                         x509.NameAttribute(NameOID.SERIAL_NUMBER, uscc)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca[1].subject).public_key(key.public_key())
            .serial_number(2).not_valid_before(NOW - timedelta(days=60)).not_valid_after(NOW + timedelta(days=days))
            .sign(ca[0], hashes.SHA256()))
    return quote(cert.public_bytes(serialization.Encoding.PEM).decode())


@pytest.fixture
def ca(tmp_path: Path) -> Any:
    authority = _ca("测试CA")
    (tmp_path / "ca.pem").write_bytes(authority[1].public_bytes(serialization.Encoding.PEM))
    return authority


def ca_app(engine: Any, settings: Any, tmp_path: Path, **more: Any) -> TestClient:
    """An app whose settings name the test CA's certificate (HEALTHCODE_ENT_CA_FILE)."""
    return TestClient(create_app(settings.model_copy(update={"ent_ca_file": tmp_path / "ca.pem", **more}), engine))


@pytest.fixture
def client(engine: Any, settings: Any, tmp_path: Path, ca: Any) -> Iterator[TestClient]:
    with ca_app(engine, settings, tmp_path) as test_client:
        yield test_client


def _login(client: Any, pem: str, header: str = "X-SSL-Client-Cert") -> Any:
    return client.get("/ent/ca-login", headers={header: pem})


def test_a_certificate_of_the_configured_ca_signs_the_enterprise_in(client: Any, db: Any, freeze: Any,
                                                                    ca: Any) -> None:
    freeze("2020-02-24 09:00")
    enterprise(db, 1)
    page = _login(client, _client_cert(ca, uscc_code(1)))
    assert page.status_code == 200 and str(page.url).endswith("/ent/") and "企业看板" in page.text


def test_the_proxy_header_is_a_setting(engine: Any, settings: Any, tmp_path: Path, db: Any, freeze: Any,
                                       ca: Any) -> None:
    freeze("2020-02-24 09:00")
    enterprise(db, 1)
    pem = _client_cert(ca, uscc_code(1))
    with ca_app(engine, settings, tmp_path, ent_ca_header="X-Client-Cert") as client:
        assert _login(client, pem).status_code == 401  # the default header is not read
        page = _login(client, pem, "X-Client-Cert")
    assert page.status_code == 200 and "企业看板" in page.text


def test_refusals(client: Any, db: Any, freeze: Any, ca: Any) -> None:
    freeze("2020-02-24 09:00")
    enterprise(db, 1)
    cases = [
        (_client_cert(_ca("别的CA"), uscc_code(1)), 401, "不是由认可的证书机构签发"),
        (_client_cert(ca, uscc_code(1), days=-1), 401, "不在有效期内"),
        (_client_cert(ca, uscc_code(2)), 404, "尚未注册"),
        ("garbage", 401, "无法读取CA证书"),
    ]
    for pem, status, message in cases:
        page = _login(client, pem)
        assert page.status_code == status and message in page.text, (status, page.text)
    assert client.get("/ent/", follow_redirects=False).status_code == 303  # still signed out
    assert client.get("/ent/ca-login").status_code == 401


def test_without_a_configured_ca_the_login_is_off(engine: Any, settings: Any) -> None:
    with TestClient(create_app(settings.model_copy(update={"ent_ca_file": None}), engine)) as client:
        assert client.get("/ent/ca-login").status_code == 404
