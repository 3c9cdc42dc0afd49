"""Every applied feed batch appends one `feed.batch` ledger entry in the batch's own transaction (issue 16): the CLI's
file, the provider's upload and the realtime record alike; a rejected or duplicate batch appends nothing, and a batch
that fails after its rows were written leaves neither rows nor entry."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from healthcode import cli
from healthcode.feeds import loader
from healthcode.ledger.models import LedgerEntry
from healthcode.ledger.service import verify
from tests.feeds.files import bad_check, batches, person_id, stored, write_csv
from tests.feeds.test_api import CSV, provider, upload

HEADER = ["id_number", "name", "address", "region_code"]
A = person_id(1)


def entries(engine) -> list[LedgerEntry]:
    with Session(engine) as session:
        return list(session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)))


@pytest.fixture
def run(cli_engine):
    runner = CliRunner()
    return lambda *args: runner.invoke(cli.app, list(args))


def test_given_a_file_loaded_by_the_cli_then_one_entry_for_the_whole_batch(run, engine, tmp_path) -> None:
    rows = [[person_id(n), "李斌", "福建省福州市鼓楼区软件园", ""] for n in range(1, 6)]
    path = write_csv(tmp_path, "h.csv", HEADER, rows)
    result = run("feed", "load", "households", str(path), "--json")
    assert result.exit_code == 0, result.output
    [entry] = entries(engine)
    [batch] = batches(engine)
    assert (entry.kind, entry.actor, entry.id_number, entry.ref_table, entry.ref_id) == (
        "feed.batch", "系统（命令行）", None, "feed_batches", batch.id)
    assert json.loads(entry.body) == {"feed": "households", "batch": batch.id, "provider": None,
                                      "sha256": batch.sha256, "rows": 5}
    assert run("feed", "load", "households", str(path), "--json").exit_code == 0  # duplicate: nothing applied
    assert len(entries(engine)) == 1
    with Session(engine) as session:
        assert verify(session).ok


def test_given_a_rejected_batch_then_no_entry(run, engine, tmp_path) -> None:
    path = write_csv(tmp_path, "h.csv", HEADER, [[A, "李斌", "x", ""], [bad_check(person_id(2)), "王芳", "x", ""]])
    assert run("feed", "load", "households", str(path), "--json").exit_code == 1
    assert [b.status for b in batches(engine)] == ["rejected"]
    assert entries(engine) == []


def test_given_a_batch_that_fails_after_its_entry_then_neither_rows_nor_entry_stay(engine, settings, tmp_path,
                                                                                   monkeypatch) -> None:
    from healthcode.feeds.service import load_file

    real = loader.ledger_entry.batch_applied

    def append_then_die(*args, **kwargs):
        real(*args, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(loader.ledger_entry, "batch_applied", append_then_die)
    path = write_csv(tmp_path, "h.csv", HEADER, [[A, "李斌", "x", ""]])
    with pytest.raises(OSError):
        load_file(engine, settings, "households", path)
    assert stored(engine, "households", "id") == [] and entries(engine) == []


def test_given_provider_uploads_and_realtime_records_then_each_batch_appends_once(client, engine) -> None:
    created = provider(engine)
    assert upload(client, created.api_key).status_code == 200
    assert upload(client, created.api_key).json()["status"] == "duplicate"
    record = {"id_number": A, "name": "李斌", "status": "疑似", "reported_at": "2020-02-20T10:00:00+08:00",
              "record_id": "NHC-7"}
    assert client.post("/api/v1/feeds/cases/records", headers={"X-API-Key": created.api_key},
                       json=record).status_code == 201
    bad = client.post("/api/v1/feeds/cases/records", headers={"X-API-Key": created.api_key},
                      json=record | {"status": "不知道"})
    assert bad.status_code == 422
    applied = [b for b in batches(engine) if b.status == "applied"]
    found = entries(engine)
    assert [(e.kind, e.actor, e.ref_id) for e in found] == [("feed.batch", "国家卫健委（数据接口）", b.id)
                                                           for b in applied]
    assert [json.loads(e.body)["rows"] for e in found] == [1, 1]
    assert all(json.loads(e.body)["provider"] == created.id for e in found)
    assert CSV.decode() not in "".join(e.body for e in found)
