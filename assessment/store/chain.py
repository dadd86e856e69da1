"""The audit trail as a hash chain: every entry carries the hash of the one before it.

``hash = sha256(prev_hash + canonical JSON of (seq, at, actor, action, entity, entity_id, detail))``. The chain's head
(table ``audit_head``, one row) is locked by an UPDATE before the last hash is read, on PostgreSQL (row lock) and on
SQLite (the database write lock) alike, so two concurrent writers queue up instead of forking the chain. Editing,
removing or inserting a row by hand breaks the chain at that row, and :func:`verify` names the first bad entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from .orm import AuditHead, AuditLog, utcnow

GENESIS = "0" * 64


def canonical_detail(detail: dict | None) -> dict:
    """The detail as it reads back from a JSON column (string keys, lists, text for anything else)."""
    return json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str))


def _at(at: datetime) -> str:
    """UTC, microseconds, no offset: SQLite gives back naive datetimes, PostgreSQL aware ones."""
    if at.tzinfo is not None:
        at = at.astimezone(timezone.utc).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def entry_hash(
    prev_hash: str, seq: int, at: datetime, actor: str | None, action: str, entity: str, entity_id: str, detail: dict
) -> str:
    body = json.dumps(
        {"seq": seq, "at": _at(at), "actor": actor, "action": action, "entity": entity, "entity_id": entity_id, "detail": detail},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append(session: Session, actor: str | None, action: str, entity: str, entity_id: Any, detail: dict | None) -> AuditLog:
    """Add one entry at the end of the chain, in the caller's transaction (the head stays locked until it ends)."""
    result = session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq).execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)  # an UPDATE gives a cursor result
    locked = result.rowcount
    if not locked:  # a database made without the migrations: start the chain
        session.add(AuditHead(id=1, seq=0, hash=GENESIS))
        session.flush()
    seq, prev = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    detail = canonical_detail(detail)
    at = utcnow()
    seq += 1
    h = entry_hash(prev, seq, at, actor, action, entity, str(entity_id), detail)
    row = AuditLog(
        at=at, actor=actor, action=action, entity=entity, entity_id=str(entity_id), detail=detail, seq=seq, prev_hash=prev, hash=h
    )
    session.add(row)
    session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=h).execution_options(synchronize_session=False)
    )
    return row


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_bad_id: int | None = None
    first_bad_seq: int | None = None
    problem: str | None = None

    def message(self) -> str:
        if self.ok:
            return f"审计链完整：{self.entries} 条 / the audit chain is intact: {self.entries} entries"
        zh, _, en = (self.problem or "").partition("/ ")
        zh = zh.strip()
        return (
            f"审计链在第 {self.first_bad_seq} 条（id {self.first_bad_id}）处断开：{zh} / "
            f"the audit chain breaks at entry seq {self.first_bad_seq} (id {self.first_bad_id}): {en or zh}"
        )


def verify(session: Session) -> ChainReport:
    """Walk the chain in order; the first entry whose link or hash does not match is named."""
    head = session.get(AuditHead, 1)
    prev, expected_seq, n = GENESIS, 1, 0
    last_id = None
    rows = session.execute(
        select(AuditLog).order_by(AuditLog.seq.is_(None).desc(), AuditLog.seq, AuditLog.id).execution_options(yield_per=1000)
    ).scalars()
    for row in rows:
        n += 1
        if row.seq is None or row.hash is None:
            return ChainReport(
                False, n, row.id, row.seq, "条目不在链上（无序号或哈希）/ the entry is not chained (no seq or hash)"
            )
        if row.seq != expected_seq:
            return ChainReport(
                False,
                n,
                row.id,
                row.seq,
                f"序号应为 {expected_seq}，缺少或多出条目 / expected seq {expected_seq}: an entry is missing or inserted",
            )
        if row.prev_hash != prev:
            return ChainReport(False, n, row.id, row.seq, "与上一条的链接不符 / the link to the previous entry does not match")
        if entry_hash(prev, row.seq, row.at, row.actor, row.action, row.entity, row.entity_id, row.detail or {}) != row.hash:
            return ChainReport(False, n, row.id, row.seq, "内容已被修改（哈希不符）/ the content was changed (hash mismatch)")
        prev, expected_seq, last_id = row.hash, expected_seq + 1, row.id
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        return ChainReport(
            False,
            n,
            last_id,
            expected_seq - 1 if n else None,
            f"链尾与记录的链头（第 {head.seq} 条）不符：末尾条目被删除或替换 / the chain's end does not match the "
            f"recorded head (seq {head.seq}): entries at the end were removed or replaced",
        )
    return ChainReport(True, n)
