"""Unlocking: only an administrator whose scope covers the user; everyone else gets 404."""

from datetime import timedelta

import pytest
from django.urls import reverse

from conftest import make_user
from skillcert.accounts.authentication import user_unlock
from skillcert.accounts.models import LoginFailure, User
from skillcert.accounts.roles import Role
from skillcert.accounts.tests.helpers import START, force_sign_in, post_password
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.core.request_context import NO_REQUEST

LOCKED_URL = reverse("accounts:locked_users")


def lock(*users: User) -> None:
    User.objects.filter(pk__in=[u.pk for u in users]).update(locked_until=START + timedelta(minutes=30))


def unlock_url(user: User) -> str:
    return reverse("accounts:user_unlock", args=[user.pk])


@pytest.fixture
def pudong_admin(world):
    return make_user("pudong_admin", Role.AUTHORITY_ADMIN, region=world.pudong)


def test_municipal_admin_unlocks_a_body_user_who_can_then_sign_in(client, world, clock, settings):
    # given: a candidate locked by five failures
    settings.SKILLCERT_REQUIRE_2FA = False
    for _ in range(settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_ACCOUNT):
        post_password(client, "s_admin", "Wrong-Passw0rd!")
    world.body_s_admin.refresh_from_db()
    assert world.body_s_admin.locked_until is not None
    admin = client.__class__()
    force_sign_in(admin, world.municipal_admin)

    # when
    confirm = admin.get(unlock_url(world.body_s_admin))
    response = admin.post(unlock_url(world.body_s_admin))

    # then
    assert confirm.status_code == 200
    assert response.status_code == 302 and response.url == LOCKED_URL
    world.body_s_admin.refresh_from_db()
    assert world.body_s_admin.locked_until is None
    assert not LoginFailure.objects.filter(user=world.body_s_admin, counts_for_account=True).exists()
    event = AuditEvent.objects.get(action="auth.unlocked")
    assert (event.actor_username, event.target_id) == ("muni_admin", str(world.body_s_admin.pk))
    assert post_password(client, "s_admin").status_code == 302


def test_pudong_admin_cannot_unlock_a_minhang_body_user(client, world, pudong_admin, clock):
    lock(world.body_s_admin)
    force_sign_in(client, pudong_admin)

    assert client.get(unlock_url(world.body_s_admin)).status_code == 404
    assert client.post(unlock_url(world.body_s_admin)).status_code == 404
    world.body_s_admin.refresh_from_db()
    assert world.body_s_admin.locked_until is not None
    assert not AuditEvent.objects.filter(action="auth.unlocked").exists()


def test_pudong_admin_unlocks_a_pudong_body_user(client, world, pudong_admin, clock):
    lock(world.body_y_exam_staff)
    force_sign_in(client, pudong_admin)

    response = client.post(unlock_url(world.body_y_exam_staff))

    assert response.status_code == 302
    world.body_y_exam_staff.refresh_from_db()
    assert world.body_y_exam_staff.locked_until is None


def test_locked_user_lists_hold_only_the_administrators_own_scope(client, world, pudong_admin, clock):
    lock(
        world.body_y_exam_staff,
        world.body_s_admin,
        world.candidate,
        world.pudong_reviewer,
        world.minhang_reviewer,
    )

    def listed(admin: User) -> list[str]:
        force_sign_in(client, admin)
        return [u.username for u in client.get(LOCKED_URL).context["users"]]

    assert sorted(listed(pudong_admin)) == ["pudong_reviewer", "y_exam_staff"]
    assert sorted(listed(world.body_y_admin)) == ["y_exam_staff"]
    assert sorted(listed(world.municipal_admin)) == [
        "candidate",
        "minhang_reviewer",
        "pudong_reviewer",
        "s_admin",
        "y_exam_staff",
    ]


def test_an_expired_lock_is_not_listed(client, world, clock):
    lock(world.body_y_exam_staff)
    force_sign_in(client, world.body_y_admin)

    clock.shift(31 * 60)

    assert list(client.get(LOCKED_URL).context["users"]) == []


def test_body_admin_cannot_unlock_another_bodys_staff(client, world, clock):
    lock(world.body_s_admin)
    force_sign_in(client, world.body_y_admin)

    assert client.post(unlock_url(world.body_s_admin)).status_code == 404


def test_only_the_municipal_admin_unlocks_candidates(world, pudong_admin):
    lock(world.candidate)

    with pytest.raises(ApplicationError):
        user_unlock(user=world.candidate, actor=pudong_admin, context=NO_REQUEST)
    unlocked = user_unlock(user=world.candidate, actor=world.municipal_admin, context=NO_REQUEST)

    assert unlocked.locked_until is None


def test_staff_without_the_admin_role_cannot_open_the_locked_list(client, world):
    force_sign_in(client, world.pudong_reviewer)

    assert client.get(LOCKED_URL).status_code == 403
