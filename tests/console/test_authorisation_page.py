"""授权管理 (issue 14): an authorisation answers the row and the tabs' counts together (htmx swaps the counts out of
band), and every 操作人 of the console reads as a unit or 系统（命令行）, not as `cli` or a raw USCC."""

from __future__ import annotations

import re

from healthcode.orgs import operators
from tests.orgs.console_factories import NOW, login, unit

HTMX = {"HX-Request": "true"}


def _counts(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'<span id="scanner-count-(\w+)"[^>]*>(\d+)</span>', html)}


def test_an_authorisation_answers_the_row_and_the_tabs_counts_out_of_band(client, db, freeze):
    freeze(NOW)
    a = unit(db, 1, "甲单位")
    login(client, a.created.username, a.created.password)

    page = client.get("/gov/scanners", params={"status": "pending"})
    approved = client.post(f"/gov/scanners/{a.scanner_ids[1]}/authorise", headers=HTMX)
    revoked = client.post(f"/gov/scanners/{a.scanner_ids[0]}/revoke", headers=HTMX)

    assert _counts(page.text) == {"pending": 1, "authorised": 1, "revoked": 0}
    assert _counts(approved.text) == {"pending": 0, "authorised": 2, "revoked": 0}
    assert _counts(revoked.text) == {"pending": 0, "authorised": 1, "revoked": 1}
    # The counts ride in a <template> after the row, each marked for an out-of-band swap.
    assert approved.text.lstrip().startswith(f'<tr id="scanner-{a.scanner_ids[1]}">')
    assert '<template><span id="scanner-count-pending" hx-swap-oob="true">0</span>' in approved.text
    assert "<html" not in approved.text


def test_the_operator_reads_as_the_unit_or_the_command_line(client, db, freeze):
    freeze(NOW)
    a = unit(db, 1, "甲单位")  # 李强 was authorised by `healthcode scanner add --authorise` (stored: cli)
    login(client, a.created.username, a.created.password)
    client.post(f"/gov/scanners/{a.scanner_ids[1]}/authorise")

    table = client.get("/gov/scanners").text.split('id="scanners"')[1]

    rows = {m[0]: m[1] for m in re.findall(r">(李强|赵六)</a>.*?status-\w+\">[^<]*</td><td>([^<]*)</td>", table, re.S)}
    assert rows == {"李强": "系统（命令行）", "赵六": "甲单位（管理员）"}
    assert ">cli<" not in table and a.created.username not in table


def test_a_superiors_reset_and_an_export_name_the_unit_not_its_uscc(client, db, freeze):
    freeze(NOW)
    top = unit(db, 1, "区指挥部")
    child = unit(db, 2, "街道办", parent=top, delivered=False)
    login(client, top.created.username, top.created.password)
    assert client.post("/gov/units/reset-password", data={"uscc": child.created.username}).status_code == 200
    client.get("/gov/records/export")

    units = client.get("/gov/units")
    exports = client.get("/gov/exports")

    resets = units.text.split('id="resets"')[1]
    assert "区指挥部（管理员）" in resets and top.created.username not in resets
    log = exports.text.split('id="export-log"')[1]
    assert "区指挥部（管理员）" in log and top.created.username not in log


def test_labels_leave_an_unknown_value_and_an_operators_own_label_as_they_are(db):
    a = unit(db, 1, "甲单位")

    labels = operators.labels(db, ["cli", "demo", a.created.username, "91350100M000100Y0X", "张*（35*****034）",
                                   None, ""])

    assert labels == {"cli": "系统（命令行）", "demo": "系统（演示数据）", a.created.username: "甲单位（管理员）",
                      "91350100M000100Y0X": "91350100M000100Y0X", "张*（35*****034）": "张*（35*****034）"}
