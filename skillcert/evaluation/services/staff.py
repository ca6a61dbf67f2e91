"""Plan staffing: assign and remove staff on a plan, and examiners' recusal from candidates."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import Candidate, User
from skillcert.accounts.roles import Role
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation.models import Application, EvaluationPlan, PlanStaff, Recusal
from skillcert.evaluation.selectors.plans import user_manages_plan
from skillcert.evaluation.selectors.staffing import (
    DUTY_ROLES,
    MARKING_DUTIES,
    examiner_level_short,
    plan_staffing,
)
from skillcert.evaluation.services.plans import _locked, _require_manager

Status = EvaluationPlan.Status
Duty = PlanStaff.Duty

# Staff may change until the scores are locked; after submission only if the ratios stay met.
STAFF_STATUSES = (Status.DRAFT, Status.REJECTED, Status.SUBMITTED, Status.ACKNOWLEDGED)

MSG_STAFF_STATUS = _("成绩锁定后不能再调整计划人员。")
MSG_STAFF_NOT_OWN = _("人员：只能从本机构的工作人员中选派。")
MSG_STAFF_ROLE = _("人员：%(name)s 没有担任%(duty)s所需的角色（%(roles)s）。")
MSG_STAFF_DUPLICATE = _("人员：%(name)s 已担任本计划的%(duty)s。")
MSG_CHIEF_EXISTS = _("本计划已有考评组长，请先移除后再指定。")
MSG_NO_REVIEW = _("该评价规范不含综合评审，不需要评审组成员。")
MSG_EXAMINER_LEVEL = _("人员：%(name)s 未持有本职业%(level)s或更高等级的资质，不能担任%(duty)s。")
MSG_REMOVE_BREAKS = _("计划已提交，移除后人员配备将不符合要求：%(problems)s")
MSG_RECUSAL_STATUS = _("成绩锁定后不能再申报回避。")
MSG_RECUSAL_ACTOR = _("回避只能由考评人员本人或本机构的管理员、考务人员申报。")
MSG_RECUSAL_NOT_MARKING = _("回避：%(name)s 不是本计划的考评人员。")
MSG_RECUSAL_NOT_CANDIDATE = _("回避：该考生未报名本计划。")
MSG_RECUSAL_EXISTS = _("回避：已申报过该考生的回避。")
MSG_RELATIONSHIP_REQUIRED = _("关系说明：请填写与考生的关系（如亲属、同一班组）。")


def _name(user: User) -> str:
    return user.full_name or user.username


@transaction.atomic
def plan_staff_assign(
    *, plan: EvaluationPlan, user: User, duty: str, actor: User, context: RequestContext = NO_REQUEST
) -> PlanStaff:
    """Assign a member of the body's staff to a duty on the plan (examiner, invigilator, reviewer …)."""
    _require_manager(actor=actor, plan=plan)
    plan = _locked(plan)
    if plan.status not in STAFF_STATUSES:
        raise ApplicationError(str(MSG_STAFF_STATUS), extra={"status": 409})
    if duty not in Duty.values:
        raise ValidationError({"duty": str(_("请选择职责。"))})
    duty_label = Duty(duty).label
    if user.body_id != plan.tenant_id:
        raise ApplicationError(str(MSG_STAFF_NOT_OWN), extra={"field": "user"})
    if not user.has_role(*DUTY_ROLES[duty]):
        roles = "、".join(str(Role(role).label) for role in DUTY_ROLES[duty])
        raise ApplicationError(
            MSG_STAFF_ROLE % {"name": _name(user), "duty": duty_label, "roles": roles},
            extra={"field": "user"},
        )
    if duty == Duty.REVIEWER and not plan.spec.has_review:
        raise ApplicationError(str(MSG_NO_REVIEW), extra={"field": "duty"})
    if duty in MARKING_DUTIES and examiner_level_short(plan=plan, user=user):
        raise ApplicationError(
            MSG_EXAMINER_LEVEL % {"name": _name(user), "level": plan.spec.level.label, "duty": duty_label},
            extra={"field": "user"},
        )
    if plan.staff.filter(user=user, duty=duty).exists():
        raise ApplicationError(MSG_STAFF_DUPLICATE % {"name": _name(user), "duty": duty_label})
    if duty == Duty.CHIEF_EXAMINER and plan.staff.filter(duty=Duty.CHIEF_EXAMINER).exists():
        raise ApplicationError(str(MSG_CHIEF_EXISTS), extra={"field": "duty"})
    staff = PlanStaff.objects.create(plan=plan, user=user, duty=duty)
    audit_record(
        actor=actor,
        action="plan.staff_assigned",
        target=plan,
        data={"number": plan.number, "user": user.username, "duty": duty},
        context=context,
    )
    return staff


@transaction.atomic
def plan_staff_remove(*, staff: PlanStaff, actor: User, context: RequestContext = NO_REQUEST) -> None:
    """Remove a duty from the plan; once submitted, only while the ratios stay met."""
    plan = staff.plan
    _require_manager(actor=actor, plan=plan)
    plan = _locked(plan)
    if plan.status not in STAFF_STATUSES:
        raise ApplicationError(str(MSG_STAFF_STATUS), extra={"status": 409})
    username, duty = staff.user.username, staff.duty
    # Delete by key, not through the instance: a refusal below rolls the row back, and the caller's
    # instance must keep its pk.
    PlanStaff.objects.filter(pk=staff.pk).delete()
    if plan.status in (Status.SUBMITTED, Status.ACKNOWLEDGED):
        unmet = [str(rule.message) for rule in plan_staffing(plan=plan) if not rule.met]
        if unmet:
            # Raising rolls the deletion back with the transaction.
            raise ApplicationError(MSG_REMOVE_BREAKS % {"problems": " ".join(unmet)}, extra={"status": 409})
    audit_record(
        actor=actor,
        action="plan.staff_removed",
        target=plan,
        data={"number": plan.number, "user": username, "duty": duty},
        context=context,
    )


@transaction.atomic
def recusal_declare(
    *,
    plan: EvaluationPlan,
    examiner: User,
    candidate: Candidate,
    relationship: str,
    actor: User,
    context: RequestContext = NO_REQUEST,
) -> Recusal:
    """Record an examiner's relationship with a candidate: the examiner will not mark that candidate."""
    if actor.pk != examiner.pk and not user_manages_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_RECUSAL_ACTOR))
    relationship = " ".join((relationship or "").split())
    if not relationship or len(relationship) > 200:
        raise ValidationError({"relationship": str(MSG_RELATIONSHIP_REQUIRED)})
    plan = _locked(plan)
    if plan.status not in STAFF_STATUSES:
        raise ApplicationError(str(MSG_RECUSAL_STATUS), extra={"status": 409})
    if not plan.staff.filter(user=examiner, duty__in=MARKING_DUTIES).exists():
        raise ApplicationError(
            MSG_RECUSAL_NOT_MARKING % {"name": _name(examiner)}, extra={"field": "examiner"}
        )
    if not Application.objects.filter(plan=plan, candidate=candidate).exists():
        raise ApplicationError(str(MSG_RECUSAL_NOT_CANDIDATE), extra={"field": "candidate"})
    if plan.recusals.filter(examiner=examiner, candidate=candidate).exists():
        raise ApplicationError(str(MSG_RECUSAL_EXISTS), extra={"status": 409})
    recusal = Recusal.objects.create(
        plan=plan,
        examiner=examiner,
        candidate=candidate,
        relationship=relationship,
        declared_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="plan.recusal_declared",
        target=plan,
        data={
            "number": plan.number,
            "examiner": examiner.username,
            "candidate": candidate.pk,
            "relationship": relationship,
        },
        context=context,
    )
    return recusal
