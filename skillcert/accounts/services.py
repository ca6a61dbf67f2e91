"""Writes for accounts: candidates (created, self-registered, ID revealed) and password changes."""

import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from skillcert.accounts.identity import id_number_blind_index, normalise_id_number
from skillcert.accounts.models import Candidate, User, UserRole
from skillcert.accounts.roles import Role
from skillcert.accounts.selectors import candidate_may_reveal_id_number
from skillcert.accounts.tokens import api_tokens_revoke_all
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.personal_data import decrypt, encrypt, mask_id_number
from skillcert.core.request_context import NO_REQUEST, RequestContext

MOBILE_PATTERN = re.compile(r"1[3-9]\d{9}")
T = TypeVar("T")
ID_NUMBER_PURPOSE = "resident_id"  # the AES-GCM associated data of every candidate ID number
REVEAL_REASON_MIN_LENGTH = 4


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


@transaction.atomic
def candidate_register(
    *,
    name: str,
    id_type: str,
    id_number: str,
    mobile: str,
    username: str,
    password: str,
    context: RequestContext = NO_REQUEST,
) -> Candidate:
    """Self-registration: a user with the candidate role and its candidate, in one transaction."""
    username = username.strip()
    errors = ErrorCollector()
    mobile = errors.check("mobile", clean_mobile, mobile, required=True) or ""
    errors.check("username", _check_new_username, username)
    # The similarity validator compares the password with these attributes of the future user.
    errors.check("password", validate_password, password, user=User(username=username, full_name=name))
    errors.raise_if_any()

    user = User(username=username, full_name=" ".join(name.split()), mobile=mobile)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError as error:
        raise ValidationError({"username": _("该用户名已被使用，请换一个。")}) from error
    UserRole.objects.create(user=user, role=Role.CANDIDATE)
    candidate = candidate_create(
        name=name, id_type=id_type, id_number=id_number, mobile=mobile, user=user, actor=user, context=context
    )
    audit_record(
        actor=user, action="user.registered", target=user, data={"role": Role.CANDIDATE}, context=context
    )
    return candidate


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
