"""The second factor: enrolment at first sign-in, the code step, single use, recovery codes, enforcement."""

import base64
import re

from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
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
from skillcert.accounts.two_factor import recovery_code_hash
from skillcert.core.models import AuditEvent

DASHBOARD = reverse("portal:dashboard")
PROFILE = reverse("accounts:profile")
WRITES = {"INSERT", "UPDATE", "DELETE", "REPLACE"}
CLIENT_A = {"REMOTE_ADDR": "198.51.100.7"}
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

    # then: only the "开始绑定" button; no device yet
    assert 'id="enrolment-start"' in page.content.decode()
    assert not TOTPDevice.objects.exists()
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]

    # when: the person starts the enrolment
    started = client.post(ENROL_URL, {"action": "start"})
    page = client.get(ENROL_URL)

    # then: a new, unconfirmed device (audited), and the page shows its QR code and base32 secret
    assert started.status_code == 302 and started.url == ENROL_URL
    device = TOTPDevice.objects.get(user=world.body_y_admin)
    assert device.confirmed is False
    event = AuditEvent.objects.get(action="auth.second_factor_enrolment_started")
    assert (event.actor_id, event.target_id) == (world.body_y_admin.pk, str(world.body_y_admin.pk))
    assert event.data == {"device": device.pk, "replacing": False, "discarded": 0}
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    secret = base64.b32encode(bytes.fromhex(device.key)).decode().rstrip("=")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html

    # when: the person types the code their app shows
    response = client.post(ENROL_URL, {"action": "confirm", "code": totp_now(device.key)})

    # then: device confirmed, ten recovery codes shown, signed in and verified
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed is True
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=world.body_y_admin).values_list("token", flat=True))
    assert stored == {recovery_code_hash(code=code, user_id=world.body_y_admin.pk) for code in codes}
    assert client.session["_auth_user_id"] == str(world.body_y_admin.pk)
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(action="auth.second_factor_enrolled").count() == 1
    assert AuditEvent.objects.get(action="auth.login").data == {"second_factor": True}


def test_showing_the_enrolment_page_writes_nothing(client, world, clock):
    # given: the password step of a staff user with no authenticator
    post_password(client, "y_admin")
    events = AuditEvent.objects.count()

    # when: the enrolment page is fetched, twice
    with CaptureQueriesContext(connection) as queries:
        client.get(ENROL_URL)
        client.get(ENROL_URL)

    # then: no device, no audit event, no write at all (the session is read, not saved)
    assert not TOTPDevice.objects.exists()
    assert AuditEvent.objects.count() == events
    assert [q["sql"] for q in queries.captured_queries if q["sql"].split(" ", 1)[0] in WRITES] == []


def test_enrolment_with_a_wrong_code_is_refused(client, world, clock):
    post_password(client, "y_admin")
    client.post(ENROL_URL, {"action": "start"})

    response = client.post(
        ENROL_URL,
        {
            "action": "confirm",
            "code": "000000" if totp_now(TOTPDevice.objects.get().key) != "000000" else "111111",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == []
    assert list(response.context["form"].errors["code"]) == [
        "验证码不正确。请确认手机时间准确，并输入认证器上当前显示的 6 位数字。"
    ]
    assert TOTPDevice.objects.get().confirmed is False
    assert "_auth_user_id" not in client.session


def test_an_enrolment_started_in_another_session_is_never_shown_or_confirmed_here(world, clock):
    # given: someone else who has the password starts an enrolment in their own browser
    other, own = Client(), Client()
    post_password(other, "y_admin")
    other.post(ENROL_URL, {"action": "start"})
    theirs = TOTPDevice.objects.get()

    # when: the staff member signs in and opens the enrolment page
    post_password(own, "y_admin")
    page = own.get(ENROL_URL)

    # then: not the other session's secret, only the start button
    secret = base64.b32encode(bytes.fromhex(theirs.key)).decode().rstrip("=")
    assert secret[:4] not in page.content.decode()
    assert 'id="enrolment-start"' in page.content.decode()

    # when: the staff member starts their own; the other session then tries to confirm its old device
    own.post(ENROL_URL, {"action": "start"})
    stale = other.post(ENROL_URL, {"action": "confirm", "code": totp_now(theirs.key)})

    # then: the other device is gone (its replacement audited) and its code binds nothing
    assert stale.status_code == 302 and stale.url == ENROL_URL
    mine = TOTPDevice.objects.get()
    assert mine.pk != theirs.pk and mine.confirmed is False
    restart = AuditEvent.objects.get(action="auth.second_factor_enrolment_started", data__discarded=1)
    assert restart.data["device"] == mine.pk


def test_cancelling_the_enrolment_at_sign_in_drops_the_device_and_the_pending_sign_in(client, world, clock):
    # given: an enrolment started during sign-in
    post_password(client, "y_admin")
    client.post(ENROL_URL, {"action": "start"})

    # when: the person cancels
    response = client.post(ENROL_URL, {"action": "cancel"})

    # then: back to the login page, no device left, the cancellation audited, the pending sign-in gone
    assert response.status_code == 302 and response.url == LOGIN_URL
    assert not TOTPDevice.objects.exists()
    event = AuditEvent.objects.get(action="auth.second_factor_enrolment_cancelled")
    assert (event.actor_id, event.data) == (world.body_y_admin.pk, {"discarded": 1})
    assert client.get(ENROL_URL).url == LOGIN_URL


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
    token = recovery_code_hash(code="abcdefgh23", user_id=world.body_y_admin.pk)
    StaticToken.objects.create(device=static, token=token)

    post_password(client, "y_admin")
    first = client.post(VERIFY_URL, {"code": "ABCDE-FGH23"})
    client.post(reverse("accounts:logout"))
    clock.shift(5)
    post_password(client, "y_admin")
    second = client.post(VERIFY_URL, {"code": "abcde-fgh23"})

    assert first.status_code == 302
    assert code_errors(second) == [CODE_REFUSED]
    assert StaticToken.objects.count() == 0


def test_wrong_codes_lock_the_client_out_like_wrong_passwords(client, world, clock):
    # given: the password step passed from one client
    device = confirmed_device(world.body_y_admin)
    post_password(client, "y_admin", **CLIENT_A)
    limit = settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_PAIR
    wrong = "123456" if totp_now(device.key) != "123456" else "654321"

    # when: five wrong codes
    answers = [client.post(VERIFY_URL, {"code": wrong}, **CLIENT_A) for _ in range(limit)]

    # then: the fifth locks this client out of the account, and the right code is refused during the lock
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert code_errors(answers[3]) == [CODE_REFUSED]
    assert code_errors(answers[4])[0].startswith("使用该用户名从您所在的网络地址登录失败次数过多")
    locked = AuditEvent.objects.get(action="auth.pair_locked")
    assert (locked.actor_username, locked.target_id) == ("y_admin", str(world.body_y_admin.pk))
    failed = AuditEvent.objects.filter(action="auth.second_factor_failed")
    assert list(failed.values_list("data__reason", flat=True)) == ["bad_code"] * 5
    clock.shift(30)
    assert client.post(VERIFY_URL, {"code": totp_now(device.key)}, **CLIENT_A).status_code == 429
    refused = AuditEvent.objects.filter(action="auth.second_factor_failed", data__reason="locked")
    assert refused.count() == 1

    # and: the person signs in from another client
    other = Client()
    clock.shift(30)
    sign_in_staff(other, world.body_y_admin, device, REMOTE_ADDR="203.0.113.20")


def test_wrong_codes_count_toward_the_accounts_challenge(client, world, clock, settings):
    # given: an account that needs a challenge after three failures, and two wrong codes
    settings.SKILLCERT_LOGIN_CHALLENGE_AFTER_FAILURES = 3
    device = confirmed_device(world.body_y_admin)
    post_password(client, "y_admin", **CLIENT_A)
    wrong = "123456" if totp_now(device.key) != "123456" else "654321"
    client.post(VERIFY_URL, {"code": wrong}, **CLIENT_A)
    client.post(VERIFY_URL, {"code": wrong}, **CLIENT_A)

    # when: a wrong password from another client, then the right one
    third = post_password(Client(), "y_admin", "Wrong-Passw0rd!", REMOTE_ADDR="203.0.113.20")
    fourth = post_password(Client(), "y_admin", REMOTE_ADDR="203.0.113.20")

    # then: the third failure of the account makes the next password attempt need a challenge
    assert third.context["challenge"] is not None
    assert fourth.status_code == 428
    assert AuditEvent.objects.get(action="auth.challenge_required").data == {"failures": 3, "clients": 2}


def test_a_pending_sign_in_holds_only_for_the_client_that_gave_the_password(client, world, clock):
    # given: the password step passed from client A
    device = confirmed_device(world.body_y_admin)
    assert post_password(client, "y_admin", **CLIENT_A).url == VERIFY_URL

    # when: the code is sent with the same session from another client
    response = client.post(VERIFY_URL, {"code": totp_now(device.key)}, REMOTE_ADDR="203.0.113.20")

    # then: back to the password step; nothing counted, nobody signed in
    assert response.status_code == 302 and response.url == LOGIN_URL
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action__startswith="auth.second_factor").exists()


def test_staff_are_told_of_failures_once_the_second_factor_is_passed(client, world, clock):
    # given: two wrong passwords on a staff account from elsewhere
    device = confirmed_device(world.body_y_admin)
    for _ in range(2):
        post_password(Client(), "y_admin", "Wrong-Passw0rd!", REMOTE_ADDR="203.0.113.20")

    # when: the password step alone, then the code step
    post_password(client, "y_admin", **CLIENT_A)
    before = AuditEvent.objects.filter(action="auth.failures_reported").exists()
    response = client.post(VERIFY_URL, {"code": totp_now(device.key)}, follow=True, **CLIENT_A)

    # then: told only once signed in
    assert before is False
    [notice] = [str(m) for m in get_messages(response.wsgi_request)]
    assert notice.startswith("自您上次登录以来，您的账户有 2 次登录失败")


def test_signed_in_staff_without_a_verified_second_factor_are_sent_to_it_from_any_page(client, world, clock):
    # given: a staff session that never passed the second factor
    device = confirmed_device(world.body_y_admin)
    client.force_login(world.body_y_admin)

    # when / then: every page sends them to the code step, except the sign-in pages themselves
    for path in (DASHBOARD, PROFILE, reverse("portal:home"), reverse("accounts:login_alerts")):
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

    # when: the page is shown, then the wrong password, then the right one
    client.get(page_url)
    wrong = client.post(page_url, {"action": "start", "password": "not-it"})
    assert not TOTPDevice.objects.filter(confirmed=False).exists()
    started = client.post(page_url, {"action": "start", "password": "World-Passw0rd!"})

    # then: only the right password starts an enrolment (audited); the old device still works meanwhile
    assert list(wrong.context["reauth_form"].errors["password"]) == ["当前密码不正确。"]
    assert started.status_code == 302
    new = TOTPDevice.objects.get(user=world.body_y_admin, confirmed=False)
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()
    assert AuditEvent.objects.get(action="auth.second_factor_enrolment_started").data == {
        "device": new.pk,
        "replacing": True,
        "discarded": 0,
    }
    assert client.get(page_url).context["pending"] == new

    # when: a code from the new device confirms it
    clock.shift(30)
    response = client.post(page_url, {"action": "confirm", "code": totp_now(new.key)})

    # then: the old device is gone, new recovery codes shown, and this session stays verified
    assert response.status_code == 200 and len(response.context["codes"]) == 10
    assert list(TOTPDevice.objects.filter(user=world.body_y_admin).values_list("pk", flat=True)) == [new.pk]
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(action="auth.second_factor_reset").count() == 1


def test_giving_up_a_replacement_keeps_the_old_device_and_is_audited(client, world, clock):
    # given: a verified staff session that started replacing its authenticator
    old = confirmed_device(world.body_y_admin)
    sign_in_staff(client, world.body_y_admin, old)
    page_url = reverse("accounts:two_factor")
    client.post(page_url, {"action": "start", "password": "World-Passw0rd!"})

    # when: the person gives up, then (nothing left to give up) clicks again
    first = client.post(page_url, {"action": "cancel"})
    second = client.post(page_url, {"action": "cancel"})

    # then: only the old device remains, and one cancellation is audited
    assert first.status_code == second.status_code == 302
    assert list(TOTPDevice.objects.values_list("pk", flat=True)) == [old.pk]
    event = AuditEvent.objects.get(action="auth.second_factor_enrolment_cancelled")
    assert (event.actor_id, event.data) == (world.body_y_admin.pk, {"discarded": 1})
    assert client.get(page_url).context["pending"] is None


def test_candidates_have_no_two_factor_page(client, world):
    force_sign_in(client, world.candidate)

    assert client.get(reverse("accounts:two_factor")).status_code == 403


def test_recovery_codes_never_look_like_totp_codes(world):
    from skillcert.accounts.two_factor import _new_recovery_code

    assert all(re.search(r"[a-z]", _new_recovery_code()) for _ in range(200))
