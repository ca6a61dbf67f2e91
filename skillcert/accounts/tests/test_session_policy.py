"""Idle timeout: staff after SKILLCERT_STAFF_IDLE_TIMEOUT, candidates after the candidate timeout."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from skillcert.accounts.tests.helpers import LOGIN_URL, confirmed_device, post_password, sign_in_staff
from skillcert.core.models import AuditEvent

PROFILE = reverse("accounts:profile")
TIMEOUT_MESSAGE = "由于长时间未操作，您已退出登录。"


def test_staff_session_survives_29_idle_minutes(client, world, clock):
    assert settings.SKILLCERT_STAFF_IDLE_TIMEOUT == 30 * 60
    sign_in_staff(client, world.body_y_admin, confirmed_device(world.body_y_admin))

    clock.shift(29 * 60)
    response = client.get(PROFILE)

    assert response.status_code == 200
    assert response.context["user"] == world.body_y_admin


def test_staff_session_ends_after_31_idle_minutes(client, world, clock):
    # given
    sign_in_staff(client, world.body_y_admin, confirmed_device(world.body_y_admin))
    session_key = client.session.session_key

    # when
    clock.shift(31 * 60)
    response = client.get(PROFILE)

    # then: sent to the login page with the reason, the session is gone from the server
    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next={PROFILE}"
    page = client.get(response.url)
    assert TIMEOUT_MESSAGE in [str(m) for m in page.context["messages"]]
    assert not Session.objects.filter(session_key=session_key).exists()
    assert AuditEvent.objects.get(action="auth.session_expired").actor_username == "y_admin"


def test_activity_keeps_the_session_alive(client, world, clock):
    sign_in_staff(client, world.body_y_admin, confirmed_device(world.body_y_admin))

    for _ in range(3):
        clock.shift(20 * 60)
        assert client.get(PROFILE).status_code == 200


def test_candidates_have_their_own_longer_timeout(client, world, clock):
    assert settings.SKILLCERT_CANDIDATE_IDLE_TIMEOUT > 31 * 60
    post_password(client, "candidate")

    clock.shift(31 * 60)
    still_in = client.get(PROFILE)
    clock.shift(settings.SKILLCERT_CANDIDATE_IDLE_TIMEOUT + 60)
    timed_out = client.get(PROFILE)

    assert still_in.status_code == 200
    assert timed_out.status_code == 302 and timed_out.url.startswith(LOGIN_URL)


def test_api_paths_are_not_redirected_when_the_session_times_out(client, world, clock):
    sign_in_staff(client, world.body_y_admin, confirmed_device(world.body_y_admin))

    clock.shift(31 * 60)
    response = client.get("/api/v1/health")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
