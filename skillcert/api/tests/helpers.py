"""Helpers for the API tests: a JSON client, a TOTP device and its current code, a token issued for real."""

import json
from typing import Any

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from skillcert.accounts.models import ApiToken, User
from skillcert.accounts.tokens import api_token_create
from skillcert.api.v1.api import api


class ApiClient(Client):
    """A test client that sends and reads JSON and can present a bearer token."""

    def call(self, method: str, path: str, *, token: str | None = None, body: Any = None, **extra: Any):
        if token is not None:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if body is not None:
            extra["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
            extra["content_type"] = "application/json"
        return getattr(self, method.lower())(path, **extra)


def totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="认证器", confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now, computed from the device's key."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


def issued_key(user: User, name: str = "测试令牌", *, scope: str = ApiToken.Scope.READ_WRITE) -> str:
    """A real token for ``user``, issued by the service the API and the portal use.

    Read-write by default, so that tests of what a user may do are not also tests of a token's scope.
    """
    return api_token_create(user=user, name=name, scope=scope, actor=user)[1]


def login_with_second_factor(client: Client, user: User) -> None:
    """Sign ``client`` in as ``user`` with the second factor passed, as the login flow would leave it."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def generated_schema() -> dict:
    """The OpenAPI document the API serves."""
    # Round-trip through JSON so the comparison sees exactly what /openapi.json serves.
    return json.loads(json.dumps(api.get_openapi_schema(), ensure_ascii=False))
