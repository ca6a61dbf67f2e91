"""Fixtures that more than one evaluation test module needs: signed-in clients and the results API."""

import pytest

from skillcert.api.tests.helpers import ApiClient


@pytest.fixture
def logged_in(client, settings):
    """A function that signs ``client`` in as the given user (without the second factor) and returns it."""
    settings.SKILLCERT_REQUIRE_2FA = False

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def exam_staff_client(client, settings, world):
    """``client`` signed in as body_y's exam staff (who import applications), without the second factor."""
    settings.SKILLCERT_REQUIRE_2FA = False
    client.force_login(world.body_y_exam_staff)
    return client


@pytest.fixture
def results_api(settings):
    """An API client against the scores and results routers (``api_urls``)."""
    settings.ROOT_URLCONF = "skillcert.evaluation.tests.api_urls"
    return ApiClient()
