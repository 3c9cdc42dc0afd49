"""法人电话号码 (issue 14): the legal representative is reached by SMS (the verification code after registration, the
outcome of a USCC dispute), so the field takes a mobile number; a landline (区号-号码) is refused with a Chinese
message that says so and why, and nothing is created or changed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from healthcode.common.phones import is_landline
from healthcode.enterprise.models import EnterpriseProfile
from healthcode.orgs.models import Org
from tests.enterprise.factories import console_login, enterprise
from tests.enterprise.test_citizen_side import REGISTRATION


@pytest.mark.parametrize("entered", ["0591-87654321", "059187654321", "010-1234567", "0591 87654321",
                                     "0591-87654321-808"])
def test_landlines_as_people_write_them_are_recognised(entered: str) -> None:
    assert is_landline(entered)


@pytest.mark.parametrize("entered", ["13912345678", "123", "", "591-87654321", "0591-876543210123"])
def test_other_values_are_not_landlines(entered: str) -> None:
    assert not is_landline(entered)


def test_registration_with_a_landline_is_refused_saying_a_mobile_is_needed_and_why(client: Any, db: Any) -> None:
    page = client.post("/ent/register", data={**REGISTRATION, "legal_phone": "0591-87654321"})
    blank = client.post("/ent/register", data={**REGISTRATION, "legal_phone": " "})

    assert page.status_code == 422
    assert "0591-87654321 是固定电话，收不到短信。法人电话号码须填写法定代表人本人的手机号" in page.text
    assert "（11位，以13至19开头）" in page.text
    assert "注册后的法人验证码" in page.text and 'value="0591-87654321"' in page.text  # the form as typed
    assert blank.status_code == 422 and "请填写法人电话号码" in blank.text
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Org)) == 0


def test_the_profile_keeps_its_mobile_when_a_landline_is_entered(client: Any, db: Any) -> None:
    created = enterprise(db, 5)
    console_login(client, created)
    client.post("/ent/profile", data={"name": "测试企业5", "legal_name": "王法人", "legal_phone": "13900139000"})

    refused = client.post("/ent/profile", data={"name": "测试企业5", "legal_name": "王法人",
                                                "legal_phone": "0591-87654321"})

    assert refused.status_code == 422 and "是固定电话，收不到短信" in refused.text
    db.rollback()
    assert db.scalar(select(EnterpriseProfile.legal_phone)) == "13900139000"
