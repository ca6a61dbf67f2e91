"""Signing 10,000 certificates' credentials (eddsa-rdfc-2022) against bare Ed25519 signatures of the
same bytes.

The certificates are issued through the real service and given their status entries; then every
credential is built, canonicalised (RDFC-1.0) and signed with ``credential_sign``, the function behind
downloads. The baseline signs, in the same run, the same 64-byte hashData of every credential with the
same key and nothing else: the ratio is the cost of JSON-LD and canonicalisation. The reference path
(pyld on every document, no per-shape template) is measured on a sample for comparison.
"""

import secrets
import time
from datetime import date

from bench.timing import result

ROWS = 10_000
REFERENCE_SAMPLE = 300


def _issue(tag: str):
    from bench.bench_issuance import _world
    from skillcert.accounts.models import Candidate
    from skillcert.accounts.services import ID_NUMBER_PURPOSE
    from skillcert.certificates.services import certificates_issue_for_plan
    from skillcert.core.personal_data import encrypt

    body, _site, admin, _spec, plan = _world(tag)
    candidates = list(Candidate.objects.filter(applications__plan=plan))
    for i, candidate in enumerate(candidates):
        candidate.id_number_ciphertext = encrypt(f"31011519900101{i % 10000:04d}", purpose=ID_NUMBER_PURPOSE)
    Candidate.objects.bulk_update(candidates, ["id_number_ciphertext"], batch_size=2000)
    certificates = certificates_issue_for_plan(plan=plan, actor=admin, issue_date=date(2025, 6, 30))
    return body, certificates


class _Rollback(Exception):
    pass


def _allocation_seconds(*, body, certificates) -> float:
    """Allocating entries for all certificates from scratch (as issuance does), rolled back afterwards."""
    from django.db import transaction

    from skillcert.credentials.models import CredentialEntry, StatusList
    from skillcert.credentials.services import credential_entries_allocate

    try:
        with transaction.atomic():
            CredentialEntry.objects.filter(tenant=body).delete()
            StatusList.objects.filter(tenant=body).delete()
            start = time.perf_counter()
            credential_entries_allocate(certificates=certificates)
            elapsed = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def run() -> list[dict]:
    from skillcert.certificates.models import Certificate
    from skillcert.credentials import documents
    from skillcert.credentials.linked_data import canonical_nquads
    from skillcert.credentials.models import CredentialEntry
    from skillcert.credentials.proofs import hash_data, proof_add, proof_configuration
    from skillcert.credentials.services import credential_entries_allocate, credential_sign, issuer_key_ensure
    from skillcert.credentials.services.credential import canonicalizer
    from skillcert.credentials.services.keys import issuer_key_private

    tag = f"{secrets.randbelow(900_000) + 100_000}"
    body, issued = _issue(tag)
    credential_entries_allocate(certificates=issued)  # a no-op when issuance already allocated them
    allocate_seconds = _allocation_seconds(body=body, certificates=issued)

    key = issuer_key_ensure(body=body)
    certificates = list(
        Certificate.objects.filter(tenant=body).select_related("tenant", "occupation", "level").order_by("pk")
    )
    entries = {
        e.certificate_id: e for e in CredentialEntry.objects.filter(tenant=body).select_related("status_list")
    }
    assert len(certificates) == len(entries) == ROWS

    # the measured operation: build + canonicalise + sign, as a download does
    start = time.perf_counter()
    signed = [credential_sign(certificate=c, entry=entries[c.pk], key=key) for c in certificates]
    sign_rate = ROWS / (time.perf_counter() - start)

    # the same 64-byte hashData of every credential (computed outside the timing), signed bare
    private_key = issuer_key_private(key=key)
    hashes = []
    for credential in signed:
        unsecured = {k: v for k, v in credential.items() if k != "proof"}
        proof = credential["proof"]
        configuration = proof_configuration(
            document=unsecured, verification_method=proof["verificationMethod"], created=proof["created"]
        )
        hashes.append(hash_data(unsecured=unsecured, configuration=configuration, canonicalize=canonicalizer))
    start = time.perf_counter()
    for data in hashes:
        private_key.sign(data)
    bare_rate = ROWS / (time.perf_counter() - start)

    # the reference path on a sample: pyld for every document
    sample = certificates[:REFERENCE_SAMPLE]
    method = documents.verification_method_id(body=body, key=key)
    start = time.perf_counter()
    for c in sample:
        unsigned = documents.certificate_credential(
            certificate=c, entry=entries[c.pk], status_list=entries[c.pk].status_list
        )
        proof_add(
            document=unsigned,
            private_key=issuer_key_private(key=key),
            verification_method=method,
            created=signed[0]["proof"]["created"],
            canonicalize=canonical_nquads,
        )
    reference_rate = REFERENCE_SAMPLE / (time.perf_counter() - start)

    return [
        result(
            "credential_sign",
            sign_rate,
            "credentials/s",
            bare_rate,
            "bare Ed25519 signatures of the same 64-byte hashData",
        ),
        result(
            "credential_sign_reference_path",
            reference_rate,
            "credentials/s",
            bare_rate,
            "bare Ed25519 signatures of the same 64-byte hashData",
        ),
        result(
            "credential_entries_allocate",
            ROWS / allocate_seconds,
            "certificates/s",
            sign_rate,
            "credential_sign (for scale)",
        ),
    ]
