"""The public region-level API: levels in force and one county's level with its history."""

from __future__ import annotations

from datetime import datetime

from healthcode.regions.service import set_level


def test_levels_lists_the_policies_and_the_regions_above_level_0(db, client):
    set_level(db, "350203", 3, "指挥部", now=datetime(2020, 2, 20, 8, 0))
    db.commit()

    data = client.get("/api/v1/regions/levels").json()

    assert [entry["level_name"] for entry in data["levels"]] == [
        "无疫情区", "零星散发疫情区", "一般疫情区", "较多病例疫情区"]
    assert data["regions"] == [{"code": "350203", "name": "厦门市思明区", "level": 3, "level_name": "较多病例疫情区"}]


def test_one_region_shows_its_level_policy_and_history(db, client):
    set_level(db, "350102", 1, "指挥部", now=datetime(2020, 2, 20, 8, 0))
    db.commit()

    data = client.get("/api/v1/regions/350102").json()
    city = client.get("/api/v1/regions/350100")

    assert (data["full_name"], data["level"], data["policy_headline"]) == (
        "福建省福州市鼓楼区", 1, "阻断传播、追踪管理")
    assert data["history"] == [{"level": 1, "level_name": "零星散发疫情区", "set_by": "指挥部",
                                "set_at": "2020-02-20T08:00:00"}]
    assert city.status_code == 422 and city.json()["error"] == "invalid_region"
