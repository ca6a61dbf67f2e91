"""What must change with a certificate, in the same transaction: the public verification record and the
signed credential's status list entry.

Issuance, revocation and reissue call these two functions, and only these, so every path keeps the
public query and the credential status in step with the register.
"""

from collections.abc import Sequence

from skillcert.certificates.models import Certificate
from skillcert.credentials.services import credential_entries_allocate, credential_status_revoke
from skillcert.verification.records import verification_records_upsert


def certificates_sync_issued(*, certificates: Sequence[Certificate]) -> None:
    """New certificates: publish their verification records and give each a status list entry."""
    if not certificates:
        return
    verification_records_upsert(certificates=certificates)
    credential_entries_allocate(certificates=certificates)


def certificates_sync_revoked(*, certificates: Sequence[Certificate]) -> None:
    """Revoked certificates: mark their verification records and set their status list bits."""
    if not certificates:
        return
    verification_records_upsert(certificates=certificates)
    credential_status_revoke(certificates=certificates)
