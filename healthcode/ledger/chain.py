"""The hash chain, pure: the canonical form of an entry and of a purge's anchor, and the check of a run of entries
from GENESIS or from the newest anchor."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
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


class Anchored(Protocol):
    id: int
    at: datetime
    cutoff: datetime
    last_entry_id: int
    last_hash: str
    removed: int
    prev_seal: str
    seal: str


def anchor_seal(prev_seal: str, at: datetime, cutoff: datetime, last_entry_id: int, last_hash: str,
                removed: int) -> str:
    """An anchor's own hash, chained to the anchor before it (GENESIS for the first)."""
    form = json.dumps(["anchor", prev_seal, at.isoformat(timespec="microseconds"),
                       cutoff.isoformat(timespec="microseconds"), last_entry_id, last_hash, removed],
                      separators=(",", ":"))
    return hashlib.sha256(form.encode("utf-8")).hexdigest()


def digest(text: str) -> str:
    """A digest of free text (a reason, a file) for an entry's body, so the text itself can stay in its own table and
    be purged while the ledger still proves what it was."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Broken:
    """The first link that does not hold: the entry's id and what is wrong with it (Chinese, for the operator); at an
    anchor, also the anchor's id (`entry_id` is then the first entry kept, None when none is)."""

    entry_id: int | None
    problem: str
    anchor_id: int | None = None
    anchor_at: datetime | None = None


@dataclass(frozen=True)
class AnchorRef:
    """The anchor a verification started from."""

    id: int
    at: datetime
    cutoff: datetime
    last_entry_id: int
    last_hash: str
    removed: int


@dataclass(frozen=True)
class Verdict:
    checked: int
    first_id: int | None
    last_id: int | None
    head: str | None  # the hash of the last entry that holds: written down or published, it pins the chain
    broken: Broken | None
    anchor: AnchorRef | None = None  # where the walk started; None: from the first entry ever appended

    @property
    def ok(self) -> bool:
        return self.broken is None


def check_anchors(anchors: Sequence[Anchored]) -> Broken | None:
    """Each anchor must hash to its `seal`, name the seal of the one before and come after the entries it follows."""
    previous, last_entry = GENESIS, 0
    for anchor in anchors:
        expected = anchor_seal(anchor.prev_seal, anchor.at, anchor.cutoff, anchor.last_entry_id, anchor.last_hash,
                               anchor.removed)
        if anchor.prev_seal != previous or anchor.seal != expected or anchor.last_entry_id <= last_entry:
            return Broken(None, "锚点记录与其哈希不符或与前一锚点不衔接（锚点被改动、删除或插入）", anchor.id,
                          anchor.at)
        previous, last_entry = anchor.seal, anchor.last_entry_id
    return None


def check(entries: Iterable[Chained], anchor: AnchorRef | None = None) -> Verdict:
    """Walk entries in id order: each must hash to its own `hash` and name the previous entry's hash. The first entry
    names GENESIS, or, after a purge, the hash of the last entry removed as the newest anchor kept it; a ledger with an
    anchor is never empty (the purge keeps the newest entry)."""
    previous = anchor.last_hash if anchor is not None else GENESIS
    checked, first_id, last_id = 0, None, None
    for entry in entries:
        if first_id is None and anchor is not None and (entry.prev_hash != previous
                                                        or entry.id <= anchor.last_entry_id):
            return Verdict(0, entry.id, None, None, Broken(entry.id, CUT_AT_ANCHOR, anchor.id, anchor.at), anchor)
        first_id = entry.id if first_id is None else first_id
        if entry.prev_hash != previous:
            return Verdict(checked, first_id, last_id, _head(checked, previous),
                           Broken(entry.id, "与前一条记录的哈希不衔接（前面的记录被删除、插入或改动）"), anchor)
        expected = entry_hash(entry.prev_hash, entry.at, entry.kind, entry.actor, entry.id_number, entry.ref_table,
                              entry.ref_id, entry.body)
        if entry.hash != expected:
            return Verdict(checked, first_id, last_id, _head(checked, previous),
                           _changed(entry.id, None if checked else anchor), anchor)
        previous, last_id, checked = entry.hash, entry.id, checked + 1
    if anchor is not None and first_id is None:
        return Verdict(0, None, None, None, Broken(None, CUT_AT_ANCHOR, anchor.id, anchor.at), anchor)
    return Verdict(checked, first_id, last_id, _head(checked, previous), None, anchor)


def _changed(entry_id: int, anchor: AnchorRef | None) -> Broken:
    """An altered entry; the first one after an anchor also names the anchor."""
    problem = "记录内容与其哈希不符（记录被改动）"
    return Broken(entry_id, problem, anchor.id, anchor.at) if anchor else Broken(entry_id, problem)


CUT_AT_ANCHOR = "哈希链在锚点处被截断或改动（锚点之后的第一条记录与锚点的哈希不衔接，或锚点被改动）"


def _head(checked: int, previous: str) -> str | None:
    return previous if checked else None
