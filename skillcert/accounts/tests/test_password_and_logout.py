"""Password change (needs the current password, ends other sessions) and logout (POST only)."""

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from conftest import WORLD_PASSWORD
from skillcert.accounts.tests.helpers import post_password
from skillcert.core.models import AuditEvent
from skillcert.core.request_context import NO_REQUEST

CHANGE = reverse("accounts:password_change")
PROFILE = reverse("accounts:profile")
LOGOUT = reverse("accounts:logout")
LOGIN = reverse("accounts:login")
NEW_PASSWORD = "Huangpu-Bridge-77"


def change(client: Client, current: str, new: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(
        CHANGE, {"current_password": current, "new_password": new, "new_password_confirm": confirm or new}
    )


def test_a_wrong_current_password_changes_nothing(client, world):
    post_password(client, "candidate")

    response = change(client, "Not-The-Passw0rd")

    assert list(response.context["form"].errors["current_password"]) == ["当前密码不正确。"]
    world.candidate.refresh_from_db()
    assert world.candidate.check_password(WORLD_PASSWORD)
    assert AuditEvent.objects.filter(action="auth.password_change_failed").count() == 1
    assert not AuditEvent.objects.filter(action="auth.password_changed").exists()


def test_a_weak_new_password_is_refused(client, world):
    post_password(client, "candidate")

    response = change(client, WORLD_PASSWORD, new="1234567890")

    errors = list(response.context["form"].errors["new_password"])
    assert "密码须包含小写字母、大写字母、数字、其他符号中的至少三类。" in errors
    world.candidate.refresh_from_db()
    assert world.candidate.check_password(WORLD_PASSWORD)


def test_changing_the_password_keeps_this_session_and_ends_the_others(world):
    # given: the same person signed in on two browsers
    this, other = Client(), Client()
    post_password(this, "candidate")
    post_password(other, "candidate")

    # when
    response = change(this, WORLD_PASSWORD)

    # then
    assert response.status_code == 302 and response.url == PROFILE
    world.candidate.refresh_from_db()
    assert world.candidate.check_password(NEW_PASSWORD)
    assert this.get(PROFILE).status_code == 200
    assert other.get(PROFILE).status_code == 302
    assert AuditEvent.objects.filter(action="auth.password_changed").count() == 1


def test_logout_by_get_only_asks(client, world):
    post_password(client, "candidate")

    response = client.get(LOGOUT)

    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert client.get(PROFILE).status_code == 200


def test_logout_by_post_ends_the_session_on_the_server(client, world):
    post_password(client, "candidate")
    session_key = client.session.session_key

    response = client.post(LOGOUT)

    assert response.status_code == 302 and response.url == reverse("portal:home")
    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get(PROFILE).status_code == 302
    assert AuditEvent.objects.get(action="auth.logout").actor_username == "candidate"


def test_logout_needs_the_csrf_token(world):
    # given: a browser signed in through the CSRF-checked login form
    client = Client(enforce_csrf_checks=True)
    token = str(client.get(LOGIN).context["csrf_token"])
    signed_in = client.post(
        LOGIN, {"username": "candidate", "password": WORLD_PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert signed_in.status_code == 302

    # when: a cross-site form posts to logout without the token
    response = client.post(LOGOUT)

    # then
    assert response.status_code == 403
    assert client.get(PROFILE).status_code == 200


def test_changing_the_password_ends_the_users_api_tokens(world, settings):
    # given a member of staff with two live integration tokens and a colleague with one
    from skillcert.accounts.services import user_password_change
    from skillcert.accounts.tokens import api_token_authenticate, api_token_create

    _, first = api_token_create(
        user=world.body_y_admin, name="人事系统", scope="read_write", actor=world.body_y_admin
    )
    _, second = api_token_create(
        user=world.body_y_admin, name="考务系统", scope="read_write", actor=world.body_y_admin
    )
    _, colleague = api_token_create(
        user=world.body_y_exam_staff, name="考务系统", scope="read_write", actor=world.body_y_exam_staff
    )

    # when the staff member changes their password
    user_password_change(
        user=world.body_y_admin,
        current_password=WORLD_PASSWORD,
        new_password=NEW_PASSWORD,
        context=NO_REQUEST,
    )

    # then their tokens no longer authenticate, the colleague's still does, and one audit event says why
    assert api_token_authenticate(key=first) is None
    assert api_token_authenticate(key=second) is None
    assert api_token_authenticate(key=colleague) is not None
    event = AuditEvent.objects.get(action="api_token.revoked_all")
    assert event.data["reason"] == "password_changed"
    assert len(event.data["key_prefixes"]) == 2
