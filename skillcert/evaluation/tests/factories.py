"""Test builders for the evaluation stages: a spec in a filed scope, a staffed plan, candidates, applications.

Plain functions over the ``world`` fixture; they write rows directly (no audit events), so that tests of
later stages start from a plan in any status without walking the spine first.
"""

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from skillcert.accounts.models import Candidate, User, UserRole
from skillcert.accounts.roles import Role
from skillcert.accounts.services import candidate_create
from skillcert.core.identifiers import resident_id_check_character
from skillcert.evaluation.models import (
    Application,
    Component,
    EvaluationPlan,
    EvaluationSpec,
    PlanSession,
    PlanStaff,
    StaffQualification,
)
from skillcert.evaluation.services.plans import _next_number
from skillcert.reference.models import JobType, Occupation, SkillLevel
from skillcert.registry.models import Body, FiledScope, FilingApplication, Site

# Statuses after the authority's acknowledgment: the plan has been submitted and decided.
_SUBMITTED_OR_LATER = {
    status for status in EvaluationPlan.Status.values if status != EvaluationPlan.Status.DRAFT
}
_DECIDED = _SUBMITTED_OR_LATER - {EvaluationPlan.Status.SUBMITTED}


def make_resident_id(
    birth_date: date, *, sex: str = "M", address_code: str = "310115", sequence: int = 1
) -> str:
    """A valid 18-digit resident ID number (odd sequence digit for men, even for women)."""
    order = sequence * 2 + (1 if sex == "M" else 0)  # last of the 3 sequence digits gives the sex
    first17 = f"{address_code}{birth_date:%Y%m%d}{order % 1000:03d}"
    return first17 + resident_id_check_character(first17)


def filed_scope_ensure(
    body: Body, *, occupation: Occupation, level: SkillLevel, job_type: JobType | None = None
) -> FiledScope:
    """The body's scope row in force for this occupation / job type / level, created if missing."""
    existing = FiledScope.objects.filter(
        tenant=body, occupation=occupation, job_type=job_type, level=level, withdrawn_at__isnull=True
    ).first()
    if existing:
        return existing
    filing = FilingApplication.objects.filter(tenant=body, status=FilingApplication.Status.APPROVED).first()
    if filing is None:
        filing = FilingApplication.objects.create(
            tenant=body,
            status=FilingApplication.Status.APPROVED,
            body_name=body.name,
            credit_code=body.credit_code,
            body_kind=body.kind,
            district=body.district,
            address=body.address or "上海市",
            contact_name=body.contact_name or "联系人",
            contact_phone=body.contact_phone or "021-12345678",
            submitted_at=timezone.now(),
            decided_at=timezone.now(),
        )
    return FiledScope.objects.create(
        tenant=body,
        occupation=occupation,
        job_type=job_type,
        level=level,
        granted_by=filing,
        granted_at=timezone.now(),
    )


def make_spec(
    world,
    *,
    body: Body | None = None,
    occupation_code: str = "6-31-01-03",
    level_code: str = "L3",
    **overrides: Any,
) -> EvaluationSpec:
    """A spec of ``body`` (default body_y) in its filed scope (the scope row is added when missing)."""
    body = body or world.body_y
    occupation = Occupation.objects.get(code=occupation_code)
    level = SkillLevel.objects.get(code=level_code)
    job_type = overrides.pop("job_type", None)
    filed_scope_ensure(body, occupation=occupation, level=level, job_type=job_type)
    overrides.setdefault("has_review", level.rank >= 4)
    return EvaluationSpec.objects.create(
        tenant=body, occupation=occupation, job_type=job_type, level=level, **overrides
    )


def _site_of(world, body: Body) -> Site:
    if body.pk == world.body_y.pk:
        return world.site_y
    if body.pk == world.body_s.pk:
        return world.site_s
    return (
        Site.objects.filter(tenant=body, is_active=True, sequence_code__isnull=False).order_by("pk").first()
    )


def staff_user(body: Body, role: str, index: int, *, qualify: EvaluationSpec | None = None) -> User:
    """A member of the body's staff with ``role`` (created once per body, role and index)."""
    username = f"b{body.pk}-{role.split('_')[-1]}-{index}"
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"full_name": f"{body.name[:4]}{role.split('_')[-1]}{index}", "body": body},
    )
    if created:
        UserRole.objects.create(user=user, role=role)
    if qualify is not None:
        qualify_examiner(user, spec=qualify)
    return user


def qualify_examiner(user: User, *, spec: EvaluationSpec, level_code: str = "L1") -> StaffQualification:
    """Give ``user`` a qualification in the spec's occupation (default 一级, enough for every level)."""
    qualification, _created = StaffQualification.objects.get_or_create(
        user=user,
        occupation=spec.occupation,
        defaults={"tenant": spec.tenant, "level": SkillLevel.objects.get(code=level_code)},
    )
    return qualification


def staff_plan(world, plan: EvaluationPlan) -> None:
    """Assign the staff the plan's ratios call for: chief examiner, examiners, invigilators, reviewers."""
    spec, body = plan.spec, plan.tenant
    duties: list[tuple[User, str]] = []
    if body.pk == world.body_y.pk:
        chief = world.body_y_examiner
        qualify_examiner(chief, spec=spec)
        duties.append((world.body_y_internal_supervisor, PlanStaff.Duty.INTERNAL_SUPERVISOR))
    else:
        chief = staff_user(body, Role.EXAMINER, 0, qualify=spec)
    if spec.has_skills or spec.has_review:
        duties.append((chief, PlanStaff.Duty.CHIEF_EXAMINER))
    if spec.has_skills:
        needed = max(spec.min_examiners, math.ceil(plan.capacity / spec.candidates_per_examiner))
        needed += 1 - needed % 2
        duties += [
            (staff_user(body, Role.EXAMINER, i, qualify=spec), PlanStaff.Duty.EXAMINER)
            for i in range(1, needed)
        ]
    if spec.has_theory:
        needed = max(
            math.ceil(plan.capacity / spec.candidates_per_invigilator), spec.min_invigilators_per_room
        )
        duties += [
            (staff_user(body, Role.EXAM_STAFF, i), PlanStaff.Duty.INVIGILATOR) for i in range(1, needed + 1)
        ]
    if spec.has_review:
        needed = spec.min_review_panel + 1 - spec.min_review_panel % 2
        duties += [
            (staff_user(body, Role.EXAMINER, 100 + i, qualify=spec), PlanStaff.Duty.REVIEWER)
            for i in range(1, needed + 1)
        ]
    PlanStaff.objects.bulk_create([PlanStaff(plan=plan, user=user, duty=duty) for user, duty in duties])


def session_times(spec: EvaluationSpec, first_session_at: datetime) -> list[tuple[str, datetime, datetime]]:
    """One session per component on consecutive days from ``first_session_at``, each of the spec's length."""
    minutes = {
        Component.THEORY: spec.theory_minutes,
        Component.SKILLS: spec.skills_minutes,
        Component.REVIEW: spec.review_minutes,
    }
    return [
        (
            component,
            first_session_at + timedelta(days=index),
            first_session_at + timedelta(days=index, minutes=minutes[component]),
        )
        for index, component in enumerate(spec.components())
    ]


def default_first_session_at(days_ahead: int = 30) -> datetime:
    day = timezone.localdate() + timedelta(days=days_ahead)
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def make_plan(
    world,
    *,
    spec: EvaluationSpec | None = None,
    status: str = EvaluationPlan.Status.ACKNOWLEDGED,
    capacity: int = 30,
    first_session_at: datetime | None = None,
    staffed: bool = True,
) -> EvaluationPlan:
    """A plan of the spec's body at its site, one session per component, fully staffed, in ``status``.

    The default status is ACKNOWLEDGED (open for applications); the first component is 30 days ahead.
    """
    spec = spec or make_spec(world)
    body = spec.tenant
    now = timezone.now()
    decider = world.pudong_reviewer if body.district_id == world.pudong.code else world.minhang_reviewer
    site = _site_of(world, body)
    plan = EvaluationPlan.objects.create(
        tenant=body,
        number=_next_number(site),
        spec=spec,
        site=site,
        capacity=capacity,
        status=status,
        submitted_at=now if status in _SUBMITTED_OR_LATER else None,
        decided_at=now if status in _DECIDED else None,
        decided_by=decider if status in _DECIDED else None,
    )
    PlanSession.objects.bulk_create(
        [
            PlanSession(plan=plan, component=component, starts_at=starts, ends_at=ends, room="101")
            for component, starts, ends in session_times(spec, first_session_at or default_first_session_at())
        ]
    )
    if staffed:
        staff_plan(world, plan)
    return plan


def make_candidate(name: str, id_number: str) -> Candidate:
    """A candidate with a resident ID number (encrypted, indexed, masked), created by the real service."""
    return candidate_create(name=name, id_type=Candidate.IdType.RESIDENT_ID, id_number=id_number, actor=None)


def make_application(plan: EvaluationPlan, candidate: Candidate, **evidence: Any) -> Application:
    """An eligible application of ``candidate`` to ``plan``; keyword arguments set any Application field."""
    evidence.setdefault("status", Application.Status.ELIGIBLE)
    evidence.setdefault("source", Application.Source.BODY)
    if "work_years" in evidence:
        evidence["work_years"] = Decimal(str(evidence["work_years"]))
    return Application.objects.create(tenant=plan.tenant, plan=plan, candidate=candidate, **evidence)
