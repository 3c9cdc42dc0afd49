"""The demo province: a fresh database with residents of every colour, the six feeds, units, scanners and levels.

Every record is dated relative to today, so the demo shows the same colours whichever day it runs.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from stdnum.cn import ric, uscc

from healthcode import clock
from healthcode.config import Settings
from healthcode.db import Base, migrate, transaction
from healthcode.demo_history import HISTORY_DAYS, Point, Site, Summary, build_history
from healthcode.demo_people import Resident as Person
from healthcode.demo_people import crowd, flag_rows, household_rows

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
# The health authority (疫情防控指挥部): the demo's app names it in `authority_usccs` (demo_settings).
AUTHORITY = ("福建省疫情防控指挥部办公室", _uscc("11350000MB0345678"), "350102")
ENTERPRISE = ("泉州市示例科技有限公司", _uscc("91350503MA3123456"), "350503")
# The enterprise's 经办人: signs in to /ent/ by real name (个人实名认证登录), added in its 经办人管理.
OPERATOR = Resident("吴丽华", _id("350503", "19860418", "128"), "福建省泉州市丰泽区刺桐路66号",
                    f"绿码；{ENTERPRISE[0]}经办人")
ACCOUNTS = [*RESIDENTS, OPERATOR]  # each with an account on the development identity provider
# (phone, name, ID number, authorised, unit)
SCANNERS = [("13800000001", "李强", _id("350102", "19870101", "111"), True, GOVERNMENT),
            ("13800000002", "刘洋", _id("350102", "19890202", "222"), False, GOVERNMENT),
            ("13800000003", "陈静", _id("350102", "19910303", "332"), True, GOVERNMENT),
            ("13800000004", "郑伟", _id("350102", "19840404", "441"), True, RETRIEVING),
            ("13800000005", "黄丽", _id("350102", "19900505", "552"), True, SUPERIOR),
            ("13800000006", "林峰", _id("350102", "19820606", "661"), True, AUTHORITY)]
SITES = (
    Site(GOVERNMENT[1], staff=90, visitors=14, points=(
        Point("东街社区", "经济信息中心正门", "福州市鼓楼区东街8号", "350102", "13800000001", 0.7),
        Point("东街社区", "经济信息中心东门", "福州市鼓楼区东街8号东侧", "350102", "13800000003", 0.3))),
    Site(RETRIEVING[1], staff=45, visitors=10, points=(
        Point("鼓西街道", "鼓楼区卫健局大门", "福州市鼓楼区鼓屏路108号", "350102", "13800000004", 1.0),)),
    Site(SUPERIOR[1], staff=35, visitors=6, points=(
        Point("华大街道", "数字福建办大门", "福州市鼓楼区北环西路18号", "350102", "13800000005", 1.0),)),
    Site(AUTHORITY[1], staff=30, visitors=8, points=(
        Point("温泉街道", "指挥部办公楼入口", "福州市鼓楼区湖东路168号", "350102", "13800000006", 1.0),)),
)
# (region, level, days ago): every level of SPEC section 7 in force somewhere, and a county with a history.
CROWD = crowd(tuple(site.staff for site in SITES))
REGION_LEVELS = [("350582", 2, 20), ("350582", 1, 10), ("350582", 0, 3), ("350203", 1, 15), ("350102", 1, 6),
                 ("350503", 2, 5), ("420106", 3, 25)]


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
    history = flag_rows(CROWD, today)
    households: list[dict[str, object]] = [{"id_number": x.id_number, "name": x.name, "address": x.address,
                                            "region_code": ""} for x in ACCOUNTS]
    return {
        "households": households + household_rows(CROWD),
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
                           "institution": "晋江市医院"}, *history["clinic_visits"]],
        "fever_drug_codes": [{"drug_code": "XN02BEB00001", "drug_name": "对乙酰氨基酚片"},
                             {"drug_code": "XM01AEB00002", "drug_name": "布洛芬缓释胶囊"}],
        "drug_purchases": [{"record_id": "YB-1", "id_number": r["购买退烧药"].id_number,
                            "name": r["购买退烧药"].name, "purchased_at": f"{day(6)}T15:20:00",
                            "drug_code": "XM01AEB00002", "drug_name": "布洛芬缓释胶囊", "institution": "云霄县医院"},
                           *history["drug_purchases"]],
    }


def demo_settings(settings: Settings) -> Settings:
    """The settings the demo's app runs on: the environment's, with the demo's health authority named."""
    return settings.model_copy(update={"authority_usccs": [*settings.authority_usccs, AUTHORITY[1]]})


def build_demo(engine: Engine, settings: Settings, base_url: str = "http://127.0.0.1:8000/") -> str:
    """Builds the demo province in the (emptied) database and returns the accounts to print."""
    if settings.env == "prod":
        raise RuntimeError("生产环境不能建立演示数据")
    import healthcode.models  # noqa: F401
    from healthcode.checkpoints import partitions
    from healthcode.feeds.service import add_provider, load_file

    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    migrate(engine)
    folder = settings.data_dir / "demo-feeds"
    folder.mkdir(parents=True, exist_ok=True)
    for feed, rows in feed_rows().items():
        load_file(engine, settings, feed, _write(folder, feed, rows), operator="demo")
    lines = ["", f"八闽健康码演示省份已建立。网址 {base_url}", ""]
    with transaction(engine) as session:
        lines += _residents(session, base_url)
        lines += _units(session, base_url)
        lines += _scanners(session, base_url)
        history = _history(session, settings)
        key = add_provider(session, "国家卫健委", ["cases", "close_contacts", "travel"]).api_key
    partitions.prepare_for(engine, settings)  # PostgreSQL: the history's days moved out of DEFAULT, a week ahead
    lines += ["", f"演示数据（近 {HISTORY_DAYS} 天，日期随今天）：扫码 {history.scans} 条（扫码记录保留 "
              f"{settings.scan_retention_days} 天，现存 {history.kept_scans} 条；数据报表含全部 {HISTORY_DAYS} 天），"
              f"{ENTERPRISE[0]} {history.employees} 名员工的健康上报 {history.reports} 份，"
              f"提醒上报 {history.reminders} 人次。",
              "", "数据提供方（X-API-Key）：", f"  国家卫健委  {key}", ""]
    return "\n".join(lines)


def _residents(session: Session, base_url: str) -> list[str]:
    from healthcode.identity.devprovider import add_dev_account

    lines = [f"居民（{base_url}citizen/ ，闽政通开发身份平台登录，密码均为 {PASSWORD}）："]
    for x in ACCOUNTS:
        add_dev_account(session, x.id_number, x.name, PASSWORD, level=x.level)
        lines.append(f"  {x.name:<6} {x.id_number}  {x.note}")
    return lines


def _units(session: Session, base_url: str) -> list[str]:
    from healthcode.enterprise.operators import add_operator
    from healthcode.orgs.service import add_org
    from healthcode.orgs.users import add_user
    from healthcode.regions.service import set_level

    now = clock.now()
    for code, level, days_ago in REGION_LEVELS:
        set_level(session, code, level, operator="演示数据", now=now - timedelta(days=days_ago))
    made = {}
    for (name, code, region), parent, note in (
            (SUPERIOR, None, f"上级单位：数据报表汇总下级单位 {GOVERNMENT[0]}、{RETRIEVING[0]}"),
            (GOVERNMENT, SUPERIOR, f"下级单位（上级：{SUPERIOR[0]}）"),
            (AUTHORITY, None, "卫生健康主管部门（疫情防控指挥部）：疫情区等级、退烧药目录、数据源看板、短信投递、"
                              "人工标记、具名用户"),
            (ENTERPRISE, None, "企业")):
        made[code] = (add_org(session, name=name, uscc=code, kind="enterprise" if code == ENTERPRISE[1]
                              else "government", region_code=region, parent_uscc=parent[1] if parent else None), note)
    lines = ["", f"单位管理员（政府端 {base_url}gov/ 、企业端 {base_url}ent/ 、接口 /api/v1/auth/token）："]
    for code, (created, note) in made.items():
        name = next(u[0] for u in (SUPERIOR, GOVERNMENT, AUTHORITY, ENTERPRISE) if u[1] == code)
        lines += [f"  {name}（{code}）  用户名 {created.username}  密码 {created.password}", f"      {note}"]
    reviewer = add_user(session, made[AUTHORITY[1]][0].org_id, username="shenhe1", name="审核员一", now=now)
    lines.append(f"  {AUTHORITY[0]}的审核人员  用户名 {reviewer.username}  密码 {reviewer.password}（首次登录须修改）"
                 "：人工标记须由两位用户分别提出和审核")
    add_org(session, name=RETRIEVING[0], uscc=RETRIEVING[1], kind="government", region_code=RETRIEVING[2],
            parent_uscc=SUPERIOR[1], delivered=False)
    lines.append(f"  {RETRIEVING[0]}（{RETRIEVING[1]}）  密码未发放{RETRIEVAL_HINT.format(base=base_url)}")
    add_operator(session, made[ENTERPRISE[1]][0].org_id, OPERATOR.name, OPERATOR.id_number, by="demo", now=now)
    return lines + ["", f"企业经办人（{base_url}ent/ 【个人实名认证登录】，闽政通开发身份平台，密码 {PASSWORD}）：",
                    f"  {OPERATOR.name}  {OPERATOR.id_number}  {ENTERPRISE[0]}"]


def _scanners(session: Session, base_url: str) -> list[str]:
    from healthcode.checkpoints.service import add_scanner

    lines = ["", f"扫码员（{base_url}scanner/ ，密码均为 {PASSWORD}）："]
    for phone, name, id_number, authorised, unit in SCANNERS:
        add_scanner(session, org_uscc=unit[1], phone=phone, name=name, id_number=id_number, password=PASSWORD,
                    authorise=authorised, operator="演示数据")
        lines.append(f"  {phone}  {name}  {'已授权' if authorised else '待授权'}  {unit[0]}")
    return lines


def _history(session: Session, settings: Settings) -> Summary:
    by_number = {x.id_number: x for x in ACCOUNTS}
    roster = [*CROWD.employees, *(Person(x.name, x.id_number, x.address, x.id_number[:6])
                                  for x in (by_number[RESIDENTS[0].id_number], OPERATOR))]
    return build_history(session, settings, SITES, CROWD, ENTERPRISE[1], roster, clock.now())
