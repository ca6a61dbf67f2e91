"""Status list entries: a random free index per certificate at issuance, the bit set at revocation.

Both run inside the caller's transaction (issuance, revocation). They take the audit chain lock first and
then the body's status list rows (FOR UPDATE, in sequence order), the order every credentials write
uses, so that concurrent issuers never pick the same index and never deadlock with each other.
"""

import hashlib
import secrets
import uuid
from collections import defaultdict
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from skillcert.accounts.models import Candidate
from skillcert.accounts.services import ID_NUMBER_PURPOSE
from skillcert.certificates.models import Certificate
from skillcert.core.audit import audit_chain_lock
from skillcert.core.personal_data import decrypt
from skillcert.credentials import documents
from skillcert.credentials.bitstring import bit_set
from skillcert.credentials.models import CredentialEntry, IssuerKey, StatusList
from skillcert.credentials.proofs import proof_add
from skillcert.credentials.services.keys import issuer_key_ensure, issuer_key_private
from skillcert.registry.models import Body

_random = secrets.SystemRandom()


def identity_hash(*, value: str, salt: str) -> str:
    """OB 3.0 IdentityHash: ``sha256$`` + hex(SHA-256(value + salt))."""
    return "sha256$" + hashlib.sha256((value + salt).encode()).hexdigest()


def status_lists_sign(*, lists: Sequence[StatusList], key: IssuerKey, body: Body) -> None:
    """Re-sign status list credentials with their current bits (after a change, or with a new key)."""
    now = timezone.now()
    private_key = issuer_key_private(key=key)
    method = documents.verification_method_id(body=body, key=key)
    for status_list in lists:
        unsigned = documents.status_list_credential(status_list=status_list, body=body, valid_from=now)
        status_list.credential = proof_add(
            document=unsigned,
            private_key=private_key,
            verification_method=method,
            created=documents.xsd_datetime(now),
        )
        status_list.signed_at = now
        status_list.save(update_fields=["bits", "credential", "signed_at"])


def _new_list(*, body: Body, sequence: int) -> StatusList:
    size = settings.SKILLCERT_CREDENTIALS_STATUS_LIST_SIZE
    return StatusList.objects.create(
        tenant=body,
        purpose=StatusList.Purpose.REVOCATION,
        sequence=sequence,
        size=size,
        bits=bytes(size // 8),
    )


def _free_indexes(status_list: StatusList) -> list[int]:
    used = set(CredentialEntry.objects.filter(status_list=status_list).values_list("status_index", flat=True))
    return [index for index in range(status_list.size) if index not in used]


def _hashes(certificates: Sequence[Certificate]) -> dict[int, tuple[str, str]]:
    """Salt and identity hash of each certificate's holder ID number (decrypted here, never stored)."""
    ciphertexts = dict(
        Candidate.objects.filter(pk__in={c.candidate_id for c in certificates}).values_list(
            "pk", "id_number_ciphertext"
        )
    )
    result: dict[int, tuple[str, str]] = {}
    for certificate in certificates:
        number = decrypt(ciphertexts[certificate.candidate_id], purpose=ID_NUMBER_PURPOSE)
        salt = secrets.token_hex(16)
        result[certificate.pk] = (salt, identity_hash(value=number, salt=salt))
    return result


def _allocate_for_body(*, body: Body, certificates: Sequence[Certificate]) -> None:
    key = issuer_key_ensure(body=body)
    lists = list(
        StatusList.objects.select_for_update()
        .filter(tenant=body, purpose=StatusList.Purpose.REVOCATION)
        .order_by("sequence")
    )
    hashes = _hashes(certificates)
    now = timezone.now()
    pending = list(certificates)
    entries: list[CredentialEntry] = []
    opened: list[StatusList] = []
    # Fill the newest list first; open a new list when a body has used up 131,072 indexes.
    current = lists[-1] if lists else None
    while pending:
        if current is None:
            current = _new_list(body=body, sequence=(lists[-1].sequence + 1) if lists else 1)
            lists.append(current)
            opened.append(current)
        free = _free_indexes(current)
        take, pending = pending[: len(free)], pending[len(free) :]
        for certificate, index in zip(take, _random.sample(free, len(take)), strict=True):
            salt, hashed = hashes[certificate.pk]
            entries.append(
                CredentialEntry(
                    tenant=body,
                    certificate=certificate,
                    credential_id=uuid.uuid4(),
                    status_list=current,
                    status_index=index,
                    identity_salt=salt,
                    identity_hash=hashed,
                    created_at=now,
                )
            )
        current = None if pending else current
    CredentialEntry.objects.bulk_create(entries)
    # A new list is published (all zeros) as soon as it has entries; existing lists are unchanged.
    if opened:
        status_lists_sign(lists=opened, key=key, body=body)


@transaction.atomic
def credential_entries_allocate(*, certificates: Sequence[Certificate]) -> None:
    """Give each certificate without one a random free index in its body's status list (and an id)."""
    if not certificates:
        return
    audit_chain_lock()
    have = set(
        CredentialEntry.objects.filter(certificate__in=[c.pk for c in certificates]).values_list(
            "certificate_id", flat=True
        )
    )
    by_body: dict[int, list[Certificate]] = defaultdict(list)
    for certificate in certificates:
        if certificate.pk not in have:
            by_body[certificate.tenant_id].append(certificate)
            have.add(certificate.pk)
    bodies = Body.objects.in_bulk(list(by_body))
    for body_id in sorted(by_body):
        _allocate_for_body(body=bodies[body_id], certificates=by_body[body_id])


@transaction.atomic
def credential_status_revoke(*, certificates: Sequence[Certificate]) -> None:
    """Set the revocation bits of these certificates and re-sign the status lists that changed."""
    if not certificates:
        return
    credential_entries_allocate(certificates=certificates)  # certificates issued before credentials existed
    entries = list(
        CredentialEntry.objects.filter(certificate__in=[c.pk for c in certificates]).values_list(
            "tenant_id", "status_list_id", "status_index"
        )
    )
    by_list: dict[int, list[int]] = defaultdict(list)
    body_of: dict[int, int] = {}
    for body_id, list_id, index in entries:
        by_list[list_id].append(index)
        body_of[list_id] = body_id
    lists = (
        StatusList.objects.select_for_update().filter(pk__in=list(by_list)).order_by("tenant_id", "sequence")
    )
    changed: dict[int, list[StatusList]] = defaultdict(list)
    for status_list in lists:
        bits = bytearray(status_list.bits)
        for index in by_list[status_list.pk]:
            bit_set(bits, index)
        if bytes(bits) != bytes(status_list.bits):
            status_list.bits = bytes(bits)
            changed[status_list.tenant_id].append(status_list)
    bodies = Body.objects.in_bulk(list(changed))
    for body_id, body_lists in sorted(changed.items()):
        body = bodies[body_id]
        status_lists_sign(lists=body_lists, key=issuer_key_ensure(body=body), body=body)
