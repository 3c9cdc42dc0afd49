"""The hash chain, pure: the canonical form of an entry and the check of a run of entries."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

GENESIS = "0" * 64  # the prev_hash of the first entry ever appended


class Chained(Protocol):
    id: int
    at: datetime
    kind: str
    actor: str
    id_number: str | None
    ref_table: str | None
    ref_id: int | None
    body: str
    prev_hash: str
    hash: str


def canonical_body(facts: Mapping[str, Any]) -> str:
    """The body as stored: JSON with sorted keys and no spaces, so the same facts always hash the same."""
    return json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, at: datetime, kind: str, actor: str, id_number: str | None, ref_table: str | None,
               ref_id: int | None, body: str) -> str:
    form = json.dumps([prev_hash, at.isoformat(timespec="microseconds"), kind, actor, id_number, ref_table, ref_id,
                       body], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(form.encode("utf-8")).hexdigest()


def digest(text: str) -> str:
    """A digest of free text (a reason, a file) for an entry's body, so the text itself can stay in its own table and
    be purged while the ledger still proves what it was."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Broken:
    """The first link that does not hold: the entry's id and what is wrong with it (Chinese, for the operator)."""

    entry_id: int
    problem: str


@dataclass(frozen=True)
class Verdict:
    checked: int
    first_id: int | None
    last_id: int | None
    head: str | None  # the hash of the last entry that holds: written down or published, it pins the chain
    broken: Broken | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def check(entries: Iterable[Chained], anchor: str | None = None) -> Verdict:
    """Walk entries in id order: each must hash to its own `hash` and name the previous entry's hash. The first entry
    must name `anchor` (GENESIS when nothing was purged; the purge keeps the hash of the last entry it removed)."""
    previous = anchor if anchor is not None else GENESIS
    checked, first_id, last_id = 0, None, None
    for entry in entries:
        first_id = entry.id if first_id is None else first_id
        if entry.prev_hash != previous:
            return Verdict(checked, first_id, last_id, _head(checked, previous),
                           Broken(entry.id, "与前一条记录的哈希不衔接（前面的记录被删除、插入或改动）"))
        expected = entry_hash(entry.prev_hash, entry.at, entry.kind, entry.actor, entry.id_number, entry.ref_table,
                              entry.ref_id, entry.body)
        if entry.hash != expected:
            return Verdict(checked, first_id, last_id, _head(checked, previous),
                           Broken(entry.id, "记录内容与其哈希不符（记录被改动）"))
        previous, last_id, checked = entry.hash, entry.id, checked + 1
    return Verdict(checked, first_id, last_id, _head(checked, previous), None)


def _head(checked: int, previous: str) -> str | None:
    return previous if checked else None
