"""One USCC rule (GB 32100, python-stdnum's check character) for every form that names a unit: each caller keeps its
own words and error code, but they accept and refuse the same codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from stdnum.cn import uscc as stdnum_uscc

from healthcode.common.uscc import InvalidUscc, compact_uscc, normalise_uscc
from healthcode.enterprise import operators, reports
from healthcode.errors import Forbidden, Invalid
from healthcode.orgs import service as orgs
from tests.enterprise.factories import enterprise, id_number, person, uscc_code

CODE = uscc_code(1)  # 91350100MA… with its check character
BAD = {
    "": "应为18位",
    CODE[:-1]: "应为18位",
    CODE + "1": "应为18位",
    CODE[:-1] + ("0" if CODE[-1] != "0" else "1"): "校验码错误",
    "A" + CODE[1:]: "前8位应为数字",
    CODE[:9] + "I" + CODE[10:]: "前8位应为数字",
}


@pytest.mark.parametrize("entered", [CODE, CODE.lower(), f" {CODE[:8]} {CODE[8:]} ", f"{CODE[:8]}-{CODE[8:]}"])
def test_a_valid_code_is_kept_upper_case_without_separators(entered: str) -> None:
    assert normalise_uscc(entered) == CODE == compact_uscc(entered)


@pytest.mark.parametrize("entered, reason", BAD.items())
def test_a_bad_code_is_refused_with_the_reason(entered: str, reason: str) -> None:
    assert not stdnum_uscc.is_valid(entered)
    with pytest.raises(InvalidUscc, match=reason):
        normalise_uscc(entered)


def test_nothing_entered_compacts_to_nothing() -> None:
    assert compact_uscc(None) == compact_uscc("") == "" and compact_uscc(" a-b ") == "AB"


@pytest.mark.parametrize("entered, reason", BAD.items())
def test_the_units_and_the_health_report_refuse_with_the_orgs_error(entered: str, reason: str) -> None:
    with pytest.raises(Invalid) as unit:
        orgs.normalise_uscc(entered)
    assert unit.value.code == "invalid_uscc" and unit.value.message.startswith(f"统一社会信用代码无效：{reason}")
    if entered:  # an empty employer is "no employer", not a bad one
        form = reports.ReportInput("36.5", ["无"], "350102", False, "日常上报", entered)
        with pytest.raises(Invalid) as report:
            reports.validate(form)
        assert (report.value.code, report.value.message) == (unit.value.code, unit.value.message)


@pytest.mark.parametrize("entered", [e for e in BAD if e])
def test_the_operators_association_refuses_the_same_codes_in_its_own_words(db: Any, entered: str) -> None:
    enterprise(db)
    with pytest.raises(Invalid) as refused:
        operators.associate(db, person(db, id_number(1)), "测试企业1", entered, datetime(2020, 2, 24, 9))
    assert refused.value.code == "invalid_uscc" and refused.value.message == "统一社会信用代码格式或校验位不正确"


def test_every_form_finds_the_unit_by_the_code_as_typed(db: Any) -> None:
    created = enterprise(db)
    typed = f"{CODE[:8].lower()} {CODE[8:].lower()}"
    assert orgs.normalise_uscc(typed) == CODE
    assert reports.validate(reports.ReportInput("36.5", ["无"], "350102", False, "日常上报", typed))[3] == CODE
    with pytest.raises(Forbidden) as associate:  # found, then refused: he is not its operator
        operators.associate(db, person(db, id_number(1)), "测试企业1", typed, datetime(2020, 2, 24, 9))
    assert associate.value.code == "not_operator" and created.username == CODE
