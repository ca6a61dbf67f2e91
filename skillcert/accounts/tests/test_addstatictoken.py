"""``addstatictoken`` is ours, not django-otp's: a recovery code issued by an operator is stored only as a
hash, signs in once through the real sign-in, is audited without the code, and is refused where useless."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command, get_commands
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from skillcert.accounts.models import User
from skillcert.accounts.tests.helpers import confirmed_device
from skillcert.accounts.tests.test_recovery_codes import (
    LOGOUT_URL,
    enrol,
    pbkdf2_token,
    refused,
    sign_in_with_code,
    signed_in,
    stored_tokens,
)
from skillcert.accounts.two_factor import recovery_code_is_hashed, recovery_codes_remaining
from skillcert.core.models import AuditEvent

ISSUED = "auth.recovery_code_issued"
MALFORMED = (
    "恢复码格式不正确：去掉短横线和空格后应为 10 个字符，只能用字母（不含 i、l、o，不区分大小写）"
    "和数字 2–9，且至少含一个字母。"
)


def add_static_token(*args: str) -> tuple[str, str]:
    """Run the command as an operator would; returns what it wrote to stdout and to stderr."""
    out, err = StringIO(), StringIO()
    call_command("addstatictoken", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def database_state() -> tuple[int, int, int, int]:
    """What a refused command must leave as it was: devices, tokens and audit rows."""
    return (
        TOTPDevice.objects.count(),
        StaticDevice.objects.count(),
        StaticToken.objects.count(),
        AuditEvent.objects.count(),
    )


def code_forms(code: str) -> set[str]:
    plain = code.replace("-", "")
    return {code, plain, code.upper(), plain.upper()}


def test_the_command_name_resolves_to_ours_not_django_otps():
    # given / when: Django looks the command up by name, as ``skillcert addstatictoken`` does
    # then: the app that owns it is skillcert.accounts (it comes before django_otp in INSTALLED_APPS)
    assert get_commands()["addstatictoken"] == "skillcert.accounts"


def test_an_issued_code_signs_in_once_through_the_real_sign_in(client, world, clock):
    # given: a staff member whose authenticator is bound, on a phone that is now lost
    user = world.body_y_admin
    confirmed_device(user)

    # when: an operator issues a recovery code
    out, err = add_static_token(user.username)

    # then: stdout holds the code alone, in display form; stderr says it is shown only once
    code = out.strip()
    assert len(code) == 11 and code[5] == "-" and "\n" not in code
    assert "只显示这一次" in err and user.username in err and code not in err
    assert recovery_codes_remaining(user=user) == 1

    # when: the person signs in with it
    response = sign_in_with_code(client, user, code)

    # then: signed in, and the code is used up
    assert signed_in(response, client, user)
    assert recovery_codes_remaining(user=user) == 0

    # when: the same code a second time
    client.post(LOGOUT_URL)
    clock.shift(5)
    response = sign_in_with_code(client, user, code)

    # then: refused
    assert refused(response)
    assert "_auth_user_id" not in client.session


def test_only_the_hash_of_the_code_is_stored_in_a_new_recovery_device(world, clock):
    # given: a staff member with an authenticator but no recovery device
    user = world.body_y_admin
    confirmed_device(user)

    # when: an operator issues a recovery code
    code = add_static_token(user.username)[0].strip()

    # then: one confirmed device named as at enrolment holds one row: the per-user PBKDF2 of the code
    static = StaticDevice.objects.get(user=user)
    assert (static.name, static.confirmed) == ("恢复码", True)
    (token,) = stored_tokens(user)
    assert recovery_code_is_hashed(token)
    assert token not in code_forms(code)
    assert token == pbkdf2_token(code.replace("-", ""), user)


def test_the_code_joins_the_codes_of_the_enrolment_in_the_same_device(client, world, clock):
    # given: a staff member who enrolled and was shown ten codes
    user = world.body_y_admin
    enrolment_codes = enrol(client, user)

    # when: an operator issues one more
    code = add_static_token(user.username)[0].strip()

    # then: still one recovery device, now with eleven codes; the new one and the old ones all work
    assert StaticDevice.objects.filter(user=user).count() == 1
    assert recovery_codes_remaining(user=user) == 11
    assert signed_in(sign_in_with_code(client, user, code), client, user)
    client.post(LOGOUT_URL)
    assert signed_in(sign_in_with_code(client, user, enrolment_codes[0]), client, user)
    assert recovery_codes_remaining(user=user) == 9


def test_a_chosen_code_is_normalised_and_signs_in(client, world, clock):
    # given: a staff member with an authenticator
    user = world.body_y_admin
    confirmed_device(user)

    # when: the operator chooses the code, typed in upper case with its dash
    out, _ = add_static_token(user.username, "-t", "ABCDE-FGH23")

    # then: it is printed in display form and signs in as typed by the person in any form
    assert out.strip() == "abcde-fgh23"
    assert stored_tokens(user) == [pbkdf2_token("abcdefgh23", user)]
    assert signed_in(sign_in_with_code(client, user, "abcdefgh23"), client, user)


def test_the_audit_entry_names_the_user_and_the_command_but_never_the_code(world, clock):
    # given: a staff member with an authenticator
    user = world.body_y_admin
    confirmed_device(user)

    # when: an operator issues a recovery code
    code = add_static_token(user.username)[0].strip()

    # then: one audit row, by the command, about the user
    event = AuditEvent.objects.get(action=ISSUED)
    assert (event.actor_id, event.actor_username) == (None, "command:addstatictoken")
    assert (event.target_type, event.target_id) == ("accounts.user", str(user.pk))
    static = StaticDevice.objects.get(user=user)
    assert event.data == {"device": static.pk, "device_created": True, "chosen": False, "recovery_codes": 1}
    # and: no field of it holds the code in any form, nor the stored hash
    row = json.dumps(AuditEvent.objects.filter(pk=event.pk).values().get(), default=str, ensure_ascii=False)
    for secret in {*code_forms(code), *stored_tokens(user)}:
        assert secret not in row


def test_an_unknown_user_is_refused_and_nothing_changes(world):
    # given: the state before
    before = database_state()

    # when / then: the command names the username it did not find
    with pytest.raises(CommandError) as refusal:
        add_static_token("nobody")
    assert str(refusal.value) == "用户 nobody 不存在。"
    assert database_state() == before


@pytest.mark.parametrize("situation", ["never_enrolled", "enrolment_unconfirmed", "candidate"])
def test_a_user_without_a_confirmed_authenticator_is_refused_and_nothing_changes(world, situation):
    # given: a user whose sign-in never asks for a code: a staff member who has not bound an authenticator
    # (or only started to), or a candidate
    user: User = world.candidate if situation == "candidate" else world.body_y_admin
    if situation == "enrolment_unconfirmed":
        TOTPDevice.objects.create(user=user, name="认证器", confirmed=False)
    before = database_state()

    # when / then: refused, naming the user and why a recovery code would be useless
    message = (
        f"用户 {user.username} 尚未绑定认证器，恢复码对其无用：恢复码只在两步验证时代替认证器上的验证码。"
    )
    with pytest.raises(CommandError) as refusal:
        add_static_token(user.username)
    assert str(refusal.value) == message
    assert database_state() == before


@pytest.mark.parametrize(
    "chosen",
    [
        "abcde-fgh2",  # too short
        "abcde-fgh234",  # too long
        "abcde-fgh2o",  # o is not in the alphabet (nor i, l, 0, 1)
        "abcde-fgh21",
        "abcde_fgh23",  # only a dash or spaces may separate the groups
        "23456-78923",  # all digits: the sign-in would take it for an authenticator code
        "",
    ],
)
def test_a_malformed_chosen_code_is_refused_and_nothing_changes(world, chosen):
    # given: a staff member with an authenticator
    user = world.body_y_admin
    confirmed_device(user)
    before = database_state()

    # when / then: refused with the rule spelled out
    with pytest.raises(CommandError) as refusal:
        add_static_token(user.username, "--token", chosen)
    assert str(refusal.value) == MALFORMED
    assert database_state() == before


def test_a_chosen_code_the_user_already_has_is_refused(world, clock):
    # given: a staff member who already has the code abcde-fgh23
    user = world.body_y_admin
    confirmed_device(user)
    add_static_token(user.username, "-t", "abcde-fgh23")
    before = database_state()

    # when / then: the same code again is refused, since two equal rows would let it sign in twice
    with pytest.raises(CommandError) as refusal:
        add_static_token(user.username, "-t", "ABCDEFGH23")
    assert str(refusal.value) == "该用户已有这个恢复码，请换一个。"
    assert database_state() == before


def test_the_same_chosen_code_for_another_user_is_another_row(world, clock):
    # given: two staff members with authenticators
    own, other = world.body_y_admin, world.body_s_admin
    confirmed_device(own)
    confirmed_device(other)

    # when: the operator gives both the same chosen code
    add_static_token(own.username, "-t", "abcde-fgh23")
    add_static_token(other.username, "-t", "abcde-fgh23")

    # then: the stored rows differ (per-user salt), and each signs in only its own user
    assert stored_tokens(own) != stored_tokens(other)
    client = Client()
    assert signed_in(sign_in_with_code(client, own, "abcde-fgh23"), client, own)
