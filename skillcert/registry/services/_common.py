"""What the filing services share: their messages, the actor checks and the field checks."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.core.errors import ApplicationError
from skillcert.core.identifiers import parse_credit_code
from skillcert.reference.models import Region
from skillcert.registry.models import Body, FilingApplication
from skillcert.registry.selectors import user_administers_body, user_reviews_district

MSG_NOT_BODY_ADMIN = _("只有本机构的管理员可以编辑或提交本机构的备案申请。")
MSG_NOT_EDITABLE = _("备案申请已提交或已办结，不能再修改；退回修改的申请可以修改后重新提交。")
MSG_NOT_REVIEWER = _("只有机构所在区的人社部门备案审核人员可以办理此申请。")
MSG_NOT_SUBMITTED = _("只有待审核的备案申请可以审核。")
MSG_DETAILS_LOCKED = _("备案范围变更申请不能修改机构基本信息。")
MSG_CREDIT_CODE_TAKEN = _(
    "统一社会信用代码：该代码已有评价机构登记，请勿重复申请；如需变更备案，请由该机构管理员登录办理。"
)
MSG_DISTRICT = _("所在区：请选择本市的区。")
MSG_REQUIRED = _("请填写此项。")
MSG_PHONE = _("联系电话：只能包含数字、空格和连字符，7 至 20 位。")
MSG_REASON_REQUIRED = _("请填写原因，说明需要修改或不予通过的理由。")

PHONE_PATTERN = re.compile(r"[0-9][0-9 \-]{6,19}")


def require_body_admin(*, actor: User, body: Body) -> None:
    if not user_administers_body(user=actor, body=body):
        raise ApplicationError(str(MSG_NOT_BODY_ADMIN))


def require_editable(*, actor: User, application: FilingApplication) -> None:
    """The actor is the body's administrator and the application is a draft or was returned."""
    require_body_admin(actor=actor, body=application.tenant)
    if application.status not in (FilingApplication.Status.DRAFT, FilingApplication.Status.RETURNED):
        raise ApplicationError(str(MSG_NOT_EDITABLE))


def lock_editable(*, actor: User, application: FilingApplication | int) -> FilingApplication:
    """The application as it is now, row-locked, if the actor may still edit it (call inside atomic)."""
    pk = application if isinstance(application, int) else application.pk
    locked = FilingApplication.objects.select_for_update().select_related("tenant").get(pk=pk)
    require_editable(actor=actor, application=locked)
    return locked


def require_reviewer(*, actor: User, district_code: str) -> None:
    if not user_reviews_district(user=actor, district_code=district_code):
        raise ApplicationError(str(MSG_NOT_REVIEWER))


def clean_text(value: str, *, field: str, max_length: int) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationError({field: MSG_REQUIRED}, code="required")
    if len(value) > max_length:
        raise ValidationError(
            {field: _("不能超过 %(max)d 个字符。") % {"max": max_length}}, code="max_length"
        )
    return value


def clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": MSG_REASON_REQUIRED}, code="required")
    return reason


def clean_district(district: Region | None, *, field: str = "district") -> Region:
    """A district (county level, in use) of the platform's province."""
    if (
        district is None
        or district.level != Region.Level.COUNTY
        or not district.in_use
        or not district.code.startswith(settings.SKILLCERT_PROVINCE_CODE)
    ):
        raise ValidationError({field: MSG_DISTRICT}, code="district")
    return district


def clean_phone(phone: str, *, field: str = "contact_phone") -> str:
    phone = (phone or "").strip()
    if not phone:
        raise ValidationError({field: MSG_REQUIRED}, code="required")
    if not PHONE_PATTERN.fullmatch(phone):
        raise ValidationError({field: MSG_PHONE}, code="phone")
    return phone


def clean_credit_code(credit_code: str, *, own_body: Body | None) -> str:
    """A valid credit code that no other body has registered."""
    try:
        code = parse_credit_code(credit_code).code
    except ValidationError as error:
        raise ValidationError({"credit_code": error.messages}) from error
    taken = Body.objects.filter(credit_code=code)
    if own_body is not None:
        taken = taken.exclude(pk=own_body.pk)
    if taken.exists():
        raise ValidationError({"credit_code": MSG_CREDIT_CODE_TAKEN}, code="credit_code_taken")
    return code


def collect(errors: dict[str, list], check, *args, **kwargs):
    """Run one field check, gathering its errors so that a form shows every problem at once."""
    try:
        return check(*args, **kwargs)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        return None
