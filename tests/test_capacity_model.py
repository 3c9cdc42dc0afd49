"""The capacity model's arithmetic (bench/capacity.py) on one scenario computed by hand, and docs/capacity.md holding
the table the script prints."""

from pathlib import Path

import pytest

from bench.capacity import Measured, Scenario, capacity, table

ROUND = Measured(refresh_server_ms=2.0, refresh_db_ms=0.5, page_open_server_ms=4.0, page_open_db_ms=1.0,
                 scan_server_ms=1.0, scan_db_ms=0.5, console_server_ms=10.0, console_db_ms=2.0,
                 refusal_ms=(0.1, 0.2, 0.4))


def test_one_scenario_by_hand():
    # 1,000,000 residents, 10% open, a 60 s code refreshed 10 s early: 100,000 pages / 50 s = 2,000 refreshes/s;
    # 1,000 scans/s, each after one page opening; 100 console pages/s; 50% utilisation.
    s = Scenario("hand", 0.10, 1_000, residents=1e6, console_pages_per_s=100, utilisation=0.5, measured=ROUND)

    c = capacity(s)

    assert c.rates == {"code": 3_000, "scan": 1_000, "console": 100}
    # code: 2,000 × 2 ms + 1,000 × 4 ms = 8 CPU-s/s → 16 cores at 50%; its database 2,000 × 0.5 + 1,000 × 1 = 2 → 4
    assert c.server == pytest.approx({"code": 16.0, "scan": 2.0, "console": 2.0})
    assert c.database == pytest.approx({"code": 4.0, "scan": 1.0, "console": 0.4})
    assert (c.server_total, c.database_total) == pytest.approx((20.0, 5.4))
    # 10× the peak: 9 × 4,100 = 36,900 refusals/s at 0.1 / 0.2 / 0.4 ms
    assert c.refusal_cores == pytest.approx((3.69, 7.38, 14.76))
    # headroom: half of 20 cores = 10 idle; one peak's refusals cost 0.41 / 0.82 / 1.64 cores
    assert c.absorbed == pytest.approx((1 + 10 / 0.41, 1 + 10 / 0.82, 1 + 10 / 1.64))


def test_the_doc_holds_the_scripts_table():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "capacity.md").read_text(encoding="utf-8")

    assert table() in doc, "docs/capacity.md is stale: run python -m bench.capacity --write"
