"""Export a signed trust bundle for other regions and employers (see ``trust.py`` for the format)."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from skillcert.accounts.models import User
from skillcert.core.audit import audit_record
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.credentials import documents
from skillcert.credentials.selectors import trust_bundle_contents
from skillcert.credentials.services.keys import issuer_key_ensure, platform_key_ensure, platform_key_private
from skillcert.credentials.trust import bundle_sign
from skillcert.registry.models import Body


@transaction.atomic
def trust_bundle_export(*, actor: User | None = None, context: RequestContext = NO_REQUEST) -> dict:
    """A bundle of every issuer's controller document and status lists, signed with the platform key."""
    for body in Body.objects.filter(filing_status=Body.FilingStatus.FILED).order_by("pk"):
        issuer_key_ensure(body=body, context=context)  # bodies filed before credentials existed
    key = platform_key_ensure(context=context)
    controllers, status_lists = trust_bundle_contents()
    bundle = bundle_sign(
        controllers=controllers,
        status_lists=status_lists,
        issued=documents.xsd_datetime(timezone.now()),
        publisher=settings.PUBLIC_BASE_URL,
        private_key=platform_key_private(key=key),
    )
    audit_record(
        actor=actor,
        actor_label="" if actor is not None else "skillcert trust-bundle",
        action="trust_bundle.exported",
        target=key,
        data={
            "platform_key": key.public_key_multibase,
            "issuers": len(controllers),
            "status_lists": len(status_lists),
        },
        context=context,
    )
    return bundle
