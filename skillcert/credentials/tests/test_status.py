"""Bitstring Status Lists: random free indexes at issuance, the bit set and the list re-signed at
revocation."""

import hashlib

import pytest
from django.db.models import Count

from skillcert.accounts.services import ID_NUMBER_PURPOSE
from skillcert.core.personal_data import decrypt
from skillcert.credentials.bitstring import MIN_ENTRIES, bit_get, bitstring_decode
from skillcert.credentials.models import CredentialEntry, IssuerKey, StatusList
from skillcert.credentials.multikey import public_key_from_multibase
from skillcert.credentials.proofs import proof_verify
from skillcert.credentials.services import (
    credential_entries_allocate,
    credential_for_certificate,
    credential_status_revoke,
)
from skillcert.credentials.tests.helpers import issue, local_trust
from skillcert.credentials.verify import REVOKED, VALID, credential_verify


def list_bits(status_list: StatusList) -> bytes:
    return bitstring_decode(status_list.credential["credentialSubject"]["encodedList"])


@pytest.mark.django_db
def test_allocation_gives_distinct_random_indexes_in_a_full_size_list(world):
    # given / when: 30 certificates of body_y are issued and allocated
    certificates = issue(world, count=30)

    # then: one list of at least 131,072 entries, 30 distinct indexes, not the first 30
    status_list = StatusList.objects.get(tenant=world.body_y)
    assert status_list.size == MIN_ENTRIES and len(bytes(status_list.bits)) == MIN_ENTRIES // 8
    indexes = sorted(
        CredentialEntry.objects.filter(status_list=status_list).values_list("status_index", flat=True)
    )
    assert len(set(indexes)) == 30
    assert indexes != list(range(30))
    assert all(0 <= index < MIN_ENTRIES for index in indexes)
    # and every entry belongs to its certificate's body and hashes the holder's ID number with its salt
    for certificate in certificates:
        entry = CredentialEntry.objects.get(certificate=certificate)
        number = decrypt(certificate.candidate.id_number_ciphertext, purpose=ID_NUMBER_PURPOSE)
        assert entry.tenant_id == world.body_y.pk
        assert (
            entry.identity_hash
            == "sha256$" + hashlib.sha256((number + entry.identity_salt).encode()).hexdigest()
        )


@pytest.mark.django_db
def test_allocation_is_idempotent_and_per_body(world):
    # given certificates of both bodies
    ours = issue(world, count=2)
    theirs = issue(world, count=1, body="s")

    # when allocated again
    credential_entries_allocate(certificates=[*ours, *theirs])

    # then: still one entry each, in each body's own list
    assert CredentialEntry.objects.count() == 3
    assert list(
        StatusList.objects.annotate(n=Count("entries"))
        .order_by("tenant__credit_code")
        .values_list("tenant", "n")
    ) == [(world.body_s.pk, 1), (world.body_y.pk, 2)]


@pytest.mark.django_db
def test_new_list_is_published_signed_and_empty(world):
    # given / when
    issue(world)

    # then: the list credential is signed by body_y's key and all bits are clear
    status_list = StatusList.objects.get(tenant=world.body_y)
    key = IssuerKey.objects.get(tenant=world.body_y)
    assert status_list.credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_list.credential["credentialSubject"]["statusPurpose"] == "revocation"
    assert proof_verify(
        document=status_list.credential, public_key=public_key_from_multibase(key.public_key_multibase)
    )
    assert list_bits(status_list) == bytes(MIN_ENTRIES // 8)


@pytest.mark.django_db
def test_revocation_sets_the_bit_and_re_signs_the_list(world):
    # given two certificates and a credential downloaded before revocation
    revoked, kept = issue(world, count=2)
    credential = credential_for_certificate(certificate=revoked)
    before = StatusList.objects.get(tenant=world.body_y).credential

    # when one is revoked
    credential_status_revoke(certificates=[revoked])

    # then: its bit is set, the other's is not, and the list carries a new valid proof
    status_list = StatusList.objects.get(tenant=world.body_y)
    bits = list_bits(status_list)
    revoked_index = CredentialEntry.objects.get(certificate=revoked).status_index
    kept_index = CredentialEntry.objects.get(certificate=kept).status_index
    assert bit_get(bits, revoked_index) is True
    assert bit_get(bits, kept_index) is False
    assert sum(bin(byte).count("1") for byte in bits) == 1
    assert status_list.credential["proof"]["proofValue"] != before["proof"]["proofValue"]
    key = IssuerKey.objects.get(tenant=world.body_y)
    assert proof_verify(
        document=status_list.credential, public_key=public_key_from_multibase(key.public_key_multibase)
    )
    # and the credential downloaded earlier now verifies as revoked, the other as valid
    verdict = credential_verify(credential, trust=local_trust())
    assert verdict.code == REVOKED
    assert verdict.message == (
        f"证书已撤销（状态列表 {status_list.credential['id']} 第 {revoked_index} 位）。"
    )
    assert credential_verify(credential_for_certificate(certificate=kept), trust=local_trust()).code == VALID


@pytest.mark.django_db
def test_revoking_a_certificate_issued_before_credentials_gives_it_an_entry(world):
    # given a certificate without a status entry (issued before this app existed)
    (certificate,) = issue(world)
    CredentialEntry.objects.filter(certificate=certificate).delete()

    # when revoked
    credential_status_revoke(certificates=[certificate])

    # then it has an entry whose bit is set
    entry = CredentialEntry.objects.get(certificate=certificate)
    assert bit_get(list_bits(entry.status_list), entry.status_index) is True
