"""Revoking certificates (撤销): by the issuing body, or by the authority as a sanction; one or a plan's.

Who may revoke: the body admin of the issuing body ("body"), or a filing reviewer, supervisor or authority
admin whose region covers the body's district ("authority"). The edges find the certificate through the
viewer's scope first (404 outside it); the service checks again, so a task or command cannot bypass it.

Each revocation changes the certificate, the public verification record and the credential status list
in one transaction, and writes one audit event with the reason and who revoked.
"""

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.certificates.models import Certificate
from skillcert.certificates.permissions import revoker_kind
from skillcert.certificates.services.sync import certificates_sync_revoked
from skillcert.core.audit import audit_chain_lock, audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation.models import EvaluationPlan
from skillcert.registry.models import Body

REASON_MIN_LENGTH = 4
REASON_MAX_LENGTH = 500

MSG_REASON_REQUIRED = _("请填写撤销原因（reason），至少 %(min)d 个字。")
MSG_REASON_TOO_LONG = _("撤销原因（reason）不能超过 %(max)d 个字。")
MSG_ALREADY_REVOKED = _("证书 %(number)s 已于 %(date)s 撤销，不能重复撤销。")
MSG_NOT_A_REVOKER = _(
    "只有发证评价机构的管理员，或辖区覆盖该机构的人社部门备案审核员、督导员、管理员可以撤销证书。"
)
MSG_PLAN_NOTHING_TO_REVOKE = _("计划 %(plan)s 没有有效的证书可撤销。")


def revocation_reason_clean(reason: str) -> str:
    """The reason without surrounding white space; ValidationError on ``reason`` if too short or long."""
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(
            {"reason": [str(MSG_REASON_REQUIRED) % {"min": REASON_MIN_LENGTH}]}, code="reason_required"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [str(MSG_REASON_TOO_LONG) % {"max": REASON_MAX_LENGTH}]})
    return reason


def _require_revoker(*, actor: User, body: Body) -> str:
    kind = revoker_kind(actor=actor, body=body)
    if kind is None:
        raise PermissionDenied(str(MSG_NOT_A_REVOKER))
    return kind


def _require_valid(certificate: Certificate) -> None:
    if certificate.status == Certificate.Status.REVOKED:
        revoked_on = timezone.localtime(certificate.revoked_at).date() if certificate.revoked_at else None
        raise ApplicationError(
            str(MSG_ALREADY_REVOKED)
            % {"number": certificate.number, "date": revoked_on.isoformat() if revoked_on else "—"},
            extra={"status": 409},
        )


def certificate_lock(*, certificate_id: int) -> Certificate:
    """The certificate row, locked FOR UPDATE for the rest of the transaction."""
    return (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("tenant", "level")
        .get(pk=certificate_id)
    )


def certificate_mark_revoked(*, certificate: Certificate, reason: str, at: datetime) -> None:
    """Set status, time and reason together and save them (the caller holds the row lock)."""
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = at
    certificate.revocation_reason = reason
    certificate.save(update_fields=["status", "revoked_at", "revocation_reason", "replaced_by"])


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, reason: str, actor: User, context: RequestContext = NO_REQUEST
) -> Certificate:
    """Revoke one valid certificate with a reason; the verification record and status list follow."""
    reason = revocation_reason_clean(reason)
    certificate = certificate_lock(certificate_id=certificate.pk)
    kind = _require_revoker(actor=actor, body=certificate.tenant)
    _require_valid(certificate)
    audit_chain_lock()  # audit before the status list rows, the order issuance takes them in
    certificate_mark_revoked(certificate=certificate, reason=reason, at=timezone.now())
    certificates_sync_revoked(certificates=[certificate])
    audit_record(
        actor=actor,
        action="certificate.revoked",
        target=certificate,
        data={"number": certificate.number, "reason": reason, "revoked_by": str(kind)},
        context=context,
    )
    return certificate


@transaction.atomic
def certificates_revoke_for_plan(
    *, plan: EvaluationPlan, reason: str, actor: User, context: RequestContext = NO_REQUEST
) -> list[Certificate]:
    """Revoke every valid certificate of a plan with one reason (e.g. a sanction for the whole batch)."""
    reason = revocation_reason_clean(reason)
    plan = EvaluationPlan.objects.select_for_update(of=("self",)).select_related("tenant").get(pk=plan.pk)
    kind = _require_revoker(actor=actor, body=plan.tenant)
    # Rows locked in primary-key order, so that two bulk revocations cannot deadlock each other.
    certificates: Sequence[Certificate] = list(
        Certificate.objects.select_for_update(of=("self",))
        .filter(application__plan=plan, status=Certificate.Status.VALID)
        .select_related("tenant", "level")
        .order_by("pk")
    )
    if not certificates:
        raise ApplicationError(str(MSG_PLAN_NOTHING_TO_REVOKE) % {"plan": plan.number}, extra={"status": 409})
    audit_chain_lock()
    now = timezone.now()
    Certificate.objects.filter(pk__in=[c.pk for c in certificates]).update(
        status=Certificate.Status.REVOKED, revoked_at=now, revocation_reason=reason
    )
    for certificate in certificates:
        certificate.status = Certificate.Status.REVOKED
        certificate.revoked_at = now
        certificate.revocation_reason = reason
    certificates_sync_revoked(certificates=certificates)
    numbers = sorted(certificate.number for certificate in certificates)
    audit_record(
        actor=actor,
        action="plan.certificates_revoked",
        target=plan,
        data={
            "plan": plan.number,
            "count": len(numbers),
            "numbers": numbers,
            "reason": reason,
            "revoked_by": str(kind),
        },
        context=context,
    )
    return list(certificates)
