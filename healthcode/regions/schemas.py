"""Documented answers of the region levels API (SPEC section 7); they document and do not filter
(healthcode/web/schemas.py)."""

from __future__ import annotations

from pydantic import Field

from healthcode.web.schemas import Schema


class MostSevereRegion(Schema):
    """风险等级最高的地区（扫码结果的 most_severe_region，SPEC 第8节）。"""

    code: str = Field(description="县级行政区划代码，如 350102")
    name: str = Field(description="地区名称，如 福州市鼓楼区")
    level: int = Field(description="当前风险等级：0 无疫情区，数字越大越严重")
    level_name: str = Field(description="等级名称，如 零星散发疫情区")
    policy: str = Field(description="该等级的防控政策")
    policy_headline: str = Field(description="防控政策摘要")
    higher_than_here: bool = Field(description="是否高于本扫码点所在地区的等级（来自更严重的地区）")


class LevelPolicy(Schema):
    level: int = Field(description="风险等级")
    level_name: str = Field(description="等级名称")
    policy_headline: str = Field(description="防控政策摘要")
    policy: str = Field(description="防控政策")


class RegionLevel(Schema):
    code: str = Field(description="县级行政区划代码")
    name: str = Field(description="地区名称")
    level: int = Field(description="当前风险等级")
    level_name: str = Field(description="等级名称")


class Levels(Schema):
    """各风险等级及其政策，和当前高于无疫情区的地区。"""

    levels: list[LevelPolicy] = Field(description="每个风险等级及其政策")
    regions: list[RegionLevel] = Field(description="当前风险等级高于无疫情区的地区")


class LevelChange(Schema):
    level: int = Field(description="风险等级")
    level_name: str = Field(description="等级名称")
    set_by: str = Field(description="设定人")
    set_at: str = Field(description="设定时间（ISO 8601）")


class Region(Schema):
    """一个区县的当前风险等级、政策和等级历史。"""

    code: str = Field(description="县级行政区划代码")
    name: str = Field(description="地区名称，如 福州市鼓楼区")
    full_name: str = Field(description="全称，如 福建省福州市鼓楼区")
    level: int = Field(description="当前风险等级")
    level_name: str = Field(description="等级名称")
    policy_headline: str = Field(description="防控政策摘要")
    policy: str = Field(description="防控政策")
    history: list[LevelChange] = Field(description="等级变更历史")
