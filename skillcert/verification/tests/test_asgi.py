"""The one ASGI application: verification paths to Starlette, everything else to Django; and the
Starlette side imports no Django ORM."""

import json
import subprocess
import sys

import pytest
from django.core.asgi import get_asgi_application
from django.db import connections
from starlette.testclient import TestClient

from skillcert.verification.configure import config_from_settings
from skillcert.verification.routing import combine, is_verification_path
from skillcert.verification.tests.conftest import app_for
from skillcert.verification.tests.test_query import full_id_numbers


@pytest.fixture
def combined(settings, verification_config, issued):
    settings.ROOT_URLCONF = "skillcert.verification.tests.urls"
    # Under ASGI each request's views run in a thread of their own; a persistent connection there would
    # outlive the request and keep the PostgreSQL test database busy at teardown. Close at request end.
    database = connections.settings["default"]
    kept_max_age = database["CONN_MAX_AGE"]
    database["CONN_MAX_AGE"] = 0
    application = combine(django=get_asgi_application(), verification=app_for(verification_config))
    try:
        with TestClient(application, base_url="https://testserver") as client:
            yield client
    finally:
        database["CONN_MAX_AGE"] = kept_max_age


def test_paths_are_routed_to_the_right_application():
    # then the public query, the QR pages and the public API go to Starlette; the signed credential and
    # the rest to Django
    assert [
        is_verification_path(path)
        for path in (
            "/query",
            "/v/abc",
            "/api/v1/public/certificates",
            "/api/v1/public/verify/abc",
            "/credentials/v/abc/credential.json",
            "/",
            "/api/v1/certificates/",
            "/query/x",
            "/verify",
        )
    ] == [True, True, True, True, False, False, False, False, False]


def test_the_combined_application_answers_both_ways(combined, issued):
    # when the combined application gets a public query, a QR page, the portal home page and the login page
    query = combined.post("/api/v1/public/certificates", data={"number": issued.zhang.number, "name": "张伟"})
    page = combined.get(f"/v/{issued.zhang.qr_token}")
    home = combined.get("/")
    login = combined.get("/accounts/login/")

    # then the verification app answers the first two and Django the others (its CSRF cookie shows it)
    assert [c["number"] for c in query.json()["certificates"]] == [issued.zhang.number]
    assert page.status_code == 200 and "职业技能等级证书核验" in page.text
    assert home.status_code == 200 and 'action="/query"' in home.text  # the home form posts to the query
    assert login.status_code == 200 and "csrftoken" in login.headers.get("set-cookie", "")


def test_the_credential_linked_from_the_qr_page_is_served_by_django(combined, issued):
    # when the credential address given by the QR code's JSON is downloaded, and an unknown token tried
    link = combined.get(f"/api/v1/public/verify/{issued.wang.qr_token}").json()["credential"]
    response = combined.get(link)
    unknown = combined.get(link.replace(issued.wang.qr_token, "A" * 43))

    # then it is the signed OpenBadgeCredential with no ID number in it, and the unknown one is 404
    assert link == f"/credentials/v/{issued.wang.qr_token}/credential.json"
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vc+ld+json")
    assert response.headers["cache-control"] == "no-store"
    credential = response.json()
    assert "OpenBadgeCredential" in credential["type"]
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert full_id_numbers(response.text) == []
    assert unknown.status_code == 404


def test_the_configuration_points_at_the_test_database(settings, verification_config):
    # when the configuration is built from the settings with the verification URLs included
    settings.ROOT_URLCONF = "skillcert.verification.tests.urls"
    config = config_from_settings()

    # then the credential address is the Django URL and the keys are 32 bytes
    assert config.credential_url == "/credentials/v/{token}/credential.json"
    assert (len(config.index_key), len(config.secret)) == (32, 32)


def test_the_verification_app_imports_no_django_orm_or_settings():
    # when the Starlette app is imported in a fresh interpreter
    code = (
        "import json, sys; import skillcert.verification.app; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('django', 'skillcert')))))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    modules = json.loads(output)

    # then no ORM, no settings, no Django app module came with it
    assert [m for m in modules if m.startswith(("django.db", "django.conf", "django.contrib"))] == []
    assert [
        m for m in modules if m.startswith("skillcert.") and m.split(".")[1] not in ("core", "verification")
    ] == []
    assert "skillcert.verification.models" not in modules
