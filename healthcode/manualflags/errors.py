"""Errors of manual flags: each with its status and the Chinese message the authority user reads."""

from __future__ import annotations

from healthcode.errors import Conflict, Forbidden, Invalid, NotFound


class FlagNotFound(NotFound):
    code = "flag_not_found"
    message = "人工标记不存在"


class OwnFlag(Forbidden):
    code = "own_flag"
    message = "不能审核本人提出的人工标记，请由另一位卫生健康部门用户审核"


class NotProposer(Forbidden):
    code = "not_proposer"
    message = "只有提出人可以撤回待审核的人工标记，其他用户请审核通过或驳回"


class FlagDecided(Conflict):
    code = "flag_decided"
    message = "该人工标记已处理，不能再次操作，请刷新页面"


class FlagPending(Conflict):
    code = "flag_pending"
    message = "该身份证号已有待审核的人工标记，请先审核或撤回"


class InvalidFlag(Invalid):
    code = "invalid_flag"
    message = "人工标记内容有误"
