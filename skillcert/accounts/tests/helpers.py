"""Helpers for the accounts tests: TOTP codes computed independently, valid ID numbers, sign-in steps."""

import hashlib
import hmac
import re
import struct
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import WORLD_PASSWORD
from skillcert.accounts.models import User
from skillcert.core.identifiers import resident_id_check_character
from skillcert.verification.challenge import challenge_solve, leading_zero_bits

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A fixed moment at the start of a TOTP time step, so that codes stay valid while a test runs.
START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=SHANGHAI)

LOGIN_URL = reverse("accounts:login")
VERIFY_URL = reverse("accounts:login_verify")
ENROL_URL = reverse("accounts:login_enrol")


def totp_now(key_hex: str, *, step: int = 30, digits: int = 6, at: float | None = None) -> str:
    """RFC 6238 TOTP (HMAC-SHA1) computed here with hmac, not with django-otp's own code."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="认证器", confirmed=True)


def resident_id(first17: str) -> str:
    """A valid 18-character resident ID number from its first 17 digits."""
    return first17 + resident_id_check_character(first17)


def wrong_check_character(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


WRONG_PASSWORD = "Wrong-Passw0rd!"


def post_password(client: Client, username: str, password: str = WORLD_PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def fail_times(client: Client, username: str, times: int, **extra):
    """``times`` wrong passwords for ``username``; returns the last answer."""
    response = None
    for _ in range(times):
        response = post_password(client, username, WRONG_PASSWORD, **extra)
    return response


def post_solved(client: Client, challenged, username: str, password: str = WORLD_PASSWORD, **extra):
    """Solve the proof of work of the ``challenged`` answer (as the page's script does) and send it along."""
    challenge = challenged.context["challenge"]
    solution = challenge_solve(token=challenge.token, bits=challenge.bits)
    data = {"username": username, "password": password, "challenge": challenge.token, "solution": solution}
    return client.post(LOGIN_URL, data, **extra)


def wrong_solution(token: str, bits: int) -> str:
    """The first decimal number that does not solve the challenge."""
    counter = 0
    while leading_zero_bits(hashlib.sha256(f"{token}:{counter}".encode()).digest()) >= bits:
        counter += 1
    return str(counter)


def post_wrong_solution(client: Client, challenged, username: str, password: str = WORLD_PASSWORD, **extra):
    challenge = challenged.context["challenge"]
    solution = wrong_solution(challenge.token, challenge.bits)
    data = {"username": username, "password": password, "challenge": challenge.token, "solution": solution}
    return client.post(LOGIN_URL, data, **extra)


def form_errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def page_without_tokens(response, username: str) -> str:
    """The page as the person sees it, less what differs between any two answers: the CSRF token (masked
    anew each time), the challenge (random) and the username that was typed."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', body)
    body = re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": ""', body)
    body = re.sub(r"v1\.\d+\.[0-9a-f]+\.[0-9a-f]+", "CHALLENGE", body)
    return body.replace(f'value="{username}"', 'value="USERNAME"')


def sign_in_staff(client: Client, user: User, device: TOTPDevice, **extra) -> None:
    """The whole staff sign-in: password, then the device's current code."""
    response = post_password(client, user.username, **extra)
    assert response.status_code == 302 and response.url == VERIFY_URL
    response = client.post(VERIFY_URL, {"code": totp_now(device.key)}, **extra)
    assert response.status_code == 302, response.content.decode()


def force_sign_in(client: Client, user: User) -> None:
    """A session as the full sign-in leaves it (second factor verified for staff), without the steps."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    if user.needs_second_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or confirmed_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
