"""ID numbers: the check character, 15→18 conversion, area codes that are retired or newer than the birth date."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

from healthcode.common.ids import InvalidIdNumber, id_facts, normalize_id_number
from healthcode.common.masking import mask_id_number, mask_name


def with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def test_valid_number_with_lowercase_x_is_read_as_upper() -> None:
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"


def test_legacy_15_digit_number_becomes_18() -> None:
    assert normalize_id_number("110105491231002") == "11010519491231002X"


def test_wrong_check_character_is_refused_in_chinese() -> None:
    with pytest.raises(InvalidIdNumber, match="校验码"):
        normalize_id_number("110105194912310021")


@pytest.mark.parametrize("value", ["", "12345", "11010519491331002X", "1101051949123100XX", "ABCDEFGHIJKLMNOPQR"])
def test_malformed_numbers_are_refused(value: str) -> None:
    with pytest.raises(InvalidIdNumber):
        normalize_id_number(value)


def test_retired_area_code_is_accepted() -> None:
    # 350182 (长乐市) was retired in 2017 when it became 长乐区; its holders keep their numbers.
    assert normalize_id_number(with_check("35018219800101123")).startswith("350182")


def test_area_code_newer_than_birth_date_is_accepted() -> None:
    # 350112 (长乐区) exists since 2017; a person born in 1960 may hold a number issued after the change.
    number = with_check("35011219600101123")
    with pytest.raises(InvalidComponent):
        ric.validate(number)  # python-stdnum's own area rule refuses it …
    assert normalize_id_number(number) == number  # … the platform accepts it.


def test_birth_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidIdNumber, match="出生日期"):
        normalize_id_number(with_check("35010220990101123"), today=date(2026, 11, 26))


def test_facts_are_derived() -> None:
    facts = id_facts("11010519491231002X")
    assert facts.birth_date == date(1949, 12, 31) and facts.sex == "female" and facts.area_code == "110105"


AREAS = st.builds(lambda p, c: f"{p}{c:04d}", st.integers(11, 65), st.integers(1, 9999))


@given(
    area=AREAS,
    birth=st.dates(date(1900, 1, 1), date(2020, 12, 31)),
    order=st.integers(0, 999),
)
def test_every_number_with_its_check_character_is_accepted_and_any_other_refused(
    area: str, birth: date, order: int
) -> None:
    body = f"{area}{birth:%Y%m%d}{order:03d}"
    number = with_check(body)
    assert normalize_id_number(number) == number
    for wrong in "0123456789X":
        if wrong != number[-1]:
            with pytest.raises(InvalidIdNumber):
                normalize_id_number(body + wrong)


@given(area=AREAS, birth=st.dates(date(1900, 1, 1), date(1999, 12, 31)),
       order=st.integers(0, 999))
def test_15_digit_numbers_convert_to_the_18_digit_form(area: str, birth: date, order: int) -> None:
    legacy = f"{area}{birth:%y%m%d}{order:03d}"
    converted = normalize_id_number(legacy)
    assert converted[:6] == area and converted[6:14] == f"{birth:%Y%m%d}" and len(converted) == 18


@pytest.mark.parametrize(
    ("name", "masked"), [("李斌", "*斌"), ("李小明", "李*明"), ("欧阳小明", "欧**明"), ("李", "*")]
)
def test_name_masking(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_id_masking_as_in_the_seed() -> None:
    assert mask_id_number("350102199001011034") == "35*****034"
