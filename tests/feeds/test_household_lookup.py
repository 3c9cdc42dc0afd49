"""One look-up of a person's household (feeds.repository.household). The households feed has no key, so a snapshot
may name one ID number twice (registered at two addresses, or listed twice): every reader — the registry, family
codes, the initial region, the scan path's compiled statement and the console — takes the same row, the newest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from healthcode.checkpoints import repository as checkpoints
from healthcode.console import records
from healthcode.console import repository as console
from healthcode.feeds import repository as feeds
from healthcode.feeds.service import load_file
from healthcode.orgs.repository import admin_account_of
from healthcode.residents import family_repository, home_region
from healthcode.residents import repository as residents
from healthcode.residents.service import get_registered
from healthcode.web.console import ConsoleUser
from tests.checkpoints.factories import id_number
from tests.feeds.files import stored, write
from tests.orgs.console_factories import NOW, add_scans, unit

FUZHOU, XIAMEN = "福建省福州市鼓楼区软件园社区3号楼", "福建省厦门市思明区莲前街道1号"
GULOU, SIMING = "350102", "350203"


def _two_rows_each(engine: Any, settings: Any, tmp_path: Path, resident: str, relative: str, newcomer: str) -> None:
    rows = [[resident, "王小五", FUZHOU, ""], [relative, "王大五", XIAMEN, ""], [resident, "王小五", XIAMEN, ""],
            [newcomer, "陈旧名", FUZHOU, ""], [newcomer, "陈新名", XIAMEN, ""]]
    report = load_file(engine, settings, "households",
                       write(tmp_path, "h.csv", ["id_number", "name", "address", "region_code"], rows))
    assert report.status == "applied" and report.applied == 5


def test_given_an_id_number_twice_in_the_snapshot_then_every_reader_takes_the_newest_row(
        db: Any, engine: Any, settings: Any, tmp_path: Path) -> None:
    u = unit(db, 1, "鼓楼区卫健局")  # its resident is id_number(11), seen at its points
    resident, relative, newcomer = id_number(11), id_number(12), id_number(13)
    _two_rows_each(engine, settings, tmp_path, resident, relative, newcomer)
    # The snapshot keeps both rows: it has no key to refuse or merge them.
    assert [r for r in stored(engine, "households", "id_number", "county_code") if r[0] == resident] == [
        (resident, GULOU), (resident, SIMING)]

    newest = feeds.household(db, resident)
    assert newest is not None and (newest.address, newest.county_code) == (XIAMEN, SIMING)
    person = residents.person_by_id_number(db, resident)
    assert person is not None and person.id == u.person_ids[0]

    # residents: family codes and the initial region
    assert family_repository.household_county(db, resident) == SIMING == home_region.household_region(db, person)
    assert family_repository.same_household(db, resident, relative)
    assert family_repository.household_name(db, newcomer) == "陈新名"
    # residents: the registry creates someone known only from the feed from the same row
    registered = get_registered(db, newcomer, NOW)
    assert registered is not None and (registered.name, registered.initial_region_code) == ("陈新名", SIMING)
    assert residents.person_id_by_id_number(db, newcomer) == registered.id

    # checkpoints: the scan path's compiled statement
    assert checkpoints.person_for_scan(db, person.id).household_county == SIMING

    # console: the records' community column and the resident's page
    scan_id = add_scans(db, u, 1)[0]
    assert console.scan_record(db, u.org_id, scan_id).home == newest.address_norm
    account = admin_account_of(db, u.org_id)
    assert account is not None
    admin = ConsoleUser(account.id, account.username, u.org_id, u.name, u.created.username, "government", None,
                        False, False)
    view = records.view_person(db, admin, person.id, records.PURPOSES[0])
    assert view["person"]["household"] == XIAMEN
