"""What the user and the administrators are told of failed sign-ins: the user's notice at the next sign-in,
the administrators' list of accounts with sign-in alerts, and clearing an account's failures (in scope only;
everyone else gets 404)."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from skillcert.accounts.login_failures import user_login_failures_clear
from skillcert.accounts.models import LoginFailure, User
from skillcert.accounts.roles import Role
from skillcert.accounts.tests.helpers import (
    START,
    WRONG_PASSWORD,
    fail_times,
    force_sign_in,
    form_errors,
    post_password,
)
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.core.request_context import NO_REQUEST

ALERTS_URL = reverse("accounts:login_alerts")
DASHBOARD = reverse("portal:dashboard")
CLIENT_A = {"REMOTE_ADDR": "198.51.100.7"}
CLIENT_B = {"REMOTE_ADDR": "203.0.113.20"}


def clear_url(user: User) -> str:
    return reverse("accounts:login_failures_clear", args=[user.pk])


def failures(user: User, count: int, *, client: str = "198.51.100.1", locked: bool = False) -> None:
    """``count`` failures of ``user`` from ``client`` now; with ``locked``, the last one locked the pair."""
    rows = [
        LoginFailure(user=user, username=user.username, ip_address=client, occurred_at=START)
        for _ in range(count)
    ]
    if locked:
        rows[-1].locked_until = START + timedelta(minutes=30)
    LoginFailure.objects.bulk_create(rows)


def listed(admin: User) -> list[str]:
    browser = Client()
    force_sign_in(browser, admin)
    return [user.username for user in browser.get(ALERTS_URL).context["page"].object_list]


def notices(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def pudong_admin(world):
    return make_user("pudong_admin", Role.AUTHORITY_ADMIN, region=world.pudong)


# ---- the user's notice -----------------------------------------------------------------------------


def test_the_user_is_told_at_the_next_sign_in_of_the_failures_since_the_last(client, world, clock):
    # given: three failed attempts on the candidate's account from elsewhere, the last at 09:10
    fail_times(client.__class__(), "candidate", 2, **CLIENT_A)
    clock.shift(10 * 60)
    fail_times(client.__class__(), "candidate", 1, **CLIENT_B)

    # when: the candidate signs in
    response = post_password(client, "candidate", follow=True)

    # then: the dashboard tells them, once, and the telling is audited
    assert notices(response) == [
        "自您上次登录以来，您的账户有 3 次登录失败，最近一次在 2026-03-02 09:10。"
        "如果不是您本人操作，请立即修改密码。"
    ]
    reported = AuditEvent.objects.get(action="auth.failures_reported")
    assert (reported.actor_username, reported.target_id, reported.data["failures"]) == (
        "candidate",
        str(world.candidate.pk),
        3,
    )
    world.candidate.refresh_from_db()
    assert (world.candidate.failed_logins_unreported, world.candidate.failed_login_last_at) == (0, None)
    client.logout()
    assert notices(post_password(client, "candidate", follow=True)) == []


def test_a_sign_in_without_failures_tells_nothing(client, world, clock):
    response = post_password(client, "candidate", follow=True)

    assert notices(response) == []
    assert not AuditEvent.objects.filter(action="auth.failures_reported").exists()


def test_an_administrators_clearing_does_not_hide_the_failures_from_the_user(client, world, clock):
    # given: five failures that locked client A out, cleared by the municipal administrator
    fail_times(client.__class__(), "candidate", 5, **CLIENT_A)
    user_login_failures_clear(user=world.candidate, actor=world.municipal_admin, context=NO_REQUEST)

    # when
    response = post_password(client, "candidate", follow=True, **CLIENT_A)

    # then
    assert notices(response)[0].startswith("自您上次登录以来，您的账户有 5 次登录失败")


# ---- the administrators' list and clearing ---------------------------------------------------------


def test_municipal_admin_sees_a_locked_out_client_and_clears_it(client, world, clock, settings):
    # given: five failures on s_admin's account from client A, which is now locked out of it
    settings.SKILLCERT_REQUIRE_2FA = False
    fail_times(client, "s_admin", 5, **CLIENT_A)
    assert post_password(client, "s_admin", **CLIENT_A).status_code == 429
    admin = client.__class__()
    force_sign_in(admin, world.municipal_admin)

    # when: the administrator opens the list, then the confirmation, then confirms
    page = admin.get(ALERTS_URL)
    confirm = admin.get(clear_url(world.body_s_admin))
    response = admin.post(clear_url(world.body_s_admin))

    # then: the list showed the account with its figures; the clearing is done and audited
    [alert] = page.context["page"].object_list
    assert (alert.username, alert.login_failures, alert.login_clients, alert.login_locked_clients) == (
        "s_admin",
        5,
        1,
        1,
    )
    assert alert.login_challenge_required is False
    assert alert.login_last_failure_at == START
    assert "登录异常账户" in page.content.decode()
    assert confirm.status_code == 200 and "确认清除" in confirm.content.decode()
    assert response.status_code == 302 and response.url == ALERTS_URL
    event = AuditEvent.objects.get(action="auth.failures_cleared")
    assert (event.actor_username, event.target_id) == ("muni_admin", str(world.body_s_admin.pk))
    assert event.data == {
        "username": "s_admin",
        "failures": 5,
        "locked_clients": 1,
        "challenge_required": False,
    }
    assert listed(world.municipal_admin) == []
    # and: client A may sign in again
    assert post_password(client, "s_admin", **CLIENT_A).status_code == 302


def test_the_confirmation_page_changes_nothing(client, world, clock):
    failures(world.body_y_exam_staff, 5, locked=True)
    force_sign_in(client, world.body_y_admin)

    client.get(clear_url(world.body_y_exam_staff))

    assert LoginFailure.objects.filter(locked_until__isnull=False).count() == 1
    assert not AuditEvent.objects.filter(action="auth.failures_cleared").exists()


def test_clearing_ends_the_challenge_requirement(client, world, clock, settings):
    # given: an account that needs a challenge
    settings.SKILLCERT_LOGIN_CHALLENGE_AFTER_FAILURES = 8
    for index in range(4):
        failures(world.candidate, 2, client=f"198.51.100.{index}")
    assert post_password(client, "candidate").status_code == 428

    # when
    user_login_failures_clear(user=world.candidate, actor=world.municipal_admin, context=NO_REQUEST)

    # then
    assert post_password(client, "candidate").status_code == 302
    event = AuditEvent.objects.get(action="auth.failures_cleared")
    assert event.data["challenge_required"] is True and event.data["failures"] == 8


def test_pudong_admin_neither_sees_nor_clears_a_minhang_body_user(client, world, pudong_admin, clock):
    failures(world.body_s_admin, 5, locked=True)
    force_sign_in(client, pudong_admin)

    assert listed(pudong_admin) == []
    assert client.get(clear_url(world.body_s_admin)).status_code == 404
    assert client.post(clear_url(world.body_s_admin)).status_code == 404
    assert LoginFailure.objects.filter(locked_until__isnull=False).count() == 1
    assert not AuditEvent.objects.filter(action="auth.failures_cleared").exists()


def test_pudong_admin_clears_a_pudong_body_user(client, world, pudong_admin, clock):
    failures(world.body_y_exam_staff, 5, locked=True)
    force_sign_in(client, pudong_admin)

    response = client.post(clear_url(world.body_y_exam_staff))

    assert response.status_code == 302
    assert not LoginFailure.objects.filter(user=world.body_y_exam_staff, locked_until__isnull=False).exists()
    assert not LoginFailure.objects.filter(user=world.body_y_exam_staff, counts_for_account=True).exists()


def test_alert_lists_hold_only_the_administrators_own_scope(client, world, pudong_admin, clock):
    for user in (
        world.body_y_exam_staff,
        world.body_s_admin,
        world.candidate,
        world.pudong_reviewer,
        world.minhang_reviewer,
    ):
        failures(user, 5)

    assert sorted(listed(pudong_admin)) == ["pudong_reviewer", "y_exam_staff"]
    assert sorted(listed(world.body_y_admin)) == ["y_exam_staff"]
    assert sorted(listed(world.municipal_admin)) == [
        "candidate",
        "minhang_reviewer",
        "pudong_reviewer",
        "s_admin",
        "y_exam_staff",
    ]


def test_an_account_is_listed_from_a_locked_client_or_as_many_failures_as_lock_one(client, world, clock):
    # given: four failures (a typo or two: not listed), five from five clients, a lock after a sign-in
    failures(world.body_y_exam_staff, 4)
    for index in range(5):
        failures(world.body_y_examiner, 1, client=f"198.51.100.{index}")
    failures(world.body_y_internal_supervisor, 5, locked=True)
    LoginFailure.objects.filter(user=world.body_y_internal_supervisor).update(counts_for_account=False)

    # then: the most failures first
    assert listed(world.body_y_admin) == ["y_examiner", "y_internal_supervisor"]

    # when: the lock ends
    clock.shift(31 * 60)

    # then: only the account whose failures still count
    assert listed(world.body_y_admin) == ["y_examiner"]


def test_the_list_shows_the_most_failures_first_and_whether_a_challenge_is_needed(
    client, world, clock, settings
):
    settings.SKILLCERT_LOGIN_CHALLENGE_AFTER_FAILURES = 7
    failures(world.body_y_exam_staff, 9)
    for index in range(6):
        failures(world.body_y_examiner, 1, client=f"198.51.100.{index}")
    force_sign_in(client, world.body_y_admin)

    page = client.get(ALERTS_URL)

    rows = [
        (u.username, u.login_failures, u.login_clients, u.login_challenge_required)
        for u in page.context["page"]
    ]
    assert rows == [("y_exam_staff", 9, 1, True), ("y_examiner", 6, 6, False)]
    html = page.content.decode()
    assert html.count('<td data-field="challenge"><span class="badge text-bg-warning">是</span></td>') == 1


def test_the_list_is_paginated_in_a_fixed_number_of_queries(client, world, clock, monkeypatch):
    monkeypatch.setattr("skillcert.accounts.views.admin.LOGIN_ALERTS_PER_PAGE", 2)
    force_sign_in(client, world.municipal_admin)
    failures(world.candidate, 5)
    client.get(ALERTS_URL)  # the session and the permission checks warm up
    with CaptureQueriesContext(connection) as one:
        client.get(ALERTS_URL)

    for user in (world.body_s_admin, world.pudong_reviewer, world.minhang_reviewer):
        failures(user, 5)
    with CaptureQueriesContext(connection) as four:
        first = client.get(ALERTS_URL)
    second = client.get(ALERTS_URL + "?page=2")

    assert len(four) == len(one)
    assert len(first.context["page"].object_list) == len(second.context["page"].object_list) == 2
    assert "第 1 / 2 页" in first.content.decode()


def test_body_admin_cannot_clear_another_bodys_staff(client, world, clock):
    failures(world.body_s_admin, 5, locked=True)
    force_sign_in(client, world.body_y_admin)

    assert client.post(clear_url(world.body_s_admin)).status_code == 404


def test_only_the_municipal_admin_clears_candidates(world, pudong_admin, clock):
    failures(world.candidate, 5, locked=True)

    with pytest.raises(ApplicationError):
        user_login_failures_clear(user=world.candidate, actor=pudong_admin, context=NO_REQUEST)
    user_login_failures_clear(user=world.candidate, actor=world.municipal_admin, context=NO_REQUEST)

    assert not LoginFailure.objects.filter(user=world.candidate, locked_until__isnull=False).exists()


def test_staff_without_the_admin_role_cannot_open_the_list(client, world):
    force_sign_in(client, world.pudong_reviewer)

    assert client.get(ALERTS_URL).status_code == 403


def test_a_pair_lock_answers_alike_after_clearing_an_unrelated_account(client, world, clock):
    # given: client A locked out of the candidate's account, and another account cleared
    fail_times(client, "candidate", 5, **CLIENT_A)
    user_login_failures_clear(user=world.body_s_admin, actor=world.municipal_admin, context=NO_REQUEST)

    # when
    response = post_password(client, "candidate", **CLIENT_A)

    # then: the candidate's lock holds
    assert response.status_code == 429 and form_errors(response)[0].startswith("使用该用户名")
    assert post_password(client, "candidate", WRONG_PASSWORD, **CLIENT_B).status_code == 200
