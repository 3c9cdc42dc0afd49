"""Texts the enterprise console shows for the results of its use cases."""

from __future__ import annotations

from healthcode.enterprise.service import Reminded


def reminded_message(done: Reminded) -> str:
    """The 提醒成功 dialog: how many were reminded, and why the others were not."""
    parts = [f"提醒成功，已向 {done.sent} 名员工发送上报提醒"]
    if done.already_reminded:
        parts.append(f"{done.already_reminded} 名今日已提醒过")
    if done.already_reported:
        parts.append(f"{done.already_reported} 名今日已上报，无需提醒")
    return "；".join(parts)
