"""`healthcode demo`: the demo province builds on an empty database, its site starts, and it shows 账号获取 with a unit
whose password was delivered to nobody."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from healthcode.app import create_app
from healthcode.demo import RETRIEVING, build_demo
from tests.migrating import empty_database


def test_the_demo_builds_starts_and_lets_a_unit_retrieve_its_account(tmp_path: Path, settings: Any) -> None:
    with empty_database(tmp_path) as (engine, _):
        accounts = build_demo(engine, settings, base_url="http://127.0.0.1:8000/")
        listed = next(line for line in accounts.splitlines() if RETRIEVING[0] in line)
        assert RETRIEVING[1] in listed and "密码未发放" in listed
        assert "（在 http://127.0.0.1:8000/gov/retrieval 用单位名称和统一社会信用代码获取账号）" in listed
        with TestClient(create_app(settings, engine), client=("10.1.2.3", 50000)) as client:  # 政务信息网
            assert client.get("/citizen/").status_code == 200 and client.get("/gov/login").status_code == 200
            page = client.post("/gov/retrieval", data={"name": RETRIEVING[0], "uscc": RETRIEVING[1]})
            assert page.status_code == 200 and re.search(r'id="retrieved-password">[^<]+<', page.text), page.text
