"""Reads on plan staffing: the roles each duty needs, the spec's ratios against the staff assigned, the
examiner level rule, recusal."""

import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.evaluation.models import Component, EvaluationPlan, PlanStaff, Recusal, StaffQualification

Duty = PlanStaff.Duty

# Which roles a member of staff needs for each duty on a plan.
DUTY_ROLES: dict[str, tuple[str, ...]] = {
    Duty.CHIEF_EXAMINER: (Role.EXAMINER,),
    Duty.EXAMINER: (Role.EXAMINER,),
    Duty.REVIEWER: (Role.EXAMINER,),
    Duty.INVIGILATOR: (Role.EXAM_STAFF, Role.EXAMINER),
    Duty.INTERNAL_SUPERVISOR: (Role.INTERNAL_SUPERVISOR,),
}
# Duties whose holders mark candidates: the examiner level rule and recusal apply to them.
MARKING_DUTIES = (Duty.CHIEF_EXAMINER, Duty.EXAMINER, Duty.REVIEWER)


@dataclass(frozen=True, slots=True)
class StaffRequirement:
    """One staffing rule of a plan, and whether the staff assigned meet it."""

    component: str  # Component value, or "" for the whole plan (chief examiner)
    duty: str
    required: int
    assigned: int
    odd: bool  # the number must be odd
    met: bool
    message: str  # what is required, what is assigned


def _assigned(plan: EvaluationPlan, *duties: str) -> int:
    return len({staff.user_id for staff in plan.staff.all() if staff.duty in duties})


def plan_staffing(*, plan: EvaluationPlan) -> list[StaffRequirement]:
    """The ratios of the plan's spec applied to its capacity, with the staff assigned against each."""
    spec = plan.spec
    capacity = plan.capacity
    rules: list[StaffRequirement] = []
    if spec.has_theory:
        required = max(math.ceil(capacity / spec.candidates_per_invigilator), spec.min_invigilators_per_room)
        assigned = _assigned(plan, Duty.INVIGILATOR)
        rules.append(
            StaffRequirement(
                component=Component.THEORY,
                duty=Duty.INVIGILATOR,
                required=required,
                assigned=assigned,
                odd=False,
                met=assigned >= required,
                message=_(
                    "理论知识考试：监考人员至少 %(required)d 名（考生 %(capacity)d 人，"
                    "每 %(ratio)d 名考生 1 名，"
                    "每考场不少于 %(room)d 名），已配备 %(assigned)d 名。"
                )
                % {
                    "required": required,
                    "capacity": capacity,
                    "ratio": spec.candidates_per_invigilator,
                    "room": spec.min_invigilators_per_room,
                    "assigned": assigned,
                },
            )
        )
    if spec.has_skills:
        required = max(spec.min_examiners, math.ceil(capacity / spec.candidates_per_examiner))
        required += 1 - required % 2  # the smallest odd number not below it
        # The chief examiner is a member of the examining panel (考评组) and counts in it.
        assigned = _assigned(plan, Duty.EXAMINER, Duty.CHIEF_EXAMINER)
        rules.append(
            StaffRequirement(
                component=Component.SKILLS,
                duty=Duty.EXAMINER,
                required=required,
                assigned=assigned,
                odd=True,
                met=assigned >= required and assigned % 2 == 1,
                message=_(
                    "操作技能考核：考评员（含考评组长）至少 %(required)d 名且为奇数（考生 %(capacity)d 人，"
                    "每 %(ratio)d 名考生 1 名，不少于 %(minimum)d 名），已配备 %(assigned)d 名。"
                )
                % {
                    "required": required,
                    "capacity": capacity,
                    "ratio": spec.candidates_per_examiner,
                    "minimum": spec.min_examiners,
                    "assigned": assigned,
                },
            )
        )
    if spec.has_review:
        required = spec.min_review_panel + 1 - spec.min_review_panel % 2
        assigned = _assigned(plan, Duty.REVIEWER)
        rules.append(
            StaffRequirement(
                component=Component.REVIEW,
                duty=Duty.REVIEWER,
                required=required,
                assigned=assigned,
                odd=True,
                met=assigned >= required and assigned % 2 == 1,
                message=_("综合评审：评审组成员至少 %(required)d 名且为奇数，已配备 %(assigned)d 名。")
                % {"required": required, "assigned": assigned},
            )
        )
    if spec.has_skills or spec.has_review:
        assigned = _assigned(plan, Duty.CHIEF_EXAMINER)
        rules.append(
            StaffRequirement(
                component="",
                duty=Duty.CHIEF_EXAMINER,
                required=1,
                assigned=assigned,
                odd=False,
                met=assigned == 1,
                message=_("考评组长：须指定 1 名（负责锁定成绩），已指定 %(assigned)d 名。")
                % {"assigned": assigned},
            )
        )
    return rules


def examiner_level_rule_applies() -> bool:
    return settings.SKILLCERT_EXAMINER_LEVEL_RULE == "at_least_examined"


def examiner_level_short(*, plan: EvaluationPlan, user: User) -> bool:
    """Whether the rule "an examiner holds at least the level examined" applies and ``user`` falls short."""
    if not examiner_level_rule_applies():
        return False
    qualification = (
        StaffQualification.objects.for_tenant(plan.tenant)
        .filter(user=user, occupation_id=plan.spec.occupation_id)
        .select_related("level")
        .first()
    )
    return qualification is None or qualification.level.rank < plan.spec.level.rank


def plan_staffing_problems(*, plan: EvaluationPlan) -> list[str]:
    """Every unmet staffing rule and every marking member of staff below the level examined."""
    problems = [str(rule.message) for rule in plan_staffing(plan=plan) if not rule.met]
    marking = {staff.user for staff in plan.staff.all() if staff.duty in MARKING_DUTIES}
    for user in sorted(marking, key=lambda member: member.username):
        if examiner_level_short(plan=plan, user=user):
            problems.append(
                str(
                    _("%(name)s 未持有本职业%(level)s或更高等级的资质，不能担任考评人员。")
                    % {"name": user.full_name or user.username, "level": plan.spec.level.label}
                )
            )
    return problems


def staff_choices(*, plan: EvaluationPlan, duty: str) -> QuerySet[User]:
    """The body's staff who hold a role for ``duty``."""
    return (
        User.objects.filter(body=plan.tenant, is_active=True, roles__role__in=DUTY_ROLES[duty])
        .distinct()
        .order_by("full_name", "username")
    )


def plan_staff_list(*, plan: EvaluationPlan) -> QuerySet[PlanStaff]:
    return plan.staff.select_related("user").order_by("duty", "user__full_name", "user__username")


def plan_recusals(*, plan: EvaluationPlan) -> QuerySet[Recusal]:
    return plan.recusals.select_related("examiner", "candidate").order_by("-declared_at")


def examiner_may_mark(*, plan: EvaluationPlan, examiner: User, candidate) -> bool:
    """Whether ``examiner`` marks on this plan (examiner, chief examiner or reviewer) and has not recused
    themselves from ``candidate``."""
    on_plan = plan.staff.filter(user=examiner, duty__in=MARKING_DUTIES).exists()
    if not on_plan:
        return False
    return not plan.recusals.filter(examiner=examiner, candidate=candidate).exists()
