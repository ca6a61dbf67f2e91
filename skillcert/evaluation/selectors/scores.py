"""Reads on scores: which scores a plan needs, how far entry and confirmation have come, the results.

A plan needs, for every eligible application and every component it sits (a retake sits only the
components failed before; the passed ones are carried): theory one score (``marker`` empty); skills one
score per examiner of the plan (duty examiner or chief examiner); review one per panel member (duty
reviewer). An examiner who declared a relationship with the candidate (recusal) gives no score to that
candidate, so the candidate's average is over the other examiners.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from skillcert.accounts.models import User
from skillcert.evaluation.models import (
    Application,
    Component,
    ComponentResult,
    EvaluationPlan,
    PlanStaff,
    ScoreEntry,
)
from skillcert.evaluation.selectors.plans import plan_first_session_date, user_manages_plan
from skillcert.evaluation.selectors.staffing import MARKING_DUTIES

Duty = PlanStaff.Duty
EntryStatus = ScoreEntry.Status
# Which duties mark which component; theory is marked once, by no particular examiner.
COMPONENT_DUTIES: dict[str, tuple[str, ...]] = {
    Component.SKILLS: (Duty.EXAMINER, Duty.CHIEF_EXAMINER),
    Component.REVIEW: (Duty.REVIEWER,),
}
# Plan statuses in which locked scores may still be changed (with a reason).
CHANGEABLE_AFTER_LOCK = (
    EvaluationPlan.Status.SCORES_LOCKED,
    EvaluationPlan.Status.PUBLICITY,
    EvaluationPlan.Status.RESULTS_RETURNED,
)


@dataclass(frozen=True, slots=True)
class ScoreSlot:
    """One score a plan needs: an application, a component and the marker (None for theory)."""

    application_id: int
    component: str
    marker_id: int | None


@dataclass(slots=True)
class ScoreSheet:
    """Everything the lock, the progress panel and the entry pages need, loaded once."""

    plan: EvaluationPlan
    applications: list[Application]
    components: list[str]  # the spec's components, in order
    markers: dict[str, list[User]]  # component → markers (empty list for theory)
    carried: dict[int, dict[str, ComponentResult]]  # application → component → the passed result kept
    recused: set[tuple[int, int]]  # (examiner id, candidate id)
    slots: list[ScoreSlot] = field(default_factory=list)
    entries: dict[ScoreSlot, ScoreEntry] = field(default_factory=dict)

    def required_components(self, application: Application) -> list[str]:
        carried = self.carried.get(application.pk, {})
        return [component for component in self.components if component not in carried]

    def markers_for(self, application: Application, component: str) -> list[User | None]:
        if component == Component.THEORY:
            return [None]
        return [
            marker
            for marker in self.markers.get(component, [])
            if (marker.pk, application.candidate_id) not in self.recused
        ]


def plan_markers(*, plan: EvaluationPlan) -> dict[str, list[User]]:
    """Component → the plan's staff who mark it (skills: examiners and chief; review: the panel)."""
    staff = plan.staff.select_related("user").order_by("user__full_name", "user__username")
    markers: dict[str, list[User]] = {}
    for component, duties in COMPONENT_DUTIES.items():
        seen: dict[int, User] = {}
        for member in staff:
            if member.duty in duties:
                seen.setdefault(member.user_id, member.user)
        markers[component] = list(seen.values())
    return markers


def scored_applications(*, plan: EvaluationPlan) -> QuerySet[Application]:
    """The applications that sit the plan's components: the eligible ones, by ticket number."""
    return (
        plan.applications.filter(status=Application.Status.ELIGIBLE)
        .select_related("candidate", "retake_of")
        .order_by("ticket_number", "pk")
    )


def carried_results(*, applications: list[Application]) -> dict[int, dict[str, ComponentResult]]:
    """For each retake, the components passed in the application it retakes (kept, not sat again)."""
    previous_ids = {a.retake_of_id for a in applications if a.retake_of_id}
    passed = ComponentResult.objects.filter(application_id__in=previous_ids, passed=True)
    by_previous: dict[int, dict[str, ComponentResult]] = {}
    for result in passed:
        by_previous.setdefault(result.application_id, {})[result.component] = result
    return {a.pk: by_previous.get(a.retake_of_id, {}) for a in applications if a.retake_of_id}


def plan_score_sheet(*, plan: EvaluationPlan) -> ScoreSheet:
    """The scores the plan needs and those entered so far."""
    applications = list(scored_applications(plan=plan))
    sheet = ScoreSheet(
        plan=plan,
        applications=applications,
        components=plan.spec.components(),
        markers=plan_markers(plan=plan),
        carried=carried_results(applications=applications),
        recused=set(plan.recusals.values_list("examiner_id", "candidate_id")),
    )
    for application in applications:
        for component in sheet.required_components(application):
            for marker in sheet.markers_for(application, component):
                sheet.slots.append(
                    ScoreSlot(application.pk, component, marker.pk if marker is not None else None)
                )
    entries = ScoreEntry.objects.filter(application__plan=plan).select_related("entered_by", "confirmed_by")
    for entry in entries:
        sheet.entries[ScoreSlot(entry.application_id, entry.component, entry.marker_id)] = entry
    return sheet


@dataclass(frozen=True, slots=True)
class ComponentProgress:
    component: str
    label: str
    required: int
    entered: int
    confirmed: int
    mismatches: int

    @property
    def complete(self) -> bool:
        return self.required > 0 and self.confirmed == self.required


def sheet_progress(sheet: ScoreSheet) -> list[ComponentProgress]:
    """Per component: scores needed, entered, confirmed, and flagged mismatches."""
    progress = []
    for component in sheet.components:
        slots = [slot for slot in sheet.slots if slot.component == component]
        entries = [sheet.entries[slot] for slot in slots if slot in sheet.entries]
        progress.append(
            ComponentProgress(
                component=component,
                label=str(Component(component).label),
                required=len(slots),
                entered=len(entries),
                confirmed=sum(1 for e in entries if e.status == EntryStatus.CONFIRMED),
                mismatches=sum(1 for e in entries if e.status == EntryStatus.MISMATCH),
            )
        )
    return progress


def plan_score_progress(*, plan: EvaluationPlan) -> list[ComponentProgress]:
    """Per component of the plan: scores needed, entered, confirmed, mismatches."""
    return sheet_progress(plan_score_sheet(plan=plan))


def user_is_chief_examiner(*, user: User, plan: EvaluationPlan) -> bool:
    """Whether ``user`` is the plan's chief examiner (考评组长), who locks its scores."""
    return user.is_authenticated and plan.staff.filter(user_id=user.pk, duty=Duty.CHIEF_EXAMINER).exists()


def user_marks_plan(*, user: User, plan: EvaluationPlan) -> bool:
    """Whether ``user`` marks on this plan (examiner, chief examiner or reviewer)."""
    return user.is_authenticated and plan.staff.filter(user_id=user.pk, duty__in=MARKING_DUTIES).exists()


def user_scores_plan(*, user: User, plan: EvaluationPlan) -> bool:
    """Whether ``user`` may enter or confirm scores of the plan (its managers and its markers)."""
    return user_manages_plan(user=user, plan=plan) or user_marks_plan(user=user, plan=plan)


def score_entry_get_for_user(*, user: User, entry_id: int) -> ScoreEntry:
    """One score entry of the user's body; 404 for any other."""
    if not (user.is_authenticated and user.is_body_staff and user.body_id):
        raise Http404
    try:
        return ScoreEntry.objects.select_related(
            "application", "application__plan", "application__plan__spec", "application__candidate", "marker"
        ).get(pk=entry_id, application__tenant_id=user.body_id)
    except ScoreEntry.DoesNotExist as error:
        raise Http404 from error


def entries_to_confirm(*, plan: EvaluationPlan, user: User) -> QuerySet[ScoreEntry]:
    """Entries of the plan awaiting a second person's confirmation that ``user`` did not enter."""
    return (
        ScoreEntry.objects.filter(application__plan=plan, status=EntryStatus.ENTERED)
        .exclude(entered_by=user)
        .select_related("application", "application__candidate", "marker")
        .order_by("component", "application__ticket_number", "marker__username")
    )


def entries_mismatched(*, plan: EvaluationPlan) -> QuerySet[ScoreEntry]:
    """Entries whose confirmation differed: each waits for its enterer's correction."""
    return (
        ScoreEntry.objects.filter(application__plan=plan, status=EntryStatus.MISMATCH)
        .select_related("application", "application__candidate", "marker", "entered_by", "confirmed_by")
        .order_by("component", "application__ticket_number")
    )


@dataclass(frozen=True, slots=True)
class ResultRow:
    application: Application
    results: dict[str, ComponentResult]  # component → result


def plan_results(*, plan: EvaluationPlan) -> list[ResultRow]:
    """Each scored application with its component results (empty before the scores are locked)."""
    applications = list(scored_applications(plan=plan).prefetch_related("component_results"))
    return [
        ResultRow(
            application=application,
            results={result.component: result for result in application.component_results.all()},
        )
        for application in applications
    ]


@dataclass(frozen=True, slots=True)
class ResultCounts:
    """报名人数 / 实考人数 / 缺考人数 / 合格人数 of a plan, and the pass rate over those who sat.

    报名人数 counts the applications admitted to the evaluation (资格审核通过); 实考人数 is those of them
    not 缺考. Before the lock every admitted candidate counts as sitting (results are still pending).
    """

    applied: int
    sat: int
    absent: int
    passed: int
    failed: int

    @property
    def pass_rate(self) -> float | None:
        """合格率 = 合格人数 / 实考人数 (None when nobody sat)."""
        return self.passed / self.sat if self.sat else None

    @property
    def pass_rate_display(self) -> str:
        rate = self.pass_rate
        return "—" if rate is None else f"{rate * 100:.1f}%"


def plan_result_counts(*, plan: EvaluationPlan) -> ResultCounts:
    """The plan's result counts in one query (see ``ResultCounts``)."""
    Result = Application.Result
    counts = plan.applications.filter(status=Application.Status.ELIGIBLE).aggregate(
        applied=Count("pk"),
        absent=Count("pk", filter=Q(result=Result.ABSENT)),
        passed=Count("pk", filter=Q(result=Result.PASSED)),
        failed=Count("pk", filter=Q(result=Result.FAILED)),
    )
    return ResultCounts(
        applied=counts["applied"],
        sat=counts["applied"] - counts["absent"],
        absent=counts["absent"],
        passed=counts["passed"],
        failed=counts["failed"],
    )


# ---- retakes ----------------------------------------------------------------------------------------


def retake_window_days() -> int:
    return settings.SKILLCERT_RETAKE_WINDOW_DAYS


def retake_deadline(*, previous_plan: EvaluationPlan) -> date | None:
    """The last day a retake of the plan's failed components may be sat (window from the lock date)."""
    if previous_plan.scores_locked_at is None:
        return None
    return timezone.localdate(previous_plan.scores_locked_at) + timedelta(days=retake_window_days())


def retake_exam_date(*, plan: EvaluationPlan) -> date:
    """The day a retake in ``plan`` is sat: its first component (today if it has none yet)."""
    return plan_first_session_date(plan=plan) or timezone.localdate()


def retake_candidates(*, plan: EvaluationPlan) -> QuerySet[Application]:
    """Earlier failed (or 缺考) applications of the plan's body for the same occupation / job type / level,
    with at least one component passed, locked within the retake window, whose person has not applied
    here."""
    spec = plan.spec
    exam_date = retake_exam_date(plan=plan)
    earliest_lock = exam_date - timedelta(days=retake_window_days())
    already = Application.objects.filter(plan=plan, candidate_id=OuterRef("candidate_id"))
    retaken = Application.objects.filter(retake_of_id=OuterRef("pk")).exclude(
        status=Application.Status.WITHDRAWN
    )
    passed_one = ComponentResult.objects.filter(application_id=OuterRef("pk"), passed=True)
    return (
        Application.objects.for_tenant(plan.tenant)
        .filter(
            # 缺考 is retaken like 不合格 (see services.results).
            result__in=(Application.Result.FAILED, Application.Result.ABSENT),
            plan__spec__occupation_id=spec.occupation_id,
            plan__spec__job_type_id=spec.job_type_id,
            plan__spec__level_id=spec.level_id,
            plan__scores_locked_at__date__gte=earliest_lock,
        )
        .exclude(plan=plan)
        .filter(Exists(passed_one))
        .exclude(Exists(already))
        .exclude(Exists(retaken))
        .select_related("candidate", "plan")
        .prefetch_related("component_results")
        .order_by("-plan__scores_locked_at", "candidate__name")
    )
