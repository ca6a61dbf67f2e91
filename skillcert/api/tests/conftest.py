import pytest

from skillcert.api.tests.helpers import ApiClient


@pytest.fixture
def api_client() -> ApiClient:
    return ApiClient()
