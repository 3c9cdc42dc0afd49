"""Row validation of every feed: ID check characters, dates, date-times, statuses, required columns, travel rules."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from healthcode.feeds.definitions import FEEDS
from healthcode.feeds.parsing import BadLine
from healthcode.feeds.validation import FeedValidator, RowError
from tests.feeds.files import bad_check, person_id

TODAY = date(2020, 2, 24)
ID = person_id(1)

VALID = {
    "cases": {"id_number": ID, "name": "李斌", "status": "confirmed", "reported_at": "2020-02-20T10:00:00+08:00"},
    "close_contacts": {"id_number": ID, "name": "李斌", "contact_date": "2020-02-20"},
    "travel": {"trip_id": "G1234", "mode": "train", "travel_date": "2020-02-20", "id_number": ID, "name": "李斌",
               "carriage": "05", "seat_row": "10"},
    "arrivals": {"id_number": ID, "name": "李斌", "origin": "湖北省武汉市", "arrived_on": "2020-02-20"},
    "closures": {"community": "软件园社区", "address": "福建省福州市鼓楼区软件园", "starts_on": "2020-02-20"},
    "households": {"id_number": ID, "name": "李斌", "address": "福建省福州市鼓楼区软件园社区3号楼"},
    "clinic_visits": {"record_id": "V1", "id_number": ID, "name": "李斌", "visited_at": "2020-02-20T23:30:00Z",
                      "department": "发热门诊"},
    "drug_purchases": {"record_id": "P1", "id_number": ID, "name": "李斌", "purchased_at": "2020-02-20 09:00",
                       "drug_code": "XN01"},
    "fever_drug_codes": {"drug_code": "XN01", "drug_name": "布洛芬"},
}


def convert(feed: str, **changes: object) -> tuple | list[RowError]:
    row = {**VALID[feed], **changes}
    return FeedValidator(FEEDS[feed], TODAY).convert(2, {k: v for k, v in row.items() if v is not None})


def errors(feed: str, **changes: object) -> list[tuple[str, str]]:
    out = convert(feed, **changes)
    assert isinstance(out, list), f"expected errors, got {out}"
    return [(e.column, e.reason) for e in out]


@pytest.mark.parametrize("feed", list(FEEDS))
def test_given_a_valid_row_of_each_feed_then_it_converts(feed: str) -> None:
    assert isinstance(convert(feed), tuple)


@pytest.mark.parametrize("feed", [f for f in FEEDS if "id_number" in VALID[f]])
def test_given_a_wrong_id_check_character_then_the_row_is_refused_in_chinese(feed: str) -> None:
    assert errors(feed, id_number=bad_check(ID)) == [("id_number", "身份证号校验码错误")]


@pytest.mark.parametrize("feed", list(FEEDS))
def test_given_each_required_column_empty_then_it_is_named(feed: str) -> None:
    for column in FEEDS[feed].required:
        assert errors(feed, **{column: "  "}) == [(column, "必填项为空")]


@pytest.mark.parametrize(("feed", "column"), [("close_contacts", "contact_date"), ("arrivals", "arrived_on"),
                                              ("closures", "starts_on"), ("travel", "travel_date")])
@pytest.mark.parametrize("value", ["2020-02-30", "2020/02/20", "20200220", "明天"])
def test_given_a_bad_date_then_the_format_is_explained(feed: str, column: str, value: str) -> None:
    assert errors(feed, **{column: value}) == [(column, "日期无效，格式应为YYYY-MM-DD")]


@pytest.mark.parametrize("value", ["2020-02-20", "2020-02-20T25:00", "yesterday"])
def test_given_a_bad_date_time_then_iso_8601_is_asked_for(value: str) -> None:
    assert errors("cases", reported_at=value)[0][0] == "reported_at"


def test_given_a_bad_status_then_the_accepted_values_are_listed() -> None:
    assert errors("cases", status="recovered") == [
        ("status", "状态应为 confirmed/suspected/cleared 或 确诊/疑似/排除")]


def test_given_chinese_aliases_then_they_are_stored_as_codes() -> None:
    assert convert("cases", status="疑似")[3] == "suspected"  # type: ignore[index]
    assert convert("travel", mode="飞机", carriage="")[2] == "flight"  # type: ignore[index]


def test_given_a_train_row_without_carriage_or_seat_row_then_both_are_named() -> None:
    assert errors("travel", carriage="", seat_row="") == [
        ("carriage", "火车乘坐记录必须填写车厢"), ("seat_row", "火车、飞机乘坐记录必须填写座位排号")]


def test_given_a_flight_without_seat_row_then_refused_but_a_bus_needs_neither() -> None:
    assert errors("travel", mode="flight", carriage="", seat_row="") == [
        ("seat_row", "火车、飞机乘坐记录必须填写座位排号")]
    assert isinstance(convert("travel", mode="大巴", carriage="", seat_row=""), tuple)


def test_given_a_seat_row_that_is_not_an_integer_then_refused() -> None:
    assert errors("travel", seat_row="十") == [("seat_row", "应为整数")]


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("0", False), ("是", True), ("否", False),
                                                 ("FALSE", False), (True, True)])
def test_given_booleans_in_any_accepted_spelling_then_they_convert(value: object, expected: bool) -> None:
    assert convert("arrivals", health_abnormal=value)[-1] is expected  # type: ignore[index]


@pytest.mark.parametrize("value", [None, "", "  "])
def test_given_no_health_abnormal_then_it_is_false_as_the_spec_says(value: object) -> None:
    """SPEC section 4: `health_abnormal` defaults to false (a missing column or an empty cell), never NULL."""
    assert convert("arrivals", health_abnormal=value)[-1] is False  # type: ignore[index]


def test_given_a_bad_boolean_then_refused() -> None:
    assert errors("arrivals", health_abnormal="maybe") == [("health_abnormal", "应为 true/false/1/0/是/否")]


def test_given_a_date_time_with_an_offset_then_it_is_stored_as_shanghai_local_time_with_its_day() -> None:
    row = convert("clinic_visits")  # 2020-02-20T23:30Z is 2020-02-21 07:30 in Shanghai
    assert isinstance(row, tuple)
    assert row[4] == datetime(2020, 2, 21, 7, 30) and row[-1] == date(2020, 2, 21)


def test_given_legacy_15_digit_and_lowercase_x_ids_then_they_are_normalised() -> None:
    assert convert("households", id_number="110105491231002")[0] == "11010519491231002X"  # type: ignore[index]
    assert convert("households", id_number="11010519491231002x")[0] == "11010519491231002X"  # type: ignore[index]


def test_given_an_id_born_after_today_then_refused() -> None:
    assert errors("households", id_number=person_id(1, born="20210101"))[0][0] == "id_number"


def test_given_a_text_longer_than_its_column_then_refused() -> None:
    assert errors("cases", name="李" * 65) == [("name", "内容过长（最多64个字符）")]


def test_given_a_household_then_county_and_normalised_address_are_derived() -> None:
    row = convert("households", address="福建省 福州市鼓楼区软件园社区３号楼")
    assert row[-2:] == ("350102", "软件园社区3号楼")  # type: ignore[index]


def test_given_a_closure_then_county_and_normalised_community_are_derived() -> None:
    row = convert("closures", community="鼓楼区软件园社区", region_code="350102")
    assert row[-2:] == ("350102", "软件园社区")  # type: ignore[index]


def test_given_rows_without_record_id_then_the_key_is_the_hash_of_the_required_values() -> None:
    first, again = convert("cases"), convert("cases", name=" 李斌 ")
    other = convert("cases", status="cleared")
    assert first[0] == again[0] != other[0] and len(first[0]) == 64  # type: ignore[index]
    assert convert("cases", record_id="NHC-1")[0] == "NHC-1"  # type: ignore[index]


def test_given_an_unreadable_json_line_then_the_whole_line_is_reported() -> None:
    out = FeedValidator(FEEDS["cases"], TODAY).convert(7, BadLine("JSON格式错误"))
    assert out == [RowError(7, "", "JSON格式错误")]


def test_given_a_header_without_a_required_column_then_line_1_names_it() -> None:
    validator = FeedValidator(FEEDS["households"], TODAY)
    assert validator.header_errors(["id_number", "name", "region_code"]) == [RowError(1, "address", "缺少必填列")]
