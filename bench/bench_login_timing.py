"""A failed sign-in for a username that does not exist against one for a real username with a wrong password.

security.md A2: the two answers must be alike in time as well as in status and body, or the time tells
which usernames exist. The unknown username spends a password hash where the real one checks its hash
(skillcert/accounts/authentication.py). Each attempt is a POST to the login page through Django's whole
stack; the two kinds alternate (which goes first alternates too), so drift in the machine's speed falls on
both. The failure rows are deleted after each attempt (outside the timing), so neither the pair's lock,
the client's throttle nor the account's challenge ever answers instead of the password check.
"""

import statistics
import time

from bench.timing import result

RUNS = 30
WARM_UP = 3
PASSWORD = "Bench-Passw0rd!"


def run() -> list[dict]:
    from django.contrib.auth.hashers import make_password
    from django.test import Client
    from django.urls import reverse

    from skillcert.accounts.models import LoginFailure, User

    User.objects.update_or_create(
        username="bench_login_known", defaults={"password": make_password(PASSWORD)}
    )
    url = reverse("accounts:login")
    client = Client()

    def failed_sign_in(username: str) -> float:
        start = time.perf_counter()
        response = client.post(url, {"username": username, "password": "Wrong-Passw0rd!"})
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        LoginFailure.objects.all().delete()
        return elapsed

    for _ in range(WARM_UP):
        failed_sign_in("bench_login_known")
        failed_sign_in("bench_login_unknown")
    known: list[float] = []
    unknown: list[float] = []
    for index in range(RUNS):
        order = [("bench_login_known", known), ("bench_login_unknown", unknown)]
        for username, times in order if index % 2 else reversed(order):
            times.append(failed_sign_in(username))

    known_ms = statistics.median(known) * 1000
    unknown_ms = statistics.median(unknown) * 1000
    measured = result(
        "login_failure_unknown_username",
        unknown_ms,
        "ms (median of 30)",
        known_ms,
        "failed sign-in of a real username with a wrong password",
    )
    measured["difference_ms"] = round(unknown_ms - known_ms, 1)
    return [measured]
