"""Documented answers of the resident's own health reports and messages (/api/v1/me/reports, /api/v1/me/messages);
they document and do not filter (healthcode/web/schemas.py)."""

from __future__ import annotations

from pydantic import Field

from healthcode.web.schemas import Schema


class ReportOut(Schema):
    """一次健康上报。"""

    id: int = Field(description="上报编号")
    report_date: str = Field(description="上报日期（YYYY-MM-DD）")
    reported_at: str = Field(description="上报时间（ISO 8601，精确到秒）")
    temperature: float = Field(description="体温（℃）")
    symptoms: list[str] = Field(description="症状，或 [\"无\"]")
    location_code: str = Field(description="当前所在县级行政区划代码")
    location_name: str = Field(description="当前所在地区全称")
    contact_risk: bool = Field(description="是否有接触风险")
    report_type: str = Field(description="上报类型，如 日常上报")
    employer_uscc: str | None = Field(description="所报单位的统一社会信用代码；未选单位为空")
    corrections: int = Field(description="当日更正次数")
    abnormal: bool = Field(description="是否异常（体温异常、有症状或接触风险）")


class ReportSubmitted(ReportOut):
    """提交（或当日更正）后的上报。"""

    corrected: bool = Field(description="true：更正了当日已有的上报")


class ReportHistory(Schema):
    items: list[ReportOut] = Field(description="本页的上报，最新在前")
    total: int = Field(description="上报总数")
    page: int = Field(description="页码，从1开始")


class MessageOut(Schema):
    """一条站内消息。"""

    id: int = Field(description="消息编号")
    title: str = Field(description="标题")
    body: str = Field(description="正文")
    sender: str | None = Field(description="发送方")
    created_at: str = Field(description="发送时间（ISO 8601，精确到秒）")
    read: bool = Field(description="是否已读")


class Inbox(Schema):
    unread: int = Field(description="未读消息数")
    items: list[MessageOut] = Field(description="消息，最新在前")


class MessageRead(Schema):
    id: int = Field(description="消息编号")
    read: bool = Field(description="固定为 true")
