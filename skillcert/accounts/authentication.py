"""Signing in: the password step, the second-factor step, throttling, lockout and unlocking.

Throttling and lockout (settings ``SKILLCERT_LOGIN_*``):
- every failed step is a ``LoginFailure`` row with the username tried and the client address;
- ``MAX_FAILURES_PER_ACCOUNT`` failures of one account inside ``FAILURE_WINDOW`` lock it for ``LOCKOUT``
  seconds (``User.locked_until``); while locked even the right password is refused. A username that does
  not exist locks the same way, so the lock message does not reveal which usernames exist;
- ``MAX_FAILURES_PER_IP`` failures from one client address inside the window refuse that address until
  enough of them have left the window. An IPv6 address counts as its /64 (core/addresses.py), so that one
  client cannot step past the limit by changing address; the audit log keeps the address itself;
- a row is read for at most the longer of ``FAILURE_WINDOW`` and ``LOCKOUT`` (the lock of an unknown
  username is kept on its row), and rows older than that are purged whenever a failure is stored, a
  bounded batch at a time, so the table holds about one window of failures without any scheduled job.
  The audit log, not this table, is the lasting record of failed sign-ins.

Every attempt writes an audit event. The steps record in their own transaction and raise ``LoginRefused``
only after it has committed, so a refused login still leaves its trace. Call them outside any
``transaction.atomic`` block of your own, or the failure records roll back with it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from skillcert.accounts.models import LoginFailure, User
from skillcert.accounts.selectors import user_may_unlock
from skillcert.accounts.two_factor import recovery_code_hash, recovery_code_normalise
from skillcert.core.addresses import client_of
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import RequestContext

WRONG_CREDENTIALS = "用户名或密码错误。"
# Stale failure rows deleted per stored failure: enough to drain any backlog, small enough to stay cheap.
FAILURE_PURGE_BATCH = 500


class LoginRefused(ApplicationError):
    """A sign-in step failed; the message is safe to show to the person signing in.

    ``reason`` is "credentials" (wrong username, password or code), "locked", "ip_throttled" or
    "inactive"; pages answer 429 for the two that say "try again later".
    """

    def __init__(self, message: str, *, reason: str = "credentials") -> None:
        super().__init__(message, extra={"reason": reason})
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Refusal:
    """A refusal decided inside a step's transaction and raised as LoginRefused after it commits."""

    message: str
    reason: str = "credentials"


def _wrong_credentials() -> _Refusal:
    return _Refusal(_("用户名或密码错误。"))


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _locked_message(until: datetime) -> _Refusal:
    return _Refusal(
        _("登录失败次数过多，该账户已被锁定，请于 %(time)s 后再试，或联系管理员解锁。")
        % {"time": _when(until)},
        "locked",
    )


def _ip_throttled_message(until: datetime) -> _Refusal:
    return _Refusal(
        _("来自您所在网络地址的登录失败次数过多，请于 %(time)s 后再试。") % {"time": _when(until)},
        "ip_throttled",
    )


def _window_start(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.SKILLCERT_LOGIN_FAILURE_WINDOW)


def _ip_refused_until(ip_address: str, now: datetime) -> datetime | None:
    """When this address may try again, or None if it may try now."""
    if not ip_address:
        return None
    limit = settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_IP
    recent = LoginFailure.objects.filter(ip_address=client_of(ip_address), occurred_at__gt=_window_start(now))
    count = recent.count()
    if count < limit:
        return None
    # The address is free again once only limit - 1 failures remain inside the window.
    pivot = recent.order_by("occurred_at").values_list("occurred_at", flat=True)[count - limit]
    return pivot + timedelta(seconds=settings.SKILLCERT_LOGIN_FAILURE_WINDOW)


def _unknown_username_locked_until(username: str, now: datetime) -> datetime | None:
    return (
        LoginFailure.objects.filter(username=username, user__isnull=True, locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )


def failure_retention() -> timedelta:
    """How long a failure row can still count (window) or hold an unknown username's lock (lockout)."""
    return timedelta(seconds=max(settings.SKILLCERT_LOGIN_FAILURE_WINDOW, settings.SKILLCERT_LOGIN_LOCKOUT))


def _failures_purge(now: datetime) -> int:
    """Delete up to ``FAILURE_PURGE_BATCH`` failure rows that nothing reads any more; returns how many.

    A row older than the retention is outside every window; the locked_until test keeps a lock that runs
    longer (the lockout setting raised since). Rows another attempt is purging are skipped (SKIP LOCKED on
    PostgreSQL), so concurrent purges never wait on, or deadlock with, each other.
    """
    stale = (
        LoginFailure.objects.filter(occurred_at__lt=now - failure_retention())
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .order_by("occurred_at")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:FAILURE_PURGE_BATCH]
    )
    pks = list(stale)
    if not pks:
        return 0
    return LoginFailure.objects.filter(pk__in=pks).delete()[0]


def _failure_store(
    *,
    now: datetime,
    username: str,
    user: User | None,
    ip_address: str,
    step: str = LoginFailure.Step.PASSWORD,
    counts_for_account: bool = True,
) -> LoginFailure:
    """Store one failed step, first purging rows that no throttling or lock reads any more."""
    _failures_purge(now)
    return LoginFailure.objects.create(
        username=username,
        user=user,
        ip_address=client_of(ip_address),
        step=step,
        occurred_at=now,
        counts_for_account=counts_for_account,
    )


def _account_failures(*, user: User | None, username: str):
    if user is not None:
        return LoginFailure.objects.filter(user=user, counts_for_account=True)
    return LoginFailure.objects.filter(username=username, user__isnull=True, counts_for_account=True)


def _record_failure(
    *, user: User | None, username: str, step: str, reason: str, context: RequestContext, now: datetime
) -> datetime | None:
    """Store one failure and lock the account when it reaches the limit; returns the lock's end, if any."""
    failure = _failure_store(now=now, username=username, user=user, ip_address=context.ip_address, step=step)
    action = "auth.login_failed" if step == LoginFailure.Step.PASSWORD else "auth.second_factor_failed"
    audit_record(
        actor=None, actor_label=username, action=action, target=user, data={"reason": reason}, context=context
    )
    failures = _account_failures(user=user, username=username).filter(occurred_at__gt=_window_start(now))
    count = failures.count()
    if count < settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_ACCOUNT:
        return None
    until = now + timedelta(seconds=settings.SKILLCERT_LOGIN_LOCKOUT)
    if user is not None:
        user.locked_until = until
        user.save(update_fields=["locked_until"])
    else:
        failure.locked_until = until
        failure.save(update_fields=["locked_until"])
    # The lock has been served by these failures; after it ends the account starts counting afresh.
    _account_failures(user=user, username=username).update(counts_for_account=False)
    audit_record(
        actor=None,
        actor_label=username,
        action="auth.locked",
        target=user,
        data={"failures": count, "locked_until": until.isoformat()},
        context=context,
    )
    return until


def _refuse_without_counting(
    *,
    user: User | None,
    username: str,
    reason: str,
    context: RequestContext,
    action: str = "auth.login_failed",
) -> None:
    audit_record(
        actor=None,
        actor_label=username,
        action=action,
        target=user,
        data={"reason": reason},
        context=context,
    )


def _reset_account(user: User) -> None:
    LoginFailure.objects.filter(user=user, counts_for_account=True).update(counts_for_account=False)
    if user.locked_until is not None:
        user.locked_until = None
        user.save(update_fields=["locked_until"])


def _password_step(*, username: str, password: str, context: RequestContext) -> User | _Refusal:
    now = timezone.now()
    ip_until = _ip_refused_until(context.ip_address, now)
    if ip_until is not None:
        _refuse_without_counting(user=None, username=username, reason="ip_throttled", context=context)
        return _ip_throttled_message(ip_until)

    # The row lock serialises concurrent attempts on one account so that its failure count is exact.
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        make_password(password)  # spend the hasher's time so unknown usernames answer as slowly as known ones
        locked_until = _unknown_username_locked_until(username, now)
        if locked_until is not None:
            _failure_store(
                now=now, username=username, user=None, ip_address=context.ip_address, counts_for_account=False
            )
            _refuse_without_counting(user=None, username=username, reason="locked", context=context)
            return _locked_message(locked_until)
        until = _record_failure(
            user=None,
            username=username,
            step=LoginFailure.Step.PASSWORD,
            reason="unknown_user",
            context=context,
            now=now,
        )
        return _locked_message(until) if until else _wrong_credentials()

    if user.locked_until is not None and user.locked_until > now:
        make_password(password)
        _failure_store(
            now=now, username=username, user=user, ip_address=context.ip_address, counts_for_account=False
        )
        _refuse_without_counting(user=user, username=username, reason="locked", context=context)
        return _locked_message(user.locked_until)

    if not user.check_password(password):
        until = _record_failure(
            user=user,
            username=username,
            step=LoginFailure.Step.PASSWORD,
            reason="bad_password",
            context=context,
            now=now,
        )
        return _locked_message(until) if until else _wrong_credentials()

    if not user.is_active:
        _refuse_without_counting(user=user, username=username, reason="inactive", context=context)
        return _Refusal(_("该账户已停用，请联系管理员。"), "inactive")

    audit_record(actor=user, action="auth.password_verified", context=context)
    if not second_factor_required(user):
        # The password is the whole login: the account's failure count starts again.
        _reset_account(user)
    return user


def login_check_password(*, username: str, password: str, context: RequestContext) -> User:
    """Check a username and password under throttling and lockout; returns the user, does not log in."""
    username = username.strip()[:150]
    with transaction.atomic():
        outcome = _password_step(username=username, password=password, context=context)
    # Raised only now, after the failure records above have committed.
    if isinstance(outcome, _Refusal):
        raise LoginRefused(outcome.message, reason=outcome.reason)
    return outcome


def second_factor_required(user: User) -> bool:
    """Whether this user must pass a second factor (TOTP) to sign in."""
    return bool(settings.SKILLCERT_REQUIRE_2FA and user.needs_second_factor)


def _second_factor_step(*, user: User, code: str, context: RequestContext) -> Device | _Refusal:
    now = timezone.now()
    ip_until = _ip_refused_until(context.ip_address, now)
    if ip_until is not None:
        _refuse_without_counting(
            user=user,
            username=user.username,
            reason="ip_throttled",
            context=context,
            action="auth.second_factor_failed",
        )
        return _ip_throttled_message(ip_until)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.locked_until is not None and user.locked_until > now:
        _refuse_without_counting(
            user=user,
            username=user.username,
            reason="locked",
            context=context,
            action="auth.second_factor_failed",
        )
        return _locked_message(user.locked_until)

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
        _reset_account(user)
        return device

    until = _record_failure(
        user=user,
        username=user.username,
        step=LoginFailure.Step.SECOND_FACTOR,
        reason="bad_code" if code else "empty_code",
        context=context,
        now=now,
    )
    if until:
        return _locked_message(until)
    return _Refusal(_("验证码错误或已使用过。请输入认证器上当前显示的 6 位验证码，或一个未使用的恢复码。"))


def login_check_second_factor(*, user: User, code: str, context: RequestContext) -> Device:
    """Verify a TOTP code or a recovery code; returns the device that accepted it, for django_otp.login."""
    with transaction.atomic():
        outcome = _second_factor_step(user=user, code=code, context=context)
    if isinstance(outcome, _Refusal):
        raise LoginRefused(outcome.message, reason=outcome.reason)
    return outcome


def login_record(*, user: User, context: RequestContext, second_factor: bool) -> None:
    """Audit a completed sign-in (all steps passed, session established)."""
    audit_record(actor=user, action="auth.login", data={"second_factor": second_factor}, context=context)


def logout_record(*, user: User, context: RequestContext, reason: str) -> None:
    """Audit the end of a session: ``reason`` is "logout" or "idle_timeout"."""
    action = "auth.logout" if reason == "logout" else "auth.session_expired"
    audit_record(actor=user, action=action, data={"reason": reason}, context=context)


@transaction.atomic
def user_unlock(*, user: User, actor: User, context: RequestContext) -> User:
    """Lift a lockout and restart the account's failure count; only an administrator in scope may."""
    if not user_may_unlock(actor=actor, user=user):
        raise ApplicationError(_("您无权解锁该用户。"))
    user = User.objects.select_for_update().get(pk=user.pk)
    was_locked_until = user.locked_until
    LoginFailure.objects.filter(user=user, counts_for_account=True).update(counts_for_account=False)
    user.locked_until = None
    user.save(update_fields=["locked_until"])
    audit_record(
        actor=actor,
        action="auth.unlocked",
        target=user,
        data={
            "username": user.username,
            "was_locked_until": was_locked_until.isoformat() if was_locked_until else None,
        },
        context=context,
    )
    return user
