"""The credentials API: a certificate's signed credential in the caller's scope; the trust bundle export."""

import json

import pytest

from skillcert.api.tests.helpers import ApiClient, issued_key
from skillcert.core.models import AuditEvent
from skillcert.credentials.models import CredentialEntry
from skillcert.credentials.tests.helpers import issue, local_trust
from skillcert.credentials.trust import bundle_open
from skillcert.credentials.verify import VALID, credential_verify

pytestmark = [pytest.mark.urls("skillcert.credentials.tests.api_urls"), pytest.mark.django_db]


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


def test_anonymous_returns_401(api, world):
    (certificate,) = issue(world)
    assert api.call("GET", f"/api/v1/credentials/certificates/{certificate.number}").status_code == 401


def test_body_staff_reads_the_signed_credential(api, world):
    # given a certificate of body_y / when its exam staff asks for the credential
    (certificate,) = issue(world)
    response = api.call(
        "GET",
        f"/api/v1/credentials/certificates/{certificate.number}",
        token=issued_key(world.body_y_exam_staff),
    )

    # then: the signed credential, which verifies
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json; charset=utf-8"
    credential = json.loads(response.content)
    assert credential["credentialSubject"]["licenseNumber"] == certificate.number
    assert credential_verify(credential, trust=local_trust()).code == VALID


def test_other_tenant_returns_404(api, world):
    (certificate,) = issue(world)
    response = api.call(
        "GET", f"/api/v1/credentials/certificates/{certificate.number}", token=issued_key(world.body_s_admin)
    )
    assert response.status_code == 404


def test_certificate_from_before_credentials_returns_404_and_allocates_nothing(api, world):
    # given a certificate of body_y issued before credentials existed (no status entry)
    (certificate,) = issue(world)
    CredentialEntry.objects.filter(certificate=certificate).delete()

    # when its body's exam staff asks for the credential
    response = api.call(
        "GET",
        f"/api/v1/credentials/certificates/{certificate.number}",
        token=issued_key(world.body_y_exam_staff),
    )

    # then: not found, and the GET wrote no entry (the backfill command gives it one)
    assert response.status_code == 404
    assert not CredentialEntry.objects.filter(certificate=certificate).exists()


def test_without_role_returns_403_for_the_bundle(api, world):
    response = api.call("POST", "/api/v1/credentials/trust-bundle", token=issued_key(world.body_y_admin))
    assert response.status_code == 403


def test_with_role_can_export_the_bundle(api, world):
    # given issued certificates / when the municipal administrator exports the bundle
    issue(world)
    response = api.call("POST", "/api/v1/credentials/trust-bundle", token=issued_key(world.municipal_admin))

    # then: a signed bundle, audited with its actor
    assert response.status_code == 200
    bundle = json.loads(response.content)
    key = bundle["signature"]["publicKeyMultibase"]
    assert len(bundle_open(bundle, trusted_keys={key}).controllers) == 2
    event = AuditEvent.objects.get(action="trust_bundle.exported")
    assert event.actor_id == world.municipal_admin.pk
