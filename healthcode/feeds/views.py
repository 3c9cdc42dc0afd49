"""How the feeds' results are shown: a batch report as the CLI's line of text (SPEC section 5), a stored record as
the API's JSON."""

from __future__ import annotations

from typing import Any

from healthcode.feeds.definitions import FEEDS
from healthcode.feeds.loader import BatchReport

STATUS_LABELS = {"applied": "已应用", "duplicate": "重复文件，未重复应用", "rejected": "已拒绝"}


def batch_summary(report: BatchReport) -> str:
    """`healthcode feed load` without --json: what happened to the file, its bad rows (the first five) and batch."""
    label = FEEDS[report.feed].label if report.feed in FEEDS else report.feed
    text = f"{STATUS_LABELS[report.status]}：{label}（{report.feed}）读取 {report.rows} 行"
    if report.status == "applied":
        text += f"，写入 {report.applied} 行"
    if report.bad_rows:
        shown = "；".join(f"第{e.line}行 {e.column or '整行'}：{e.reason}" for e in report.bad_rows[:5])
        more = f" 等共 {report.bad_row_count} 行" if report.bad_row_count > 5 else ""
        verb = "已跳过" if report.status == "applied" else "有错误"
        text += f"，{report.bad_row_count} 行{verb}：{shown}{more}"
    if report.batch_id is not None:
        text += f"（批次 {report.batch_id}）"
    return text


def stored_record_json(stored: Any) -> dict[str, Any]:
    """A pushed record as stored (`POST /api/v1/feeds/{feed}/records`): dates and times in ISO 8601."""
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in stored.items()}
