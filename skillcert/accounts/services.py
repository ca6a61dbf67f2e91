"""Writes for accounts: candidates (created, self-registered or claimed, ID revealed, claim codes) and
password changes."""

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from skillcert.accounts.claim_codes import claim_code as claim_code_for
from skillcert.accounts.claim_codes import claim_code_bodies, claim_code_display, claim_code_matches
from skillcert.accounts.identity import id_number_blind_index, normalise_id_number
from skillcert.accounts.models import Candidate, User, UserRole, candidate_claim_nonce_new
from skillcert.accounts.roles import BODY_MANAGER_ROLES, Role
from skillcert.accounts.selectors import candidate_may_reveal_id_number
from skillcert.accounts.tokens import api_tokens_revoke_all
from skillcert.core.addresses import client_of
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.core.personal_data import decrypt, encrypt, mask_id_number
from skillcert.core.request_context import NO_REQUEST, RequestContext

MOBILE_PATTERN = re.compile(r"1[3-9]\d{9}")
T = TypeVar("T")
ID_NUMBER_PURPOSE = "resident_id"  # the AES-GCM associated data of every candidate ID number
REVEAL_REASON_MIN_LENGTH = 4
CLAIM_FAILED = "candidate.claim_failed"  # the audit action the claim throttling counts


class ErrorCollector:
    """Runs field checks and gathers their ValidationErrors, so a form shows every problem at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def check(self, field: str, function: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return function(*args, **kwargs)
        except ValidationError as error:
            self.errors.setdefault(field, []).extend(error.error_list)
            return None

    def add(self, field: str, error: ValidationError) -> None:
        self.errors.setdefault(field, []).extend(error.error_list)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def duplicate_id_message() -> str:
    return _("该证件号码已登记。")


def clean_mobile(mobile: str, *, required: bool) -> str:
    """An 11-digit mainland mobile number, or "" when not required and empty; raises ValidationError."""
    mobile = mobile.strip()
    if not mobile:
        if required:
            raise ValidationError(_("请填写手机号码。"), code="mobile_required")
        return ""
    if not MOBILE_PATTERN.fullmatch(mobile):
        raise ValidationError(_("手机号码应为 1 开头的 11 位数字，第二位为 3–9。"), code="mobile_format")
    return mobile


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("请填写姓名。"), code="name_required")
    if len(name) > 60:
        raise ValidationError(_("姓名不能超过 60 个字符。"), code="name_length")
    return name


@transaction.atomic
def candidate_create(
    *,
    name: str,
    id_type: str,
    id_number: str,
    mobile: str = "",
    user: User | None = None,
    actor: User | None,
    context: RequestContext = NO_REQUEST,
) -> Candidate:
    """Create a candidate with an encrypted, indexed and masked ID number; one candidate per ID."""
    errors = ErrorCollector()
    name = errors.check("name", clean_name, name) or ""
    mobile = errors.check("mobile", clean_mobile, mobile, required=False) or ""
    parsed = errors.check("id_number", normalise_id_number, id_type=id_type, id_number=id_number)
    errors.raise_if_any()
    assert parsed is not None

    index = id_number_blind_index(id_type=id_type, number=parsed.number)
    if Candidate.objects.filter(id_type=id_type, id_number_index=index).exists():
        raise ApplicationError(duplicate_id_message(), extra={"field": "id_number"})
    if user is not None and Candidate.objects.filter(user=user).exists():
        raise ApplicationError(_("该用户已关联考生信息。"))
    candidate = Candidate(
        user=user,
        name=name,
        id_type=id_type,
        id_number_ciphertext=encrypt(parsed.number, purpose=ID_NUMBER_PURPOSE),
        id_number_index=index,
        id_number_masked=mask_id_number(parsed.number),
        birth_date=parsed.birth_date,
        sex=parsed.sex,
        mobile=mobile,
    )
    candidate.full_clean(validate_unique=False, validate_constraints=False)
    try:
        # A concurrent registration of the same person passes the check above; the constraint decides.
        with transaction.atomic():
            candidate.save(force_insert=True)
    except IntegrityError as error:
        raise ApplicationError(duplicate_id_message(), extra={"field": "id_number"}) from error
    audit_record(
        actor=actor,
        action="candidate.created",
        target=candidate,
        data={"id_type": id_type, "id_number": candidate.id_number_masked, "with_user": user is not None},
        context=context,
    )
    return candidate


def _check_new_username(username: str) -> str:
    if not username:
        raise ValidationError(_("请填写用户名。"), code="username_required")
    if len(username) > 150:
        raise ValidationError(_("用户名不能超过 150 个字符。"), code="username_length")
    UnicodeUsernameValidator()(username)
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("该用户名已被使用，请换一个。"), code="username_taken")
    return username


def candidate_register(
    *,
    name: str,
    id_type: str,
    id_number: str,
    mobile: str,
    username: str,
    password: str,
    claim_code: str = "",
    context: RequestContext = NO_REQUEST,
) -> Candidate:
    """Self-registration: a user with the candidate role and its candidate, in one transaction.

    When a body has already registered the ID number (a candidate without a user), the person claims that
    record instead: the claim code and the name must both match it. A failed claim is recorded (audited
    as ``candidate.claim_failed``, which the per-address throttling counts) even though nothing else is
    written, so the error is raised only after that record has committed.
    """
    with transaction.atomic():
        outcome = _register(
            name=name,
            id_type=id_type,
            id_number=id_number,
            mobile=mobile,
            username=username,
            password=password,
            claim_code=claim_code,
            context=context,
        )
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _register(
    *,
    name: str,
    id_type: str,
    id_number: str,
    mobile: str,
    username: str,
    password: str,
    claim_code: str,
    context: RequestContext,
) -> Candidate | ValidationError | ApplicationError:
    username = username.strip()
    errors = ErrorCollector()
    mobile = errors.check("mobile", clean_mobile, mobile, required=True) or ""
    errors.check("username", _check_new_username, username)
    # The similarity validator compares the password with these attributes of the future user.
    errors.check("password", validate_password, password, user=User(username=username, full_name=name))
    cleaned_name = errors.check("name", clean_name, name)
    parsed = errors.check("id_number", normalise_id_number, id_type=id_type, id_number=id_number)

    registered: Candidate | None = None
    if parsed is not None:
        index = id_number_blind_index(id_type=id_type, number=parsed.number)
        # Locked: two people claiming one record at once are served one after the other.
        registered = (
            Candidate.objects.select_for_update().filter(id_type=id_type, id_number_index=index).first()
        )
    if registered is not None and registered.user_id is not None:
        # As before claims existed: the field errors first, then this refusal.
        if errors.errors:
            return ValidationError(errors.errors)
        return ApplicationError(duplicate_id_message(), extra={"field": "id_number"})
    if registered is not None or claim_code.strip():
        refusal = _claim_check(
            candidate=registered,
            name=cleaned_name,
            claim_code=claim_code,
            username=username,
            errors=errors,
            context=context,
        )
        if refusal is not None:
            return refusal
    if errors.errors:
        return ValidationError(errors.errors)

    user = User(username=username, full_name=" ".join(name.split()), mobile=mobile)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError as error:
        raise ValidationError({"username": _("该用户名已被使用，请换一个。")}) from error
    UserRole.objects.create(user=user, role=Role.CANDIDATE)
    if registered is not None:
        candidate = _claim(candidate=registered, user=user, mobile=mobile, context=context)
    else:
        candidate = candidate_create(
            name=name,
            id_type=id_type,
            id_number=id_number,
            mobile=mobile,
            user=user,
            actor=user,
            context=context,
        )
    audit_record(
        actor=user,
        action="user.registered",
        target=user,
        data={"role": Role.CANDIDATE, "claimed": registered is not None},
        context=context,
    )
    return candidate


def claim_code_missing_message() -> str:
    return _("该证件号码已由评价机构登记，请填写准考证上的认领码完成认领。")


def claim_refused_message() -> str:
    # One message for a wrong code, a wrong name or no record to claim: it must not say which.
    return _("认领码与评价机构登记的证件号码和姓名不符。请核对准考证上的认领码、证件类型、证件号码和姓名。")


def _claim_throttled_until(ip_address: str, now: datetime) -> datetime | None:
    """When this address may try a claim code again, or None if it may now.

    The failed claims of the last ``SKILLCERT_LOGIN_FAILURE_WINDOW`` seconds are counted from the audit
    log (it holds each failure with its address; ``action`` is indexed and failures are rare), and at
    ``SKILLCERT_LOGIN_MAX_FAILURES_PER_IP`` of them the address waits until enough have left the window:
    the policy of failed sign-ins, over a budget of its own. An IPv6 address counts as its /64, which each
    failure's event records as ``client`` (core/addresses.py). With about 2^49 codes, guessing one online is
    hopeless under this limit even from many addresses; a limit per candidate would only let strangers
    lock a person out of their own record (security.md A2).
    """
    # No address (a server that gives none): all such requests share one budget, never an unlimited one.
    window = timedelta(seconds=settings.SKILLCERT_LOGIN_FAILURE_WINDOW)
    limit = settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_IP
    recent = AuditEvent.objects.filter(
        action=CLAIM_FAILED, data__client=client_of(ip_address), occurred_at__gt=now - window
    )
    times = list(recent.order_by("-occurred_at").values_list("occurred_at", flat=True)[:limit])
    if len(times) < limit:
        return None
    # Free again once only limit - 1 failures remain inside the window.
    return times[-1] + window


def _claim_check(
    *,
    candidate: Candidate | None,
    name: str | None,
    claim_code: str,
    username: str,
    errors: ErrorCollector,
    context: RequestContext,
) -> ApplicationError | None:
    """Check a claim of ``candidate`` (None: no record to claim); adds field errors, or returns a refusal.

    Throttled first, and a missing code on a body-registered ID number counts as a failed claim: its
    message says that a body registered the number, which must not be asked for at will either.
    """
    now = timezone.now()
    until = _claim_throttled_until(context.ip_address, now)
    if until is not None:
        audit_record(
            actor=None,
            actor_label=username,
            action="candidate.claim_throttled",
            target=candidate,
            data={"until": until.isoformat()},
            context=context,
        )
        message = _("认领码输错次数过多，请于 %(time)s 后再试。") % {
            "time": date_format(timezone.localtime(until), "Y-m-d H:i")
        }
        return ApplicationError(message, extra={"field": "claim_code", "reason": "throttled"})
    if not claim_code.strip():
        _claim_failed(candidate=candidate, reason="no_code", username=username, context=context)
        errors.add("claim_code", ValidationError(claim_code_missing_message(), code="claim_code_required"))
        return None
    code_right = candidate is not None and claim_code_matches(candidate=candidate, typed=claim_code)
    name_right = candidate is not None and name is not None and name == " ".join(candidate.name.split())
    if code_right and name_right:
        return None
    reason = "no_record" if candidate is None else ("wrong_code" if not code_right else "wrong_name")
    _claim_failed(candidate=candidate, reason=reason, username=username, context=context)
    errors.add("claim_code", ValidationError(claim_refused_message(), code="claim_refused"))
    return None


def _claim_failed(
    *, candidate: Candidate | None, reason: str, username: str, context: RequestContext
) -> None:
    """Audit a failed claim; the per-address throttling counts these events."""
    audit_record(
        actor=None,
        actor_label=username,
        action=CLAIM_FAILED,
        target=candidate,
        data={
            "reason": reason,
            "id_number": candidate.id_number_masked if candidate else "",
            "client": client_of(context.ip_address),
        },
        context=context,
    )


def _claim(*, candidate: Candidate, user: User, mobile: str, context: RequestContext) -> Candidate:
    """Attach the new user to the body-registered candidate; the code used is spent (a new nonce)."""
    candidate.user = user
    candidate.mobile = mobile or candidate.mobile
    candidate.claim_nonce = candidate_claim_nonce_new()
    candidate.full_clean(validate_unique=False, validate_constraints=False)
    candidate.save(update_fields=["user", "mobile", "claim_nonce"])
    audit_record(
        actor=user,
        action="candidate.claimed",
        target=candidate,
        data={"id_type": candidate.id_type, "id_number": candidate.id_number_masked},
        context=context,
    )
    return candidate


@transaction.atomic
def candidate_claim_code_reissue(*, candidate: Candidate, actor: User, context: RequestContext) -> str:
    """A new claim code (shown as ``abcde-fghjk``) for a candidate of the actor's body; the old one dies.

    For the administrators and exam staff of the body that registered the candidate (their first
    application, ``claim_code_bodies``), and only while the candidate has no account.
    """
    if not (
        actor.is_body_staff
        and actor.has_role(*BODY_MANAGER_ROLES)
        and claim_code_bodies([candidate.pk]).get(candidate.pk) == actor.body_id
    ):
        raise ApplicationError(_("认领码只能由最初登记该考生的评价机构生成。"))
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.user_id is not None:
        raise ApplicationError(_("该考生已注册账号并完成认领，不再需要认领码。"))
    candidate.claim_nonce = candidate_claim_nonce_new()
    candidate.save(update_fields=["claim_nonce"])
    # The code itself is never written anywhere: only that a new one was made, by whom.
    audit_record(
        actor=actor,
        action="candidate.claim_code_reissued",
        target=candidate,
        data={"body": actor.body_id, "id_number": candidate.id_number_masked},
        context=context,
    )
    return claim_code_display(claim_code_for(candidate))


@transaction.atomic
def candidate_reveal_id_number(
    *, candidate: Candidate, actor: User, reason: str, context: RequestContext
) -> str:
    """The full ID number, for an actor with the right and a stated reason; every reveal is audited."""
    if not candidate_may_reveal_id_number(actor=actor):
        raise ApplicationError(_("您无权查看完整证件号码。"))
    reason = " ".join(reason.split())
    if len(reason) < REVEAL_REASON_MIN_LENGTH:
        raise ValidationError(
            {"reason": _("请填写查看原因（至少 %(min)d 个字）。") % {"min": REVEAL_REASON_MIN_LENGTH}}
        )
    number = decrypt(candidate.id_number_ciphertext, purpose=ID_NUMBER_PURPOSE)
    audit_record(
        actor=actor,
        action="candidate.id_revealed",
        target=candidate,
        data={"reason": reason, "id_number": candidate.id_number_masked},
        context=context,
    )
    return number


def user_password_change(
    *, user: User, current_password: str, new_password: str, context: RequestContext
) -> User:
    """Change a password after checking the current one.

    Other sessions of the user end: their stored auth hash no longer matches the new password hash. The
    view keeps its own session with ``update_session_auth_hash``.
    """
    with transaction.atomic():
        outcome = _password_change(
            user=user, current_password=current_password, new_password=new_password, context=context
        )
    # Raised after the commit, so a wrong current password stays in the audit log.
    if isinstance(outcome, ValidationError):
        raise outcome
    return outcome


def _password_change(
    *, user: User, current_password: str, new_password: str, context: RequestContext
) -> User | ValidationError:
    if not user.check_password(current_password):
        audit_record(
            actor=user, action="auth.password_change_failed", data={"reason": "bad_current"}, context=context
        )
        return ValidationError({"current_password": _("当前密码不正确。")})
    if new_password == current_password:
        return ValidationError({"new_password": _("新密码不能与当前密码相同。")})
    try:
        validate_password(new_password, user=user)
    except ValidationError as error:
        return ValidationError({"new_password": error.error_list})
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="auth.password_changed", target=user, context=context)
    # A changed password ends every other way in: other sessions (their auth hash no longer matches) and
    # the user's integration tokens (security.md A3).
    api_tokens_revoke_all(user=user, reason="password_changed", actor=user, context=context)
    return user
