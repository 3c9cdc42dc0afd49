"""The kinds of ledger entry and how a page or the CLI names them in Chinese: one dict, read by every reader of the
ledger (the authority's 问责记录 page, `healthcode person history`). A kind not listed shows as itself."""

from __future__ import annotations

KIND_LABELS: dict[str, str] = {
    "feed.batch": "数据批次入库",
    "flag.proposed": "人工标记（提出）",
    "flag.approved": "人工标记（批准）",
    "flag.rejected": "人工标记（驳回）",
    "flag.withdrawn": "人工标记（撤销）",
    "correction.made": "数据更正",
    "appeal.filed": "申诉（提交）",
    "appeal.decided": "申诉（决定）",
    "rules.switched": "赋码规则切换",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


# The facts' keys as a page shows them (the key itself when not listed).
FACT_LABELS: dict[str, str] = {
    "feed": "数据源", "batch": "批次", "provider": "提供方编号", "rows": "入库行数", "sha256": "文件哈希",
    "appeal": "申诉编号", "correction": "更正编号", "flag": "标记编号", "rule": "规则", "rule_set": "规则集",
    "reason": "理由摘要", "decision": "决定",
}
