"""Reads on applications: a plan's list for its staff, a candidate's own, plans open to self-service.

Staff reach applications only through a plan that ``plan_get_for_user`` let them see (their body's, or
in their authority's region); a candidate reaches only their own. Anything else answers 404.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from skillcert.accounts.identity import id_number_blind_index, normalise_id_number
from skillcert.accounts.models import Candidate, User
from skillcert.evaluation.models import Application, ComponentResult, EvaluationPlan
from skillcert.registry.models import Body

Status = Application.Status
PlanStatus = EvaluationPlan.Status

# Applications that hold a place of the plan's capacity.
OCCUPYING_STATUSES = (Status.SUBMITTED, Status.ELIGIBLE)
# Plan statuses from which scores are final and may be shown to candidates.
SCORES_VISIBLE_STATUSES = (
    PlanStatus.SCORES_LOCKED,
    PlanStatus.PUBLICITY,
    PlanStatus.REPORTED,
    PlanStatus.RESULTS_RETURNED,
    PlanStatus.RESULTS_APPROVED,
    PlanStatus.ISSUED,
)
# Plan statuses in which admission tickets exist (acknowledged or later).
TICKET_STATUSES = (PlanStatus.ACKNOWLEDGED, *SCORES_VISIBLE_STATUSES)


def _with_plan(applications: QuerySet[Application]) -> QuerySet[Application]:
    return applications.select_related(
        "candidate",
        "plan",
        "plan__tenant",
        "plan__site",
        "plan__spec",
        "plan__spec__occupation",
        "plan__spec__job_type",
        "plan__spec__level",
    )


def plan_occupied_places(*, plan: EvaluationPlan) -> int:
    """How many applications hold a place of the plan's capacity (submitted or eligible)."""
    return plan.applications.filter(status__in=OCCUPYING_STATUSES).count()


def plan_places_left(*, plan: EvaluationPlan) -> int:
    return max(plan.capacity - plan_occupied_places(plan=plan), 0)


def application_counts(*, plan: EvaluationPlan) -> dict[str, int]:
    """The number of the plan's applications in each status (every status present, zero or more)."""
    counts = dict.fromkeys(Status.values, 0)
    for row in plan.applications.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def _search_filter(search: str) -> Q:
    condition = Q(candidate__name__icontains=search) | Q(ticket_number__iexact=search)
    # A full ID number is found through its blind index (the digits are never stored in clear).
    try:
        number = normalise_id_number(id_type=Candidate.IdType.RESIDENT_ID, id_number=search).number
    except ValidationError:  # not an ID number: search by name and ticket number only
        return condition
    index = id_number_blind_index(id_type=Candidate.IdType.RESIDENT_ID, number=number)
    return condition | Q(candidate__id_number_index=index)


def application_list_for_plan(
    *, plan: EvaluationPlan, status: str = "", search: str = ""
) -> QuerySet[Application]:
    """The plan's applications (the caller has already scoped the plan), by ticket number then time."""
    applications = plan.applications.select_related("candidate").order_by("ticket_number", "created_at", "pk")
    if status:
        applications = applications.filter(status=status)
    search = search.strip()
    if search:
        applications = applications.filter(_search_filter(search))
    return applications


def application_get_for_plan(*, plan: EvaluationPlan, application_id: int) -> Application:
    """One application of a plan the caller may see; 404 if it belongs to another plan."""
    try:
        return _with_plan(Application.objects.filter(plan=plan)).get(pk=application_id)
    except Application.DoesNotExist as error:
        raise Http404 from error


def plan_ticket_applications(*, plan: EvaluationPlan) -> list[Application]:
    """The eligible applications of a plan that hold a ticket number, in ticket order."""
    return list(
        _with_plan(
            Application.objects.filter(plan=plan, status=Status.ELIGIBLE, ticket_number__isnull=False)
        ).order_by("ticket_number")
    )


# ---- candidates ------------------------------------------------------------------------------------


def candidate_of_user(*, user: User) -> Candidate | None:
    """The candidate record of a signed-in candidate (None if they have none)."""
    if not user.is_authenticated:
        return None
    return Candidate.objects.filter(user=user).first()


def application_list_for_candidate(*, candidate: Candidate) -> QuerySet[Application]:
    """A candidate's own applications, newest first."""
    return _with_plan(Application.objects.filter(candidate=candidate)).order_by("-created_at", "-pk")


def application_get_for_candidate(*, candidate: Candidate, application_id: int) -> Application:
    """One of the candidate's own applications; 404 for anyone else's."""
    try:
        return application_list_for_candidate(candidate=candidate).get(pk=application_id)
    except Application.DoesNotExist as error:
        raise Http404 from error


def application_scores_visible(*, application: Application) -> bool:
    """Scores are shown to the candidate only once the plan's scores are locked."""
    return application.plan.status in SCORES_VISIBLE_STATUSES


def application_component_results(*, application: Application) -> list[ComponentResult]:
    """The candidate's result per component, once visible; empty before the plan's scores are locked."""
    if not application_scores_visible(application=application):
        return []
    return list(ComponentResult.objects.filter(application=application).order_by("component"))


def application_ticket_available(*, application: Application) -> bool:
    """An admission ticket exists for an eligible application with a number, from acknowledgment on."""
    return (
        application.status == Status.ELIGIBLE
        and bool(application.ticket_number)
        and application.plan.status in TICKET_STATUSES
    )


@dataclass(frozen=True, slots=True)
class OpenPlan:
    plan: EvaluationPlan
    first_session_at: datetime
    places_left: int


def _open_plans(at: datetime) -> QuerySet[EvaluationPlan]:
    return (
        EvaluationPlan.objects.filter(
            status=PlanStatus.ACKNOWLEDGED, tenant__filing_status=Body.FilingStatus.FILED
        )
        .select_related("tenant", "site", "spec", "spec__occupation", "spec__job_type", "spec__level")
        .annotate(
            first_session_at=Min("sessions__starts_at"),
            occupied=Count(
                "applications", filter=Q(applications__status__in=OCCUPYING_STATUSES), distinct=True
            ),
        )
        .filter(first_session_at__gt=at, occupied__lt=F("capacity"))
        .order_by("first_session_at", "pk")
    )


def _open_plan(plan: EvaluationPlan) -> OpenPlan:
    # first_session_at and occupied are annotations of _open_plans.
    first_session_at, occupied = plan.first_session_at, plan.occupied  # type: ignore[attr-defined]
    return OpenPlan(plan=plan, first_session_at=first_session_at, places_left=plan.capacity - occupied)


def plan_list_open_for_applications(*, search: str = "", at: datetime | None = None) -> list[OpenPlan]:
    """Plans a candidate may apply to: acknowledged, body filed, first component ahead, places left."""
    plans = _open_plans(at or timezone.now())
    search = search.strip()
    if search:
        plans = plans.filter(
            Q(spec__occupation__name__icontains=search)
            | Q(spec__occupation__code__startswith=search)
            | Q(tenant__name__icontains=search)
            | Q(number__iexact=search)
        )
    return [_open_plan(plan) for plan in plans]


def plan_get_open_for_applications(*, plan_id: int, at: datetime | None = None) -> OpenPlan:
    """One plan open to self-service applications; 404 otherwise."""
    plan = _open_plans(at or timezone.now()).filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    return _open_plan(plan)
