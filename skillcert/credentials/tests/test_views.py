"""The public issuer document and status list, the holder's download, the credential behind a QR token."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from skillcert.core.models import AuditEvent
from skillcert.credentials.models import CredentialEntry, IssuerKey, StatusList
from skillcert.credentials.services import issuer_key_rotate
from skillcert.credentials.tests.helpers import issue, local_trust, writes
from skillcert.credentials.verify import VALID, credential_verify

pytestmark = [pytest.mark.urls("skillcert.credentials.tests.urls"), pytest.mark.django_db]
BASE = "https://skillcert.example.gov.cn"


@pytest.fixture(autouse=True)
def portal(settings):
    settings.PUBLIC_BASE_URL = BASE
    settings.SKILLCERT_REQUIRE_2FA = False


def test_routes_are_the_addresses_inside_credentials():
    # the issuer id and status list URL the documents name are exactly where these views answer
    assert reverse("credentials:issuer", args=["91310115MA1H7GQX37"]) == "/issuers/91310115MA1H7GQX37"
    assert (
        reverse("credentials:status_list", args=["91310115MA1H7GQX37", 1])
        == "/issuers/91310115MA1H7GQX37/status/1"
    )


def test_controller_document_lists_every_key_with_assertion_method(world, client):
    # given body_y with a rotated key (two keys)
    issue(world)
    issuer_key_rotate(body=world.body_y, actor=world.municipal_admin)
    old, new = IssuerKey.objects.filter(tenant=world.body_y).order_by("created_at", "pk")

    # when anyone fetches the issuer id
    response = client.get(reverse("credentials:issuer", args=[world.body_y.credit_code]))

    # then: the JSON-LD controller document with both Multikeys, both usable for assertions
    issuer = f"{BASE}/issuers/91310115MA1H7GQX37"
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    methods = [
        {
            "id": f"{issuer}#{key.public_key_multibase}",
            "type": "Multikey",
            "controller": issuer,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in (old, new)
    ]
    assert json.loads(response.content) == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": issuer,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def test_controller_document_of_a_filed_body_without_a_key_lists_no_method_and_writes_nothing(world, client):
    # given body_s, filed before credentials existed: no key yet
    assert not IssuerKey.objects.filter(tenant=world.body_s).exists()

    # when anyone fetches its issuer id
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("credentials:issuer", args=[world.body_s.credit_code]))

    # then: its document, with no verification method (as the local trust store answers), and no write:
    # no key, no audit event
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["id"] == f"{BASE}/issuers/{world.body_s.credit_code}"
    assert (document["verificationMethod"], document["assertionMethod"]) == ([], [])
    assert local_trust().controller(document["id"]) == document
    assert writes(queries) == []
    assert not IssuerKey.objects.filter(tenant=world.body_s).exists()
    assert not AuditEvent.objects.filter(action="issuer_key.created").exists()


@pytest.mark.parametrize("route", ["issuer", "status_list", "by_token"])
def test_public_gets_write_nothing(world, client, route):
    # given an issued certificate (its body has a key and a status list)
    (certificate,) = issue(world)
    args = {
        "issuer": [world.body_y.credit_code],
        "status_list": [world.body_y.credit_code, 1],
        "by_token": [certificate.qr_token],
    }[route]

    # when an anonymous visitor fetches the public document
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"credentials:{route}", args=args))

    # then it is served and nothing is written
    assert response.status_code == 200
    assert writes(queries) == []


def test_holder_download_writes_nothing_to_credentials(world, client):
    # given the holder's certificate, signed in
    (certificate,) = issue(world, user=world.candidate)
    client.force_login(world.candidate)
    before = (IssuerKey.objects.count(), CredentialEntry.objects.count(), StatusList.objects.count())

    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("credentials:download", args=[certificate.number]))

    # then (the session may be touched; no credentials, key or audit row is)
    assert response.status_code == 200
    assert [sql for sql in writes(queries) if "django_session" not in sql] == []
    assert (IssuerKey.objects.count(), CredentialEntry.objects.count(), StatusList.objects.count()) == before


def test_certificate_from_before_credentials_has_no_credential_to_download(world, client):
    # given a holder's certificate issued before credentials existed (no status entry)
    (certificate,) = issue(world, user=world.candidate)
    CredentialEntry.objects.filter(certificate=certificate).delete()
    client.force_login(world.candidate)

    # when the holder or anyone with its QR token asks for the credential
    download = client.get(reverse("credentials:download", args=[certificate.number]))
    client.logout()
    by_token = client.get(reverse("credentials:by_token", args=[certificate.qr_token]))

    # then: 404, and the GETs allocated nothing (the backfill command does that)
    assert (download.status_code, by_token.status_code) == (404, 404)
    assert not CredentialEntry.objects.filter(certificate=certificate).exists()


def test_unknown_issuer_is_404(world, client):
    assert client.get(reverse("credentials:issuer", args=["91310000000000000X"])).status_code == 404


def test_status_list_is_served_signed(world, client):
    # given body_y's status list
    issue(world)
    status_list = StatusList.objects.get(tenant=world.body_y)

    # when
    response = client.get(reverse("credentials:status_list", args=[world.body_y.credit_code, 1]))

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json; charset=utf-8"
    assert json.loads(response.content) == status_list.credential
    assert (
        client.get(reverse("credentials:status_list", args=[world.body_y.credit_code, 2])).status_code == 404
    )


def test_holder_downloads_their_credential(world, client):
    # given a certificate whose candidate record belongs to the signed-in candidate
    (certificate,) = issue(world, user=world.candidate)
    client.force_login(world.candidate)

    # when
    response = client.get(reverse("credentials:download", args=[certificate.number]))

    # then: an attachment that verifies
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{certificate.number}.credential.json"'
    assert response["Cache-Control"] == "no-store"
    credential = json.loads(response.content)
    assert credential["credentialSubject"]["licenseNumber"] == certificate.number
    assert credential_verify(credential, trust=local_trust()).code == VALID


def test_others_cannot_download_a_holders_credential(world, client):
    # given someone else's certificate
    (certificate,) = issue(world)
    url = reverse("credentials:download", args=[certificate.number])

    # when / then: anonymous → login; another candidate or body staff → 404
    assert client.get(url).status_code == 302
    for user in (world.candidate, world.body_y_admin):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_credential_by_qr_token(world, client):
    # given a certificate
    (certificate,) = issue(world)

    # when anyone opens its token's credential address
    response = client.get(reverse("credentials:by_token", args=[certificate.qr_token]))

    # then
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert json.loads(response.content)["credentialSubject"]["licenseNumber"] == certificate.number
    assert client.get(reverse("credentials:by_token", args=[certificate.number])).status_code == 404
