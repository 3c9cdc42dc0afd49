"""Documented answers of the organisation admin API (SPEC section 9: GET /api/v1/org/scans is CONTRACT). They
document and do not filter (healthcode/web/schemas.py); tests/test_openapi.py checks them against real answers."""

from __future__ import annotations

from pydantic import Field

from healthcode.checkpoints.schemas import ScannerOut
from healthcode.web.schemas import Schema


class OrgAdminOut(Schema):
    """当前登录的单位管理员及其单位。"""

    username: str = Field(description="管理员账号")
    org_id: int = Field(description="单位编号")
    org_name: str = Field(description="单位名称")
    uscc: str = Field(description="统一社会信用代码")


class OrgScan(Schema):
    """本单位扫码点的一条扫码记录。"""

    id: int = Field(description="扫码记录编号（同 scan_id）")
    scan_id: int = Field(description="扫码记录编号")
    at: str = Field(description="扫码时间（ISO 8601，精确到秒）")
    point_id: int = Field(description="扫码点编号")
    point_name: str = Field(description="扫码点名称")
    community: str = Field(description="社区")
    name_masked: str = Field(description="脱敏姓名")
    id_number_masked: str = Field(description="脱敏身份证号")
    color: str = Field(description="扫码时的健康码颜色：green、yellow、red")
    via: str = Field(description="核验方式：qr（扫码）、number（数字码）或 id_card（刷身份证）")
    pass_reason: str | None = Field(description="通行事由；未反馈为 null")
    temperature_result: str | None = Field(description="体温结果：normal 或 abnormal；未反馈为 null")
    temperature: float | None = Field(description="体温（℃）")
    scanner_id: int = Field(description="扫码员编号")
    scanner_name: str = Field(description="扫码员姓名")
    region_code: str = Field(description="扫码点所在县级行政区划代码")
    region_name: str | None = Field(description="扫码点所在地区名称")


class OrgScanPage(Schema):
    """本单位扫码点的扫码记录（最新在前），一页（SPEC 第9节）。"""

    items: list[OrgScan] = Field(description="本页的扫码记录")
    total: int = Field(description="符合条件的记录总数")
    page: int = Field(description="页码，从1开始")
    page_size: int = Field(description="每页条数")
    pages: int = Field(description="总页数")


class ScannerList(Schema):
    items: list[ScannerOut] = Field(description="本单位的扫码员")
