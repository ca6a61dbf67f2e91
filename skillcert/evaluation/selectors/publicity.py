"""Reads on publicity (公示), objections and result reports.

The public page is built from frozen data objects holding only what may be published: the plan number,
the body, occupation, job type, level, dates, and each passing candidate's name with the given name
masked and the ID number masked (first three and last four characters), and the plan's counts
(报名/实考/缺考/合格人数, the pass rate over those who sat). Candidates who failed
or were 缺考 are counted, never named. No internal id reaches it.

The publicity period: N working days (``SKILLCERT_PUBLICITY_WORKING_DAYS``) counted from the day of
publication when that day is a working day (it is day 1), otherwise from the next working day. So a
publication on Tuesday 2025-09-30 runs 09-30, 10-09, 10-10, 10-11 (a make-up working Saturday) and 10-13.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from skillcert.accounts.models import User
from skillcert.core.calendar import add_working_days, is_working_day
from skillcert.core.regions import scope_prefix
from skillcert.evaluation.models import Application, EvaluationPlan, Objection, ResultReport
from skillcert.evaluation.selectors.scores import ResultCounts, plan_result_counts

PlanStatus = EvaluationPlan.Status


def mask_name(name: str) -> str:
    """A name with the given name masked: 张三明 → 张*明, 张三 → 张*, 欧阳小明 → 欧**明."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def publicity_ends_on(*, starts_on: date) -> date:
    """The last day of a publicity starting on ``starts_on`` (see the module docstring)."""
    days = settings.SKILLCERT_PUBLICITY_WORKING_DAYS
    if is_working_day(starts_on):
        return add_working_days(starts_on, days - 1)
    return add_working_days(starts_on, days)


def publicity_is_open(*, plan: EvaluationPlan, today: date | None = None) -> bool:
    """Whether objections may be lodged: the plan is in publicity and today is within its period."""
    today = today or timezone.localdate()
    return (
        plan.status == PlanStatus.PUBLICITY
        and plan.publicity_starts_on is not None
        and plan.publicity_ends_on is not None
        and plan.publicity_starts_on <= today <= plan.publicity_ends_on
    )


def publicity_has_ended(*, plan: EvaluationPlan, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return plan.publicity_ends_on is not None and today > plan.publicity_ends_on


@dataclass(frozen=True, slots=True)
class PublicEntry:
    name: str  # masked
    id_number: str  # masked
    occupation: str
    job_type: str
    level: str


@dataclass(frozen=True, slots=True)
class PublicPublicity:
    number: str
    body_name: str
    occupation_code: str
    occupation: str
    job_type: str
    level: str
    starts_on: date | None  # never None for a plan in publicity; typed as the model field
    ends_on: date | None
    is_open: bool  # objections accepted today
    entries: tuple[PublicEntry, ...]
    # 报名/实考/缺考/合格人数: counts only; no absent or failed candidate is named on the public page.
    counts: ResultCounts


def _public_plans(today: date) -> QuerySet[EvaluationPlan]:
    # A plan is public from its first publicity day until it is reported (after the last day the list
    # stays visible, marked as ended, with the objection form closed).
    return EvaluationPlan.objects.filter(
        status=PlanStatus.PUBLICITY, publicity_starts_on__lte=today
    ).select_related("tenant", "spec", "spec__occupation", "spec__job_type", "spec__level")


def publicity_get_public(*, number: str, today: date | None = None) -> PublicPublicity:
    """The published passing list of the plan numbered ``number``; 404 unless it is in publicity."""
    today = today or timezone.localdate()
    plan = _public_plans(today).filter(number=number).first()
    if plan is None:
        raise Http404
    spec = plan.spec
    job_type = spec.job_type.name if spec.job_type is not None else ""
    passed = (
        plan.applications.filter(status=Application.Status.ELIGIBLE, result=Application.Result.PASSED)
        .select_related("candidate")
        .order_by("ticket_number", "pk")
    )
    entries = tuple(
        PublicEntry(
            name=mask_name(application.candidate.name),
            id_number=application.candidate.id_number_masked,
            occupation=spec.occupation.name,
            job_type=job_type,
            level=spec.level.label,
        )
        for application in passed
    )
    return PublicPublicity(
        number=plan.number,
        body_name=plan.tenant.name,
        occupation_code=spec.occupation.code,
        occupation=spec.occupation.name,
        job_type=job_type,
        level=spec.level.label,
        starts_on=plan.publicity_starts_on,
        ends_on=plan.publicity_ends_on,
        is_open=publicity_is_open(plan=plan, today=today),
        entries=entries,
        counts=plan_result_counts(plan=plan),
    )


@dataclass(frozen=True, slots=True)
class PublicPublicityItem:
    number: str
    body_name: str
    occupation: str
    level: str
    starts_on: date | None
    ends_on: date | None
    is_open: bool


def publicity_list_public(*, today: date | None = None, search: str = "") -> list[PublicPublicityItem]:
    """Plans in publicity now (or ended and not yet reported), newest first; searchable by body and
    occupation."""
    today = today or timezone.localdate()
    plans = _public_plans(today).order_by("-publicity_starts_on", "number")
    if search:
        plans = plans.filter(
            Q(tenant__name__icontains=search) | Q(spec__occupation__name__icontains=search) | Q(number=search)
        )
    return [
        PublicPublicityItem(
            number=plan.number,
            body_name=plan.tenant.name,
            occupation=plan.spec.occupation.name,
            level=plan.spec.level.label,
            starts_on=plan.publicity_starts_on,
            ends_on=plan.publicity_ends_on,
            is_open=publicity_is_open(plan=plan, today=today),
        )
        for plan in plans
    ]


def publicity_plan_for_objection(*, number: str) -> EvaluationPlan:
    """The plan an objection is lodged against, by its public number; 404 unless in publicity."""
    plan = _public_plans(timezone.localdate()).filter(number=number).first()
    if plan is None:
        raise Http404
    return plan


def plan_objections(*, plan: EvaluationPlan) -> QuerySet[Objection]:
    return plan.objections.select_related("answered_by").order_by("lodged_at", "pk")


def plan_unanswered_objections(*, plan: EvaluationPlan) -> int:
    return plan.objections.filter(answered_at__isnull=True).count()


def objection_get_for_plan(*, plan: EvaluationPlan, objection_id: int) -> Objection:
    try:
        return plan.objections.get(pk=objection_id)
    except Objection.DoesNotExist as error:
        raise Http404 from error


def plan_passed_count(*, plan: EvaluationPlan) -> int:
    return plan.applications.filter(
        status=Application.Status.ELIGIBLE, result=Application.Result.PASSED
    ).count()


# ---- result reports ---------------------------------------------------------------------------------


def plan_current_report(*, plan: EvaluationPlan) -> ResultReport | None:
    """The plan's latest result report."""
    return plan.reports.select_related("submitted_by", "reviewed_by").order_by("-submitted_at", "-pk").first()


def report_list_for_user(*, user: User, status: str = "", search: str = "") -> QuerySet[ResultReport]:
    """Reports of bodies in the authority's region (or the user's own body), pending first, by due date."""
    reports = ResultReport.objects.select_related(
        "plan", "plan__tenant", "plan__spec", "plan__spec__occupation", "plan__spec__level", "submitted_by"
    )
    if not user.is_authenticated:
        return reports.none()
    if user.is_authority_staff:
        reports = reports.filter(
            plan__tenant__district__code__startswith=scope_prefix(user.authority_region_id or "")
        )
    elif user.is_body_staff and user.body_id:
        reports = reports.filter(plan__tenant_id=user.body_id)
    else:
        return reports.none()
    if status:
        reports = reports.filter(status=status)
    if search:
        reports = reports.filter(Q(plan__number__icontains=search) | Q(plan__tenant__name__icontains=search))
    return reports.order_by("status", "review_due_on", "-submitted_at", "-pk")


def report_counts(*, reports: QuerySet[ResultReport]) -> dict[str, int]:
    counts = dict.fromkeys(ResultReport.Status.values, 0)
    for row in reports.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def report_is_overdue(*, report: ResultReport, today: date | None = None) -> bool:
    """A submitted report whose review deadline has passed."""
    today = today or timezone.localdate()
    return report.status == ResultReport.Status.SUBMITTED and today > report.review_due_on
