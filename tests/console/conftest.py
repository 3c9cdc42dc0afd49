"""A unit signed in to the console with 12 scans of the day before (some orange, some abnormal): the scan-record
pages' tests."""

from datetime import timedelta

import pytest

from tests.orgs.console_factories import NOW, add_scans, login, unit


@pytest.fixture
def signed_in(client, db, freeze):
    freeze(NOW + timedelta(days=1))
    a = unit(db, 1, "甲单位", person_name="王小五")
    add_scans(db, a, 12, orange_every=4, abnormal_every=6)
    assert login(client, a.created.username, a.created.password).status_code == 303
    return a
