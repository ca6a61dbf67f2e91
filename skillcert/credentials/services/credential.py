"""The signed OpenBadgeCredential of a certificate, produced on demand.

Signing is deterministic: Ed25519 signatures are, and ``created`` is fixed (the entry's creation, or the
key's if the body rotated its key since), so the same certificate yields byte-identical JSON until its
body rotates its key; after that, new downloads carry the new key's proof and copies signed with the old
key keep verifying (the controller document keeps the old public key). Revocation is not in the
credential itself but in the status list it points to.
"""

from collections.abc import Sequence
from datetime import datetime

from skillcert.certificates.models import Certificate
from skillcert.credentials import documents
from skillcert.credentials.models import CredentialEntry, IssuerKey
from skillcert.credentials.proofs import proof_add
from skillcert.credentials.services.keys import issuer_key_ensure, issuer_key_private
from skillcert.credentials.services.status import credential_entries_allocate
from skillcert.credentials.shapes import ShapeCanonicalizer

# One per process: every credential has the same shape, so JSON-LD → RDF runs once per shape.
canonicalizer = ShapeCanonicalizer()
_RELATED = ("tenant", "occupation", "level")


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
    """The certificate's signed OB 3.0 credential (its status entry is allocated if it has none yet)."""
    return credentials_for_certificates(certificates=[certificate])[0]


def credentials_for_certificates(*, certificates: Sequence[Certificate]) -> list[dict]:
    """Signed credentials of many certificates, in order, with a handful of queries."""
    ids = [certificate.pk for certificate in certificates]
    if CredentialEntry.objects.filter(certificate__in=ids).count() < len(set(ids)):
        credential_entries_allocate(certificates=certificates)
    loaded = Certificate.objects.select_related(*_RELATED).in_bulk(ids)
    entries = {
        entry.certificate_id: entry
        for entry in CredentialEntry.objects.filter(certificate__in=ids).select_related("status_list")
    }
    keys: dict[int, IssuerKey] = {}
    signed = []
    for certificate_id in ids:
        certificate = loaded[certificate_id]
        if certificate.tenant_id not in keys:
            keys[certificate.tenant_id] = issuer_key_ensure(body=certificate.tenant)
        signed.append(
            credential_sign(
                certificate=certificate, entry=entries[certificate_id], key=keys[certificate.tenant_id]
            )
        )
    return signed
