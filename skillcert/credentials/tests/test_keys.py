"""Issuer keys: generated at filing approval (or lazily), stored encrypted, rotated with old keys kept."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from skillcert.core.models import AuditEvent
from skillcert.core.personal_data import decrypt
from skillcert.credentials.models import IssuerKey, PlatformKey, StatusList
from skillcert.credentials.multikey import public_key_from_multibase, public_key_multibase
from skillcert.credentials.proofs import proof_verify
from skillcert.credentials.selectors import controller_document_get
from skillcert.credentials.services import (
    credential_for_certificate,
    issuer_key_ensure,
    issuer_key_rotate,
    platform_key_ensure,
)
from skillcert.credentials.services.keys import ISSUER_KEY_PURPOSE
from skillcert.credentials.tests.helpers import issue, local_trust
from skillcert.credentials.verify import VALID, credential_verify
from skillcert.registry.services import filing_approve, filing_submit
from skillcert.registry.tests.conftest import draft  # noqa: F401 (fixture)


def test_filing_approval_generates_the_body_key(world, draft):  # noqa: F811
    # given a submitted initial filing of a new body
    filing_submit(actor=draft.admin, application=draft.application)
    declared = draft.application.sites.get()

    # when the district reviewer approves it
    filing_approve(
        actor=world.pudong_reviewer, application=draft.application, site_codes={declared.pk: "000301"}
    )

    # then the body has one active Ed25519 key, published as a Multikey, and its creation is audited
    key = IssuerKey.objects.get(tenant=draft.body)
    assert key.public_key_multibase.startswith("z6Mk")
    assert key.retired_at is None
    event = AuditEvent.objects.get(action="issuer_key.created")
    assert (event.target_type, event.target_id) == ("registry.body", str(draft.body.pk))
    assert event.data == {"public_key": key.public_key_multibase, "credit_code": draft.body.credit_code}


@pytest.mark.django_db
def test_seed_is_stored_encrypted_and_matches_the_public_key(world):
    # given / when: body_y (filed before credentials existed) gets its key lazily
    key = issuer_key_ensure(body=world.body_y)

    # then: the column holds AES-GCM ciphertext, which decrypts to the seed of the published key
    assert key.seed_ciphertext.startswith("v1:aesgcm:")
    seed = base64.urlsafe_b64decode(decrypt(key.seed_ciphertext, purpose=ISSUER_KEY_PURPOSE))
    assert (
        public_key_multibase(Ed25519PrivateKey.from_private_bytes(seed).public_key())
        == key.public_key_multibase
    )
    assert base64.urlsafe_b64encode(seed).decode() not in key.seed_ciphertext


@pytest.mark.django_db
def test_ensure_is_idempotent(world):
    # given a body with a key / when ensured again / then the same key, one audit event
    first = issuer_key_ensure(body=world.body_y)
    assert issuer_key_ensure(body=world.body_y) == first
    assert IssuerKey.objects.filter(tenant=world.body_y).count() == 1
    assert AuditEvent.objects.filter(action="issuer_key.created").count() == 1


@pytest.mark.django_db
def test_rotation_keeps_old_credentials_verifying(world, settings):
    # given a credential signed with body_y's first key
    settings.PUBLIC_BASE_URL = "https://skillcert.example.gov.cn"
    (certificate,) = issue(world)
    old_credential = credential_for_certificate(certificate=certificate)
    old_key = IssuerKey.objects.get(tenant=world.body_y)

    # when the body's key is rotated
    new_key = issuer_key_rotate(body=world.body_y, actor=world.municipal_admin)

    # then: the old key is retired and its seed erased; both public keys stay in the controller document
    old_key.refresh_from_db()
    assert old_key.retired_at is not None
    assert old_key.seed_ciphertext == ""
    document = controller_document_get(body=world.body_y)
    issuer = "https://skillcert.example.gov.cn/issuers/91310115MA1H7GQX37"
    assert document["assertionMethod"] == [
        f"{issuer}#{old_key.public_key_multibase}",
        f"{issuer}#{new_key.public_key_multibase}",
    ]
    # and the credential signed with the old key still verifies; a new download uses the new key
    assert credential_verify(old_credential, trust=local_trust()).code == VALID
    new_credential = credential_for_certificate(certificate=certificate)
    assert new_credential["proof"]["verificationMethod"] == f"{issuer}#{new_key.public_key_multibase}"
    assert credential_verify(new_credential, trust=local_trust()).code == VALID
    # and the status list is re-signed with the new key
    status_list = StatusList.objects.get(tenant=world.body_y)
    assert status_list.credential["proof"]["verificationMethod"] == f"{issuer}#{new_key.public_key_multibase}"
    assert proof_verify(
        document=status_list.credential, public_key=public_key_from_multibase(new_key.public_key_multibase)
    )
    # and the rotation is audited with its actor
    event = AuditEvent.objects.get(action="issuer_key.rotated")
    assert event.actor_id == world.municipal_admin.pk
    assert event.data == {
        "credit_code": "91310115MA1H7GQX37",
        "retired_key": old_key.public_key_multibase,
        "public_key": new_key.public_key_multibase,
    }


@pytest.mark.django_db
def test_platform_key_is_created_once_and_audited(world):
    # given no platform key / when ensured twice / then one key, encrypted, one audit event
    key = platform_key_ensure()
    assert platform_key_ensure() == key
    assert PlatformKey.objects.count() == 1
    assert key.seed_ciphertext.startswith("v1:aesgcm:")
    assert AuditEvent.objects.get(action="platform_key.created").data == {
        "public_key": key.public_key_multibase
    }
