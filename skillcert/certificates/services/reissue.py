"""Reissuing a corrected certificate (更正换发): a new certificate replaces the old one.

A printed certificate cannot be edited: a corrected one (the holder's name misspelt, the wrong 工种) gets
a new number from the numbering strategy (same site and level, the year of reissue), and the old one is
revoked with the reason and points to its replacement. Only the issuing body's admin reissues.
"""

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.certificates.models import NO_JOB_TYPE, Certificate
from skillcert.certificates.numbering import certificate_numbering
from skillcert.certificates.permissions import RevokedBy, user_is_reissuer
from skillcert.certificates.services.issue import MSG_LEVEL_WITHOUT_DIGIT
from skillcert.certificates.services.revoke import (
    certificate_lock,
    certificate_mark_revoked,
    revocation_reason_clean,
)
from skillcert.certificates.services.sync import certificates_sync_issued, certificates_sync_revoked
from skillcert.core.audit import audit_chain_lock, audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.reference.models import JobType
from skillcert.registry.services import body_require_may_evaluate

# What a reissue may correct: the holder's name as printed and the 工种/职业方向. The occupation and the
# level are the evaluation's result, which a correction of the paper cannot change.
CORRECTABLE_FIELDS = ("holder_name", "job_type_name")
HOLDER_NAME_MAX_LENGTH = 60

MSG_NOT_BODY_ADMIN = _("只有发证评价机构的管理员可以更正换发证书。")
MSG_REVOKED_NOT_REISSUABLE = _("证书 %(number)s 已撤销，不能更正换发。")
MSG_FIELD_NOT_CORRECTABLE = _(
    "“%(field)s”不能通过换发更正：只能更正姓名（holder_name）和工种/职业方向（job_type_name）。"
)
MSG_NAME_REQUIRED = _("请填写更正后的姓名（holder_name），不超过 %(max)d 个字。")
MSG_JOB_TYPE_UNKNOWN = _("“%(job_type)s”不是职业“%(occupation)s”的工种/职业方向；没有工种时填写 --。")
MSG_NOTHING_CORRECTED = _("更正内容（corrections）与原证书相同：请至少更正一项。")


def _clean_corrections(*, certificate: Certificate, corrections: dict[str, Any]) -> dict[str, str]:
    """The changed fields with their new values; ValidationError naming the field at fault."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for field, value in corrections.items():
        if field not in CORRECTABLE_FIELDS:
            errors.setdefault(field, []).append(str(MSG_FIELD_NOT_CORRECTABLE) % {"field": field})
            continue
        text = str(value if value is not None else "").strip()
        if field == "holder_name" and not 0 < len(text) <= HOLDER_NAME_MAX_LENGTH:
            errors.setdefault(field, []).append(str(MSG_NAME_REQUIRED) % {"max": HOLDER_NAME_MAX_LENGTH})
            continue
        if field == "job_type_name" and not _job_type_exists(certificate=certificate, name=text):
            errors.setdefault(field, []).append(
                str(MSG_JOB_TYPE_UNKNOWN) % {"job_type": text, "occupation": certificate.occupation_name}
            )
            continue
        if text != getattr(certificate, field):
            cleaned[field] = text
    if errors:
        raise ValidationError(errors)
    if not cleaned:
        raise ValidationError({"corrections": [str(MSG_NOTHING_CORRECTED)]}, code="nothing_corrected")
    return cleaned


def _job_type_exists(*, certificate: Certificate, name: str) -> bool:
    if name == NO_JOB_TYPE:
        return True
    return JobType.objects.filter(occupation_id=certificate.occupation_id, name=name).exists()


@transaction.atomic
def certificate_reissue(
    *,
    certificate: Certificate,
    corrections: dict[str, Any],
    reason: str,
    actor: User,
    context: RequestContext = NO_REQUEST,
) -> Certificate:
    """Issue a corrected certificate with a new number; the old one is revoked and replaced by it."""
    reason = revocation_reason_clean(reason)
    old = certificate_lock(certificate_id=certificate.pk)
    if not user_is_reissuer(user=actor, body_id=old.tenant_id):
        raise PermissionDenied(str(MSG_NOT_BODY_ADMIN))
    if old.status == Certificate.Status.REVOKED:
        raise ApplicationError(
            str(MSG_REVOKED_NOT_REISSUABLE) % {"number": old.number}, extra={"status": 409}
        )
    changed = _clean_corrections(certificate=old, corrections=corrections)
    body = old.tenant
    body_require_may_evaluate(body=body)  # a suspended or revoked body issues nothing, corrected or not
    level_digit = old.level.certificate_digit
    if level_digit is None:
        raise ApplicationError(str(MSG_LEVEL_WITHOUT_DIGIT) % {"level": old.level.label})
    issued_on = timezone.localdate()
    audit_chain_lock()  # audit, then the serial counter: the order issuance takes them in
    (number,) = certificate_numbering().reserve(
        body_type=body.kind,
        body_code=body.body_code,
        province_code=old.province_code,
        site_code=old.site_code,
        year=issued_on.year,
        level_digit=level_digit,
        count=1,
    )
    new = Certificate.objects.create(
        tenant_id=body.pk,
        number=number,
        application_id=old.application_id,
        candidate_id=old.candidate_id,
        holder_name=changed.get("holder_name", old.holder_name),
        holder_id_type=old.holder_id_type,
        occupation_id=old.occupation_id,
        occupation_name=old.occupation_name,
        job_type_name=changed.get("job_type_name", old.job_type_name),
        level_id=old.level_id,
        body_name=body.name,  # the name filed now: the body issues the new certificate today
        province_code=old.province_code,
        site_code=old.site_code,
        year=issued_on.year,
        serial=int(number[16:22]),
        issue_date=issued_on,
        issued_by_id=actor.pk,
        status=Certificate.Status.VALID,
        qr_token=secrets.token_urlsafe(32),
    )
    old.replaced_by = new
    certificate_mark_revoked(certificate=old, reason=reason, at=timezone.now())
    certificates_sync_issued(certificates=[new])
    certificates_sync_revoked(certificates=[old])
    audit_record(
        actor=actor,
        action="certificate.revoked",
        target=old,
        data={
            "number": old.number,
            "reason": reason,
            "revoked_by": str(RevokedBy.BODY),
            "replaced_by": new.number,
        },
        context=context,
    )
    audit_record(
        actor=actor,
        action="certificate.reissued",
        target=new,
        data={
            "number": new.number,
            "replaces": old.number,
            "reason": reason,
            "corrections": {
                field: {"from": getattr(old, field), "to": value} for field, value in sorted(changed.items())
            },
            "issue_date": issued_on.isoformat(),
        },
        context=context,
    )
    return new
