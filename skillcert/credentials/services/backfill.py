"""Give data from before credentials existed what issuance and filing approval give new data.

Filing approval makes a body's key and issuance gives each certificate its status entry, so on a register
started with credentials this finds nothing to do. Bodies filed and certificates issued earlier are
completed here, once, by ``skillcert credentials_backfill``, and not on a public GET.
"""

from dataclasses import dataclass

from django.db import transaction

from skillcert.certificates.models import Certificate
from skillcert.core.audit import audit_record
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.credentials.models import IssuerKey
from skillcert.credentials.services.keys import issuer_key_ensure
from skillcert.credentials.services.status import credential_entries_allocate, credential_status_revoke
from skillcert.registry.models import Body

BACKFILL_BATCH = 500  # certificates per transaction: a large register is not one long write lock


@dataclass(frozen=True, slots=True)
class CredentialsBackfill:
    keys_created: int
    entries_allocated: int
    revoked_marked: int


def credentials_backfill(
    *, context: RequestContext = NO_REQUEST, batch_size: int = BACKFILL_BATCH
) -> CredentialsBackfill:
    """Keys for filed bodies without one, status entries (and revocation bits) for certificates without one.

    Idempotent. Each key is audited by ``issuer_key_ensure``; each batch of certificates commits with one
    audit event. A revoked certificate gets its bit set in the same transaction as its entry, so no
    credential of it is ever served as valid.
    """
    keys_created = 0
    without_key = (
        Body.objects.filter(filing_status=Body.FilingStatus.FILED)
        .exclude(pk__in=IssuerKey.objects.values("tenant_id"))
        .order_by("pk")
    )
    for body in without_key:
        issuer_key_ensure(body=body, context=context)
        keys_created += 1
    allocated = revoked_marked = 0
    while True:
        with transaction.atomic():
            batch = list(
                Certificate.objects.filter(credential_entry__isnull=True).order_by("pk")[:batch_size]
            )
            if not batch:
                break
            revoked = [c for c in batch if c.status == Certificate.Status.REVOKED]
            credential_entries_allocate(certificates=batch)
            credential_status_revoke(certificates=revoked)
            audit_record(
                actor=None,
                actor_label="skillcert credentials_backfill",
                action="credential_entries.backfilled",
                target=None,
                data={
                    "certificates": len(batch),
                    "revoked": len(revoked),
                    "first": batch[0].number,
                    "last": batch[-1].number,
                },
                context=context,
            )
        allocated += len(batch)
        revoked_marked += len(revoked)
    return CredentialsBackfill(
        keys_created=keys_created, entries_allocated=allocated, revoked_marked=revoked_marked
    )
