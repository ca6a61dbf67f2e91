"""The body's side of a filing: start an application, edit its details, sites and scope, submit it."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.reference.selectors import level_range_check
from skillcert.registry.models import (
    Body,
    FiledScope,
    FilingApplication,
    FilingApplicationSite,
    FilingScopeRequest,
    Site,
)
from skillcert.registry.selectors import filed_scope_in_force, filing_open_for_body
from skillcert.registry.services._common import (
    MSG_DETAILS_LOCKED,
    collect,
    lock_editable,
    require_body_admin,
    require_editable,
)
from skillcert.registry.services.declarations import (
    BodyDetails,
    ScopeDeclaration,
    SiteDeclaration,
    clean_details,
    clean_scope,
    clean_site,
    cleaned_district,
)

MSG_OPEN_APPLICATION = _("本机构已有一份未办结的备案申请，请先完成或等待审核该申请。")
MSG_MAY_NOT_APPLY = _("备案已被暂停（整改中）或已退出的机构不能提出备案申请。")
MSG_NEEDS_SITE = _("评价站点：请至少填写一个评价站点。")
MSG_NEEDS_SCOPE = _("备案范围：请至少填写一项申请备案的职业（工种）和等级。")
MSG_NEEDS_CHANGE = _("备案范围：请至少新增一项备案范围，或勾选一项要撤回的备案范围。")
MSG_SCOPE_DUPLICATE = _("备案范围：“%(scope)s”已在本申请中，请勿重复填写。")
MSG_SCOPE_IN_FORCE = _("备案范围：“%(scope)s”已在本机构的备案范围内，无需重复申请。")
MSG_WITHDRAW_NOT_CHANGE = _("只有备案范围变更申请可以撤回已备案的范围。")
MSG_WITHDRAW_NOT_IN_FORCE = _("要撤回的备案范围不属于本机构当前有效的备案范围。")

EDITABLE = (FilingApplication.Status.DRAFT, FilingApplication.Status.RETURNED)


def _scope_label(*, occupation, job_type, level) -> str:
    return f"{occupation.name} {job_type.name if job_type else '—'} {level.label}"


@transaction.atomic
def filing_application_start(
    *, actor: User, body: Body, context: RequestContext = NO_REQUEST
) -> FilingApplication:
    """A new draft: a scope change for a filed body, a fresh initial application for an unfiled one."""
    require_body_admin(actor=actor, body=body)
    body = Body.objects.select_for_update().get(pk=body.pk)
    if body.filing_status in (Body.FilingStatus.SUSPENDED, Body.FilingStatus.REVOKED):
        raise ApplicationError(str(MSG_MAY_NOT_APPLY))
    if filing_open_for_body(body=body) is not None:
        raise ApplicationError(str(MSG_OPEN_APPLICATION), extra={"status": 409})
    kind = (
        FilingApplication.Kind.SCOPE_CHANGE
        if body.filing_status == Body.FilingStatus.FILED
        else FilingApplication.Kind.INITIAL
    )
    application = FilingApplication.objects.create(
        tenant=body,
        kind=kind,
        status=FilingApplication.Status.DRAFT,
        body_name=body.name,
        credit_code=body.credit_code,
        body_kind=body.kind,
        district=body.district,
        address=body.address,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
    )
    audit_record(
        actor=actor,
        action="filing.created",
        target=application,
        data={"kind": kind, "body": body.pk},
        context=context,
    )
    return application


@transaction.atomic
def filing_details_update(
    *, actor: User, application: FilingApplication, details: BodyDetails, context: RequestContext = NO_REQUEST
) -> FilingApplication:
    """Change what an initial application declares about the body (name, code, type, district, contacts)."""
    application = lock_editable(actor=actor, application=application)
    if application.kind != FilingApplication.Kind.INITIAL:
        raise ApplicationError(str(MSG_DETAILS_LOCKED))
    cleaned = clean_details(details, own_body=application.tenant)
    application.body_name = cleaned.body_name
    application.credit_code = cleaned.credit_code
    application.body_kind = cleaned.body_kind
    application.district = cleaned_district(cleaned.district)
    application.address = cleaned.address
    application.contact_name = cleaned.contact_name
    application.contact_phone = cleaned.contact_phone
    fields = ["body_name", "credit_code", "body_kind", "district", "address", "contact_name", "contact_phone"]
    application.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor,
        action="filing.updated",
        target=application,
        data={
            "credit_code": cleaned.credit_code,
            "body_name": cleaned.body_name,
            "district": application.district_id,
        },
        context=context,
    )
    return application


@transaction.atomic
def filing_site_add(
    *,
    actor: User,
    application: FilingApplication,
    site: SiteDeclaration,
    context: RequestContext = NO_REQUEST,
) -> FilingApplicationSite:
    """Declare a site in the application (a new site of the body, created on approval)."""
    application = lock_editable(actor=actor, application=application)
    cleaned = clean_site(site)
    declared = FilingApplicationSite.objects.create(
        application=application,
        name=cleaned.name,
        address=cleaned.address,
        district=cleaned_district(cleaned.district),
    )
    audit_record(
        actor=actor,
        action="filing.site_added",
        target=application,
        data={"site": declared.pk, "name": declared.name, "district": declared.district_id},
        context=context,
    )
    return declared


@transaction.atomic
def filing_site_remove(
    *, actor: User, declared_site: FilingApplicationSite, context: RequestContext = NO_REQUEST
) -> None:
    """Take a declared site out of the application."""
    application = lock_editable(actor=actor, application=declared_site.application_id)
    data = {"site": declared_site.pk, "name": declared_site.name}
    declared_site.delete()
    audit_record(actor=actor, action="filing.site_removed", target=application, data=data, context=context)


def _clean_scope_in_range(scope: ScopeDeclaration) -> ScopeDeclaration:
    """``clean_scope``, plus the level within the occupation's (or job type's) published level range."""
    errors: dict[str, list] = {}
    cleaned = collect(errors, clean_scope, scope)
    if "level" not in errors and "job_type" not in errors:
        collect(
            errors, level_range_check, occupation=scope.occupation, job_type=scope.job_type, level=scope.level
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_scope_free(*, application: FilingApplication, scope: ScopeDeclaration) -> None:
    label = _scope_label(occupation=scope.occupation, job_type=scope.job_type, level=scope.level)
    same = {"occupation": scope.occupation, "job_type": scope.job_type, "level": scope.level}
    if application.scope_requests.filter(**same).exists():
        raise ValidationError({"scope": MSG_SCOPE_DUPLICATE % {"scope": label}}, code="scope_duplicate")
    if filed_scope_in_force(body=application.tenant).filter(**same).exists():
        raise ValidationError({"scope": MSG_SCOPE_IN_FORCE % {"scope": label}}, code="scope_in_force")


@transaction.atomic
def filing_scope_add(
    *,
    actor: User,
    application: FilingApplication,
    scope: ScopeDeclaration,
    context: RequestContext = NO_REQUEST,
) -> FilingScopeRequest:
    """Ask for one occupation / job type / level, with the examiners, supervisors, questions and equipment."""
    application = lock_editable(actor=actor, application=application)
    cleaned = _clean_scope_in_range(scope)
    _check_scope_free(application=application, scope=cleaned)
    request = FilingScopeRequest.objects.create(
        application=application,
        occupation=cleaned.occupation,
        job_type=cleaned.job_type,
        level=cleaned.level,
        examiners=cleaned.examiners,
        internal_supervisors=cleaned.internal_supervisors,
        question_bank=cleaned.question_bank,
        equipment=cleaned.equipment,
    )
    audit_record(
        actor=actor,
        action="filing.scope_added",
        target=application,
        data={
            "scope_request": request.pk,
            "occupation": cleaned.occupation.code,
            "job_type": cleaned.job_type.name if cleaned.job_type else "",
            "level": cleaned.level.pk,
        },
        context=context,
    )
    return request


@transaction.atomic
def filing_scope_remove(
    *, actor: User, scope_request: FilingScopeRequest, context: RequestContext = NO_REQUEST
) -> None:
    """Take a requested scope row out of the application."""
    application = lock_editable(actor=actor, application=scope_request.application_id)
    data = {"scope_request": scope_request.pk, "occupation": scope_request.occupation.code}
    scope_request.delete()
    audit_record(actor=actor, action="filing.scope_removed", target=application, data=data, context=context)


@transaction.atomic
def filing_scope_withdrawal_set(
    *,
    actor: User,
    application: FilingApplication,
    filed_scope: FiledScope,
    withdraw: bool,
    context: RequestContext = NO_REQUEST,
) -> None:
    """Ask (or stop asking) in a scope change to drop a row of the scope in force."""
    application = lock_editable(actor=actor, application=application)
    if application.kind != FilingApplication.Kind.SCOPE_CHANGE:
        raise ApplicationError(str(MSG_WITHDRAW_NOT_CHANGE))
    if not filed_scope_in_force(body=application.tenant).filter(pk=filed_scope.pk).exists():
        raise ApplicationError(str(MSG_WITHDRAW_NOT_IN_FORCE))
    if withdraw:
        application.scope_withdrawals.add(filed_scope)
    else:
        application.scope_withdrawals.remove(filed_scope)
    audit_record(
        actor=actor,
        action="filing.withdrawal_requested" if withdraw else "filing.withdrawal_cancelled",
        target=application,
        data={"filed_scope": filed_scope.pk},
        context=context,
    )


def _check_complete(application: FilingApplication) -> None:
    errors: dict[str, list] = {}
    has_scope = application.scope_requests.exists()
    if application.kind == FilingApplication.Kind.INITIAL:
        if not application.sites.exists():
            errors["sites"] = [MSG_NEEDS_SITE]
        if not has_scope:
            errors["scope"] = [MSG_NEEDS_SCOPE]
    else:
        if (
            not application.sites.exists()
            and not Site.objects.for_tenant(application.tenant).filter(is_active=True).exists()
        ):
            errors["sites"] = [MSG_NEEDS_SITE]
        if not has_scope and not application.scope_withdrawals.exists():
            errors["scope"] = [MSG_NEEDS_CHANGE]
    # Rows added while the level catalogue, job types or level ranges said otherwise are checked again.
    for index, row in enumerate(application.scope_requests.select_related("occupation", "job_type", "level")):
        try:
            _clean_scope_in_range(
                ScopeDeclaration(
                    occupation=row.occupation,
                    job_type=row.job_type,
                    level=row.level,
                    examiners=row.examiners,
                    internal_supervisors=row.internal_supervisors,
                    question_bank=row.question_bank,
                    equipment=row.equipment,
                )
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(f"scope.{index}.{field}", []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def filing_submit(
    *, actor: User, application: FilingApplication, context: RequestContext = NO_REQUEST
) -> FilingApplication:
    """Send a complete draft (or a returned application) to the district authority for review."""
    application = (
        FilingApplication.objects.select_for_update().select_related("tenant").get(pk=application.pk)
    )
    require_editable(actor=actor, application=application)
    if application.tenant.filing_status in (Body.FilingStatus.SUSPENDED, Body.FilingStatus.REVOKED):
        raise ApplicationError(str(MSG_MAY_NOT_APPLY))
    _check_complete(application)
    resubmitted = application.status == FilingApplication.Status.RETURNED
    application.status = FilingApplication.Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(
        actor=actor,
        action="filing.submitted",
        target=application,
        data={
            "kind": application.kind,
            "resubmitted": resubmitted,
            "sites": application.sites.count(),
            "scope_requests": application.scope_requests.count(),
            "withdrawals": sorted(application.scope_withdrawals.values_list("pk", flat=True)),
        },
        context=context,
    )
    return application


def _prefixed(error: ValidationError, prefix: str) -> ValidationError:
    return ValidationError({f"{prefix}.{field}": messages for field, messages in error.message_dict.items()})


@transaction.atomic
def filing_create_and_submit(
    *,
    actor: User,
    body: Body,
    details: BodyDetails | None,
    sites: Sequence[SiteDeclaration],
    scope: Sequence[ScopeDeclaration],
    withdraw: Sequence[FiledScope] = (),
    context: RequestContext = NO_REQUEST,
) -> FilingApplication:
    """Fill the body's open draft (or a new application) from one declaration and submit it (for the API).

    An initial application takes ``details``; a scope change keeps the filed details and adds ``sites``.
    Errors name the field as ``sites.0.district`` or ``scope.1.level``.
    """
    require_body_admin(actor=actor, body=body)
    application = filing_open_for_body(body=body)
    if application is not None and application.status not in EDITABLE:
        raise ApplicationError(str(MSG_OPEN_APPLICATION), extra={"status": 409})
    if application is None:
        application = filing_application_start(actor=actor, body=body, context=context)
    if application.kind == FilingApplication.Kind.INITIAL and details is not None:
        filing_details_update(actor=actor, application=application, details=details, context=context)
    application.sites.all().delete()
    application.scope_requests.all().delete()
    application.scope_withdrawals.clear()
    for index, site in enumerate(sites):
        try:
            filing_site_add(actor=actor, application=application, site=site, context=context)
        except ValidationError as error:
            raise _prefixed(error, f"sites.{index}") from error
    for index, row in enumerate(scope):
        try:
            filing_scope_add(actor=actor, application=application, scope=row, context=context)
        except ValidationError as error:
            raise ValidationError(
                {
                    f"scope.{index}" if name == "scope" else f"scope.{index}.{name}": messages
                    for name, messages in error.message_dict.items()
                }
            ) from error
    for filed_scope in withdraw:
        filing_scope_withdrawal_set(
            actor=actor, application=application, filed_scope=filed_scope, withdraw=True, context=context
        )
    return filing_submit(actor=actor, application=application, context=context)
