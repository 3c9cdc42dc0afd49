"""The history as the CLI prints it, in Chinese."""

from __future__ import annotations

from healthcode.common.masking import mask_id_number
from healthcode.history.service import History, LedgerFact, Span
from healthcode.history.tracing import Source
from healthcode.ledger.kinds import kind_label

VIA = {"scan": "扫码", "code": "亮码"}
COLORS = {"green": "绿码", "orange": "橙码", "yellow": "黄码", "red": "红码"}


def summary(history: History) -> str:
    lines = [f"居民 {mask_id_number(history.id_number)} 的赋码记录（赋码规则 {history.rule_set}，"
             f"{history.first_day.isoformat()} 至 {history.last_day.isoformat()}，按现存数据逐日计算）"]
    for number, span in enumerate(history.entries, 1):
        lines.extend(_span(number, span))
    for title, facts in (("申诉", history.appeals), ("更正", history.corrections), ("人工标记", history.flags)):
        lines.append(f"{title}：{'无' if not facts else ''}")
        lines.extend(f"  {_fact(f)}" for f in facts)
    return "\n".join(lines)


def _span(number: int, span: Span) -> list[str]:
    end = span.end.isoformat() if span.end else "今天（仍为此状态）"
    lines = [f"{number}. {span.start.isoformat()} 至 {end}：{span.color_label}"]
    if not span.reasons:
        lines.append("   无赋码异常原因")
    for reason in span.reasons:
        lines.append(f"   - {reason.title}（规则 {reason.rule}）")
        lines.extend(f"     来源：{_source(s)}" for s in reason.sources)
    if span.shown:
        lines.append(f"   实际出示 {span.shown} 次，其中与计算结果不同 {len(span.differs)} 次")
        lines.extend(f"     {s.at.strftime('%Y-%m-%d %H:%M')} {VIA.get(s.via, s.via)}时为"
                     f"{COLORS.get(s.color, s.color)}" for s in span.differs)
    return lines


def _source(source: Source) -> str:
    parts = [f"{source.feed_label}（{source.provider or '未知提供方'}）"]
    if source.batch is not None:
        parts.append(f"批次 #{source.batch}")
    if source.record_id:
        parts.append(f"记录 {source.record_id}")
    if source.on:
        parts.append(f"日期 {source.on.isoformat()}")
    if source.loaded_at:
        parts.append(f"{source.loaded_at.strftime('%Y-%m-%d %H:%M')} 由{source.loaded_by or '—'}入库")
    return "，".join(parts)


def _fact(fact: LedgerFact) -> str:
    return f"{fact.at.strftime('%Y-%m-%d %H:%M')} {kind_label(fact.kind)}（{fact.actor}）#{fact.id}"
