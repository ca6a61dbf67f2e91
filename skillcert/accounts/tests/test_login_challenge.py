"""The proof of work an account needs once it has failed too often from all clients: no lock, a challenge
bound to the username and the client, spent once."""

from datetime import datetime

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from skillcert.accounts.authentication import WRONG_CREDENTIALS
from skillcert.accounts.login_challenge import login_challenge_issue, login_challenge_spend
from skillcert.accounts.models import LoginFailure
from skillcert.accounts.tests.helpers import (
    START,
    WRONG_PASSWORD,
    fail_times,
    form_errors,
    page_without_tokens,
    post_password,
    post_solved,
    post_wrong_solution,
    wrong_solution,
)
from skillcert.core.models import AuditEvent
from skillcert.verification.challenge import challenge_solve

DASHBOARD = reverse("portal:dashboard")
CHALLENGE_NEEDED = "为保护账户安全，本次登录须先完成浏览器验证。请重新输入密码后点击“登录”。"
EXPLANATION = "该账户近期登录失败次数较多，为保护账户安全，每次登录前须完成一次浏览器验证。"
CHALLENGE_FAILED = "浏览器验证未通过或已过期，请重新输入密码后再次登录。"
CLIENT = {"REMOTE_ADDR": "203.0.113.99"}
OTHER_CLIENT = {"REMOTE_ADDR": "203.0.113.100"}


@pytest.fixture(autouse=True)
def quick_challenges(settings):
    """Challenges a test solves in milliseconds (the default is for the browser: tests/browser)."""
    settings.SKILLCERT_LOGIN_CHALLENGE_BITS = 8


@pytest.fixture
def challenged(settings):
    """A small threshold, so that a test reaches it with three failures."""
    settings.SKILLCERT_LOGIN_CHALLENGE_AFTER_FAILURES = 3


def fail_from_clients(client, username: str, clients: int, each: int) -> None:
    for index in range(clients):
        fail_times(client, username, each, REMOTE_ADDR=f"198.51.100.{index + 1}")


def test_after_twenty_failures_another_client_signs_in_after_solving_a_challenge(client, world, clock):
    assert settings.SKILLCERT_LOGIN_CHALLENGE_AFTER_FAILURES == 20

    # given: twenty failures on the candidate's account from four clients (each of them now locked out)
    fail_from_clients(client.__class__(), "candidate", clients=4, each=5)

    # when: the candidate gives the right password from a fifth client
    first = post_password(client, "candidate", **CLIENT)

    # then: not checked yet: a challenge first (428), with the page's explanation
    assert first.status_code == 428
    assert form_errors(first) == [CHALLENGE_NEEDED]
    assert first.context["challenge"].bits == 8
    assert "_auth_user_id" not in client.session

    # when: the page's script solves it and the form is sent again with the password
    second = post_solved(client, first, "candidate", **CLIENT)

    # then: signed in, and the account no longer needs a challenge
    assert second.status_code == 302 and second.url == DASHBOARD
    client.logout()
    assert form_errors(post_password(client, "candidate", WRONG_PASSWORD, **CLIENT)) == [WRONG_CREDENTIALS]


def test_every_event_of_an_attack_and_the_sign_in_after_it_is_audited(client, world, clock, challenged):
    # given: three failures from client A (the third makes the account need a challenge)
    fail_times(client, "candidate", 3, **OTHER_CLIENT)

    # when: from A, an attempt without a challenge, one with a wrong solution, two solved ones with wrong
    # passwords (the second locks the pair), the right password; then the candidate signs in from B
    first = post_password(client, "candidate", **OTHER_CLIENT)
    wrong = post_wrong_solution(client, first, "candidate", **OTHER_CLIENT)
    fourth = post_solved(client, wrong, "candidate", WRONG_PASSWORD, **OTHER_CLIENT)
    fifth = post_solved(client, fourth, "candidate", WRONG_PASSWORD, **OTHER_CLIENT)
    locked = post_password(client, "candidate", **OTHER_CLIENT)
    from_b = post_password(client, "candidate", **CLIENT)
    signed_in = post_solved(client, from_b, "candidate", **CLIENT)

    # then: the answers
    statuses = [r.status_code for r in (first, wrong, fourth, fifth, locked, from_b, signed_in)]
    assert statuses == [428, 428, 200, 429, 429, 428, 302]
    assert form_errors(first) == [CHALLENGE_NEEDED]
    assert form_errors(wrong) == [CHALLENGE_FAILED]
    assert form_errors(fourth) == [WRONG_CREDENTIALS]
    # and: every event, in order, with whom it concerns
    events = list(AuditEvent.objects.order_by("sequence"))
    assert {e.actor_username for e in events} == {"candidate"}
    assert [(e.action, e.data.get("reason", "")) for e in events] == [
        ("auth.login_failed", "bad_password"),
        ("auth.login_failed", "bad_password"),
        ("auth.login_failed", "bad_password"),
        ("auth.challenge_required", ""),
        ("auth.login_failed", "challenge_required"),
        ("auth.challenge_failed", ""),
        ("auth.challenge_solved", ""),
        ("auth.login_failed", "bad_password"),
        ("auth.challenge_solved", ""),
        ("auth.login_failed", "bad_password"),
        ("auth.pair_locked", ""),
        ("auth.login_failed", "locked"),
        ("auth.login_failed", "challenge_required"),
        ("auth.challenge_solved", ""),
        ("auth.password_verified", ""),
        ("auth.login", ""),
        ("auth.failures_reported", ""),
    ]
    assert events[3].data == {"failures": 3, "clients": 1}
    assert events[10].data["failures"] == 5
    reported = events[-1].data
    assert reported["failures"] == 5
    assert datetime.fromisoformat(reported["last_failure_at"]) == START
    assert {e.target_id for e in events[:-3]} == {str(world.candidate.pk)}
    assert {e.ip_address for e in events[:-5]} == {"203.0.113.100"}
    assert {e.ip_address for e in events[-5:]} == {"203.0.113.99"}


def test_an_unsolved_attempt_tries_no_password_and_counts_for_nothing(client, world, clock, challenged):
    # given: an account that needs a challenge
    fail_times(client, "candidate", 3, **OTHER_CLIENT)
    stored = LoginFailure.objects.count()

    # when: the right password, five times, without a challenge
    answers = [post_password(client, "candidate", **CLIENT) for _ in range(5)]

    # then: each is asked for a challenge; no failure is stored, so the pair is not locked by them
    assert {a.status_code for a in answers} == {428}
    assert LoginFailure.objects.count() == stored
    assert post_solved(client, answers[-1], "candidate", **CLIENT).status_code == 302


def test_an_unknown_username_is_challenged_exactly_like_a_real_one(client, world, clock, challenged):
    # given: three failures on a real username and on one that does not exist; the third answer of each
    # already carries the challenge of the next attempt
    real_third = fail_times(client, "candidate", 3, **OTHER_CLIENT)
    ghost_third = fail_times(client, "ghost", 3, **OTHER_CLIENT)
    assert real_third.status_code == ghost_third.status_code == 200
    assert real_third.context["challenge"] is not None
    assert page_without_tokens(real_third, "candidate") == page_without_tokens(ghost_third, "ghost")

    # when: each is tried again, then with a wrong solution
    real = post_password(client, "candidate", **CLIENT)
    ghost = post_password(client, "ghost", **CLIENT)
    real_wrong = post_wrong_solution(client, real, "candidate", **CLIENT)
    ghost_wrong = post_wrong_solution(client, ghost, "ghost", **CLIENT)

    # then: the same statuses and the same pages; solved, the ghost is a wrong password like any other
    assert real.status_code == ghost.status_code == real_wrong.status_code == ghost_wrong.status_code == 428
    assert page_without_tokens(real, "candidate") == page_without_tokens(ghost, "ghost")
    assert page_without_tokens(real_wrong, "candidate") == page_without_tokens(ghost_wrong, "ghost")
    ghost_solved = post_solved(client, ghost, "ghost", **CLIENT)
    real_solved = post_solved(client, real, "candidate", WRONG_PASSWORD, **CLIENT)
    assert ghost_solved.status_code == real_solved.status_code == 200
    assert form_errors(ghost_solved) == form_errors(real_solved) == [WRONG_CREDENTIALS]
    assert page_without_tokens(real_solved, "candidate") == page_without_tokens(ghost_solved, "ghost")


def test_the_challenge_page_explains_itself_and_loads_the_solver(client, world, clock, challenged):
    fail_times(client, "candidate", 3, **OTHER_CLIENT)

    page = post_password(client, "candidate", **CLIENT).content.decode()

    challenge = AuditEvent.objects.filter(action="auth.login_failed").order_by("sequence").last()
    assert challenge.data == {"reason": "challenge_required"}
    assert EXPLANATION in page
    assert 'id="login-form" data-challenge="v1.' in page and 'data-bits="8"' in page
    assert '<input type="hidden" name="solution" value="">' in page
    assert f'<script src="{static("skillcert/challenge.js")}" defer></script>' in page
    assert "<noscript>" in page and "本浏览器未启用 JavaScript，无法完成浏览器验证" in page
    # the password is never sent back; the username is, so that only the password needs typing again
    assert 'value="candidate"' in page and "World-Passw0rd!" not in page


def test_a_challenge_is_bound_to_its_username(client, world, clock, challenged):
    # given: both a real account and an unknown username need a challenge
    fail_times(client, "candidate", 3, **OTHER_CLIENT)
    fail_times(client, "ghost", 3, **OTHER_CLIENT)
    for_ghost = post_password(client, "ghost", **CLIENT)

    # when: the ghost's challenge, solved, is sent with the candidate's username
    response = post_solved(client, for_ghost, "candidate", **CLIENT)

    # then: refused as a failed challenge
    assert response.status_code == 428 and form_errors(response) == [CHALLENGE_FAILED]
    assert AuditEvent.objects.filter(action="auth.challenge_failed", actor_username="candidate").count() == 1


def test_a_challenge_is_bound_to_its_client(client, world, clock, challenged):
    fail_times(client, "candidate", 3, **OTHER_CLIENT)
    issued_here = post_password(client, "candidate", **CLIENT)

    response = post_solved(client, issued_here, "candidate", REMOTE_ADDR="203.0.113.200")

    assert response.status_code == 428 and form_errors(response) == [CHALLENGE_FAILED]


def test_a_solved_challenge_is_spent_once(client, world, clock, challenged):
    # given: a solved challenge spent on a wrong password
    fail_times(client, "candidate", 3, **OTHER_CLIENT)
    challenged_answer = post_password(client, "candidate", **CLIENT)
    assert post_solved(client, challenged_answer, "candidate", WRONG_PASSWORD, **CLIENT).status_code == 200

    # when: the same challenge and solution again, with the right password
    replay = post_solved(client, challenged_answer, "candidate", **CLIENT)

    # then
    assert replay.status_code == 428 and form_errors(replay) == [CHALLENGE_FAILED]
    assert "_auth_user_id" not in client.session


def test_an_expired_challenge_is_refused(client, world, clock, challenged):
    fail_times(client, "candidate", 3, **OTHER_CLIENT)
    challenged_answer = post_password(client, "candidate", **CLIENT)

    clock.shift(601)
    response = post_solved(client, challenged_answer, "candidate", **CLIENT)

    assert response.status_code == 428 and form_errors(response) == [CHALLENGE_FAILED]


def test_a_solved_challenge_does_not_lift_a_pairs_lock(client, world, clock, challenged):
    # given: three failures from one client (the account now needs a challenge), then two more, solved,
    # from the same client: the fifth locks the pair
    fail_times(client, "candidate", 3, **CLIENT)
    answer = post_password(client, "candidate", **CLIENT)
    answer = post_solved(client, answer, "candidate", WRONG_PASSWORD, **CLIENT)
    answer = post_solved(client, answer, "candidate", WRONG_PASSWORD, **CLIENT)
    assert answer.status_code == 429

    # when: the right password from the same client
    response = post_password(client, "candidate", **CLIENT)

    # then: the lock answers first, with no challenge
    assert response.status_code == 429
    assert response.context["challenge"] is None
    assert AuditEvent.objects.filter(action="auth.pair_locked").count() == 1


def test_the_challenge_primitives_bind_username_and_client_and_spend_once(world, clock):
    now = START.timestamp()
    challenge = login_challenge_issue(username="candidate", client="198.51.100.1", now=now)
    solution = challenge_solve(token=challenge.token, bits=challenge.bits)

    def spend(username: str = "candidate", client: str = "198.51.100.1", answer: str = solution) -> bool:
        return login_challenge_spend(
            username=username, client=client, token=challenge.token, solution=answer, now=now
        )

    assert spend(username="Candidate") is False
    assert spend(client="198.51.100.2") is False
    assert spend(answer=wrong_solution(challenge.token, challenge.bits)) is False
    assert spend() is True
    assert spend() is False
