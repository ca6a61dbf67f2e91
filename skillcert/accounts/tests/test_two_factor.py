"""The second factor: enrolment at first sign-in, the code step, single use, recovery codes, enforcement."""

import base64
import re

from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from skillcert.accounts.tests.helpers import (
    ENROL_URL,
    LOGIN_URL,
    VERIFY_URL,
    confirmed_device,
    force_sign_in,
    post_password,
    sign_in_staff,
    totp_now,
)
from skillcert.core.models import AuditEvent

DASHBOARD = reverse("portal:dashboard")
PROFILE = reverse("accounts:profile")
CODE_REFUSED = "验证码错误或已使用过。请输入认证器上当前显示的 6 位验证码，或一个未使用的恢复码。"


def code_errors(response) -> list[str]:
    return list(response.context["form"].errors.get("code", []))


def test_staff_without_a_device_enrol_then_sign_in_with_recovery_codes_shown_once(client, world, clock):
    # given: the password step of a staff user with no authenticator
    response = post_password(client, "y_admin")
    assert response.status_code == 302 and response.url == ENROL_URL
    assert "_auth_user_id" not in client.session  # half signed in: not logged in

    # when: the enrolment page is shown
    page = client.get(ENROL_URL)

    # then: a QR code and the base32 secret of a new, unconfirmed device
    device = TOTPDevice.objects.get(user=world.body_y_admin)
    assert device.confirmed is False
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    secret = base64.b32encode(bytes.fromhex(device.key)).decode().rstrip("=")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]

    # when: the person types the code their app shows
    response = client.post(ENROL_URL, {"code": totp_now(device.key)})

    # then: device confirmed, ten recovery codes shown, signed in and verified
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed is True
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=world.body_y_admin).values_list("token", flat=True))
    assert stored == {code.replace("-", "") for code in codes}
    assert client.session["_auth_user_id"] == str(world.body_y_admin.pk)
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(action="auth.second_factor_enrolled").count() == 1
    assert AuditEvent.objects.get(action="auth.login").data == {"second_factor": True}


def test_enrolment_with_a_wrong_code_is_refused(client, world, clock):
    post_password(client, "y_admin")
    client.get(ENROL_URL)

    response = client.post(
        ENROL_URL, {"code": "000000" if totp_now(TOTPDevice.objects.get().key) != "000000" else "111111"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == []
    assert list(response.context["form"].errors["code"]) == [
        "验证码不正确。请确认手机时间准确，并输入认证器上当前显示的 6 位数字。"
    ]
    assert TOTPDevice.objects.get().confirmed is False
    assert "_auth_user_id" not in client.session


def test_staff_with_a_device_sign_in_with_the_current_code(client, world, clock):
    # given
    device = confirmed_device(world.body_y_admin)
    response = post_password(client, "y_admin")
    assert response.status_code == 302 and response.url == VERIFY_URL
    pending_key = client.session.session_key

    # when
    response = client.post(VERIFY_URL, {"code": totp_now(device.key)})

    # then
    assert response.status_code == 302 and response.url == DASHBOARD
    assert client.session.session_key != pending_key
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(action="auth.second_factor_verified").count() == 1


def test_a_replayed_code_is_refused(client, world, clock):
    # given: a code that has just been used to sign in
    device = confirmed_device(world.body_y_admin)
    code = totp_now(device.key)
    sign_in_staff(client, world.body_y_admin, device)
    client.post(reverse("accounts:logout"))

    # when: the same code is sent again within its 30 seconds
    post_password(client, "y_admin")
    response = client.post(VERIFY_URL, {"code": code})

    # then
    assert response.status_code == 200
    assert code_errors(response) == [CODE_REFUSED]
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.second_factor_failed").count() == 1

    # and: the next time step's code works
    clock.shift(30)
    response = client.post(VERIFY_URL, {"code": totp_now(device.key)})
    assert response.status_code == 302


def test_a_recovery_code_works_once(client, world, clock):
    confirmed_device(world.body_y_admin)
    static = StaticDevice.objects.create(user=world.body_y_admin, name="恢复码", confirmed=True)
    StaticToken.objects.create(device=static, token="abcdefgh23")

    post_password(client, "y_admin")
    first = client.post(VERIFY_URL, {"code": "ABCDE-FGH23"})
    client.post(reverse("accounts:logout"))
    clock.shift(5)
    post_password(client, "y_admin")
    second = client.post(VERIFY_URL, {"code": "abcde-fgh23"})

    assert first.status_code == 302
    assert code_errors(second) == [CODE_REFUSED]
    assert StaticToken.objects.count() == 0


def test_wrong_codes_count_toward_the_account_lock(client, world, clock):
    device = confirmed_device(world.body_y_admin)
    post_password(client, "y_admin")
    limit = settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_ACCOUNT
    wrong = "123456" if totp_now(device.key) != "123456" else "654321"

    for _ in range(limit):
        response = client.post(VERIFY_URL, {"code": wrong})

    assert response.status_code == 429
    assert code_errors(response)[0].startswith("登录失败次数过多，该账户已被锁定")
    world.body_y_admin.refresh_from_db()
    assert world.body_y_admin.locked_until is not None
    # the right code is refused while locked
    clock.shift(30)
    assert client.post(VERIFY_URL, {"code": totp_now(device.key)}).status_code == 429


def test_signed_in_staff_without_a_verified_second_factor_are_sent_to_it_from_any_page(client, world, clock):
    # given: a staff session that never passed the second factor
    device = confirmed_device(world.body_y_admin)
    client.force_login(world.body_y_admin)

    # when / then: every page sends them to the code step, except the sign-in pages themselves
    for path in (DASHBOARD, PROFILE, reverse("portal:home"), reverse("accounts:locked_users")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == f"{VERIFY_URL}?next={path.replace('/', '%2F')}", path
    assert client.get(reverse("accounts:logout")).status_code == 200
    assert client.get(LOGIN_URL).status_code == 200
    assert client.get(VERIFY_URL).status_code == 200

    # and: passing the code step opens the portal
    response = client.post(VERIFY_URL + f"?next={PROFILE}", {"code": totp_now(device.key)})
    assert response.status_code == 302 and response.url == PROFILE
    assert client.get(DASHBOARD).status_code == 200


def test_with_two_factor_off_the_login_page_says_so_and_staff_sign_in_directly(
    client, world, clock, settings
):
    settings.SKILLCERT_REQUIRE_2FA = False

    page = client.get(LOGIN_URL)
    response = post_password(client, "y_admin")

    assert 'id="two-factor-off-notice"' in page.content.decode()
    assert "本演示环境已关闭双因素登录" in page.content.decode()
    assert response.status_code == 302 and response.url == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200


def test_with_two_factor_on_the_login_page_has_no_notice(client, world):
    assert 'id="two-factor-off-notice"' not in client.get(LOGIN_URL).content.decode()


def test_a_pending_sign_in_expires_after_five_minutes(client, world, clock):
    confirmed_device(world.body_y_admin)
    post_password(client, "y_admin")

    clock.shift(5 * 60 + 1)
    response = client.get(VERIFY_URL)

    assert response.status_code == 302 and response.url == LOGIN_URL


def test_the_code_step_without_a_password_step_goes_back_to_login(client, world):
    assert client.get(VERIFY_URL).url == LOGIN_URL
    assert client.get(ENROL_URL).url == LOGIN_URL


def test_replacing_the_authenticator_needs_the_password_and_a_code_from_the_new_one(client, world, clock):
    # given: a verified staff session
    old = confirmed_device(world.body_y_admin)
    sign_in_staff(client, world.body_y_admin, old)
    page_url = reverse("accounts:two_factor")

    # when: the wrong password, then the right one
    wrong = client.post(page_url, {"action": "start", "password": "not-it"})
    started = client.post(page_url, {"action": "start", "password": "World-Passw0rd!"})

    # then: only the right password starts an enrolment; the old device still works meanwhile
    assert list(wrong.context["reauth_form"].errors["password"]) == ["当前密码不正确。"]
    assert started.status_code == 302
    new = TOTPDevice.objects.get(user=world.body_y_admin, confirmed=False)
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()

    # when: a code from the new device confirms it
    clock.shift(30)
    response = client.post(page_url, {"action": "confirm", "code": totp_now(new.key)})

    # then: the old device is gone, new recovery codes shown, and this session stays verified
    assert response.status_code == 200 and len(response.context["codes"]) == 10
    assert list(TOTPDevice.objects.filter(user=world.body_y_admin).values_list("pk", flat=True)) == [new.pk]
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(action="auth.second_factor_reset").count() == 1


def test_candidates_have_no_two_factor_page(client, world):
    force_sign_in(client, world.candidate)

    assert client.get(reverse("accounts:two_factor")).status_code == 403


def test_recovery_codes_never_look_like_totp_codes(world):
    from skillcert.accounts.two_factor import _new_recovery_code

    assert all(re.search(r"[a-z]", _new_recovery_code()) for _ in range(200))
