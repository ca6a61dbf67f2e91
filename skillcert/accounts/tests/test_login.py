"""The password step: success, identical refusals, lockout per account, throttling per address."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import WORLD_PASSWORD
from skillcert.accounts.authentication import (
    WRONG_CREDENTIALS,
    LoginRefused,
    failure_retention,
    login_check_password,
    second_factor_required,
)
from skillcert.accounts.models import LoginFailure, User
from skillcert.accounts.tests.helpers import LOGIN_URL, START, post_password
from skillcert.core.models import AuditEvent
from skillcert.core.request_context import RequestContext

DASHBOARD = reverse("portal:dashboard")
LOCK_MESSAGE_START = "登录失败次数过多，该账户已被锁定"


def form_errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def fail_times(client, username: str, times: int, **extra):
    response = None
    for _ in range(times):
        response = post_password(client, username, "Wrong-Passw0rd!", **extra)
    return response


def test_candidate_login_succeeds_with_a_new_session_key(client, world, clock):
    # given: a browser that already holds a session
    session = client.session
    session["visited"] = True
    session.save()
    old_key = session.session_key

    # when
    response = post_password(client, "candidate")

    # then: signed in, on a fresh session key, audited
    assert response.status_code == 302
    assert response.url == DASHBOARD
    assert client.session.session_key != old_key
    assert client.session["_auth_user_id"] == str(world.candidate.pk)
    assert list(AuditEvent.objects.filter(action="auth.login").values_list("actor_username", flat=True)) == [
        "candidate"
    ]


def test_login_page_renders_with_csrf_token(client, world):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_unknown_user_and_wrong_password_get_the_same_answer(client, world, clock):
    # when
    unknown = post_password(client, "nobody", WORLD_PASSWORD)
    wrong = post_password(client, "candidate", "Wrong-Passw0rd!")

    # then: same status, same message; the audit log knows the difference
    assert unknown.status_code == wrong.status_code == 200
    assert form_errors(unknown) == form_errors(wrong) == [WRONG_CREDENTIALS]
    failed = AuditEvent.objects.filter(action="auth.login_failed").order_by("sequence")
    assert [(e.actor_username, e.data["reason"]) for e in failed] == [
        ("nobody", "unknown_user"),
        ("candidate", "bad_password"),
    ]
    assert "_auth_user_id" not in client.session


def test_failures_are_recorded_although_the_login_is_refused(world, clock):
    context = RequestContext(ip_address="198.51.100.7", request_id="r1")

    with pytest.raises(LoginRefused) as refused:
        login_check_password(username="candidate", password="nope", context=context)

    assert refused.value.message == WRONG_CREDENTIALS
    failure = LoginFailure.objects.get()
    assert (failure.username, failure.user, failure.ip_address) == (
        "candidate",
        world.candidate,
        "198.51.100.7",
    )
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert (event.actor_id, event.actor_username, event.ip_address) == (None, "candidate", "198.51.100.7")


def test_account_locks_after_the_limit_and_refuses_even_the_right_password(client, world, clock):
    limit = settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_ACCOUNT

    # given: one failure short of the limit, the answer is still the plain one
    response = fail_times(client, "candidate", limit - 1)
    assert form_errors(response) == [WRONG_CREDENTIALS]

    # when: the limit is reached
    response = fail_times(client, "candidate", 1)

    # then: locked until now + lockout, and the page says until when
    assert response.status_code == 429
    world.candidate.refresh_from_db()
    assert world.candidate.locked_until == START + timedelta(seconds=settings.SKILLCERT_LOGIN_LOCKOUT)
    until_text = (START + timedelta(seconds=settings.SKILLCERT_LOGIN_LOCKOUT)).strftime("%Y-%m-%d %H:%M")
    assert form_errors(response)[0].startswith(LOCK_MESSAGE_START)
    assert until_text in form_errors(response)[0]
    assert AuditEvent.objects.filter(action="auth.locked", target_id=str(world.candidate.pk)).count() == 1

    # and: the right password is refused during the lock
    clock.shift(60)
    response = post_password(client, "candidate")
    assert response.status_code == 429
    assert form_errors(response)[0].startswith(LOCK_MESSAGE_START)
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_failed", data__reason="locked").count() == 1


def test_lock_ends_after_the_lockout_time(client, world, clock):
    # given: a locked account
    fail_times(client, "candidate", settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_ACCOUNT)

    # when: just before and just after the lock ends
    clock.shift(settings.SKILLCERT_LOGIN_LOCKOUT - 1)
    before = post_password(client, "candidate")
    clock.shift(2)
    after = post_password(client, "candidate")

    # then
    assert form_errors(before)[0].startswith(LOCK_MESSAGE_START)
    assert after.status_code == 302 and after.url == DASHBOARD
    world.candidate.refresh_from_db()
    assert world.candidate.locked_until is None


def test_failures_older_than_the_window_do_not_count(client, world, clock):
    limit = settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_ACCOUNT
    fail_times(client, "candidate", limit - 1)

    clock.shift(settings.SKILLCERT_LOGIN_FAILURE_WINDOW + 1)
    response = fail_times(client, "candidate", 1)

    assert form_errors(response) == [WRONG_CREDENTIALS]
    world.candidate.refresh_from_db()
    assert world.candidate.locked_until is None


def test_a_successful_login_restarts_the_account_count(client, world, clock):
    limit = settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_ACCOUNT
    fail_times(client, "candidate", limit - 1)
    assert post_password(client, "candidate").status_code == 302
    client.logout()

    response = fail_times(client, "candidate", limit - 1)

    assert form_errors(response) == [WRONG_CREDENTIALS]
    world.candidate.refresh_from_db()
    assert world.candidate.locked_until is None


def test_an_unknown_username_locks_exactly_like_a_real_one(client, world, clock):
    limit = settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_ACCOUNT

    real = fail_times(client, "candidate", limit)
    ghost = fail_times(client, "ghost", limit)

    assert form_errors(real) == form_errors(ghost)
    assert form_errors(ghost)[0].startswith(LOCK_MESSAGE_START)


def test_too_many_failures_from_one_address_refuse_that_address(client, world, clock, settings):
    settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_IP = 3
    attacker = {"REMOTE_ADDR": "203.0.113.9"}

    # given: failures on three different usernames from one address
    for username in ("alice", "bob", "carol"):
        post_password(client, username, "Wrong-Passw0rd!", **attacker)

    # when: the right password for a real account, from that address and from another
    refused = post_password(client, "candidate", WORLD_PASSWORD, **attacker)
    elsewhere = post_password(client.__class__(), "candidate", WORLD_PASSWORD, REMOTE_ADDR="203.0.113.10")

    # then
    until = (START + timedelta(seconds=settings.SKILLCERT_LOGIN_FAILURE_WINDOW)).strftime("%Y-%m-%d %H:%M")
    assert refused.status_code == 429
    assert form_errors(refused) == [f"来自您所在网络地址的登录失败次数过多，请于 {until} 后再试。"]
    assert elsewhere.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login_failed", data__reason="ip_throttled").count() == 1

    # and: once the failures leave the window the address may sign in again
    clock.shift(settings.SKILLCERT_LOGIN_FAILURE_WINDOW + 1)
    assert post_password(client, "candidate", WORLD_PASSWORD, **attacker).status_code == 302


def test_an_ipv6_client_is_throttled_as_its_64_whatever_address_it_sends_from(client, world, clock, settings):
    settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_IP = 3

    # given: failures on three usernames, each from another address of one /64
    for index, username in enumerate(("alice", "bob", "carol"), start=1):
        post_password(client, username, "Wrong-Passw0rd!", REMOTE_ADDR=f"2001:db8:1:2::{index}")

    # when: the right password from a fourth address of that /64, and from another /64
    refused = post_password(client, "candidate", WORLD_PASSWORD, REMOTE_ADDR="2001:db8:1:2:ffff::4")
    elsewhere = post_password(client.__class__(), "candidate", WORLD_PASSWORD, REMOTE_ADDR="2001:db8:1:3::1")

    # then: one client for the throttle; the audit log keeps each address itself
    assert refused.status_code == 429
    assert elsewhere.status_code == 302
    failed = AuditEvent.objects.filter(action="auth.login_failed", data__reason="unknown_user")
    assert sorted(failed.values_list("ip_address", flat=True)) == [f"2001:db8:1:2::{i}" for i in (1, 2, 3)]


def test_an_address_claimed_in_a_header_does_not_escape_the_address_throttle(client, world, clock, settings):
    settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_IP = 3

    # given: failures from one peer, each claiming another address in the headers a proxy would set
    for i, username in enumerate(("alice", "bob", "carol")):
        headers = {"HTTP_X_REAL_IP": f"198.51.100.{i}", "HTTP_X_FORWARDED_FOR": f"198.51.100.{i}"}
        post_password(client, username, "Wrong-Passw0rd!", REMOTE_ADDR="203.0.113.9", **headers)

    # when: the same peer tries again with yet another claimed address
    refused = post_password(
        client, "candidate", WORLD_PASSWORD, REMOTE_ADDR="203.0.113.9", HTTP_X_REAL_IP="198.51.100.99"
    )

    # then: the peer's own address was counted and recorded, never the claimed ones
    assert refused.status_code == 429
    assert set(LoginFailure.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


def test_an_inactive_user_is_refused_with_the_right_password(client, world, clock):
    User.objects.filter(pk=world.candidate.pk).update(is_active=False)

    response = post_password(client, "candidate")

    assert form_errors(response) == ["该账户已停用，请联系管理员。"]
    assert "_auth_user_id" not in client.session


def test_staff_need_the_second_factor_only_when_the_setting_is_on(world, settings):
    settings.SKILLCERT_REQUIRE_2FA = True
    assert second_factor_required(world.body_y_admin) is True
    assert second_factor_required(world.candidate) is False

    settings.SKILLCERT_REQUIRE_2FA = False
    assert second_factor_required(world.body_y_admin) is False


def test_an_unsafe_next_address_is_ignored(client, world, clock):
    response = client.post(
        LOGIN_URL + "?next=https://evil.example.com/", {"username": "candidate", "password": WORLD_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == DASHBOARD


def failure_at(moment, *, username: str = "ghost", **fields) -> LoginFailure:
    return LoginFailure.objects.create(
        username=username, ip_address="198.51.100.20", occurred_at=moment, **fields
    )


def test_storing_a_failure_purges_rows_past_the_retention_and_keeps_the_rest(client, world, clock):
    # given: rows just past the longest window they are read over, rows just inside it, and an old row
    # that still carries a lock (the lockout was raised since)
    retention = failure_retention()
    assert retention == timedelta(
        seconds=max(settings.SKILLCERT_LOGIN_FAILURE_WINDOW, settings.SKILLCERT_LOGIN_LOCKOUT)
    )
    expired = [
        failure_at(START - retention - timedelta(seconds=1)),
        failure_at(
            START - 2 * retention, user=world.candidate, username="candidate", counts_for_account=False
        ),
        failure_at(START - retention - timedelta(hours=1), locked_until=START - timedelta(seconds=1)),
    ]
    recent = failure_at(START - retention + timedelta(seconds=1))
    still_locking = failure_at(
        START - retention - timedelta(hours=1), locked_until=START + timedelta(minutes=5)
    )

    # when: a sign-in fails
    post_password(client, "candidate", "Wrong-Passw0rd!")

    # then: the expired rows are gone; the recent one, the lock and the new failure stay
    assert not LoginFailure.objects.filter(pk__in=[row.pk for row in expired]).exists()
    assert set(LoginFailure.objects.values_list("pk", flat=True)) == {
        recent.pk,
        still_locking.pk,
        LoginFailure.objects.get(occurred_at=START).pk,
    }


def test_the_purge_is_bounded_per_failure(client, world, clock, monkeypatch):
    # given: a backlog of five expired rows and a batch of two
    monkeypatch.setattr("skillcert.accounts.authentication.FAILURE_PURGE_BATCH", 2)
    for _ in range(5):
        failure_at(START - failure_retention() - timedelta(minutes=1))

    # when: two sign-ins fail
    post_password(client, "candidate", "Wrong-Passw0rd!")
    after_one = LoginFailure.objects.filter(occurred_at__lt=START).count()
    post_password(client, "candidate", "Wrong-Passw0rd!")

    # then: two old rows go each time
    assert (after_one, LoginFailure.objects.filter(occurred_at__lt=START).count()) == (3, 1)


def test_lockout_and_throttling_still_work_while_rows_are_purged(client, world, clock, settings):
    settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_IP = 100
    limit = settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_ACCOUNT

    # given: an unknown username locked now, and old failures of the candidate long past the retention
    fail_times(client, "ghost", limit)
    clock.shift(int(failure_retention().total_seconds()) - 1)

    # when: the candidate fails to the limit just before the ghost's lock ends (each failure purges)
    response = fail_times(client, "candidate", limit)

    # then: the candidate is locked, and the ghost's lock survived the purges
    assert response.status_code == 429 and form_errors(response)[0].startswith(LOCK_MESSAGE_START)
    assert form_errors(post_password(client, "ghost", WORLD_PASSWORD))[0].startswith(LOCK_MESSAGE_START)

    # when: past the ghost's lock and the retention, another failure is stored
    clock.shift(2)
    response = post_password(client, "ghost", "Wrong-Passw0rd!")

    # then: the ghost starts counting afresh (its old rows are gone) and the candidate is still locked
    assert form_errors(response) == [WRONG_CREDENTIALS]
    assert (
        LoginFailure.objects.filter(username="ghost", occurred_at__lt=START + timedelta(seconds=1)).count()
        == 0
    )
    assert form_errors(post_password(client, "candidate"))[0].startswith(LOCK_MESSAGE_START)
