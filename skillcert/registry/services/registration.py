"""Registration of a new evaluation body: its administrator's account and its draft filing application."""

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User, UserRole
from skillcert.accounts.roles import Role
from skillcert.accounts.services import clean_mobile, clean_name
from skillcert.core.audit import audit_record
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.registry.models import Body, FilingApplication
from skillcert.registry.services._common import MSG_CREDIT_CODE_TAKEN, MSG_REQUIRED, collect
from skillcert.registry.services.declarations import BodyDetails, clean_details

MSG_USERNAME_TAKEN = _("用户名：该用户名已被使用，请换一个。")
MSG_USERNAME_LENGTH = _("用户名：不能超过 150 个字符。")


def _clean_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": MSG_REQUIRED})
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as error:
        raise ValidationError({"username": error.messages}) from error
    if len(username) > 150:
        raise ValidationError({"username": MSG_USERNAME_LENGTH})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": MSG_USERNAME_TAKEN})
    return username


def _field(field: str, check, *args, **kwargs):
    try:
        return check(*args, **kwargs)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def _check_password(password: str, *, username: str, full_name: str) -> None:
    try:
        validate_password(password, user=User(username=username, full_name=full_name, first_name=full_name))
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error


@transaction.atomic
def body_register(
    *,
    details: BodyDetails,
    username: str,
    full_name: str,
    mobile: str,
    password: str,
    context: RequestContext = NO_REQUEST,
) -> FilingApplication:
    """A new body (unfiled), its administrator's account and a draft initial filing application."""
    errors: dict[str, list] = {}
    cleaned = collect(errors, clean_details, details, own_body=None)
    username = collect(errors, _clean_username, username)
    full_name = collect(errors, _field, "full_name", clean_name, full_name)
    mobile = collect(errors, _field, "mobile", clean_mobile, mobile, required=True)
    collect(errors, _check_password, password, username=username or "", full_name=full_name or "")
    if errors:
        raise ValidationError(errors)

    body = Body(
        name=cleaned.body_name,
        credit_code=cleaned.credit_code,
        kind=cleaned.body_kind,
        district=cleaned.district,
        address=cleaned.address,
        contact_name=cleaned.contact_name,
        contact_phone=cleaned.contact_phone,
    )
    user = User(username=username, full_name=full_name, mobile=mobile)
    user.set_password(password)
    try:
        # Two registrations of the same code or username at once both pass the checks; the constraints decide.
        with transaction.atomic():
            body.save(force_insert=True)
            user.body = body
            user.save(force_insert=True)
    except IntegrityError as error:
        if Body.objects.filter(credit_code=cleaned.credit_code).exists():
            raise ValidationError({"credit_code": MSG_CREDIT_CODE_TAKEN}) from error
        raise ValidationError({"username": MSG_USERNAME_TAKEN}) from error
    UserRole.objects.create(user=user, role=Role.BODY_ADMIN)
    application = FilingApplication.objects.create(
        tenant=body,
        kind=FilingApplication.Kind.INITIAL,
        status=FilingApplication.Status.DRAFT,
        body_name=cleaned.body_name,
        credit_code=cleaned.credit_code,
        body_kind=cleaned.body_kind,
        district=cleaned.district,
        address=cleaned.address,
        contact_name=cleaned.contact_name,
        contact_phone=cleaned.contact_phone,
    )
    audit_record(
        actor=user,
        action="body.registered",
        target=body,
        data={
            "credit_code": body.credit_code,
            "name": body.name,
            "district": body.district_id,
            "admin": username,
        },
        context=context,
    )
    audit_record(
        actor=user,
        action="filing.created",
        target=application,
        data={"kind": application.kind, "body": body.pk},
        context=context,
    )
    return application
