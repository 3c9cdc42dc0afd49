"""The nine feeds of SPEC section 4 (CONTRACT): names, modes, columns and the values each column accepts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from healthcode.db import Base
from healthcode.feeds import models as m

CASE_STATUSES = {"confirmed": "confirmed", "suspected": "suspected", "cleared": "cleared",
                 "确诊": "confirmed", "疑似": "suspected", "排除": "cleared"}
TRAVEL_MODES = {"train": "train", "flight": "flight", "bus": "bus", "火车": "train", "飞机": "flight", "大巴": "bus"}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # id_number / text / date / datetime / bool / int / case_status / travel_mode
    required: bool = False
    label: str = ""  # Chinese name, for error reports
    default: Any = None  # stored when an optional column is missing or empty (SPEC: health_abnormal defaults false)


@dataclass(frozen=True)
class Feed:
    name: str
    label: str
    mode: str  # snapshot / append
    model: type[Base]
    columns: tuple[Column, ...]
    realtime: bool = False
    frequency_hours: int = 24  # how often the provider promised to deliver, for the status board

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _c(name: str, kind: str, label: str, required: bool = False, default: Any = None) -> Column:
    return Column(name, kind, required, label, default)


ID = _c("id_number", "id_number", "身份证号", True)
NAME = _c("name", "text", "姓名", True)
RECORD_ID = _c("record_id", "text", "记录编号")

FEEDS: dict[str, Feed] = {f.name: f for f in (
    Feed("cases", "确诊、疑似人员", "append", m.CaseRecord, (
        ID, NAME, _c("status", "case_status", "状态", True), _c("reported_at", "datetime", "报告时间", True), RECORD_ID,
    ), realtime=True, frequency_hours=1),
    Feed("close_contacts", "可能密切接触者", "append", m.CloseContactRecord, (
        ID, NAME, _c("contact_date", "date", "接触日期", True), _c("case_id_number", "id_number", "病例身份证号"),
        RECORD_ID,
    ), realtime=True, frequency_hours=1),
    Feed("travel", "火车/飞机/大巴乘坐记录", "append", m.TravelRecord, (
        _c("trip_id", "text", "车次/航班/班次", True), _c("mode", "travel_mode", "交通方式", True),
        _c("travel_date", "date", "乘坐日期", True), ID, NAME, _c("carriage", "text", "车厢"),
        _c("seat_row", "int", "座位排号"), RECORD_ID,
    ), frequency_hours=24),
    Feed("arrivals", "疫情高发地区入闽人员", "snapshot", m.ArrivalRecord, (
        ID, NAME, _c("origin", "text", "来源地", True), _c("arrived_on", "date", "入闽日期", True),
        _c("health_abnormal", "bool", "健康状况异常", default=False),
    )),
    Feed("closures", "封闭管理小区公告", "snapshot", m.ClosureRecord, (
        _c("community", "text", "小区", True), _c("address", "text", "地址", True),
        _c("starts_on", "date", "封闭开始日期", True), _c("ends_on", "date", "封闭结束日期"),
        _c("region_code", "text", "行政区划代码"), _c("source", "text", "公告来源"),
    )),
    Feed("households", "户籍人口库", "snapshot", m.HouseholdRecord, (
        ID, NAME, _c("address", "text", "户籍地址", True), _c("region_code", "text", "行政区划代码"),
    )),
    Feed("clinic_visits", "门诊和住院诊疗记录", "append", m.ClinicVisitRecord, (
        _c("record_id", "text", "记录编号", True), ID, NAME, _c("visited_at", "datetime", "就诊时间", True),
        _c("department", "text", "科室", True), _c("institution", "text", "医疗机构"),
    )),
    Feed("drug_purchases", "医保购药记录", "append", m.DrugPurchaseRecord, (
        _c("record_id", "text", "记录编号", True), ID, NAME, _c("purchased_at", "datetime", "购药时间", True),
        _c("drug_code", "text", "药品编码", True), _c("drug_name", "text", "药品名称"),
        _c("institution", "text", "医疗机构"),
    )),
    Feed("fever_drug_codes", "退烧药编码表", "snapshot", m.FeverDrugCode, (
        _c("drug_code", "text", "药品编码", True), _c("drug_name", "text", "药品名称", True),
    ), frequency_hours=24 * 30),
)}
