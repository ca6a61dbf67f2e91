"""A user's own account: profile, password change, authenticator; and candidate self-registration."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from skillcert.accounts.authentication import (
    WRONG_CREDENTIALS,
    LoginRefused,
    login_check_password,
    login_record,
)
from skillcert.accounts.forms import EnrolmentForm, PasswordChangeForm, ReauthenticateForm, RegisterForm
from skillcert.accounts.middleware import mark_activity
from skillcert.accounts.models import Candidate
from skillcert.accounts.permissions import login_required_view, public_view, role_required
from skillcert.accounts.roles import STAFF_ROLES
from skillcert.accounts.services import candidate_register, user_password_change
from skillcert.accounts.two_factor import (
    recovery_codes_remaining,
    totp_device_confirmed,
    totp_enrolment_cancel,
    totp_enrolment_confirm,
    totp_enrolment_pending,
    totp_enrolment_start,
    totp_qr_data_uri,
    totp_secret_base32,
)
from skillcert.accounts.views.login import ENROLMENT_SESSION_KEY, MODEL_BACKEND
from skillcert.accounts.views.requests import ContextRequest, SignedInRequest
from skillcert.core.errors import ApplicationError
from skillcert.core.personal_data import mask_mobile


@login_required_view
def profile(request: SignedInRequest) -> HttpResponse:
    user = request.user
    candidate = Candidate.objects.filter(user=user).first()
    return render(
        request,
        "accounts/profile.html",
        {
            "profile_user": user,
            "roles": [role.get_role_display() for role in user.roles.all()],
            "mobile_masked": mask_mobile(user.mobile) if user.mobile else "",
            "candidate": candidate,
            "candidate_mobile_masked": mask_mobile(candidate.mobile)
            if candidate and candidate.mobile
            else "",
        },
    )


@login_required_view
@never_cache
def password_change(request: SignedInRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_password_change(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                context=request.context,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # This session stays signed in under the new password; every other session of the user ends.
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。您在其他设备上的登录已失效。"))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


def _two_factor_start(request: SignedInRequest) -> HttpResponse | ReauthenticateForm:
    form = ReauthenticateForm(request.POST)
    if form.is_valid():
        try:
            login_check_password(
                username=request.user.username,
                password=form.cleaned_data["password"],
                context=request.context,
            )
        except LoginRefused as refused:
            message = _("当前密码不正确。") if refused.message == _(WRONG_CREDENTIALS) else refused.message
            form.add_error("password", message)
        else:
            device = totp_enrolment_start(user=request.user, context=request.context)
            request.session[ENROLMENT_SESSION_KEY] = device.pk
            return redirect("accounts:two_factor")
    return form


@role_required(*STAFF_ROLES)
@never_cache
def two_factor(request: SignedInRequest) -> HttpResponse:
    """See the authenticator and recovery codes; replace the authenticator (password first, then a code)."""
    user = request.user
    reauth_form = ReauthenticateForm()
    enrol_form = EnrolmentForm()
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "start":
        outcome = _two_factor_start(request)
        if isinstance(outcome, HttpResponse):
            return outcome
        reauth_form = outcome
    elif action == "cancel":
        totp_enrolment_cancel(user=user, context=request.context)
        request.session.pop(ENROLMENT_SESSION_KEY, None)
        return redirect("accounts:two_factor")
    elif action == "confirm":
        pending = totp_enrolment_pending(user=user, device_id=request.session.get(ENROLMENT_SESSION_KEY))
        if pending is None:
            return redirect("accounts:two_factor")
        enrol_form = EnrolmentForm(request.POST)
        if enrol_form.is_valid():
            try:
                codes = totp_enrolment_confirm(
                    user=user, device=pending, code=enrol_form.cleaned_data["code"], context=request.context
                )
            except ValidationError as error:
                enrol_form.add_error(None, error)
            else:
                request.session.pop(ENROLMENT_SESSION_KEY, None)
                pending.refresh_from_db()
                otp_login(request, pending)  # this session is now verified by the new device
                return render(request, "accounts/recovery_codes.html", {"codes": codes, "next_url": ""})

    pending = totp_enrolment_pending(user=user, device_id=request.session.get(ENROLMENT_SESSION_KEY))
    return render(
        request,
        "accounts/two_factor.html",
        {
            "device": totp_device_confirmed(user=user),
            "recovery_codes_remaining": recovery_codes_remaining(user=user),
            "pending": pending,
            "qr_data_uri": totp_qr_data_uri(pending) if pending else "",
            "secret": totp_secret_base32(pending) if pending else "",
            "reauth_form": reauth_form,
            "enrol_form": enrol_form,
            "two_factor_off": not settings.SKILLCERT_REQUIRE_2FA,
        },
    )


@public_view
@never_cache
def register(request: ContextRequest) -> HttpResponse:
    if request.user.is_authenticated:
        messages.info(request, _("您已登录，无需再次注册。"))
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            candidate = candidate_register(
                name=data["name"],
                id_type=data["id_type"],
                id_number=data["id_number"],
                mobile=data["mobile"],
                username=data["username"],
                password=data["password"],
                claim_code=data["claim_code"],
                context=request.context,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except ApplicationError as error:
            form.add_error(error.extra.get("field"), error.message)
            if error.extra.get("reason") == "throttled":
                return render(request, "accounts/register.html", {"form": form}, status=429)
        else:
            # Candidates need no second factor: registering signs them in.
            user = candidate.user
            assert user is not None
            auth_login(request, user, backend=MODEL_BACKEND)
            mark_activity(request)
            login_record(user=user, context=request.context, second_factor=False)
            messages.success(request, _("注册成功，欢迎使用。"))
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/register.html", {"form": form})
