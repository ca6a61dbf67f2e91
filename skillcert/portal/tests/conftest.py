import pytest

STAND_INS = "skillcert.portal.tests.urls"
PORTAL_ONLY = "skillcert.portal.tests.urls_minimal"


@pytest.fixture(autouse=True)
def _password_only_login(settings):
    # force_login signs in without a second factor; these tests are about the portal, not the 2FA gate.
    settings.SKILLCERT_REQUIRE_2FA = False


@pytest.fixture
def stand_in_urls(settings):
    """Pages of later issues exist (as stand-ins with their declared access)."""
    settings.ROOT_URLCONF = STAND_INS


@pytest.fixture
def portal_only_urls(settings):
    """Only the portal's own pages exist."""
    settings.ROOT_URLCONF = PORTAL_ONLY
