"""The proof of work a password attempt needs once its account has failed too often (security.md A2).

The primitives are the public query's (``skillcert.verification.challenge``): a challenge is an HMAC-bound
token with an expiry, solved by the page's script (static/skillcert/challenge.js). Here it is bound to
the (username, client) pair it was issued for, so it cannot be spent on another account or from another
client, and a solution is accepted once: the first to spend it adds its key to Django's cache (the database
cache, shared by every server process) until the challenge expires.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from skillcert.verification.challenge import Challenge, challenge_issue, challenge_solved

_KEY_SALT = "skillcert.accounts.login_challenge"
_SPENT_PREFIX = "login-challenge-spent:"


def _secret() -> bytes:
    """A key of its own, derived from SECRET_KEY: a token of the public query is no use here."""
    return salted_hmac(_KEY_SALT, "secret", algorithm="sha256").digest()


def _bound_to(*, username: str, client: str) -> str:
    # Form input cannot hold NUL (Django's forms refuse it), so the two parts cannot run into each other.
    return f"login\x00{username}\x00{client}"


def login_challenge_issue(*, username: str, client: str, now: float) -> Challenge:
    """A fresh challenge for a password attempt on ``username`` from ``client``."""
    return challenge_issue(
        secret=_secret(),
        client=_bound_to(username=username, client=client),
        bits=settings.SKILLCERT_LOGIN_CHALLENGE_BITS,
        now=now,
    )


def login_challenge_spend(*, username: str, client: str, token: str, solution: str, now: float) -> bool:
    """Whether ``solution`` solves an unexpired challenge issued for this username and client that nobody
    has spent yet; spends it if so."""
    expires = challenge_solved(
        secret=_secret(),
        client=_bound_to(username=username, client=client),
        bits=settings.SKILLCERT_LOGIN_CHALLENGE_BITS,
        token=token,
        solution=solution,
        now=now,
    )
    if expires is None:
        return False
    key = _SPENT_PREFIX + hashlib.sha256(token.encode()).hexdigest()
    return cache.add(key, True, timeout=max(1, int(expires - now) + 1))
