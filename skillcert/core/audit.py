"""The audit log: one hash-chained, append-only row for every state change, in the same transaction.

Each row's hash covers its own fields and the previous row's hash, so editing or deleting any row breaks
the chain at that point. Writers are serialised (an advisory lock on PostgreSQL; SQLite's IMMEDIATE
transactions already hold the write lock) so the chain never forks.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any, Protocol

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from skillcert.core.models import AuditEvent
from skillcert.core.request_context import NO_REQUEST, RequestContext

GENESIS_HASH = "0" * 64
# Any constant: the key PostgreSQL's advisory lock serialises audit writers on.
_AUDIT_LOCK_KEY = 7_201_911


class AuditActor(Protocol):
    pk: Any
    username: str

    @property
    def audit_role(self) -> str: ...

    @property
    def audit_scope(self) -> str: ...


def _canonical(value: Any) -> Any:
    """The JSON form that the database will hand back, so the stored row hashes as it was hashed."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def event_hash(*, event: AuditEvent) -> str:
    body = {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "role": event.role,
        "scope": event.scope,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "data": event.data,
        "ip_address": event.ip_address,
        "request_id": event.request_id,
        "previous_hash": event.previous_hash,
    }
    encoded = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _target_label(target: Any) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, tuple):
        return str(target[0]), str(target[1])
    meta = getattr(target, "_meta", None)
    label = meta.label_lower if meta is not None else type(target).__name__
    return label, str(getattr(target, "pk", ""))


def audit_chain_lock() -> None:
    """Take the audit chain's writer lock for the rest of the current transaction.

    ``audit_record`` takes it itself; a service that will audit after locking other rows (certificate
    serial counters) takes it first, so that every transaction locks in the same order: audit, then the
    rest. Re-entrant within a transaction. SQLite's IMMEDIATE transactions already hold the write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])


def audit_record(
    *,
    actor: AuditActor | None,
    action: str,
    target: Any = None,
    data: dict | None = None,
    context: RequestContext = NO_REQUEST,
    actor_label: str = "",
) -> AuditEvent:
    """Append one event to the chain. Call it inside the transaction of the change it records.

    ``target`` is a model instance or a ``(type, id)`` pair. ``actor_label`` names who acted when there
    is no user (a failed login names the username that was tried; a command names itself).
    """
    target_type, target_id = _target_label(target)
    with transaction.atomic():
        audit_chain_lock()
        last = AuditEvent.objects.order_by("-sequence").values("sequence", "hash").first()
        event = AuditEvent(
            sequence=(last["sequence"] + 1) if last else 1,
            occurred_at=timezone.now(),
            actor_id=actor.pk if actor is not None else None,
            actor_username=actor.username if actor is not None else actor_label[:150],
            role=actor.audit_role if actor is not None else "",
            scope=actor.audit_scope if actor is not None else "",
            action=action,
            target_type=target_type,
            target_id=target_id,
            data=_canonical(data or {}),
            ip_address=context.ip_address,
            request_id=context.request_id,
            previous_hash=last["hash"] if last else GENESIS_HASH,
        )
        event.hash = event_hash(event=event)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True, slots=True)
class ChainBreak:
    sequence: int
    reason: str

    def __str__(self) -> str:
        return f"审计链在序号 {self.sequence} 处断开：{self.reason}"


@dataclass(frozen=True, slots=True)
class ChainReport:
    events_checked: int
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def _events_in_order() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000)


def audit_chain_verify() -> ChainReport:
    """Walk the whole chain and name the first row that was edited, deleted or inserted out of order."""
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    checked = 0
    for event in _events_in_order():
        if event.sequence != expected_sequence:
            return ChainReport(
                checked, ChainBreak(expected_sequence, f"缺少序号 {expected_sequence}（记录被删除）")
            )
        if event.previous_hash != previous_hash:
            return ChainReport(
                checked, ChainBreak(event.sequence, "前一哈希与上一条记录不符（记录被删除或替换）")
            )
        if event_hash(event=event) != event.hash:
            return ChainReport(checked, ChainBreak(event.sequence, "记录内容与其哈希不符（记录被修改）"))
        previous_hash = event.hash
        expected_sequence += 1
        checked += 1
    return ChainReport(checked, None)
