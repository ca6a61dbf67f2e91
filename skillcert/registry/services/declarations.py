"""What a body declares in a filing application: its details, its sites and the scope it asks for."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from skillcert.reference.models import JobType, Occupation, Region, SkillLevel
from skillcert.registry.models import Body
from skillcert.registry.services._common import (
    MSG_DISTRICT,
    MSG_REQUIRED,
    clean_credit_code,
    clean_district,
    clean_phone,
    clean_text,
    collect,
)

MSG_KIND = _("机构类别：请选择用人单位（Y）或社会培训评价组织（S）。")
MSG_LEVEL_NOT_ALLOWED = _("等级：“%(level)s”不是职业技能等级认定的证书等级，只能申请五级至一级。")
MSG_JOB_TYPE_MISMATCH = _("工种：“%(job_type)s”不属于职业“%(occupation)s”。")
MSG_EXAMINERS = _("考评员人数：至少需要 %(min)d 名考评员才能组织一次评价。")
MSG_SUPERVISORS = _("内部督导员人数：至少需要 1 名内部督导员。")


@dataclass(frozen=True, slots=True)
class BodyDetails:
    body_name: str
    credit_code: str
    body_kind: str
    district: Region | None
    address: str
    contact_name: str
    contact_phone: str


def cleaned_district(value: Region | None) -> Region:
    """The district of cleaned details or a cleaned site (never None once cleaned)."""
    if value is None:
        raise ValidationError({"district": MSG_DISTRICT})
    return value


@dataclass(frozen=True, slots=True)
class SiteDeclaration:
    name: str
    address: str
    district: Region | None


@dataclass(frozen=True, slots=True)
class ScopeDeclaration:
    occupation: Occupation
    job_type: JobType | None
    level: SkillLevel
    examiners: int
    internal_supervisors: int
    question_bank: str
    equipment: str


def _raise(errors: dict[str, list]) -> None:
    if errors:
        raise ValidationError(errors)


def _kind(value: str) -> str:
    if value not in Body.Kind.values:
        raise ValidationError({"body_kind": MSG_KIND}, code="body_kind")
    return value


def clean_details(details: BodyDetails, *, own_body: Body | None) -> BodyDetails:
    """The details normalised, or a ValidationError naming every field at fault."""
    errors: dict[str, list] = {}
    cleaned = BodyDetails(
        body_name=collect(errors, clean_text, details.body_name, field="body_name", max_length=120),
        credit_code=collect(errors, clean_credit_code, details.credit_code, own_body=own_body),
        body_kind=collect(errors, _kind, details.body_kind),
        district=collect(errors, clean_district, details.district),
        address=collect(errors, clean_text, details.address, field="address", max_length=200),
        contact_name=collect(errors, clean_text, details.contact_name, field="contact_name", max_length=40),
        contact_phone=collect(errors, clean_phone, details.contact_phone),
    )
    _raise(errors)
    return cleaned


def clean_site(site: SiteDeclaration) -> SiteDeclaration:
    errors: dict[str, list] = {}
    cleaned = SiteDeclaration(
        name=collect(errors, clean_text, site.name, field="name", max_length=120),
        address=collect(errors, clean_text, site.address, field="address", max_length=200),
        district=collect(errors, clean_district, site.district),
    )
    _raise(errors)
    return cleaned


def clean_scope(scope: ScopeDeclaration) -> ScopeDeclaration:
    """A scope row whose level is a certificate level, job type of its occupation, resources enough."""
    errors: dict[str, list] = {}
    if scope.level.certificate_digit is None:
        errors["level"] = [MSG_LEVEL_NOT_ALLOWED % {"level": scope.level.label}]
    if scope.job_type is not None and scope.job_type.occupation_id != scope.occupation.pk:
        errors["job_type"] = [
            MSG_JOB_TYPE_MISMATCH % {"job_type": scope.job_type.name, "occupation": scope.occupation.name}
        ]
    if scope.examiners < settings.SKILLCERT_MIN_EXAMINERS:
        errors["examiners"] = [MSG_EXAMINERS % {"min": settings.SKILLCERT_MIN_EXAMINERS}]
    if scope.internal_supervisors < 1:
        errors["internal_supervisors"] = [MSG_SUPERVISORS]
    question_bank = collect(errors, clean_text, scope.question_bank, field="question_bank", max_length=200)
    equipment = (scope.equipment or "").strip()
    if not equipment:
        errors["equipment"] = [MSG_REQUIRED]
    _raise(errors)
    return ScopeDeclaration(
        occupation=scope.occupation,
        job_type=scope.job_type,
        level=scope.level,
        examiners=scope.examiners,
        internal_supervisors=scope.internal_supervisors,
        question_bank=question_bank,
        equipment=equipment,
    )
