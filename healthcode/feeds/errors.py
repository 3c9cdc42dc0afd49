"""Errors of the data feeds: files, records and providers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from healthcode.errors import Invalid

if TYPE_CHECKING:
    from healthcode.feeds.validation import RowError

class FileTooLarge(Invalid):
    code = "file_too_large"
    message = "文件过大，已拒绝：请拆分文件或改用 CSV"


class NotRealtime(Invalid):
    code = "not_realtime"
    message = "该数据源不支持实时推送，请按批次报送文件"


class InvalidRecord(Invalid):
    """A pushed record with errors; carries them in the shape of a batch report's bad rows."""

    code = "invalid_record"
    message = "记录无效"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("记录无效：" + "；".join(f"{e.column or '记录'}：{e.reason}" for e in errors))
        self.errors = errors
