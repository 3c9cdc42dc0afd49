"""Errors of regions: division codes, region levels and policies."""

from __future__ import annotations

from healthcode.errors import Invalid


class InvalidRegion(Invalid):
    code = "invalid_region"
    message = "行政区划代码无效"


class InvalidLevel(Invalid):
    code = "invalid_level"
    message = "疫情区等级必须是0–3之间的整数"


class InvalidPolicy(Invalid):
    code = "invalid_policy"
    message = "防控策略的标题或内容无效"
