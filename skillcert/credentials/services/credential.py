"""The signed OpenBadgeCredential of a certificate, produced on demand.

Signing is deterministic: Ed25519 signatures are, and ``created`` is fixed (the entry's creation, or the
key's if the body rotated its key since), so the same certificate yields byte-identical JSON until its
body rotates its key; after that, new downloads carry the new key's proof and copies signed with the old
key keep verifying (the controller document keeps the old public key). Revocation is not in the
credential itself but in the status list it points to.
"""

from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from skillcert.certificates.models import Certificate
from skillcert.core.errors import ApplicationError
from skillcert.credentials import documents
from skillcert.credentials.models import CredentialEntry, IssuerKey
from skillcert.credentials.proofs import proof_add
from skillcert.credentials.services.keys import issuer_key_private
from skillcert.credentials.shapes import ShapeCanonicalizer

# One per process: every credential has the same shape, so JSON-LD → RDF runs once per shape.
canonicalizer = ShapeCanonicalizer()
_RELATED = ("tenant", "occupation", "level")
MSG_NO_CREDENTIAL = _(
    "证书 %(number)s 还没有电子凭证（在电子凭证功能上线前发放），"
    "请管理员运行 skillcert credentials_backfill 补齐。"
)


def credential_sign(
    *,
    certificate: Certificate,
    entry: CredentialEntry,
    key: IssuerKey,
    valid_until: datetime | None = None,
) -> dict:
    """Build and sign one credential (``valid_until`` only for tests and special issues)."""
    unsigned = documents.certificate_credential(
        certificate=certificate, entry=entry, status_list=entry.status_list, valid_until=valid_until
    )
    created = max(entry.created_at, key.created_at)
    return proof_add(
        document=unsigned,
        private_key=issuer_key_private(key=key),
        verification_method=documents.verification_method_id(body=certificate.tenant, key=key),
        created=documents.xsd_datetime(created),
        canonicalize=canonicalizer,
    )


def credential_for_certificate(*, certificate: Certificate) -> dict:
    """The certificate's signed OB 3.0 credential (see ``credentials_for_certificates``)."""
    return credentials_for_certificates(certificates=[certificate])[0]


def credentials_for_certificates(*, certificates: Sequence[Certificate]) -> list[dict]:
    """Signed credentials of many certificates, in order, with a handful of queries.

    Writes nothing, so the GET pages and the API may call it: issuance gives every certificate its status
    entry and filing approval its body's key; data from before credentials existed gets them from
    ``credentials_backfill``. A certificate without an entry is refused (the selectors that find
    certificates for download leave such certificates out).
    """
    ids = [certificate.pk for certificate in certificates]
    loaded = Certificate.objects.select_related(*_RELATED).in_bulk(ids)
    entries = {
        entry.certificate_id: entry
        for entry in CredentialEntry.objects.filter(certificate__in=ids).select_related("status_list")
    }
    bodies = {certificate.tenant_id for certificate in loaded.values()}
    # Allocating an entry makes its body's key, and rotation replaces the active key in the same
    # transaction, so a body with entries always has one active key.
    keys = {
        key.tenant_id: key for key in IssuerKey.objects.filter(tenant__in=bodies, retired_at__isnull=True)
    }
    signed = []
    for certificate_id in ids:
        certificate = loaded[certificate_id]
        entry = entries.get(certificate_id)
        key = keys.get(certificate.tenant_id)
        if entry is None or key is None:
            raise ApplicationError(str(MSG_NO_CREDENTIAL) % {"number": certificate.number})
        signed.append(credential_sign(certificate=certificate, entry=entry, key=key))
    return signed
