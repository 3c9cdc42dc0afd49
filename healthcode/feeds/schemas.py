"""Documented answers of the feed API (SPEC section 4, docs/feeds.md); they document and do not filter
(healthcode/web/schemas.py); tests/test_openapi.py checks them against real answers."""

from __future__ import annotations

from pydantic import Field

from healthcode.web.schemas import ApiError, Schema


class RowErrorOut(Schema):
    """一处数据错误。"""

    line: int = Field(description="行号（批次文件中的行；实时推送为 1）")
    column: str = Field(description="列名；整行错误时为空")
    reason: str = Field(description="中文错误原因")


class BatchReport(Schema):
    """批次处理结果：200 applied（已应用）或 duplicate（重复文件，未重复应用）；422 rejected（已拒绝）。"""

    status: str = Field(description="applied、duplicate 或 rejected")
    rows: int = Field(description="读取的数据行数")
    bad_rows: list[RowErrorOut] = Field(description="有错误的行（最多列出前若干条）")
    applied: int = Field(description="写入的行数")
    batch_id: int | None = Field(description="批次编号；被拒绝时为 null")


class RecordRefused(ApiError):
    """记录无效（error 为 invalid_record），或请求参数有误（error 为 invalid_request，带 fields）。"""

    bad_rows: list[RowErrorOut] | None = Field(default=None, description="仅 invalid_record：记录中的错误")


class StoredRecord(Schema):
    """已保存的记录（实时推送的数据源 cases、close_contacts），取值同批次文件的列。"""

    id: int = Field(description="记录的内部编号")
    batch_id: int = Field(description="该记录所在批次（每次推送为一个批次）")
    row_key: str = Field(description="记录的去重键")
    record_id: str | None = Field(description="提供方的记录编号")
    id_number: str = Field(description="身份证号（提供方自己报送的）")
    name: str = Field(description="姓名")
    status: str | None = Field(default=None, description="仅 cases：confirmed、suspected 或 cleared")
    reported_at: str | None = Field(default=None, description="仅 cases：报告时间（ISO 8601）")
    contact_date: str | None = Field(default=None, description="仅 close_contacts：接触日期")
    case_id_number: str | None = Field(default=None, description="仅 close_contacts：病例身份证号")
