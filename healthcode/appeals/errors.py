"""Errors of appeals: the resident's form and the authority's decision."""

from __future__ import annotations

from healthcode.errors import Conflict, Invalid, NotFound, TooLarge


class AppealNotFound(NotFound):
    code = "appeal_not_found"
    message = "申诉不存在"


class ReasonNotHeld(Invalid):
    code = "reason_not_held"
    message = "该赋码原因当前不成立，无需申诉"


class AppealOpen(Conflict):
    code = "appeal_open"
    message = "该赋码原因已有一项申诉正在处理，请等待处理结果"


class InvalidStatement(Invalid):
    code = "invalid_statement"
    message = "请填写申诉理由"


class EvidenceTooLarge(TooLarge):
    code = "evidence_too_large"
    message = "证明材料过大"


class EvidenceType(Invalid):
    code = "evidence_type"
    message = "证明材料只能是 JPG、PNG 图片或 PDF 文件"


class AppealDecided(Conflict):
    code = "appeal_decided"
    message = "该申诉已处理，处理结果不可更改"


class InvalidDecision(Invalid):
    code = "invalid_decision"
    message = "请选择处理结果并填写理由"
