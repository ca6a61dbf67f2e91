"""Reads on certificates: the staff list in the viewer's scope, a candidate's own, a plan's summary.

Body staff see their body's certificates; authority staff those of bodies in their region; a candidate
only certificates whose candidate record is theirs. Anything else is not there (the edge answers 404).
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.certificates.models import Certificate
from skillcert.core.regions import scope_prefix
from skillcert.evaluation.models import Application, EvaluationPlan

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
