"""扫码记录 (issue 14): 批量导出 and 打印 follow the filter of the table shown (htmx swaps them with the table), and a
refused filter shows its Chinese reason in place while the list shown stays."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.orgs.console_factories import NOW, add_scans, login, unit

HTMX = {"HX-Request": "true", "HX-Target": "records"}


@pytest.fixture
def signed_in(client, db, freeze):
    freeze(NOW + timedelta(days=1))
    a = unit(db, 1, "甲单位", person_name="王小五")
    add_scans(db, a, 12, orange_every=4, abnormal_every=6)
    assert login(client, a.created.username, a.created.password).status_code == 303
    return a


def test_the_swapped_table_carries_an_export_form_of_its_own_filter(client, signed_in):
    response = client.get("/gov/records", params={"color": "orange", "start": "2020-02-24"}, headers=HTMX)

    assert 'id="export-form"' in response.text
    assert '<input type="hidden" name="color" value="orange">' in response.text
    assert '<input type="hidden" name="start" value="2020-02-24">' in response.text


def test_a_start_after_the_end_answers_the_reason_alone_for_htmx(client, signed_in):
    response = client.get("/gov/records", params={"start": "2020-02-25", "end": "2020-02-24"}, headers=HTMX)

    assert response.status_code == 422
    assert 'id="records-error"' in response.text and "开始时间不能晚于结束时间" in response.text
    assert "<table" not in response.text and "<html" not in response.text


def test_a_start_after_the_end_shows_the_form_as_typed_and_the_reason_on_a_plain_request(client, signed_in):
    response = client.get("/gov/records", params={"start": "2020-02-25", "end": "2020-02-24"})

    assert response.status_code == 422
    assert "开始时间不能晚于结束时间" in response.text and 'id="record-filters"' in response.text
    assert 'value="2020-02-25"' in response.text and "<table" not in response.text
