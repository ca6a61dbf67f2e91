"""Rotating a body's issuer key: the old key retires and the body's status lists are re-signed with the new.

Its own module because it joins keys.py and status.py, and status.py already builds on keys.py.
"""

from django.db import transaction
from django.utils import timezone

from skillcert.accounts.models import User
from skillcert.core.audit import audit_chain_lock, audit_record
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.credentials.models import IssuerKey, StatusList
from skillcert.credentials.services.keys import issuer_key_create
from skillcert.credentials.services.status import status_lists_sign
from skillcert.registry.models import Body


@transaction.atomic
def issuer_key_rotate(*, body: Body, actor: User | None, context: RequestContext = NO_REQUEST) -> IssuerKey:
    """Retire the body's key (its seed is erased, its public key stays published) and start a new one.

    The body's status lists are re-signed with the new key; credentials signed with the old key keep
    verifying, and new downloads are signed with the new key.
    """
    audit_chain_lock()
    now = timezone.now()
    old = IssuerKey.objects.select_for_update().filter(tenant=body, retired_at__isnull=True).first()
    if old is not None:
        old.retired_at = now
        old.seed_ciphertext = ""
        old.save(update_fields=["retired_at", "seed_ciphertext"])
    key = issuer_key_create(body=body, now=now)
    status_lists_sign(lists=list(StatusList.objects.filter(tenant=body)), key=key, body=body)
    audit_record(
        actor=actor,
        actor_label="" if actor is not None else "skillcert",
        action="issuer_key.rotated",
        target=body,
        data={
            "credit_code": body.credit_code,
            "retired_key": old.public_key_multibase if old is not None else None,
            "public_key": key.public_key_multibase,
        },
        context=context,
    )
    return key
