"""Writing one audit event (lock, read the chain head, hash, insert) against a bare insert of the same row."""

from django.db import transaction
from django.utils import timezone

from bench.timing import rate, result


def run() -> list[dict]:
    from skillcert.core.audit import audit_record
    from skillcert.core.models import AuditEvent

    def chained() -> None:
        with transaction.atomic():
            audit_record(actor=None, action="bench.event", actor_label="bench", data={"n": 1})

    sequence = iter(range(10_000_000, 20_000_000))

    def bare() -> None:
        with transaction.atomic():
            AuditEvent.objects.create(
                sequence=next(sequence),
                occurred_at=timezone.now(),
                actor_username="bench",
                action="bench.event",
                data={"n": 1},
                previous_hash="0" * 64,
                hash="0" * 64,
            )

    chained_rate = rate(chained, count=300)
    bare_rate = rate(bare, count=300)
    return [result("audit_record", chained_rate, "events/s", bare_rate, "bare insert of the same row")]
