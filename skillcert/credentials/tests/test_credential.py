"""The signed OpenBadgeCredential of a certificate: its content, its proof, and what breaks it."""

import hashlib
import json
from datetime import UTC, datetime

import pytest

from skillcert.credentials.linked_data import canonical_nquads
from skillcert.credentials.models import CredentialEntry, IssuerKey
from skillcert.credentials.multikey import public_key_from_multibase
from skillcert.credentials.proofs import proof_verify
from skillcert.credentials.services import credential_for_certificate, credential_sign, issuer_key_ensure
from skillcert.credentials.services.credential import canonicalizer
from skillcert.credentials.tests.helpers import HOLDER_ID, changed, issue, local_trust
from skillcert.credentials.trust import TrustStore
from skillcert.credentials.verify import (
    EXPIRED,
    MALFORMED,
    NOT_YET_VALID,
    TAMPERED,
    UNKNOWN_ISSUER,
    UNKNOWN_KEY,
    VALID,
    credential_verify,
)

BASE = "https://skillcert.example.gov.cn"


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = BASE


@pytest.mark.django_db
def test_credential_states_the_certificate_without_the_id_number(world):
    # given a certificate of body_y (焊工 / 电焊工, 三级) for a holder with a known ID number
    (certificate,) = issue(world, job_type="电焊工", name="陈晓东", id_number=HOLDER_ID)
    entry = CredentialEntry.objects.get(certificate=certificate)

    # when
    credential = credential_for_certificate(certificate=certificate)

    # then: an OB 3.0 credential issued by the body's HTTPS id on this portal
    issuer = f"{BASE}/issuers/91310115MA1H7GQX37"
    list_url = f"{issuer}/status/1"
    key = IssuerKey.objects.get(tenant=world.body_y)
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"urn:uuid:{entry.credential_id}"
    assert credential["issuer"] == {
        "id": issuer,
        "type": ["Profile"],
        "name": "上海浦江机电集团有限公司",
        "url": f"{BASE}/registry/bodies/91310115MA1H7GQX37/",
    }
    assert credential["validFrom"] == "2025-06-29T16:00:00Z"  # 2025-06-30 00:00 in Shanghai
    assert "validUntil" not in credential
    subject = credential["credentialSubject"]
    assert subject["licenseNumber"] == certificate.number
    assert subject["identifier"] == [
        {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "陈晓东"},
        {
            "type": "IdentityObject",
            "identityType": "nationalIdentityNumber",
            "hashed": True,
            "identityHash": "sha256$"
            + hashlib.sha256((HOLDER_ID + entry.identity_salt).encode()).hexdigest(),
        },
    ]
    # the salt is not published: beside its hash it would give the ID number back by trial
    assert entry.identity_salt not in json.dumps(credential)
    achievement = subject["achievement"]
    assert achievement["id"] == f"{BASE}/achievements/6-18-02-04/L3/%E7%94%B5%E7%84%8A%E5%B7%A5"
    assert achievement["name"] == "焊工（电焊工） 三级/高级工"
    assert achievement["achievementType"] == "Certificate"
    assert achievement["alignment"][0]["targetCode"] == "6-18-02-04"
    assert credential["credentialStatus"] == {
        "id": f"{list_url}#{entry.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(entry.status_index),
        "statusListCredential": list_url,
    }
    assert credential["proof"]["verificationMethod"] == f"{issuer}#{key.public_key_multibase}"
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert HOLDER_ID not in json.dumps(credential)


@pytest.mark.django_db
def test_signed_credential_verifies_against_the_local_database(world):
    # given
    (certificate,) = issue(world)

    # when
    verdict = credential_verify(credential_for_certificate(certificate=certificate), trust=local_trust())

    # then
    assert verdict.code == VALID


@pytest.mark.django_db
def test_signing_is_deterministic(world):
    # given a certificate / when its credential is produced twice / then the same bytes
    (certificate,) = issue(world)
    first = json.dumps(credential_for_certificate(certificate=certificate), ensure_ascii=False)
    assert json.dumps(credential_for_certificate(certificate=certificate), ensure_ascii=False) == first


@pytest.mark.django_db
def test_fast_canonicalisation_equals_the_reference_path_for_real_credentials(world):
    # given credentials of two bodies, with and without a job type
    certificates = [*issue(world, job_type="电焊工"), *issue(world, body="s")]
    for certificate in certificates:
        credential = credential_for_certificate(certificate=certificate)
        unsecured = {k: v for k, v in credential.items() if k != "proof"}
        # when / then: the template path gives the reference output, byte for byte
        assert canonicalizer(unsecured) == canonical_nquads(unsecured)


@pytest.mark.parametrize(
    "path, value",
    [
        (["credentialSubject", "achievement", "name"], "焊工（电焊工） 一级/高级技师"),
        (["credentialSubject", "identifier", 0, "identityHash"], "李四"),
        (["credentialSubject", "licenseNumber"], "Y000031000101251000099"),
        (["validFrom"], "2020-01-01T00:00:00Z"),
        (["credentialStatus", "statusListIndex"], "7"),
    ],
)
@pytest.mark.django_db
def test_any_changed_field_is_reported_tampered(world, path, value):
    # given a signed credential with one field changed after signing
    (certificate,) = issue(world, job_type="电焊工")
    credential = changed(credential_for_certificate(certificate=certificate), path, value)

    # when
    verdict = credential_verify(credential, trust=local_trust())

    # then
    assert verdict.code == TAMPERED
    assert verdict.message == "凭证签名验证失败：内容在签发后被改动，或签名无效。"


@pytest.mark.django_db
def test_added_unsigned_property_is_malformed(world):
    # given a signed credential with a property added that no context defines (it would be unsigned)
    (certificate,) = issue(world)
    credential = changed(credential_for_certificate(certificate=certificate), ["holderIdNumber"], HOLDER_ID)

    # when
    verdict = credential_verify(credential, trust=local_trust())

    # then
    assert verdict.code == MALFORMED
    assert "holderIdNumber" in verdict.message


@pytest.mark.django_db
def test_key_not_in_the_issuer_document_is_unknown(world):
    # given a credential whose proof names a key that body_y never published
    (certificate,) = issue(world)
    credential = credential_for_certificate(certificate=certificate)
    issuer = credential["issuer"]["id"]
    forged = changed(
        credential,
        ["proof", "verificationMethod"],
        f"{issuer}#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
    )

    # when
    verdict = credential_verify(forged, trust=local_trust())

    # then
    assert verdict.code == UNKNOWN_KEY
    assert verdict.message == (
        f"未知的签名密钥：{issuer}#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi "
        f"不在签发机构 {issuer} 公布的签发密钥之列。"
    )


@pytest.mark.django_db
def test_key_of_another_body_is_unknown(world):
    # given body_y's credential whose proof points at body_s's (published) key
    (certificate,) = issue(world)
    credential = credential_for_certificate(certificate=certificate)
    other = issuer_key_ensure(body=world.body_s)
    forged = changed(
        credential,
        ["proof", "verificationMethod"],
        f"{BASE}/issuers/{world.body_s.credit_code}#{other.public_key_multibase}",
    )

    # when
    verdict = credential_verify(forged, trust=local_trust())

    # then: the key's controller is not the credential's issuer
    assert verdict.code == UNKNOWN_KEY


@pytest.mark.django_db
def test_issuer_missing_from_the_trust_store_is_unknown(world):
    # given a valid credential and a trust store that knows nothing
    (certificate,) = issue(world)
    credential = credential_for_certificate(certificate=certificate)

    # when
    verdict = credential_verify(credential, trust=TrustStore())

    # then
    assert verdict.code == UNKNOWN_ISSUER
    assert verdict.message == (
        f"未知的签发机构：信任来源中没有 {BASE}/issuers/91310115MA1H7GQX37 的密钥文档，无法确认签名者。"
    )


@pytest.mark.django_db
def test_dates_are_checked(world):
    # given a credential signed with a validity period ending 2026-01-01
    (certificate,) = issue(world)
    entry = CredentialEntry.objects.select_related("status_list").get(certificate=certificate)
    credential = credential_sign(
        certificate=certificate,
        entry=entry,
        key=issuer_key_ensure(body=world.body_y),
        valid_until=datetime(2026, 1, 1, tzinfo=UTC),
    )

    # when / then: before validFrom, inside, after validUntil
    early = credential_verify(credential, trust=local_trust(), at=datetime(2025, 6, 1, tzinfo=UTC))
    inside = credential_verify(credential, trust=local_trust(), at=datetime(2025, 12, 1, tzinfo=UTC))
    late = credential_verify(credential, trust=local_trust(), at=datetime(2026, 2, 1, tzinfo=UTC))
    assert (early.code, inside.code, late.code) == (NOT_YET_VALID, VALID, EXPIRED)
    assert early.message == "凭证尚未生效：自 2025-06-29T16:00:00Z 起有效。"
    assert late.message == "凭证已过期：有效期至 2026-01-01T00:00:00Z。"


@pytest.mark.django_db
def test_status_list_is_checked_with_the_issuer_key(world):
    # given a credential and its status list credential
    (certificate,) = issue(world)
    credential = credential_for_certificate(certificate=certificate)
    trust = local_trust()
    issuer = credential["issuer"]["id"]
    status_list = trust.status_list(credential["credentialStatus"]["statusListCredential"])
    key = public_key_from_multibase(IssuerKey.objects.get(tenant=world.body_y).public_key_multibase)

    # then: the list is signed by the same issuer's key
    assert status_list["issuer"] == issuer
    assert proof_verify(document=status_list, public_key=key) is True
