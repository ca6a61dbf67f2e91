"""The authority's side of a filing: approve (assigning codes), return for changes, or reject."""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.credentials.services import issuer_key_ensure
from skillcert.registry.models import (
    Body,
    FiledScope,
    FilingApplication,
    FilingApplicationSite,
    FilingStatusChange,
    Site,
)
from skillcert.registry.services._common import (
    MSG_NOT_SUBMITTED,
    clean_credit_code,
    clean_reason,
    require_reviewer,
)

MSG_SITE_CODE_MISSING = _("站点序列码：请为站点“%(site)s”填写 6 位序列码。")
MSG_SITE_CODE_FORMAT = _("站点序列码：站点“%(site)s”的序列码“%(code)s”应为 6 位数字。")
MSG_SITE_CODE_REPEATED = _("站点序列码：“%(code)s”在本次审核中被多个站点使用，每个站点须有不同的序列码。")
MSG_SITE_CODE_TAKEN = _("站点序列码：“%(code)s”已被其他评价站点使用，请换一个（序列码在全市范围内唯一）。")
MSG_BODY_CODE_FORMAT = _("评价机构代码：应为 4 位数字，在本省（市）备案的机构为 0000。")
MSG_CHANGE_NEEDS_FILED = _("机构当前不是“已备案”状态（整改中或已退出），不能批准其备案范围变更。")

SITE_CODE_PATTERN = re.compile(r"\d{6}")
BODY_CODE_PATTERN = re.compile(r"\d{4}")
PROVINCIAL_BODY_CODE = "0000"


def _locked_submitted(*, actor: User, application: FilingApplication) -> FilingApplication:
    application = (
        FilingApplication.objects.select_for_update().select_related("tenant").get(pk=application.pk)
    )
    require_reviewer(actor=actor, district_code=application.district_id)
    if application.status != FilingApplication.Status.SUBMITTED:
        raise ApplicationError(str(MSG_NOT_SUBMITTED), extra={"status": 409})
    return application


def _checked_site_codes(
    *, declared_sites: list[FilingApplicationSite], site_codes: dict[int, str]
) -> dict[int, str]:
    """Each declared site's code: 6 digits, different from each other and from every other site's."""
    errors: list[str] = []
    codes: dict[int, str] = {}
    for declared in declared_sites:
        code = (site_codes.get(declared.pk) or "").strip()
        if not code and declared.site is not None and declared.site.sequence_code:
            code = declared.site.sequence_code
        if not code:
            errors.append(MSG_SITE_CODE_MISSING % {"site": declared.name})
        elif not SITE_CODE_PATTERN.fullmatch(code):
            errors.append(MSG_SITE_CODE_FORMAT % {"site": declared.name, "code": code})
        else:
            codes[declared.pk] = code
    seen: set[str] = set()
    for code in codes.values():
        if code in seen:
            errors.append(MSG_SITE_CODE_REPEATED % {"code": code})
        seen.add(code)
    own_sites = [declared.site_id for declared in declared_sites if declared.site_id]
    taken = {
        code
        for code in Site.objects.filter(sequence_code__in=list(seen))
        .exclude(pk__in=own_sites)
        .values_list("sequence_code", flat=True)
        if code
    }
    errors.extend(MSG_SITE_CODE_TAKEN % {"code": code} for code in sorted(taken))
    if errors:
        raise ValidationError({"site_codes": errors}, code="site_codes")
    return codes


def _save_sites(
    *, application: FilingApplication, declared_sites: list[FilingApplicationSite], codes: dict[int, str]
) -> dict[str, str]:
    assigned: dict[str, str] = {}
    for declared in declared_sites:
        existing = declared.site is not None
        site = declared.site if declared.site is not None else Site(tenant=application.tenant)
        site.name = declared.name
        site.address = declared.address
        site.district = declared.district
        site.sequence_code = codes[declared.pk]
        site.is_active = True
        site.full_clean(validate_unique=False, validate_constraints=False)
        if existing:
            site.save(update_fields=["name", "address", "district", "sequence_code", "is_active"])
        else:
            site.save(force_insert=True)
        if not existing:
            declared.site = site
            declared.save(update_fields=["site"])
        assigned[declared.name] = site.sequence_code
    return assigned


def _copy_details_onto_body(*, application: FilingApplication, body: Body, body_code: str, now) -> None:
    body.name = application.body_name
    body.credit_code = clean_credit_code(application.credit_code, own_body=body)
    body.kind = application.body_kind
    body.district = application.district
    body.address = application.address
    body.contact_name = application.contact_name
    body.contact_phone = application.contact_phone
    body.body_code = body_code
    body.filing_status = Body.FilingStatus.FILED
    body.filing_status_reason = ""
    body.filed_at = now


@transaction.atomic
def filing_approve(
    *,
    actor: User,
    application: FilingApplication,
    site_codes: dict[int, str],
    body_code: str = PROVINCIAL_BODY_CODE,
    context: RequestContext = NO_REQUEST,
) -> FilingApplication:
    """Approve: assign site codes (keyed by declared site id) and the body code, put the scope in force.

    An initial application copies its details onto the body and files it; a scope change adds the
    requested rows and withdraws the rows the body asked to drop.
    """
    application = _locked_submitted(actor=actor, application=application)
    body = Body.objects.select_for_update().get(pk=application.tenant_id)
    initial = application.kind == FilingApplication.Kind.INITIAL
    if initial and not BODY_CODE_PATTERN.fullmatch(body_code or ""):
        raise ValidationError({"body_code": MSG_BODY_CODE_FORMAT}, code="body_code")
    if not initial and body.filing_status != Body.FilingStatus.FILED:
        raise ApplicationError(str(MSG_CHANGE_NEEDS_FILED), extra={"status": 409})
    declared_sites = list(application.sites.select_related("site", "district").order_by("pk"))
    codes = _checked_site_codes(declared_sites=declared_sites, site_codes=site_codes)
    now = timezone.now()

    previous_status = body.filing_status
    if initial:
        _copy_details_onto_body(application=application, body=body, body_code=body_code, now=now)
        body.full_clean(validate_unique=False, validate_constraints=False)
        body.save(
            update_fields=[
                "name", "credit_code", "kind", "district", "address", "contact_name", "contact_phone",
                "body_code", "filing_status", "filing_status_reason", "filed_at",
            ]
        )  # fmt: skip
        FilingStatusChange.objects.create(
            tenant=body,
            from_status=previous_status,
            to_status=Body.FilingStatus.FILED,
            reason=_g("备案申请审核通过。"),
            actor=actor,
            changed_at=now,
        )
    try:
        with transaction.atomic():
            assigned = _save_sites(application=application, declared_sites=declared_sites, codes=codes)
    except IntegrityError as error:
        # Another approval took one of these codes between the check and the save.
        raise ValidationError(
            {"site_codes": [MSG_SITE_CODE_TAKEN % {"code": "、".join(codes.values())}]}
        ) from error

    in_force = FiledScope.objects.for_tenant(body).filter(withdrawn_at__isnull=True)
    granted = []
    for row in application.scope_requests.all():
        same = {"occupation_id": row.occupation_id, "job_type_id": row.job_type_id, "level_id": row.level_id}
        if not in_force.filter(**same).exists():
            granted.append(FiledScope(tenant=body, granted_by=application, granted_at=now, **same))
    FiledScope.objects.bulk_create(granted)
    withdrawn = sorted(
        application.scope_withdrawals.filter(tenant=body, withdrawn_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    FiledScope.objects.filter(pk__in=withdrawn).update(withdrawn_at=now)
    issuer_key_ensure(body=body)  # the Ed25519 key that signs the body's credentials

    application.status = FilingApplication.Status.APPROVED
    application.decided_at = now
    application.decided_by = actor
    application.decision_reason = ""
    application.save(update_fields=["status", "decided_at", "decided_by", "decision_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="filing.approved",
        target=application,
        data={
            "kind": application.kind,
            "body": body.pk,
            "body_code": body.body_code,
            "site_codes": assigned,
            "scope_granted": len(granted),
            "scope_withdrawn": withdrawn,
        },
        context=context,
    )
    return application


def _decide(
    *,
    actor: User,
    application: FilingApplication,
    reason: str,
    status: str,
    action: str,
    context: RequestContext,
) -> FilingApplication:
    reason = clean_reason(reason)
    application = _locked_submitted(actor=actor, application=application)
    application.status = status
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.decision_reason = reason
    application.save(update_fields=["status", "decided_at", "decided_by", "decision_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=action,
        target=application,
        data={"kind": application.kind, "reason": reason},
        context=context,
    )
    return application


@transaction.atomic
def filing_return(
    *, actor: User, application: FilingApplication, reason: str, context: RequestContext = NO_REQUEST
) -> FilingApplication:
    """Send the application back to the body to change and resubmit, with the reasons."""
    return _decide(
        actor=actor,
        application=application,
        reason=reason,
        status=FilingApplication.Status.RETURNED,
        action="filing.returned",
        context=context,
    )


@transaction.atomic
def filing_reject(
    *, actor: User, application: FilingApplication, reason: str, context: RequestContext = NO_REQUEST
) -> FilingApplication:
    """Refuse the application, with the reasons; the body may start a new one."""
    return _decide(
        actor=actor,
        application=application,
        reason=reason,
        status=FilingApplication.Status.REJECTED,
        action="filing.rejected",
        context=context,
    )
