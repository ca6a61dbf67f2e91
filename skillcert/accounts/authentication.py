"""Signing in: the password step and the second-factor step under the failure counts of login_failures.py.

Each attempt passes, in order: the client's throttle across usernames; the (account, client) pair's lock;
for an account that has failed too often from all clients, a solved proof of work (login_challenge.py);
then the password or code itself. A username that does not exist goes through the same steps, counted by
that username, and spends a password hash where a real one is checked: its answers, status and body, are
those of a wrong password (and it takes about as long: bench/bench_login_timing.py).

Every attempt writes an audit event. The steps record in their own transaction and raise ``LoginRefused``
only after it has committed, so a refused login still leaves its trace. Call them outside any
``transaction.atomic`` block of your own, or the failure records roll back with it.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from skillcert.accounts.login_challenge import login_challenge_issue, login_challenge_spend
from skillcert.accounts.login_failures import (
    Account,
    account_challenge_required,
    client_refused_until,
    failure_record,
    failure_refused_store,
    failures_reset_on_sign_in,
    pair_locked_until,
)
from skillcert.accounts.models import LoginFailure, User
from skillcert.accounts.two_factor import recovery_code_hash, recovery_code_normalise
from skillcert.core.addresses import client_of
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import RequestContext
from skillcert.verification.challenge import Challenge

WRONG_CREDENTIALS = "用户名或密码错误。"


class LoginRefused(ApplicationError):
    """A sign-in step failed; the message is safe to show to the person signing in.

    ``reason`` is "credentials" (wrong username, password or code), "locked" (this client may not try this
    account for a while), "ip_throttled", "challenge" (no solved proof of work) or "inactive". ``challenge``
    is the proof of work the next attempt needs: always with "challenge", and with "credentials" once the
    account needs one.
    """

    def __init__(self, message: str, *, reason: str = "credentials", challenge: Challenge | None = None):
        super().__init__(message, extra={"reason": reason})
        self.reason = reason
        self.challenge = challenge


@dataclass(frozen=True, slots=True)
class _Refusal:
    """A refusal decided inside a step's transaction and raised as LoginRefused after it commits."""

    message: str
    reason: str = "credentials"
    challenge: Challenge | None = None


def _wrong_credentials(challenge: Challenge | None = None) -> _Refusal:
    return _Refusal(_("用户名或密码错误。"), challenge=challenge)


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _pair_locked_message(until: datetime) -> _Refusal:
    # The same words whether or not the username exists.
    return _Refusal(
        _("使用该用户名从您所在的网络地址登录失败次数过多，请于 %(time)s 后再试。") % {"time": _when(until)},
        "locked",
    )


def _ip_throttled_message(until: datetime) -> _Refusal:
    return _Refusal(
        _("来自您所在网络地址的登录失败次数过多，请于 %(time)s 后再试。") % {"time": _when(until)},
        "ip_throttled",
    )


def _challenge_message(challenge: Challenge, *, failed: bool) -> _Refusal:
    # The login page explains the browser check itself whenever it carries a challenge.
    if failed:
        message = _("浏览器验证未通过或已过期，请重新输入密码后再次登录。")
    else:
        message = _("为保护账户安全，本次登录须先完成浏览器验证。请重新输入密码后点击“登录”。")
    return _Refusal(message, "challenge", challenge)


def _audit(*, account: Account, action: str, context: RequestContext, reason: str = "") -> None:
    """An event of an attempt that has not signed anyone in: no actor yet, the username that was tried."""
    audit_record(
        actor=None,
        actor_label=account.username,
        action=action,
        target=account.user,
        data={"reason": reason} if reason else None,
        context=context,
    )


def _challenge_check(
    *, account: Account, client: str, challenge: str, solution: str, context: RequestContext, now: datetime
) -> _Refusal | None:
    """None when the attempt may go on to its password; else the refusal, with a new challenge.

    Nothing is stored for a refused attempt: it tried no password, so it counts for nothing.
    """
    if not challenge:
        _audit(account=account, action="auth.login_failed", reason="challenge_required", context=context)
    elif login_challenge_spend(
        username=account.username, client=client, token=challenge, solution=solution, now=now.timestamp()
    ):
        _audit(account=account, action="auth.challenge_solved", context=context)
        return None
    else:
        # A wrong solution, an expired token, one spent before or issued for another username or client.
        _audit(account=account, action="auth.challenge_failed", context=context)
    issued = login_challenge_issue(username=account.username, client=client, now=now.timestamp())
    return _challenge_message(issued, failed=bool(challenge))


def _password_step(
    *, username: str, password: str, challenge: str, solution: str, context: RequestContext
) -> User | _Refusal:
    now = timezone.now()
    client = client_of(context.ip_address)
    ip_until = client_refused_until(client=client, now=now)
    if ip_until is not None:
        anyone = Account(username=username, user=None)
        _audit(account=anyone, action="auth.login_failed", reason="ip_throttled", context=context)
        return _ip_throttled_message(ip_until)

    # The row lock serialises concurrent attempts on one account so that its failure counts are exact.
    user = User.objects.select_for_update().filter(username=username).first()
    account = Account(username=username, user=user)
    step = LoginFailure.Step.PASSWORD

    locked_until = pair_locked_until(account=account, client=client, now=now)
    if locked_until is not None:
        failure_refused_store(account=account, client=client, step=step, now=now)
        _audit(account=account, action="auth.login_failed", reason="locked", context=context)
        return _pair_locked_message(locked_until)

    if account_challenge_required(account=account, now=now):
        refusal = _challenge_check(
            account=account, client=client, challenge=challenge, solution=solution, context=context, now=now
        )
        if refusal is not None:
            return refusal

    if user is None:
        make_password(password)  # spend the hasher's time so unknown usernames answer as slowly as known ones
    if user is None or not user.check_password(password):
        reason = "unknown_user" if user is None else "bad_password"
        until = failure_record(
            account=account, client=client, step=step, reason=reason, context=context, now=now
        )
        if until:
            return _pair_locked_message(until)
        if account_challenge_required(account=account, now=now):
            # The next attempt needs a proof of work: the page starts on it while the password is retyped.
            return _wrong_credentials(
                login_challenge_issue(username=username, client=client, now=now.timestamp())
            )
        return _wrong_credentials()

    if not user.is_active:
        _audit(account=account, action="auth.login_failed", reason="inactive", context=context)
        return _Refusal(_("该账户已停用，请联系管理员。"), "inactive")

    audit_record(actor=user, action="auth.password_verified", context=context)
    if not second_factor_required(user):
        # The password is the whole login: this pair's and the account's failure counts start again.
        failures_reset_on_sign_in(user=user, client=client)
    return user


def login_check_password(
    *, username: str, password: str, context: RequestContext, challenge: str = "", solution: str = ""
) -> User:
    """Check a username and password under the failure counts; returns the user, does not log in.

    ``challenge`` and ``solution`` are the proof of work of an earlier refusal with reason "challenge".
    """
    username = username.strip()[:150]
    with transaction.atomic():
        outcome = _password_step(
            username=username, password=password, challenge=challenge, solution=solution, context=context
        )
    # Raised only now, after the failure records above have committed.
    if isinstance(outcome, _Refusal):
        raise LoginRefused(outcome.message, reason=outcome.reason, challenge=outcome.challenge)
    return outcome


def second_factor_required(user: User) -> bool:
    """Whether this user must pass a second factor (TOTP) to sign in."""
    return bool(settings.SKILLCERT_REQUIRE_2FA and user.needs_second_factor)


def _second_factor_step(*, user: User, code: str, context: RequestContext) -> Device | _Refusal:
    """The code step counts its failures with the password step's: for the pair and for the account.

    It needs no proof of work: only a person who has just given the password from this client gets here
    (the view keeps the pending sign-in to the client that passed the password).
    """
    now = timezone.now()
    client = client_of(context.ip_address)
    step = LoginFailure.Step.SECOND_FACTOR
    ip_until = client_refused_until(client=client, now=now)
    if ip_until is not None:
        account = Account(username=user.username, user=user)
        _audit(account=account, action="auth.second_factor_failed", reason="ip_throttled", context=context)
        return _ip_throttled_message(ip_until)
    user = User.objects.select_for_update().get(pk=user.pk)
    account = Account(username=user.username, user=user)
    locked_until = pair_locked_until(account=account, client=client, now=now)
    if locked_until is not None:
        failure_refused_store(account=account, client=client, step=step, now=now)
        _audit(account=account, action="auth.second_factor_failed", reason="locked", context=context)
        return _pair_locked_message(locked_until)

    # Recovery codes are shown in groups ("abcde-fghij"); people type them with or without the dash.
    code = recovery_code_normalise(code)
    device: Device | None = None
    kind = "totp" if code.isdigit() else "recovery_code"
    token = code
    if code.isdigit():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    elif code:
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        # Only the hash of a recovery code is stored: look up the hash of what was typed.
        token = recovery_code_hash(code=code, user_id=user.pk)
    # TOTPDevice.verify_token refuses any time step at or before the last one used; StaticDevice.verify_token
    # deletes the token it matched. Either way a code works once.
    if device is not None and device.verify_token(token):
        audit_record(actor=user, action="auth.second_factor_verified", data={"method": kind}, context=context)
        failures_reset_on_sign_in(user=user, client=client)
        return device

    until = failure_record(
        account=account,
        client=client,
        step=step,
        reason="bad_code" if code else "empty_code",
        context=context,
        now=now,
    )
    if until:
        return _pair_locked_message(until)
    return _Refusal(_("验证码错误或已使用过。请输入认证器上当前显示的 6 位验证码，或一个未使用的恢复码。"))


def login_check_second_factor(*, user: User, code: str, context: RequestContext) -> Device:
    """Verify a TOTP code or a recovery code; returns the device that accepted it, for django_otp.login."""
    with transaction.atomic():
        outcome = _second_factor_step(user=user, code=code, context=context)
    if isinstance(outcome, _Refusal):
        raise LoginRefused(outcome.message, reason=outcome.reason)
    return outcome


@dataclass(frozen=True, slots=True)
class FailureNotice:
    """Failed sign-in steps on an account since its user last signed in, to tell them now."""

    failures: int
    last_at: datetime


@transaction.atomic
def login_record(*, user: User, context: RequestContext, second_factor: bool) -> FailureNotice | None:
    """Audit a completed sign-in (all steps passed, session established); returns the failures since the
    user's last sign-in, if any, which the page must tell them (the telling is audited here)."""
    audit_record(actor=user, action="auth.login", data={"second_factor": second_factor}, context=context)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.failed_logins_unreported or user.failed_login_last_at is None:
        return None
    notice = FailureNotice(failures=user.failed_logins_unreported, last_at=user.failed_login_last_at)
    user.failed_logins_unreported = 0
    user.failed_login_last_at = None
    user.save(update_fields=["failed_logins_unreported", "failed_login_last_at"])
    audit_record(
        actor=user,
        action="auth.failures_reported",
        target=user,
        data={"failures": notice.failures, "last_failure_at": notice.last_at.isoformat()},
        context=context,
    )
    return notice


def logout_record(*, user: User, context: RequestContext, reason: str) -> None:
    """Audit the end of a session: ``reason`` is "logout" or "idle_timeout"."""
    action = "auth.logout" if reason == "logout" else "auth.session_expired"
    audit_record(actor=user, action=action, data={"reason": reason}, context=context)
