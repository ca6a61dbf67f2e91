"""Reads on certificates: the staff list in the viewer's scope, a candidate's own, a plan's summary.

Body staff see their body's certificates; authority staff those of bodies in their region; a candidate
only certificates whose candidate record is theirs. Anything else is not there (the edge answers 404).
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404

from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.certificates.models import NO_JOB_TYPE, Certificate
from skillcert.certificates.permissions import (
    AUTHORITY_REVOKER_ROLES,
    PRINTER_ROLES,
    REISSUER_ROLES,
    revoker_kind,
    user_is_reissuer,
)
from skillcert.certificates.services.plan_zip_job import PLAN_ZIP
from skillcert.core.regions import scope_prefix
from skillcert.evaluation.models import Application, EvaluationPlan
from skillcert.jobs.models import Job
from skillcert.jobs.selectors import job_get_for_body, job_output_available, job_output_expires_at

_LIST_RELATED = ("candidate", "level", "application__plan")


def _body_filter(user: User, *, via: str) -> Q | None:
    """Rows of the bodies a member of staff answers for (``via`` leads to the body), or None if not staff."""
    if not user.is_authenticated:
        return None
    if user.is_authority_staff and user.authority_region_id:
        return Q(**{f"{via}__district__code__startswith": scope_prefix(user.authority_region_id)})
    if user.is_body_staff:
        return Q(**{f"{via}_id": user.body_id})
    return None


def _staff_scope(user: User) -> Q | None:
    """The certificates a member of staff may see, or None for someone who is not staff."""
    return _body_filter(user, via="tenant")


def certificate_list_for_staff(*, user: User) -> QuerySet[Certificate]:
    """Certificates in a staff member's scope (their body, or their region's bodies); none for others."""
    scope = _staff_scope(user)
    if scope is None:
        return Certificate.objects.none()
    return Certificate.objects.filter(scope).select_related(*_LIST_RELATED).order_by("-issue_date", "number")


def certificate_list_for_candidate(*, user: User) -> QuerySet[Certificate]:
    """The signed-in person's own certificates (those whose candidate record belongs to ``user``)."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    return (
        Certificate.objects.filter(candidate__user=user)
        .select_related(*_LIST_RELATED)
        .order_by("-issue_date", "number")
    )


def certificate_list_visible(*, user: User) -> QuerySet[Certificate]:
    """Every certificate ``user`` may open: in their staff scope, or their own."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    scope = Q(candidate__user=user)
    staff = _staff_scope(user)
    if staff is not None:
        scope |= staff
    return Certificate.objects.filter(scope).select_related(*_LIST_RELATED, "tenant")


def certificate_search(
    *,
    certificates: QuerySet[Certificate],
    q: str = "",
    plan_id: int | None = None,
    level_code: str = "",
    year: int | None = None,
) -> QuerySet[Certificate]:
    """Narrow a certificate list: number (exact or prefix) or holder name (contains), plan, level, year."""
    q = q.strip()
    if q:
        certificates = certificates.filter(Q(number__startswith=q.upper()) | Q(holder_name__contains=q))
    if plan_id is not None:
        certificates = certificates.filter(application__plan_id=plan_id)
    if level_code:
        certificates = certificates.filter(level_id=level_code)
    if year is not None:
        certificates = certificates.filter(year=year)
    return certificates


def certificate_years(*, certificates: QuerySet[Certificate]) -> list[int]:
    """The issue years present in a certificate list, newest first (for the year filter)."""
    return list(certificates.order_by("-year").values_list("year", flat=True).distinct())


def plan_list_for_issuer(*, user: User) -> QuerySet[EvaluationPlan]:
    """Plans whose certificates ``user`` may issue: the plans of the body they administer."""
    if not (user.is_authenticated and user.is_body_staff and user.has_role(Role.BODY_ADMIN)):
        return EvaluationPlan.objects.none()
    return EvaluationPlan.objects.filter(tenant_id=user.body_id).select_related(
        "site", "spec__occupation", "spec__job_type", "spec__level"
    )


def plan_list_for_staff(*, user: User) -> QuerySet[EvaluationPlan]:
    """Plans in a staff member's scope (for the API's plan filter and the panel)."""
    scope = _body_filter(user, via="tenant")
    return EvaluationPlan.objects.none() if scope is None else EvaluationPlan.objects.filter(scope)


@dataclass(frozen=True, slots=True)
class PlanCertificateSummary:
    issued: int  # certificates of the plan, whatever their status
    to_issue: int  # passed applications without a certificate


def plan_certificate_summary(*, plan: EvaluationPlan) -> PlanCertificateSummary:
    """How many certificates a plan has issued and how many passed candidates still await one."""
    return PlanCertificateSummary(
        issued=Certificate.objects.filter(application__plan=plan).count(),
        to_issue=Application.objects.filter(
            plan=plan, result=Application.Result.PASSED, certificates__isnull=True
        ).count(),
    )


def user_may_issue_for_plan(*, user: User, plan: EvaluationPlan) -> bool:
    """Whether ``user`` administers the plan's body (only the body admin issues certificates)."""
    return (
        user.is_authenticated
        and user.is_body_staff
        and user.body_id == plan.tenant_id
        and user.has_role(Role.BODY_ADMIN)
    )


# ---- printing, revoking, reissuing --------------------------------------------------------------------


def _printer_body_id(user: User) -> int | None:
    """The body whose certificates ``user`` may print (its admin and exam staff), or None."""
    if user.is_authenticated and user.is_body_staff and user.has_role(*PRINTER_ROLES):
        return user.body_id
    return None


def certificate_list_printable(*, user: User) -> QuerySet[Certificate]:
    """Certificates whose PDF (with the full ID number) ``user`` may download: their own, or their body's.

    Authority staff and the body's examiners and supervisors see certificates on screen, masked, but do
    not get the PDF.
    """
    if not user.is_authenticated:
        return Certificate.objects.none()
    scope = Q(candidate__user=user)
    body_id = _printer_body_id(user)
    if body_id is not None:
        scope |= Q(tenant_id=body_id)
    return Certificate.objects.filter(scope).select_related("candidate", "level", "replaced_by", "tenant")


def plan_list_for_printing(*, user: User) -> QuerySet[EvaluationPlan]:
    """Plans whose certificates ``user`` may download as a ZIP: their body's, for its admin and exam staff."""
    body_id = _printer_body_id(user)
    if body_id is None:
        return EvaluationPlan.objects.none()
    return EvaluationPlan.objects.filter(tenant_id=body_id)


def _revoker_scope(user: User, *, via: str) -> Q | None:
    """The bodies whose certificates ``user`` may revoke (``via`` leads to the body), or None."""
    if not user.is_authenticated:
        return None
    if user.is_authority_staff and user.authority_region_id and user.has_role(*AUTHORITY_REVOKER_ROLES):
        return Q(**{f"{via}__district__code__startswith": scope_prefix(user.authority_region_id)})
    if user.is_body_staff and user.has_role(Role.BODY_ADMIN):
        return Q(**{f"{via}_id": user.body_id})
    return None


def certificate_list_revocable(*, user: User) -> QuerySet[Certificate]:
    """Certificates ``user`` may revoke: their body's (body admin), their region's (authority)."""
    scope = _revoker_scope(user, via="tenant")
    if scope is None:
        return Certificate.objects.none()
    return Certificate.objects.filter(scope).select_related("tenant", "level", "candidate")


def plan_list_for_revoker(*, user: User) -> QuerySet[EvaluationPlan]:
    """Plans whose certificates ``user`` may revoke in bulk (same scope as ``certificate_list_revocable``)."""
    scope = _revoker_scope(user, via="tenant")
    if scope is None:
        return EvaluationPlan.objects.none()
    return EvaluationPlan.objects.filter(scope).select_related("tenant")


def certificate_list_reissuable(*, user: User) -> QuerySet[Certificate]:
    """Certificates ``user`` may reissue: those of the body they administer."""
    if not (user.is_authenticated and user.is_body_staff and user.has_role(*REISSUER_ROLES)):
        return Certificate.objects.none()
    return Certificate.objects.filter(tenant_id=user.body_id).select_related("tenant", "level", "candidate")


@dataclass(frozen=True, slots=True)
class CertificateActions:
    """What the viewer of a certificate page may do with it."""

    download: bool
    revoke: bool
    reissue: bool


def certificate_actions(*, user: User, certificate: Certificate) -> CertificateActions:
    """The actions offered on a certificate's page to ``user`` (who can already see it)."""
    valid = certificate.status == Certificate.Status.VALID
    own = certificate.candidate.user_id is not None and certificate.candidate.user_id == user.pk
    return CertificateActions(
        download=own or _printer_body_id(user) == certificate.tenant_id,
        revoke=valid and revoker_kind(actor=user, body=certificate.tenant) is not None,
        reissue=valid and user_is_reissuer(user=user, body_id=certificate.tenant_id),
    )


def certificate_job_type_choices(*, certificate: Certificate) -> list[str]:
    """The 工种/职业方向 a reissue may print for this certificate's occupation: "--" first, then each."""
    from skillcert.reference.models import JobType

    names = JobType.objects.filter(occupation_id=certificate.occupation_id).order_by("name")
    return [NO_JOB_TYPE, *names.values_list("name", flat=True)]


def plan_valid_certificate_count(*, plan: EvaluationPlan) -> int:
    """How many of a plan's certificates are still valid (what a bulk revocation would revoke)."""
    return Certificate.objects.filter(application__plan=plan, status=Certificate.Status.VALID).count()


# ---- a plan's certificates ZIP made as a job ----------------------------------------------------------


def plan_zip_job_get(*, plan: EvaluationPlan, job_uuid: UUID) -> Job:
    """The ZIP job of ``plan``; 404 for a job of another body, another plan or another kind."""
    job = job_get_for_body(body=plan.tenant, job_uuid=job_uuid, kind=PLAN_ZIP)
    if job.params.get("plan") != plan.pk:
        raise Http404
    return job


def plan_zip_job_latest(*, plan: EvaluationPlan, at: datetime | None = None) -> Job | None:
    """The plan's latest ZIP job if it is still being made or its file is still kept (for the panel)."""
    job = (
        Job.objects.filter(body_id=plan.tenant_id, kind=PLAN_ZIP, params__plan=plan.pk)
        .order_by("-created_at")
        .first()
    )
    if job is not None and (job.active or job_output_available(job=job, at=at)):
        return job
    return None


@dataclass(frozen=True, slots=True)
class PlanZipJobState:
    """What the job page offers: wait, download, or (failed or file deleted) generate again."""

    ready: bool  # made, and the file is still kept: 下载压缩包
    expired: bool  # made, but the file has been deleted after its retention
    expires_at: datetime | None  # when the file is (or was) deleted


def plan_zip_job_state(*, job: Job, at: datetime | None = None) -> PlanZipJobState:
    ready = job_output_available(job=job, at=at)
    return PlanZipJobState(
        ready=ready,
        expired=job.status == Job.Status.SUCCEEDED and not ready,
        expires_at=job_output_expires_at(job=job),
    )
