"""Walking one demo plan through the evaluation services, up to the stage it is to show.

Every state change goes through the service a person would use in the portal (create, staff, submit,
acknowledge, apply, enter and confirm scores, lock, publish, answer an objection, report, approve, issue),
with the actor that service expects, so the audit log reads like real work.

Time is the one thing the demo cannot wait for: a plan must be submitted N working days before its first
component and scored only after it; a report needs a publicity period that has ended. The demo therefore
runs each plan with its exam in the future and then moves dates, by direct updates of date and time
fields only, never of statuses or scores (``time_machine`` is a test dependency, not installed at run
time, and would not leave a database that looks lived-in anyway):

* before scoring, the plan's sessions are moved to the exam day chosen for the plan (in the past);
* before reporting, the publicity period is moved to end before today;
* at the end, ``_settle`` sets the other timestamps of the plan's history (submitted, acknowledged,
  applied, scored, locked, objection, report) to a consistent timeline around the exam day.

The audit events keep the real time at which the demo ran: the audit log is hash-chained and append-only.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from skillcert.accounts.models import Candidate, User
from skillcert.certificates.services import certificates_issue_for_plan
from skillcert.core.calendar import add_working_days
from skillcert.core.request_context import RequestContext
from skillcert.evaluation.eligibility import Evidence
from skillcert.evaluation.models import (
    Application,
    Component,
    EvaluationPlan,
    EvaluationSpec,
    Objection,
    PlanSession,
    PlanStaff,
    Recusal,
    ResultReport,
    ScoreEntry,
)
from skillcert.evaluation.selectors.publicity import mask_name, publicity_ends_on
from skillcert.evaluation.selectors.scores import ScoreSheet, ScoreSlot, plan_score_sheet
from skillcert.evaluation.services import (
    SessionInput,
    application_register,
    application_submit,
    objection_answer,
    objection_lodge,
    plan_acknowledge,
    plan_assign_external_supervisor,
    plan_create,
    plan_publicity_start,
    plan_scores_lock,
    plan_staff_assign,
    plan_submit,
    recusal_declare,
    result_report_approve,
    result_report_submit,
    score_confirm_sheet,
    score_enter_sheet,
)
from skillcert.evaluation.services.scores import mark_text
from skillcert.registry.models import Site

Status = EvaluationPlan.Status
Duty = PlanStaff.Duty
CAPACITY = 15  # 3 examiners (1:5) and 2 invigilators (at least 2 a room) cover it
# A public objection comes from the documentation address range (RFC 5737), not from a real network.
OBJECTION_CONTEXT = RequestContext(ip_address="203.0.113.45", request_id="demo-objection")


@dataclass(frozen=True, slots=True)
class Crew:
    """The people who act on a body's plans: its staff, and the reviewer of its district."""

    admin: User
    exam_staff: User  # creates the plan, registers candidates, enters theory scores, invigilates
    invigilator: User  # a second exam staff member
    examiners: tuple[User, ...]  # the first is the chief examiner
    internal_supervisor: User
    reviewer: User  # the district authority's reviewer
    external_supervisor: User | None = None


@dataclass(frozen=True, slots=True)
class Applicant:
    name: str
    id_number: str
    mobile: str
    evidence: Evidence
    passes: bool
    user: User | None = None  # applies through their own account when set
    absent_from: tuple[str, ...] = ()  # components they do not sit: marked 缺考


@dataclass(frozen=True, slots=True)
class Walk:
    spec: EvaluationSpec
    site: Site
    crew: Crew
    applicants: tuple[Applicant, ...]
    stage: str  # the status the plan is to reach
    exam_on: date  # the day of the exam (theory and skills; review the next working day)
    seed: str
    group_name: str = ""
    recusal: bool = False
    objection: bool = False


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _sessions(spec: EvaluationSpec, exam_on: date) -> list[SessionInput]:
    """Theory in the morning, skills in the afternoon, review (levels 2 and 1) the next working day."""
    starts: dict[str, datetime] = {
        Component.THEORY: _at(exam_on, 9),
        Component.SKILLS: _at(exam_on, 13, 30),
        Component.REVIEW: _at(add_working_days(exam_on, 1), 9),
    }
    minutes: dict[str, int] = {
        Component.THEORY: spec.theory_minutes,
        Component.SKILLS: spec.skills_minutes,
        Component.REVIEW: spec.review_minutes,
    }
    return [
        SessionInput(
            component=component,
            starts_at=starts[component],
            ends_at=starts[component] + timedelta(minutes=minutes[component]),
            room="实训楼 301" if component == Component.SKILLS else "教学楼 201",
        )
        for component in spec.components()
    ]


def _staff(plan: EvaluationPlan, crew: Crew) -> None:
    chief, *examiners = crew.examiners
    duties = [(chief, Duty.CHIEF_EXAMINER), *((user, Duty.EXAMINER) for user in examiners)]
    duties += [(crew.exam_staff, Duty.INVIGILATOR), (crew.invigilator, Duty.INVIGILATOR)]
    duties.append((crew.internal_supervisor, Duty.INTERNAL_SUPERVISOR))
    if plan.spec.has_review:
        duties += [(user, Duty.REVIEWER) for user in crew.examiners]
    for user, duty in duties:
        plan_staff_assign(plan=plan, user=user, duty=duty, actor=crew.exam_staff)


def _apply(walk: Walk, plan: EvaluationPlan) -> dict[int, Applicant]:
    """Every applicant applies (or is registered); returns application id → applicant."""
    applied = {}
    source = Application.Source.GROUP if walk.group_name else Application.Source.BODY
    for applicant in walk.applicants:
        if applicant.user is not None:
            application = application_submit(
                plan=plan,
                candidate=Candidate.objects.get(user=applicant.user),
                evidence=applicant.evidence,
                source=Application.Source.SELF,
                actor=applicant.user,
            )
        else:
            application = application_register(
                plan=plan,
                name=applicant.name,
                id_type=Candidate.IdType.RESIDENT_ID,
                id_number=applicant.id_number,
                mobile=applicant.mobile,
                evidence=applicant.evidence,
                source=source,
                group_name=walk.group_name,
                actor=walk.crew.exam_staff,
            )
        applied[application.pk] = applicant
    return applied


def _move_sessions(plan: EvaluationPlan, exam_on: date) -> None:
    """Date move: the plan's sessions take place on ``exam_on`` (see the module docstring)."""
    for session in _sessions(plan.spec, exam_on):
        PlanSession.objects.filter(plan=plan, component=session.component).update(
            starts_at=session.starts_at, ends_at=session.ends_at
        )


def _marks(
    sheet: ScoreSheet, applicants: dict[int, Applicant], rng: random.Random
) -> dict[ScoreSlot, Decimal | None]:
    """A mark for every slot of the sheet: a passing candidate passes every component, a failing one
    fails one component; the examiners of a component differ by a few points. A component the
    candidate does not sit is marked 缺考 (None)."""
    bases: dict[tuple[int, str], tuple[int, bool]] = {}
    for application in sheet.applications:
        components = sheet.required_components(application)
        applicant = applicants.get(application.pk)
        failing = None if applicant is None or applicant.passes else rng.choice(components)
        for component in components:
            low, high = (46, 56) if component == failing else (66, 93)
            bases[(application.pk, component)] = (rng.randint(low, high), component == failing)
    absent = {(pk, component) for pk, applicant in applicants.items() for component in applicant.absent_from}
    marks: dict[ScoreSlot, Decimal | None] = {}
    for slot in sheet.slots:
        base, fails = bases[(slot.application_id, slot.component)]
        value = base if slot.marker_id is None else base + rng.randint(-3, 3)
        value = min(value, 58) if fails else max(value, 61)
        mark = Decimal(value) + (Decimal("0.5") if rng.random() < 0.2 else Decimal(0))
        marks[slot] = None if (slot.application_id, slot.component) in absent else mark
    return marks


def _score(plan: EvaluationPlan, crew: Crew, applicants: dict[int, Applicant], seed: str) -> None:
    """Enter every score (theory by exam staff, each examiner their own), then confirm by a second person."""
    sheet = plan_score_sheet(plan=plan)
    marks = _marks(sheet, applicants, random.Random(seed))  # noqa: S311 - repeatable demo marks, not secrets
    markers = {user.pk: user for users in sheet.markers.values() for user in users}
    sheets: dict[tuple[str, int | None], dict[int, str]] = defaultdict(dict)
    for slot, mark in marks.items():
        sheets[(slot.component, slot.marker_id)][slot.application_id] = mark_text(mark)
    for (component, marker_id), values in sheets.items():
        marker = markers[marker_id] if marker_id is not None else None
        score_enter_sheet(
            plan=plan, component=component, marker=marker, values=values, actor=marker or crew.exam_staff
        )
    # Double entry: the administrator re-types the theory sheet (entered by exam staff), exam staff
    # re-type the examiners' sheets (a mark is typed as it reads: the score, or 缺考).
    entries = list(ScoreEntry.objects.filter(application__plan=plan))
    theory = {e.pk: mark_text(e.mark) for e in entries if e.entered_by_id == crew.exam_staff.pk}
    marked = {e.pk: mark_text(e.mark) for e in entries if e.entered_by_id != crew.exam_staff.pk}
    for confirmer, values in ((crew.admin, theory), (crew.exam_staff, marked)):
        if values:
            score_confirm_sheet(plan=plan, values=values, actor=confirmer)
    plan_scores_lock(plan=plan, actor=crew.examiners[0])


def _object_and_answer(plan: EvaluationPlan, crew: Crew) -> None:
    """Someone objects to one listed person during publicity; the body answers."""
    listed = plan.applications.filter(result=Application.Result.PASSED).select_related("candidate").first()
    subject = mask_name(listed.candidate.name) if listed else "整体名单"
    objection = objection_lodge(
        plan=plan,
        subject=subject,
        text=f"反映公示名单中的{subject}实际从事本职业工作年限不足，申报材料可能不实，请核查。",
        contact_name="赵先生",
        contact_phone="13916000045",
        context=OBJECTION_CONTEXT,
    )
    objection_answer(
        objection=objection,
        answer=(
            "经核查该考生的劳动合同、社保缴纳记录和单位出具的工作证明，其从事本职业的年限符合申报条件，"
            "考核过程有监控录像可查，成绩真实有效，维持公示结果。感谢您的监督。"
        ),
        actor=crew.admin,
    )


def _move_publicity(plan: EvaluationPlan, exam_on: date) -> None:
    """Date move: the publicity started 4 working days after the exam and has ended (module docstring)."""
    starts_on = add_working_days(exam_on, 4)
    EvaluationPlan.objects.filter(pk=plan.pk).update(
        publicity_starts_on=starts_on, publicity_ends_on=publicity_ends_on(starts_on=starts_on)
    )


def _publicity_dates(plan: EvaluationPlan) -> tuple[date, date]:
    """The plan's publicity period as stored now (after a date move)."""
    plan.refresh_from_db(fields=["publicity_starts_on", "publicity_ends_on"])
    if plan.publicity_starts_on is None or plan.publicity_ends_on is None:
        raise ValueError(f"{plan.number} has no publicity period")
    return plan.publicity_starts_on, plan.publicity_ends_on


def _approval_day(plan: EvaluationPlan) -> date:
    return add_working_days(_publicity_dates(plan)[1], 3)


def _settle(plan: EvaluationPlan, walk: Walk) -> None:
    """Date moves: the history's timestamps follow one timeline around the exam day (module docstring)."""
    exam_on, reached = walk.exam_on, STAGES.index(walk.stage)
    EvaluationPlan.objects.filter(pk=plan.pk).update(
        submitted_at=_at(add_working_days(exam_on, -12), 10),
        decided_at=_at(add_working_days(exam_on, -10), 15),
    )
    for index, pk in enumerate(plan.applications.order_by("pk").values_list("pk", flat=True)):
        applied = _at(add_working_days(exam_on, -9 + index % 6), 9 + index % 8, (index * 7) % 60)
        Application.objects.filter(pk=pk).update(created_at=applied)
    scored_on = add_working_days(exam_on, 1)
    ScoreEntry.objects.filter(application__plan=plan).update(
        entered_at=_at(scored_on, 10), confirmed_at=_at(scored_on, 16)
    )
    Recusal.objects.filter(plan=plan).update(declared_at=_at(add_working_days(exam_on, -1), 17))
    if reached >= STAGES.index(Status.PUBLICITY):
        locked_at = _at(add_working_days(exam_on, 2), 11)
        EvaluationPlan.objects.filter(pk=plan.pk).update(scores_locked_at=locked_at)
    if reached < STAGES.index(Status.REPORTED):
        return
    starts_on, ends_on = _publicity_dates(plan)
    Objection.objects.filter(plan=plan).update(
        lodged_at=_at(add_working_days(starts_on, 1), 14, 20),
        answered_at=_at(add_working_days(starts_on, 2), 10),
    )
    reported_on = add_working_days(ends_on, 1)
    ResultReport.objects.filter(plan=plan).update(
        submitted_at=_at(reported_on, 10),
        review_due_on=add_working_days(reported_on, settings.SKILLCERT_RESULT_REVIEW_WORKING_DAYS),
    )
    if reached == STAGES.index(Status.ISSUED):
        ResultReport.objects.filter(plan=plan).update(reviewed_at=_at(_approval_day(plan), 15))


STAGES = (Status.ACKNOWLEDGED, Status.SCORES_LOCKED, Status.PUBLICITY, Status.REPORTED, Status.ISSUED)


def plan_walk(walk: Walk) -> EvaluationPlan:
    """Create the plan and take it through the services up to ``walk.stage``."""
    crew, spec, today = walk.crew, walk.spec, timezone.localdate()
    days = settings.SKILLCERT_PLAN_SUBMIT_WORKING_DAYS
    # A plan to be taken further is run with its exam in the future first (moved back before scoring).
    earliest = add_working_days(today, days + 3)
    first = walk.exam_on if walk.exam_on >= earliest else earliest
    plan = plan_create(
        body=spec.tenant,
        spec=spec,
        site=walk.site,
        capacity=CAPACITY,
        sessions=_sessions(spec, first),
        actor=crew.exam_staff,
    )
    _staff(plan, crew)
    plan_submit(plan=plan, actor=crew.admin)
    if crew.external_supervisor is not None:
        plan_assign_external_supervisor(plan=plan, supervisor=crew.external_supervisor, actor=crew.reviewer)
    plan_acknowledge(plan=plan, actor=crew.reviewer)
    applicants = _apply(walk, plan)
    if walk.recusal:
        related = plan.applications.select_related("candidate").order_by("pk")[0]
        recusal_declare(
            plan=plan,
            examiner=crew.examiners[-1],
            candidate=related.candidate,
            relationship="该考生是本人所在班组的徒弟（师徒关系）",
            actor=crew.examiners[-1],
        )
    reached = STAGES.index(walk.stage)
    if reached > 0:
        _move_sessions(plan, walk.exam_on)
        _score(plan, crew, applicants, walk.seed)
    if reached > 1:
        plan = plan_publicity_start(plan=plan, actor=crew.admin)
        if walk.objection:
            _object_and_answer(plan, crew)
    if reached > 2:
        _move_publicity(plan, walk.exam_on)
        report = result_report_submit(plan=plan, actor=crew.admin)
    if reached > 3:
        result_report_approve(report=report, actor=crew.reviewer)
        certificates_issue_for_plan(plan=plan, actor=crew.admin, issue_date=_approval_day(plan))
    if reached > 0:
        _settle(plan, walk)
    plan.refresh_from_db()
    return plan
