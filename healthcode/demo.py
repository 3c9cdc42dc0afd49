"""The demo province: a fresh database with residents of every colour, the six feeds, units, scanners and levels.

Every record is dated relative to today, so the demo shows the same colours whichever day it runs.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from stdnum.cn import ric, uscc

from healthcode import clock
from healthcode.config import Settings
from healthcode.db import Base, migrate, transaction

PASSWORD = "Demo2020"


@dataclass(frozen=True)
class Resident:
    name: str
    id_number: str
    address: str
    note: str
    level: str = "L4"


def _id(area: str, birth: str, order: str) -> str:
    body = area + birth + order
    return body + ric.calc_check_digit(body + "0")


def _uscc(body: str) -> str:
    return body + uscc.calc_check_digit(body)


RESIDENTS = [
    Resident("张三", _id("350102", "19900101", "123"), "福建省福州市鼓楼区五四路88号", "绿码"),
    Resident("李小明", _id("350503", "19850315", "231"), "福建省泉州市丰泽区东湖街道10号", "橙码：确诊"),
    Resident("王五", _id("350203", "19781120", "342"), "福建省厦门市思明区中山路5号", "橙码：密切接触者"),
    Resident("赵六", _id("350104", "19920708", "451"), "福建省福州市仓山区上渡路12号",
             "橙码：同车厢前后三排（计算所得）"),
    Resident("陈七", _id("350121", "19880210", "562"), "福建省福州市闽侯县甘蔗街道1号", "橙码：疫情高发地区入闽"),
    Resident("林八", _id("350102", "19750505", "673"), "福建省福州市鼓楼区软件园社区3号楼", "橙码：封闭管理小区"),
    Resident("黄九", _id("350582", "19950909", "784"), "福建省泉州市晋江市青阳街道8号", "橙码：发热门诊"),
    Resident("欧阳小明", _id("350622", "19830612", "895"), "福建省漳州市云霄县云陵镇3号", "橙码：购买退烧药"),
    Resident("周一", _id("350102", "19991212", "016"), "福建省福州市鼓楼区东街1号", "实名等级 L3：不能申领", "L3"),
]
GOVERNMENT = ("福建省经济信息中心", _uscc("12350000MB0123456"), "350102")
SUPERIOR = ("福建省数字福建建设领导小组办公室", _uscc("11350000003591037"), "350102")
# A subordinate unit whose password is delivered to nobody (`org add --retrieve-on-page`): it fetches its account on
# the 账号获取 page, which the demo can so show.
RETRIEVING = ("福州市鼓楼区卫生健康局", _uscc("11350102MB0234567"), "350102")
RETRIEVAL_HINT = "（在 {base}gov/retrieval 用单位名称和统一社会信用代码获取账号）"
ENTERPRISE = ("泉州市示例科技有限公司", _uscc("91350503MA3123456"), "350503")
SCANNERS = [("13800000001", "李强", _id("350102", "19870101", "111"), True),
            ("13800000002", "刘洋", _id("350102", "19890202", "222"), False)]


def _write(folder: Path, feed: str, rows: list[dict[str, object]]) -> Path:
    path = folder / f"{feed}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def feed_rows() -> dict[str, list[dict[str, object]]]:
    today = clock.today()
    day = lambda n: (today - timedelta(days=n)).isoformat()  # noqa: E731
    r = {x.note.split("：")[-1]: x for x in RESIDENTS}
    case, computed = r["确诊"], r["同车厢前后三排（计算所得）"]
    return {
        "households": [{"id_number": x.id_number, "name": x.name, "address": x.address, "region_code": ""}
                       for x in RESIDENTS],
        "cases": [{"id_number": case.id_number, "name": case.name, "status": "确诊",
                   "reported_at": f"{day(2)}T10:00:00", "record_id": "NHC-0001"}],
        "close_contacts": [{"id_number": r["密切接触者"].id_number, "name": r["密切接触者"].name,
                            "contact_date": day(5), "case_id_number": case.id_number, "record_id": "NHC-C-0001"}],
        "travel": [
            {"trip_id": "D3101", "mode": "火车", "travel_date": day(4), "id_number": case.id_number,
             "name": case.name, "carriage": "05", "seat_row": 10, "record_id": "T-1"},
            {"trip_id": "D3101", "mode": "火车", "travel_date": day(4), "id_number": computed.id_number,
             "name": computed.name, "carriage": "05", "seat_row": 12, "record_id": "T-2"},
            {"trip_id": "D3101", "mode": "火车", "travel_date": day(4), "id_number": RESIDENTS[0].id_number,
             "name": RESIDENTS[0].name, "carriage": "05", "seat_row": 14, "record_id": "T-3"},
        ],
        "arrivals": [{"id_number": r["疫情高发地区入闽"].id_number, "name": r["疫情高发地区入闽"].name,
                      "origin": "湖北省武汉市", "arrived_on": day(3), "health_abnormal": "否"}],
        "closures": [{"community": "软件园社区", "address": "福建省福州市鼓楼区软件园社区", "starts_on": day(6),
                      "ends_on": (today + timedelta(days=8)).isoformat(), "region_code": "350102",
                      "source": "鼓楼区疫情防控指挥部公告"}],
        "clinic_visits": [{"record_id": "HIS-1", "id_number": r["发热门诊"].id_number, "name": r["发热门诊"].name,
                           "visited_at": f"{day(1)}T09:30:00", "department": "发热门诊",
                           "institution": "晋江市医院"}],
        "fever_drug_codes": [{"drug_code": "XN02BEB00001", "drug_name": "对乙酰氨基酚片"},
                             {"drug_code": "XM01AEB00002", "drug_name": "布洛芬缓释胶囊"}],
        "drug_purchases": [{"record_id": "YB-1", "id_number": r["购买退烧药"].id_number,
                            "name": r["购买退烧药"].name, "purchased_at": f"{day(6)}T15:20:00",
                            "drug_code": "XM01AEB00002", "drug_name": "布洛芬缓释胶囊", "institution": "云霄县医院"}],
    }


def build_demo(engine: Engine, settings: Settings, base_url: str = "http://127.0.0.1:8000/") -> str:
    """Builds the demo province in the (emptied) database and returns the accounts to print."""
    if settings.env == "prod":
        raise RuntimeError("生产环境不能建立演示数据")
    import healthcode.models  # noqa: F401
    from healthcode.checkpoints.service import add_scanner
    from healthcode.feeds.service import add_provider, load_file
    from healthcode.identity.devprovider import add_dev_account
    from healthcode.orgs.service import add_org
    from healthcode.regions.service import set_level

    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    migrate(engine)
    folder = settings.data_dir / "demo-feeds"
    folder.mkdir(parents=True, exist_ok=True)
    for feed, rows in feed_rows().items():
        load_file(engine, settings, feed, _write(folder, feed, rows), operator="demo")
    lines = ["", f"八闽健康码演示省份已建立。网址 {base_url}", "",
             f"居民（{base_url}citizen/ ，闽政通开发身份平台登录，密码均为 {PASSWORD}）："]
    with transaction(engine) as session:
        for x in RESIDENTS:
            add_dev_account(session, x.id_number, x.name, PASSWORD, level=x.level)
            lines.append(f"  {x.name:<6} {x.id_number}  {x.note}")
        for code, level in (("350102", 1), ("420106", 3), ("350503", 2)):
            set_level(session, code, level, operator="demo")
        superior = add_org(session, name=SUPERIOR[0], uscc=SUPERIOR[1], kind="government", region_code=SUPERIOR[2],
                           parent_uscc=None)
        unit = add_org(session, name=GOVERNMENT[0], uscc=GOVERNMENT[1], kind="government", region_code=GOVERNMENT[2],
                       parent_uscc=SUPERIOR[1])
        company = add_org(session, name=ENTERPRISE[0], uscc=ENTERPRISE[1], kind="enterprise",
                          region_code=ENTERPRISE[2], parent_uscc=None)
        lines += ["", f"单位管理员（政府端 {base_url}gov/ 、企业端 {base_url}ent/ 、接口 /api/v1/auth/token）："]
        for (name, code, _), created in ((SUPERIOR, superior), (GOVERNMENT, unit), (ENTERPRISE, company)):
            lines.append(f"  {name}（{code}）  用户名 {created.username}  密码 {created.password}")
        add_org(session, name=RETRIEVING[0], uscc=RETRIEVING[1], kind="government", region_code=RETRIEVING[2],
                parent_uscc=SUPERIOR[1], delivered=False)
        lines.append(f"  {RETRIEVING[0]}（{RETRIEVING[1]}）  密码未发放{RETRIEVAL_HINT.format(base=base_url)}")
        lines += ["", f"扫码员（{base_url}scanner/ ，单位：{GOVERNMENT[0]}，密码均为 {PASSWORD}）："]
        for phone, name, id_number, authorised in SCANNERS:
            add_scanner(session, org_uscc=GOVERNMENT[1], phone=phone, name=name, id_number=id_number,
                        password=PASSWORD, authorise=authorised)
            lines.append(f"  {phone}  {name}  {'已授权' if authorised else '待授权'}")
        key = add_provider(session, "国家卫健委", ["cases", "close_contacts", "travel"]).api_key
        lines += ["", "数据提供方（X-API-Key）：", f"  国家卫健委  {key}", ""]
    return "\n".join(lines)
