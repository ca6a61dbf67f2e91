"""Evaluation specifications (评价规范): how a body evaluates one scope row (occupation, job type, level)."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.accounts.roles import BODY_MANAGER_ROLES
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation import policy
from skillcert.evaluation.models import EligibilityTemplate, EvaluationPlan, EvaluationSpec
from skillcert.evaluation.selectors.specs import scope_covers
from skillcert.reference.models import JobType, Occupation, SkillLevel
from skillcert.registry.models import Body

# Levels at or above 二级/技师 need 综合评审 (the rank of SkillLevel "L2").
REVIEW_REQUIRED_FROM_RANK = 4
# A spec in use by a plan in one of these statuses is frozen: its pass marks and ratios decide that plan.
ACTIVE_PLAN_STATUSES = (
    EvaluationPlan.Status.SUBMITTED,
    EvaluationPlan.Status.ACKNOWLEDGED,
    EvaluationPlan.Status.SCORES_LOCKED,
    EvaluationPlan.Status.PUBLICITY,
    EvaluationPlan.Status.REPORTED,
    EvaluationPlan.Status.RESULTS_RETURNED,
    EvaluationPlan.Status.RESULTS_APPROVED,
)

MSG_NOT_BODY_MANAGER = _("只有本机构的管理员或考务人员可以维护评价规范和评价计划。")
MSG_NOT_IN_SCOPE = _("该职业（工种）等级不在本机构备案范围内，不能建立评价规范。")
MSG_SPEC_EXISTS = _("本机构已有该职业（工种）等级的评价规范，请直接修改。")
MSG_SPEC_IN_USE = _("该评价规范正用于进行中的评价计划（%(plans)s），计划结束前不能修改。")
MSG_REVIEW_REQUIRED = _("综合评审：二级/技师及以上等级必须包含综合评审。")
MSG_NO_COMPONENT = _("考核科目：至少包含理论知识考试或操作技能考核之一。")
MSG_PASS_MARK = _("及格分应在 0 至 100 之间。")
MSG_MINUTES = _("时长应为 1 至 600 分钟。")
MSG_ODD_MINIMUM = _("应为不少于 %(minimum)d 的奇数。")
MSG_RATIO_LOOSER = _("不能大于 %(maximum)d（每名人员对应的考生数不得多于规定）。")
MSG_AT_LEAST = _("不能少于 %(minimum)d。")
MSG_TEMPLATE = _("请选择申报条件模板。")

# The editable values of a spec, with their defaults (policy settings) for a new one.
SPEC_DEFAULTS: dict[str, Any] = {
    "has_theory": lambda: True,
    "has_skills": lambda: True,
    "has_review": None,  # computed from the level
    "theory_pass_mark": policy.pass_mark,
    "skills_pass_mark": policy.pass_mark,
    "review_pass_mark": policy.pass_mark,
    "theory_minutes": policy.theory_minutes,
    "skills_minutes": policy.skills_minutes,
    "review_minutes": policy.review_minutes,
    "candidates_per_invigilator": policy.candidates_per_invigilator,
    "min_invigilators_per_room": policy.min_invigilators_per_room,
    "candidates_per_examiner": policy.candidates_per_examiner,
    "min_examiners": policy.min_examiners,
    "min_review_panel": policy.min_review_panel,
    "eligibility_template": lambda: EligibilityTemplate.STANDARD_2018,
}
SPEC_FIELDS = tuple(SPEC_DEFAULTS)


def require_body_manager(*, actor: User, body: Body) -> None:
    """The actor is the body's administrator or exam staff."""
    if not (actor.is_authenticated and actor.body_id == body.pk and actor.has_role(*BODY_MANAGER_ROLES)):
        raise ApplicationError(str(MSG_NOT_BODY_MANAGER))


def review_required(level: SkillLevel) -> bool:
    """Levels 2 and 1 (and the 新八级 rungs above) are evaluated with 综合评审."""
    return level.rank >= REVIEW_REQUIRED_FROM_RANK


def _validate(spec: EvaluationSpec) -> None:
    """Field checks of a spec's values against the level and the policy settings."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: Any) -> None:
        errors.setdefault(field, []).append(str(message))

    if review_required(spec.level) and not spec.has_review:
        add("has_review", MSG_REVIEW_REQUIRED)
    if not (spec.has_theory or spec.has_skills):
        add("has_theory", MSG_NO_COMPONENT)
    for field in ("theory_pass_mark", "skills_pass_mark", "review_pass_mark"):
        value = Decimal(str(getattr(spec, field)))
        if not Decimal(0) < value <= Decimal(100):
            add(field, MSG_PASS_MARK)
    for field in ("theory_minutes", "skills_minutes", "review_minutes"):
        if not 1 <= int(getattr(spec, field)) <= 600:
            add(field, MSG_MINUTES)
    for field, minimum in (
        ("min_examiners", policy.min_examiners()),
        ("min_review_panel", policy.min_review_panel()),
    ):
        number = int(getattr(spec, field))
        if number < minimum or number % 2 == 0:
            add(field, MSG_ODD_MINIMUM % {"minimum": minimum})
    # The regulated ratios (domain-cn-skills.md §4.2) are ceilings: a body may only be stricter.
    for field, maximum in (
        ("candidates_per_invigilator", policy.candidates_per_invigilator()),
        ("candidates_per_examiner", policy.candidates_per_examiner()),
    ):
        number = int(getattr(spec, field))
        if number < 1:
            add(field, MSG_AT_LEAST % {"minimum": 1})
        elif number > maximum:
            add(field, MSG_RATIO_LOOSER % {"maximum": maximum})
    if int(spec.min_invigilators_per_room) < policy.min_invigilators_per_room():
        add("min_invigilators_per_room", MSG_AT_LEAST % {"minimum": policy.min_invigilators_per_room()})
    if spec.eligibility_template not in EligibilityTemplate.values:
        add("eligibility_template", MSG_TEMPLATE)
    if errors:
        raise ValidationError(errors)


def _audit_value(field: str, value: Any) -> str:
    # Pass marks compare as numbers with two decimals, so "60" from a form equals 60.00 from the database.
    if field.endswith("_pass_mark"):
        return f"{Decimal(str(value)):.2f}"
    return str(value)


def _audit_values(spec: EvaluationSpec, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: _audit_value(field, getattr(spec, field)) for field in fields}


@transaction.atomic
def spec_create(
    *,
    body: Body,
    occupation: Occupation,
    level: SkillLevel,
    job_type: JobType | None = None,
    values: dict[str, Any] | None = None,
    actor: User,
    context: RequestContext = NO_REQUEST,
) -> EvaluationSpec:
    """Create the body's spec for a scope it is filed for; ``values`` override the policy defaults."""
    require_body_manager(actor=actor, body=body)
    unknown = set(values or {}) - set(SPEC_FIELDS)
    if unknown:
        raise ValueError(f"unknown spec fields: {sorted(unknown)}")
    if not scope_covers(body=body, occupation=occupation, job_type=job_type, level=level):
        raise ApplicationError(str(MSG_NOT_IN_SCOPE))
    # Lock the body row so that two concurrent creations of the same spec cannot both pass the check.
    Body.objects.select_for_update().filter(pk=body.pk).first()
    if (
        EvaluationSpec.objects.for_tenant(body)
        .filter(occupation=occupation, job_type=job_type, level=level)
        .exists()
    ):
        raise ApplicationError(str(MSG_SPEC_EXISTS))
    spec = EvaluationSpec(tenant=body, occupation=occupation, job_type=job_type, level=level)
    for field, default in SPEC_DEFAULTS.items():
        if values and field in values:
            setattr(spec, field, values[field])
        elif field == "has_review":
            spec.has_review = review_required(level)
        else:
            setattr(spec, field, default())
    _validate(spec)
    spec.full_clean()
    spec.save(force_insert=True)
    audit_record(
        actor=actor,
        action="spec.created",
        target=spec,
        data={
            "occupation": occupation.code,
            "job_type": job_type.name if job_type else "",
            "level": level.code,
            **_audit_values(spec, SPEC_FIELDS),
        },
        context=context,
    )
    return spec


@transaction.atomic
def spec_update(
    *,
    spec: EvaluationSpec,
    values: dict[str, Any],
    actor: User,
    context: RequestContext = NO_REQUEST,
) -> EvaluationSpec:
    """Change a spec's components, pass marks, durations, ratios or template (not while a plan runs)."""
    require_body_manager(actor=actor, body=spec.tenant)
    unknown = set(values) - set(SPEC_FIELDS)
    if unknown:
        raise ValueError(f"unknown spec fields: {sorted(unknown)}")
    active = list(
        spec.plans.filter(status__in=ACTIVE_PLAN_STATUSES).order_by("number").values_list("number", flat=True)
    )
    if active:
        raise ApplicationError(MSG_SPEC_IN_USE % {"plans": "、".join(active)})
    before = _audit_values(spec, SPEC_FIELDS)
    for field, value in values.items():
        setattr(spec, field, value)
    _validate(spec)
    spec.full_clean()
    after = _audit_values(spec, SPEC_FIELDS)
    changed = [field for field in SPEC_FIELDS if before[field] != after[field]]
    if not changed:
        return spec
    spec.save(update_fields=changed)
    audit_record(
        actor=actor,
        action="spec.updated",
        target=spec,
        data={"changes": {field: [before[field], after[field]] for field in changed}},
        context=context,
    )
    return spec
