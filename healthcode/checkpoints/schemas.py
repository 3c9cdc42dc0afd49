"""Documented answers of the checkpoint API (SPEC section 8, CONTRACT): the shapes /api/openapi.json shows. They
document and do not filter (healthcode/web/schemas.py); tests/test_openapi.py checks them against real answers."""

from __future__ import annotations

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from healthcode.regions.schemas import MostSevereRegion
from healthcode.web.schemas import Schema


class ScannerOut(Schema):
    """扫码员账号。"""

    id: int = Field(description="扫码员编号")
    phone: str = Field(description="手机号（登录名）")
    name: str = Field(description="姓名")
    id_number_masked: str = Field(description="脱敏身份证号，如 35*****034")
    status: str = Field(description="授权状态：pending（待授权）、authorised（已授权）、revoked（已撤销）")
    status_by: str | None = Field(description="最后一次授权或撤销的操作人")
    status_at: str | None = Field(description="最后一次授权或撤销的时间（ISO 8601）")
    created_at: str | None = Field(description="注册时间（ISO 8601）")


class PointOut(Schema):
    """扫码点。"""

    id: int = Field(description="扫码点编号，扫码时作为 point_id")
    community: str = Field(description="社区")
    name: str = Field(description="扫码点名称")
    address: str = Field(description="具体位置")
    region_code: str = Field(description="县级行政区划代码")
    region_name: str | None = Field(description="行政区划简称，如 福州市鼓楼区")
    latitude: float | None = Field(description="纬度")
    longitude: float | None = Field(description="经度")
    created_at: str | None = Field(description="上报时间（ISO 8601）")


class PointList(Schema):
    items: list[PointOut] = Field(description="本单位的扫码点")


class RecentScan(Schema):
    """居民最近的一次扫码。"""

    at: str | None = Field(description="扫码时间（ISO 8601）")
    address: str = Field(description="扫码地址：扫码点所在区县与扫码点名称")
    temperature_result: str | None = Field(description="体温结果：normal 或 abnormal；未反馈为 null")
    pass_reason: str | None = Field(description="通行事由；未反馈为 null")


class ScanResult(Schema):
    """一次扫码的结果（SPEC 第8节）。"""

    scan_id: int = Field(description="扫码记录编号，反馈结果时使用")
    color: str = Field(description="扫码时的健康码颜色：green、yellow、red")
    name_masked: str = Field(description="脱敏姓名，如 李*明")
    id_number_masked: str = Field(description="脱敏身份证号，如 35*****034")
    address: str | None = Field(description="居住地址，仅到区县，如 福建省福州市鼓楼区")
    most_severe_region: MostSevereRegion | None = Field(
        description="14天内到过的（含本次）当前风险等级最高的地区；无已知地区时为 null")
    recent_scans: list[RecentScan] = Field(description="最近的扫码记录，最新在前")
    at: str | None = Field(description="扫码时间（ISO 8601）")
    via: str = Field(description="核验方式：qr（二维码）、number（数字码）、card（纸质健康码：其二维码不含颜色，颜色为"
                                 "本次联网查验结果）或 id_card（刷身份证，POST /id-checks）")


class OfflineCorrection(Schema):
    """离线反馈的更正：体温结果按体温确定（37.3℃ 及以上为异常）。"""

    field: str = Field(description="被更正的字段：temperature_result")
    given: str = Field(description="离线时填写的值：normal 或 abnormal")
    recorded: str = Field(description="记录的值：normal 或 abnormal")
    message: str = Field(description="中文说明，扫码页显示给扫码员")


class OfflineScanResult(Schema):
    """离线扫码上传的结果：201 新记录（与 POST /scans 的结果相同，另加 client_scan_id、duplicate）；200 已记录过。"""

    scan_id: int = Field(description="扫码记录编号")
    color: str | SkipJsonSchema[None] = Field(default=None, description="同 POST /scans")
    name_masked: str | SkipJsonSchema[None] = Field(default=None, description="同 POST /scans")
    id_number_masked: str | SkipJsonSchema[None] = Field(default=None, description="同 POST /scans")
    address: str | None = Field(default=None, description="同 POST /scans")
    most_severe_region: MostSevereRegion | None = Field(default=None, description="同 POST /scans")
    recent_scans: list[RecentScan] | SkipJsonSchema[None] = Field(default=None, description="同 POST /scans")
    at: str | None = Field(default=None, description="扫码时间（ISO 8601）")
    via: str | SkipJsonSchema[None] = Field(default=None, description="同 POST /scans")
    client_scan_id: str = Field(description="扫码页生成的离线扫码编号（幂等键）")
    duplicate: bool = Field(description="true：此前已上传过，未重复记录")
    correction: OfflineCorrection | SkipJsonSchema[None] = Field(
        default=None, description="仅在离线反馈的体温结果与体温矛盾时出现：体温结果已按体温更正后记录")


class FeedbackOut(Schema):
    """扫码结果反馈。"""

    scan_id: int = Field(description="扫码记录编号")
    pass_reason: str | None = Field(description="通行事由，如 工作、生活、就医、返乡、其他")
    temperature_result: str | None = Field(description="体温结果：normal 或 abnormal")
    temperature: float | None = Field(description="体温（℃）")
    feedback_at: str | None = Field(description="反馈时间（ISO 8601）")
