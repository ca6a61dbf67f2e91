"""Signing in and out: the password step, the TOTP step or TOTP enrolment, and logout.

Between the password step and the second factor the session holds only a pending sign-in (user id, step,
start time, the client that gave the password, where to go next); the user is logged in with
``django.contrib.auth.login`` only when every step has passed, which also gives the session a new key.
The pending sign-in holds only for the client that gave the password: the code step's failures are counted
per (account, client) pair, and a session carried to other clients must not try codes past that count.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.models import Device

from skillcert.accounts.authentication import (
    FailureNotice,
    LoginRefused,
    login_check_password,
    login_check_second_factor,
    login_record,
    logout_record,
    second_factor_required,
)
from skillcert.accounts.forms import EnrolmentForm, LoginForm, SecondFactorForm
from skillcert.accounts.middleware import mark_activity
from skillcert.accounts.models import User
from skillcert.accounts.permissions import public_view
from skillcert.accounts.two_factor import (
    totp_device_confirmed,
    totp_enrolment_cancel,
    totp_enrolment_confirm,
    totp_enrolment_pending,
    totp_enrolment_start,
    totp_qr_data_uri,
    totp_secret_base32,
)
from skillcert.accounts.views.requests import ContextRequest
from skillcert.core.addresses import client_of

PENDING_KEY = "skillcert_login_pending"
# The id of the unconfirmed TOTP device this session is enrolling (at sign-in or on the account page).
ENROLMENT_SESSION_KEY = "skillcert_two_factor_enrolment"
# "Try again later" refusals answer 429 Too Many Requests, a proof of work to solve first 428 Precondition
# Required (as the public query does); wrong credentials keep the ordinary 200 form page.
REFUSAL_STATUS = {"locked": 429, "ip_throttled": 429, "challenge": 428}
# A password step is good for this long (seconds) before the second factor must be entered.
PENDING_MAX_AGE = 5 * 60
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request: ContextRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _failure_notice(notice: FailureNotice) -> str:
    return _(
        "自您上次登录以来，您的账户有 %(count)d 次登录失败，最近一次在 %(time)s。"
        "如果不是您本人操作，请立即修改密码。"
    ) % {"count": notice.failures, "time": date_format(timezone.localtime(notice.last_at), "Y-m-d H:i")}


def _complete_login(request: ContextRequest, *, user: User, device: Device | None) -> str:
    """Log the user in (new session key), mark the OTP device verified, audit, tell the user of failed
    attempts since their last sign-in; returns where to go next."""
    pending = request.session.pop(PENDING_KEY, None) or {}
    next_url = pending.get("next", "") or _safe_next(request, request.GET.get("next"))
    auth_login(request, user, backend=MODEL_BACKEND)
    if device is not None:
        otp_login(request, device)
    mark_activity(request)
    notice = login_record(user=user, context=request.context, second_factor=device is not None)
    if notice is not None:
        messages.warning(request, _failure_notice(notice))
    return next_url or resolve_url(settings.LOGIN_REDIRECT_URL)


def _second_factor_subject(request: ContextRequest) -> User | None:
    """Whose second factor is being asked for: a pending sign-in, or a signed-in but unverified staff user."""
    pending = request.session.get(PENDING_KEY)
    if pending:
        fresh = timezone.now().timestamp() - pending.get("at", 0) <= PENDING_MAX_AGE
        if fresh and pending.get("client") == client_of(request.context.ip_address):
            pending_user = User.objects.filter(pk=pending.get("user_id"), is_active=True).first()
            if pending_user is not None:
                return pending_user
        del request.session[PENDING_KEY]
    user = request.user
    # OTPMiddleware gives the signed-in user is_verified().
    if isinstance(user, User) and second_factor_required(user) and not user.is_verified():  # type: ignore[attr-defined]
        return user
    return None


def _back_to_login(request: ContextRequest) -> HttpResponse:
    messages.info(request, _("登录已超时或尚未输入密码，请重新输入用户名和密码。"))
    return redirect("accounts:login")


@public_view
@never_cache
def login_view(request: ContextRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    challenge = None
    if request.method == "POST" and form.is_valid():
        try:
            user = login_check_password(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                challenge=form.cleaned_data["challenge"],
                solution=form.cleaned_data["solution"],
                context=request.context,
            )
        except LoginRefused as refused:
            form.add_error(None, refused.message)
            status = REFUSAL_STATUS.get(refused.reason, 200)
            challenge = refused.challenge
            if challenge is not None:
                form.fields["username"].widget.attrs.pop("autofocus", None)
                form.fields["password"].widget.attrs["autofocus"] = True
        else:
            if not second_factor_required(user):
                return redirect(_complete_login(request, user=user, device=None))
            has_device = totp_device_confirmed(user=user) is not None
            request.session[PENDING_KEY] = {
                "user_id": user.pk,
                "step": "verify" if has_device else "enrol",
                "at": timezone.now().timestamp(),
                "client": client_of(request.context.ip_address),
                "next": _safe_next(request, request.POST.get("next") or request.GET.get("next")),
            }
            return redirect("accounts:login_verify" if has_device else "accounts:login_enrol")
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "challenge": challenge,
            "two_factor_off": not settings.SKILLCERT_REQUIRE_2FA,
            "next": _safe_next(request, request.POST.get("next") or request.GET.get("next")),
        },
        status=status,
    )


@public_view
@never_cache
def login_verify(request: ContextRequest) -> HttpResponse:
    user = _second_factor_subject(request)
    if user is None:
        return _back_to_login(request)
    if totp_device_confirmed(user=user) is None:
        return redirect("accounts:login_enrol")
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = login_check_second_factor(
                user=user, code=form.cleaned_data["code"], context=request.context
            )
        except LoginRefused as refused:
            form.add_error("code", refused.message)
            status = REFUSAL_STATUS.get(refused.reason, 200)
        else:
            return redirect(_complete_login(request, user=user, device=device))
    return render(request, "accounts/login_verify.html", {"form": form, "subject": user}, status=status)


@public_view
@never_cache
def login_enrol(request: ContextRequest) -> HttpResponse:
    """A first authenticator during sign-in: "开始绑定" (POST) makes the secret, a code confirms it.

    A GET only shows the page: the device of this session's enrolment if it has started one, else the
    button that starts it.
    """
    user = _second_factor_subject(request)
    if user is None:
        return _back_to_login(request)
    if totp_device_confirmed(user=user) is not None:
        # Enrolment during sign-in is only for a first device; replacing one needs the device itself.
        return redirect("accounts:login_verify")
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "start":
        device = totp_enrolment_start(user=user, context=request.context)
        request.session[ENROLMENT_SESSION_KEY] = device.pk
        return redirect("accounts:login_enrol")
    if action == "cancel":
        totp_enrolment_cancel(user=user, context=request.context)
        if request.user.is_authenticated:
            logout_record(user=request.user, context=request.context, reason="logout")
        auth_logout(request)  # flushes the session: the pending sign-in ends with the enrolment
        messages.info(request, _("已取消登录。"))
        return redirect("accounts:login")
    device = totp_enrolment_pending(user=user, device_id=request.session.get(ENROLMENT_SESSION_KEY))
    form = EnrolmentForm(request.POST if action == "confirm" else None)
    if action == "confirm" and device is None:
        messages.info(request, _("绑定已失效，请重新开始绑定。"))
        return redirect("accounts:login_enrol")
    if action == "confirm" and device is not None and form.is_valid():
        try:
            codes = totp_enrolment_confirm(
                user=user, device=device, code=form.cleaned_data["code"], context=request.context
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            device.refresh_from_db()
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            next_url = _complete_login(request, user=user, device=device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next_url": next_url})
    return render(
        request,
        "accounts/login_enrol.html",
        {
            "form": form,
            "subject": user,
            "device": device,
            "qr_data_uri": totp_qr_data_uri(device) if device else "",
            "secret": totp_secret_base32(device) if device else "",
        },
    )


@public_view
def logout_view(request: ContextRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "accounts/logout.html")
    if request.user.is_authenticated:
        logout_record(user=request.user, context=request.context, reason="logout")
    auth_logout(request)  # flushes the session server-side, pending sign-in included
    messages.info(request, _("您已退出登录。"))
    return redirect(settings.LOGOUT_REDIRECT_URL)
