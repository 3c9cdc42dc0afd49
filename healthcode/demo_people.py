"""The demo's crowd: the staff of each demo unit, the visitors of its scan points, the enterprise's employees, and the
few of them whom the health feeds name (a fever-clinic visit, a fever drug bought) so that orange codes come and go
over the demo's month. Generated from a fixed seed: the same people every run; their events are dated relative to
today."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from stdnum.cn import ric

SEED = 20200224
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余叶程魏苏吕丁沈姚卢"
            "钟谭陆汪范金石廖夏方邹熊邱江薛雷侯龙陶黎顾郝龚邵严戴莫孔汤")
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "秀兰", "霞", "平", "刚", "桂英", "建华", "志强", "晓燕", "海燕", "丽华", "文", "斌", "宇", "浩", "凯", "婷",
         "雪", "琳", "欣怡", "子涵", "俊杰", "思远", "佳怡", "梓萱", "雨桐", "国栋", "建国", "春梅", "晨", "鑫", "鹏",
         "志明", "美玲", "金水", "阿忠", "秀珍", "淑华", "荣华")
# County code -> (address prefix, streets). No street is a community the demo's closure names (软件园社区), so that
# only the feeds' named people are orange.
COUNTIES = {
    "350102": ("福建省福州市鼓楼区", ("五四路", "东街", "杨桥路", "湖东路", "铜盘路", "华林路", "西洪路")),
    "350103": ("福建省福州市台江区", ("八一七中路", "工业路", "江滨西大道", "宁化路")),
    "350104": ("福建省福州市仓山区", ("上渡路", "首山路", "金山大道", "建新南路")),
    "350121": ("福建省福州市闽侯县", ("甘蔗街道", "上街镇乌龙江大道", "南屿镇")),
    "350503": ("福建省泉州市丰泽区", ("东湖街", "刺桐路", "丰泽街", "田安路", "泉秀路")),
    "350582": ("福建省泉州市晋江市", ("青阳街道", "世纪大道", "梅岭街道")),
    "350203": ("福建省厦门市思明区", ("中山路", "湖滨南路", "厦禾路")),
}


@dataclass(frozen=True)
class Resident:
    name: str
    id_number: str
    address: str
    region_code: str
    phone: str | None = None


@dataclass(frozen=True)
class Flag:
    """A feed record naming a visitor `days_ago`: a fever-clinic visit or a fever-drug purchase (14 days orange)."""

    visitor: int
    days_ago: int
    kind: str  # clinic / drug


# Spread over the month, so that every day has someone orange, and some of them come back to green.
FLAGS = (Flag(0, 29, "clinic"), Flag(1, 25, "drug"), Flag(2, 21, "clinic"), Flag(3, 18, "clinic"),
         Flag(4, 15, "drug"), Flag(5, 12, "clinic"), Flag(6, 9, "clinic"), Flag(7, 6, "drug"), Flag(8, 4, "clinic"),
         Flag(9, 2, "clinic"), Flag(10, 1, "drug"))


def _id(area: str, birth: date, order: int) -> str:
    body = f"{area}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


class _Generator:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.order = 0

    def people(self, count: int, counties: tuple[str, ...], phones_from: int | None = None) -> list[Resident]:
        found = []
        for i in range(count):
            code = counties[i % len(counties)]
            prefix, streets = COUNTIES[code]
            self.order += 1
            birth = date(1962, 1, 1) + timedelta(days=self.rng.randrange(365 * 38))
            found.append(Resident(
                name=self.rng.choice(SURNAMES) + self.rng.choice(GIVEN),
                id_number=_id(code, birth, 100 + self.order % 900),
                address=f"{prefix}{self.rng.choice(streets)}{self.rng.randrange(1, 300)}号",
                region_code=code,
                phone=f"1390000{phones_from + i:04d}" if phones_from is not None and i < 6 else None))
        return found


@dataclass(frozen=True)
class Crowd:
    staff: tuple[tuple[Resident, ...], ...]  # of each site, in the order of the sites
    visitors: tuple[Resident, ...]
    employees: tuple[Resident, ...]

    def everyone(self) -> list[Resident]:
        return [*(p for group in self.staff for p in group), *self.visitors, *self.employees]


def crowd(staff_sizes: tuple[int, ...], visitors: int = 90, employees: int = 40) -> Crowd:
    """The same crowd every run: staff of each site (living near it), visitors from all over, employees in Quanzhou
    (the first six with a phone, so that their reminders are also texts)."""
    gen = _Generator()
    staff = tuple(tuple(gen.people(n, ("350102", "350103", "350104", "350121"))) for n in staff_sizes)
    return Crowd(staff=staff, visitors=tuple(gen.people(visitors, tuple(COUNTIES))),
                 employees=tuple(gen.people(employees, ("350503", "350503", "350582"), phones_from=1)))


def flag_rows(people: Crowd, today: date) -> dict[str, list[dict[str, object]]]:
    """The feed rows behind FLAGS: fever-clinic visits (省卫健委) and fever-drug purchases (医保局)."""
    clinic: list[dict[str, object]] = []
    drugs: list[dict[str, object]] = []
    for n, flag in enumerate(FLAGS, start=1):
        who = people.visitors[flag.visitor]
        when = today - timedelta(days=flag.days_ago)
        if flag.kind == "clinic":
            clinic.append({"record_id": f"HIS-D{n}", "id_number": who.id_number, "name": who.name,
                           "visited_at": f"{when.isoformat()}T10:{n:02d}:00", "department": "发热门诊",
                           "institution": "福建省立医院"})
        else:
            drugs.append({"record_id": f"YB-D{n}", "id_number": who.id_number, "name": who.name,
                          "purchased_at": f"{when.isoformat()}T18:{n:02d}:00", "drug_code": "XN02BEB00001",
                          "drug_name": "对乙酰氨基酚片", "institution": "福州市鼓楼区惠好大药房"})
    return {"clinic_visits": clinic, "drug_purchases": drugs}


def household_rows(people: Crowd) -> list[dict[str, object]]:
    return [{"id_number": p.id_number, "name": p.name, "address": p.address, "region_code": p.region_code}
            for p in people.everyone()]
