"""Recovery codes are stored only as hashes: enrolment, single use through the sign-in, per-user salt,
and the data migration that hashes the codes stored in plain text before it."""

import base64
import hashlib

import pytest
from django.db import connection
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from skillcert.accounts.models import User
from skillcert.accounts.tests.helpers import (
    ENROL_URL,
    VERIFY_URL,
    confirmed_device,
    post_password,
    totp_now,
)
from skillcert.accounts.two_factor import recovery_codes_remaining

DASHBOARD = reverse("portal:dashboard")
LOGOUT_URL = reverse("accounts:logout")
CODE_REFUSED = "验证码错误或已使用过。请输入认证器上当前显示的 6 位验证码，或一个未使用的恢复码。"
HASHING_SUFFIX = "_recovery_codes_hashed"
# two_factor.RECOVERY_CODE_ITERATIONS. Pinned here, not read from the module: a
# different count makes every code already issued unusable, so changing it must break this test.
DEFAULT_ITERATIONS = 200_000


def pbkdf2_token(code: str, user: User) -> str:
    """The stored form, computed here with hashlib rather than with the application's function."""
    digest = hashlib.pbkdf2_hmac(
        "sha256", code.encode(), f"skillcert-recovery-code:{user.pk}".encode(), DEFAULT_ITERATIONS, dklen=12
    )
    return base64.urlsafe_b64encode(digest).decode()


def hashing_migration(executor: MigrationExecutor) -> Migration:
    """The data migration, found by its name so that a renumbering does not matter."""
    (key,) = [
        key for key in executor.loader.graph.nodes if key[0] == "accounts" and key[1].endswith(HASHING_SUFFIX)
    ]
    return executor.loader.get_migration(*key)


def stored_tokens(user: User) -> list[str]:
    return list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


def enrol(client: Client, user: User) -> list[str]:
    """The first sign-in of a staff member without an authenticator; returns the codes shown once."""
    post_password(client, user.username)
    client.post(ENROL_URL, {"action": "start"})
    device = user.totpdevice_set.get()
    response = client.post(ENROL_URL, {"action": "confirm", "code": totp_now(device.key)})
    assert response.status_code == 200, response.content.decode()
    client.post(LOGOUT_URL)
    return response.context["codes"]


def sign_in_with_code(client: Client, user: User, code: str):
    """Password step, then ``code`` at the code step; returns the code step's response."""
    response = post_password(client, user.username)
    assert response.status_code == 302 and response.url == VERIFY_URL
    return client.post(VERIFY_URL, {"code": code})


def signed_in(response, client: Client, user: User) -> bool:
    return (
        response.status_code == 302
        and response.url == DASHBOARD
        and client.session.get("_auth_user_id") == str(user.pk)
    )


def refused(response) -> bool:
    return response.status_code == 200 and list(response.context["form"].errors["code"]) == [CODE_REFUSED]


def test_after_enrolment_only_hashes_of_the_shown_codes_are_stored(client, world, clock):
    # given / when: a staff member binds an authenticator and is shown ten codes
    codes = enrol(client, world.body_y_admin)

    # then: no stored row holds a shown code, with or without its dash, in any case
    tokens = stored_tokens(world.body_y_admin)
    assert len(codes) == len(tokens) == 10
    for code in codes:
        for form in (code, code.replace("-", ""), code.upper(), code.replace("-", "").upper()):
            assert not any(form in token or token in form for token in tokens), form
    # and: every row is the 16-character PBKDF2 of one shown code, with the production iteration count
    assert all(len(token) == 16 for token in tokens)
    assert sorted(tokens) == sorted(pbkdf2_token(code.replace("-", ""), world.body_y_admin) for code in codes)
    assert recovery_codes_remaining(user=world.body_y_admin) == 10


def test_a_shown_code_signs_in_once_with_or_without_the_dash_and_in_upper_case(client, world, clock):
    # given: the codes shown at enrolment
    user = world.body_y_admin
    first, second = enrol(client, user)[:2]

    # when: the first is typed in upper case with its dash
    response = sign_in_with_code(client, user, first.upper())

    # then: signed in, one code fewer
    assert signed_in(response, client, user)
    assert recovery_codes_remaining(user=user) == 9

    # when: the same code again, now without the dash
    client.post(LOGOUT_URL)
    clock.shift(5)
    response = sign_in_with_code(client, user, first.replace("-", ""))

    # then: refused, not signed in
    assert refused(response)
    assert "_auth_user_id" not in client.session

    # when: the second code without its dash, then once more with it
    clock.shift(5)  # past the static device's throttle delay after the refusal
    response = client.post(VERIFY_URL, {"code": second.replace("-", "")})
    assert signed_in(response, client, user)
    client.post(LOGOUT_URL)
    clock.shift(5)
    response = sign_in_with_code(client, user, second)

    # then: the second use is refused as well; eight codes remain
    assert refused(response)
    assert recovery_codes_remaining(user=user) == 8


def test_a_code_of_another_user_does_not_work_even_with_its_stored_row_copied(client, world, clock):
    # given: two staff members with their own codes
    own, other = world.body_y_admin, world.body_s_admin
    own_codes = enrol(client, own)
    other_codes = enrol(Client(), other)
    assert not set(stored_tokens(own)) & set(stored_tokens(other))

    # when: one of them types a code of the other
    response = sign_in_with_code(client, own, other_codes[0])

    # then: refused
    assert refused(response)

    # when: someone who can write to the database copies the other's stored rows onto this account
    static = StaticDevice.objects.get(user=own)
    StaticToken.objects.bulk_create([StaticToken(device=static, token=t) for t in stored_tokens(other)])
    clock.shift(5)
    response = client.post(VERIFY_URL, {"code": other_codes[1]})

    # then: still refused, because the salt is per user; the account's own codes still work
    assert refused(response)
    clock.shift(5)
    assert signed_in(client.post(VERIFY_URL, {"code": own_codes[0]}), client, own)


def test_a_stored_hash_typed_as_a_code_is_refused(client, world, clock):
    # given: someone who has read a stored row (one that survives the lower-casing of what is typed)
    user = world.body_y_admin
    confirmed_device(user)
    static = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    StaticToken.objects.create(device=static, token="abcdefghjkmnpqrs")

    # when: they type the stored value at the code step
    response = sign_in_with_code(client, user, "abcdefghjkmnpqrs")

    # then: refused, because what is typed is hashed before the lookup; the row is still there
    assert refused(response)
    assert stored_tokens(user) == ["abcdefghjkmnpqrs"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_plain_codes_so_they_keep_working(world, clock):
    # given: the database as it was before hashing (this one migration unapplied: it alone is under test,
    # so later migrations are neither reversed nor re-run), with codes stored in plain text
    executor = MigrationExecutor(connection)
    migration = hashing_migration(executor)
    key = (migration.app_label, migration.name)
    state = executor.unapply_migration(executor.loader.project_state(key, at_end=True), migration)
    assert key not in MigrationRecorder(connection).applied_migrations()
    user = world.body_y_admin
    confirmed_device(user)
    static = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    StaticToken.objects.bulk_create(
        [
            StaticToken(device=static, token="abcdefgh23"),
            StaticToken(device=static, token="k7m2pq9rst"),
            StaticToken(device=static, token="ab2cd3ef"),  # the shape of `manage.py addstatictoken`
        ]
    )
    already_hashed = StaticToken.objects.create(device=static, token=pbkdf2_token("zzzzz33333", user))

    # when: the migration runs forward
    executor.apply_migration(state, migration)

    # then: no row holds a plain code any more; a row that was already hashed is unchanged
    tokens = stored_tokens(user)
    assert sorted(tokens) == sorted(
        pbkdf2_token(code, user) for code in ("abcdefgh23", "k7m2pq9rst", "ab2cd3ef", "zzzzz33333")
    )
    assert StaticToken.objects.get(pk=already_hashed.pk).token == already_hashed.token
    assert recovery_codes_remaining(user=user) == 4

    # and: a code that was stored in plain text signs in, once
    client = Client()
    assert signed_in(sign_in_with_code(client, user, "ABCDE-FGH23"), client, user)
    client.post(LOGOUT_URL)
    clock.shift(5)
    assert refused(sign_in_with_code(client, user, "abcdefgh23"))
    assert recovery_codes_remaining(user=user) == 3
