"""The password step: success, identical refusals, the lock of an (account, client) pair, the client throttle.

The proof of work after many failures from all clients is tested in test_login_challenge.py, what the user
and the administrators are told in test_login_alerts.py.
"""

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import WORLD_PASSWORD
from skillcert.accounts.authentication import (
    WRONG_CREDENTIALS,
    LoginRefused,
    login_check_password,
    second_factor_required,
)
from skillcert.accounts.login_failures import failure_retention
from skillcert.accounts.models import LoginFailure, User
from skillcert.accounts.tests.helpers import (
    LOGIN_URL,
    START,
    WRONG_PASSWORD,
    fail_times,
    form_errors,
    page_without_tokens,
    post_password,
)
from skillcert.core.models import AuditEvent
from skillcert.core.request_context import RequestContext

DASHBOARD = reverse("portal:dashboard")
CLIENT_A = {"REMOTE_ADDR": "198.51.100.7"}
CLIENT_B = {"REMOTE_ADDR": "203.0.113.20"}


def pair_locked(until) -> str:
    return f"使用该用户名从您所在的网络地址登录失败次数过多，请于 {until:%Y-%m-%d %H:%M} 后再试。"


def lockout_end():
    return START + timedelta(seconds=settings.SKILLCERT_LOGIN_PAIR_LOCKOUT)


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
    wrong = post_password(client, "candidate", WRONG_PASSWORD)

    # then: same status, same message, the same page; the audit log knows the difference
    assert unknown.status_code == wrong.status_code == 200
    assert form_errors(unknown) == form_errors(wrong) == [WRONG_CREDENTIALS]
    assert page_without_tokens(unknown, "nobody") == page_without_tokens(wrong, "candidate")
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
    assert (failure.username, failure.user, failure.ip_address, failure.step) == (
        "candidate",
        world.candidate,
        "198.51.100.7",
        LoginFailure.Step.PASSWORD,
    )
    assert (failure.counts_for_pair, failure.counts_for_account, failure.locked_until) == (True, True, None)
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert (event.actor_id, event.actor_username, event.ip_address) == (None, "candidate", "198.51.100.7")


def test_the_sixth_attempt_from_one_client_is_refused_even_with_the_right_password(client, world, clock):
    limit = settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_PAIR
    assert limit == 5

    # given: five wrong passwords from one client, a minute apart
    answers = []
    for _ in range(limit):
        answers.append(post_password(client, "candidate", WRONG_PASSWORD, **CLIENT_A))
        clock.shift(60)

    # when: the sixth attempt, with the right password, from the same client
    sixth = post_password(client, "candidate", **CLIENT_A)

    # then: the first four are plain refusals; the fifth locks the pair for 30 minutes; the sixth is refused
    until = START + timedelta(minutes=4) + timedelta(seconds=settings.SKILLCERT_LOGIN_PAIR_LOCKOUT)
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert [form_errors(a) for a in answers[:4]] == [[WRONG_CREDENTIALS]] * 4
    assert form_errors(answers[4]) == [pair_locked(until)]
    assert sixth.status_code == 429
    assert form_errors(sixth) == [pair_locked(until)]
    assert "_auth_user_id" not in client.session
    locked = AuditEvent.objects.get(action="auth.pair_locked")
    assert (locked.actor_username, locked.target_id, locked.ip_address) == (
        "candidate",
        str(world.candidate.pk),
        "198.51.100.7",
    )
    assert (locked.data["client"], locked.data["failures"]) == ("198.51.100.7", 5)
    assert datetime.fromisoformat(locked.data["locked_until"]) == until
    refused = AuditEvent.objects.get(action="auth.login_failed", data__reason="locked")
    assert refused.target_id == str(world.candidate.pk)
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_a_locked_pair_signs_in_again_after_thirty_minutes(client, world, clock):
    # given: the pair (candidate, client A) locked now
    fail_times(client, "candidate", 5, **CLIENT_A)

    # when: the right password 29 minutes later, then 31 minutes later
    clock.shift(29 * 60)
    during = post_password(client, "candidate", **CLIENT_A)
    clock.shift(2 * 60)
    after = post_password(client, "candidate", **CLIENT_A)

    # then
    assert during.status_code == 429 and form_errors(during) == [pair_locked(lockout_end())]
    assert after.status_code == 302 and after.url == DASHBOARD


def test_another_client_signs_in_while_one_client_is_locked_out(client, world, clock):
    # given: someone at client A has locked A out of the candidate's account
    fail_times(client.__class__(), "candidate", 6, **CLIENT_A)

    # when: the candidate signs in from client B
    response = post_password(client, "candidate", **CLIENT_B)

    # then: signed in; client A stays locked out
    assert response.status_code == 302 and response.url == DASHBOARD
    assert post_password(client.__class__(), "candidate", **CLIENT_A).status_code == 429


def test_the_pair_counts_afresh_after_its_lock(client, world, clock):
    # given: a pair locked, and its lock over
    fail_times(client, "candidate", 5, **CLIENT_A)
    clock.shift(settings.SKILLCERT_LOGIN_PAIR_LOCKOUT + 1)

    # when: four more failures, then a fifth
    four = fail_times(client, "candidate", 4, **CLIENT_A)
    fifth = fail_times(client, "candidate", 1, **CLIENT_A)

    # then: the failures before the lock do not count again
    assert form_errors(four) == [WRONG_CREDENTIALS]
    assert fifth.status_code == 429
    assert AuditEvent.objects.filter(action="auth.pair_locked").count() == 2


def test_failures_older_than_the_window_do_not_count_for_the_pair(client, world, clock):
    fail_times(client, "candidate", 4, **CLIENT_A)

    clock.shift(settings.SKILLCERT_LOGIN_FAILURE_WINDOW + 1)
    response = fail_times(client, "candidate", 1, **CLIENT_A)

    assert form_errors(response) == [WRONG_CREDENTIALS]
    assert not AuditEvent.objects.filter(action="auth.pair_locked").exists()


def test_a_sign_in_restarts_its_own_pairs_count_and_the_accounts(client, world, clock):
    # given: four failures from client A and four from client B
    fail_times(client, "candidate", 4, **CLIENT_A)
    fail_times(client, "candidate", 4, **CLIENT_B)

    # when: the candidate signs in from client A
    assert post_password(client, "candidate", **CLIENT_A).status_code == 302
    client.logout()

    # then: A counts afresh (four more failures lock nothing), B does not (its fifth failure locks it), and
    # no failure before the sign-in counts for the account any more
    assert form_errors(fail_times(client, "candidate", 4, **CLIENT_A)) == [WRONG_CREDENTIALS]
    assert fail_times(client, "candidate", 1, **CLIENT_B).status_code == 429
    counting = LoginFailure.objects.filter(user=world.candidate, counts_for_account=True)
    assert counting.count() == 5


def test_an_unknown_username_is_locked_exactly_like_a_real_one(client, world, clock):
    # when: five failures and a sixth attempt for a real username and for one that does not exist
    real = [fail_times(client, "candidate", 5, **CLIENT_A), post_password(client, "candidate", **CLIENT_A)]
    ghost = [fail_times(client, "ghost", 5, **CLIENT_A), post_password(client, "ghost", **CLIENT_A)]

    # then: the same statuses and the same pages
    assert [r.status_code for r in real] == [g.status_code for g in ghost] == [429, 429]
    assert form_errors(ghost[1]) == [pair_locked(lockout_end())]
    for real_answer, ghost_answer in zip(real, ghost, strict=True):
        assert page_without_tokens(real_answer, "candidate") == page_without_tokens(ghost_answer, "ghost")
    assert AuditEvent.objects.filter(action="auth.pair_locked", actor_username="ghost").count() == 1


def test_too_many_failures_from_one_address_refuse_that_address(client, world, clock, settings):
    settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_IP = 3
    attacker = {"REMOTE_ADDR": "203.0.113.9"}

    # given: failures on three different usernames from one address
    for username in ("alice", "bob", "carol"):
        post_password(client, username, WRONG_PASSWORD, **attacker)

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
        post_password(client, username, WRONG_PASSWORD, REMOTE_ADDR=f"2001:db8:1:2::{index}")

    # when: the right password from a fourth address of that /64, and from another /64
    refused = post_password(client, "candidate", WORLD_PASSWORD, REMOTE_ADDR="2001:db8:1:2:ffff::4")
    elsewhere = post_password(client.__class__(), "candidate", WORLD_PASSWORD, REMOTE_ADDR="2001:db8:1:3::1")

    # then: one client for the throttle; the audit log keeps each address itself
    assert refused.status_code == 429
    assert elsewhere.status_code == 302
    failed = AuditEvent.objects.filter(action="auth.login_failed", data__reason="unknown_user")
    assert sorted(failed.values_list("ip_address", flat=True)) == [f"2001:db8:1:2::{i}" for i in (1, 2, 3)]


def test_an_ipv6_pair_is_locked_as_its_64(client, world, clock):
    # given: five failures on the candidate's account, each from another address of one /64
    for index in range(1, 6):
        post_password(client, "candidate", WRONG_PASSWORD, REMOTE_ADDR=f"2001:db8:1:2::{index}")

    # when: the right password from a sixth address of that /64, and from another /64
    refused = post_password(client, "candidate", REMOTE_ADDR="2001:db8:1:2:ffff::6")
    elsewhere = post_password(client.__class__(), "candidate", REMOTE_ADDR="2001:db8:1:3::1")

    # then
    assert refused.status_code == 429 and form_errors(refused) == [pair_locked(lockout_end())]
    assert elsewhere.status_code == 302
    assert AuditEvent.objects.get(action="auth.pair_locked").data["client"] == "2001:db8:1:2::/64"


def test_an_address_claimed_in_a_header_does_not_escape_the_address_throttle(client, world, clock, settings):
    settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_IP = 3

    # given: failures from one peer, each claiming another address in the headers a proxy would set
    for i, username in enumerate(("alice", "bob", "carol")):
        headers = {"HTTP_X_REAL_IP": f"198.51.100.{i}", "HTTP_X_FORWARDED_FOR": f"198.51.100.{i}"}
        post_password(client, username, WRONG_PASSWORD, REMOTE_ADDR="203.0.113.9", **headers)

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
    assert retention == timedelta(seconds=settings.SKILLCERT_LOGIN_CHALLENGE_WINDOW) == timedelta(hours=24)
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
    post_password(client, "candidate", WRONG_PASSWORD)

    # then: the expired rows are gone; the recent one, the lock and the new failure stay
    assert not LoginFailure.objects.filter(pk__in=[row.pk for row in expired]).exists()
    assert set(LoginFailure.objects.values_list("pk", flat=True)) == {
        recent.pk,
        still_locking.pk,
        LoginFailure.objects.get(occurred_at=START).pk,
    }


def test_the_retention_covers_the_longest_window_or_lockout(settings):
    settings.SKILLCERT_LOGIN_CHALLENGE_WINDOW = 60
    settings.SKILLCERT_LOGIN_FAILURE_WINDOW = 120
    settings.SKILLCERT_LOGIN_PAIR_LOCKOUT = 180

    assert failure_retention() == timedelta(seconds=180)


def test_the_purge_is_bounded_per_failure(client, world, clock, monkeypatch):
    # given: a backlog of five expired rows and a batch of two
    monkeypatch.setattr("skillcert.accounts.login_failures.FAILURE_PURGE_BATCH", 2)
    for _ in range(5):
        failure_at(START - failure_retention() - timedelta(minutes=1))

    # when: two sign-ins fail
    post_password(client, "candidate", WRONG_PASSWORD)
    after_one = LoginFailure.objects.filter(occurred_at__lt=START).count()
    post_password(client, "candidate", WRONG_PASSWORD)

    # then: two old rows go each time
    assert (after_one, LoginFailure.objects.filter(occurred_at__lt=START).count()) == (3, 1)


def test_the_account_count_survives_the_purges_for_the_whole_challenge_window(client, world, clock, settings):
    settings.SKILLCERT_LOGIN_CHALLENGE_AFTER_FAILURES = 5

    # given: four failures from two clients, then 23 hours later one more from a third client, which purges
    # what it may
    fail_times(client, "candidate", 2, REMOTE_ADDR="198.51.100.1")
    fail_times(client, "candidate", 2, REMOTE_ADDR="198.51.100.2")
    clock.shift(23 * 3600)
    fail_times(client, "candidate", 1, REMOTE_ADDR="203.0.113.50")

    # then: the fifth failure inside the window made the account need a challenge
    assert AuditEvent.objects.filter(action="auth.challenge_required").count() == 1
    assert post_password(client, "candidate", REMOTE_ADDR="203.0.113.51").status_code == 428

    # when: the first four leave the window, and another failure purges them
    clock.shift(3600 + 1)
    response = post_password(client, "candidate", WRONG_PASSWORD, REMOTE_ADDR="203.0.113.51")

    # then: no challenge any more, and only the last two failures are kept
    assert response.status_code == 200 and form_errors(response) == [WRONG_CREDENTIALS]
    assert response.context["challenge"] is None
    assert LoginFailure.objects.filter(user=world.candidate).count() == 2
