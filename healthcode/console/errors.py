"""Errors of the government console's views: scan records, exports, reports."""

from __future__ import annotations

from healthcode.errors import Invalid


class InvalidPoint(Invalid):
    code = "invalid_point"
    message = "扫码地点无效"


class InvalidColor(Invalid):
    code = "invalid_color"
    message = "扫码结果应为绿码或橙码"


class InvalidPurpose(Invalid):
    code = "invalid_purpose"
    message = "请选择查看目的"


class ExportTooLarge(Invalid):
    code = "export_too_large"
    message = "导出记录过多，请缩小扫码时间范围"
