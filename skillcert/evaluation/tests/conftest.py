"""Fixtures that more than one evaluation test module needs: signed-in clients and the results API."""

import pytest

from skillcert.api.tests.helpers import ApiClient
from skillcert.evaluation.tests.factories import make_plan, make_spec


@pytest.fixture
def plan(world):
    """body_y's acknowledged 四级 plan with 30 places, open to applications (the application import tests).

    A module that needs other places or a schedule defines its own ``plan``, which takes precedence.
    """
    return make_plan(world, spec=make_spec(world, level_code="L4"), capacity=30)


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
