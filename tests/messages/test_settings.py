"""The SMS gateway settings: an http(s) URL; in production https only, except to this machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from healthcode.config import Settings

PROD = {"env": "prod", "secret_key": "s" * 40, "oidc_issuer": "https://idp.example", "oidc_client_secret": "x" * 20}


@pytest.mark.parametrize("url", ["https://sms.example.gov.cn/send", "http://127.0.0.1:9000/sms", "http://[::1]/sms",
                                 "http://localhost:8080/sms"])
def test_production_takes_https_or_a_local_relay(url: str, tmp_path: Path) -> None:
    assert Settings(**PROD, data_dir=tmp_path, sms_gateway_url=url).sms_gateway_url == url


def test_production_refuses_plain_http_to_another_machine(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="必须使用 https"):
        Settings(**PROD, data_dir=tmp_path, sms_gateway_url="http://sms.example.gov.cn/send")


def test_development_takes_http_but_no_other_scheme(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path, sms_gateway_url="http://sms.lan/send").sms_gateway_url == "http://sms.lan/send"
    with pytest.raises(ValidationError, match="http 或 https"):
        Settings(data_dir=tmp_path, sms_gateway_url="ftp://sms.lan/")
    assert Settings(data_dir=tmp_path, sms_gateway_url="").sms_gateway_url is None  # empty: no gateway
