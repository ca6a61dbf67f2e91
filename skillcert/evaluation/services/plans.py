"""Evaluation plans (考前计划): create, update, submit to the authority, acknowledge or reject, assign an
external supervisor. Staffing and recusal live in ``services/staff.py``."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.core.audit import audit_record
from skillcert.core.calendar import add_working_days
from skillcert.core.errors import ApplicationError
from skillcert.core.regions import scope_prefix
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation.models import Component, EvaluationPlan, EvaluationSpec, PlanSession
from skillcert.evaluation.selectors.plans import (
    plan_first_session_date,
    user_manages_plan,
    user_oversees_plan,
)
from skillcert.evaluation.selectors.specs import scope_covers
from skillcert.evaluation.selectors.staffing import plan_staffing_problems
from skillcert.evaluation.services.specs import require_body_manager
from skillcert.registry.models import Body, Site
from skillcert.registry.services import body_require_may_evaluate

Status = EvaluationPlan.Status

EDITABLE_STATUSES = (Status.DRAFT, Status.REJECTED)
SUPERVISOR_STATUSES = (Status.SUBMITTED, Status.ACKNOWLEDGED)

MSG_NOT_MANAGER = _("只有本机构的管理员或考务人员可以办理评价计划。")
MSG_NOT_AUTHORITY = _("只有机构所在区的人社部门工作人员可以办理此计划。")
MSG_SPEC_NOT_OWN = _("评价规范：不是本机构的评价规范。")
MSG_SPEC_OUT_OF_SCOPE = _("评价规范：该职业（工种）等级已不在本机构备案范围内，不能开展评价。")
MSG_SITE_NOT_OWN = _("评价站点：不是本机构的站点。")
MSG_SITE_INACTIVE = _("评价站点：该站点已停用。")
MSG_SITE_NO_CODE = _("评价站点：该站点尚未取得站点序列码，不能开展评价。")
MSG_CAPACITY = _("计划人数应为正整数。")
MSG_SESSION_MISSING = _("考试安排：缺少%(component)s的时间。")
MSG_SESSION_EXTRA = _("考试安排：评价规范不含%(component)s。")
MSG_SESSION_DUPLICATE = _("考试安排：%(component)s只能安排一次。")
MSG_SESSION_ORDER = _("考试安排：%(component)s的结束时间应晚于开始时间。")
MSG_SESSION_SHORT = _("考试安排：%(component)s时长 %(minutes)d 分钟，少于评价规范规定的 %(required)d 分钟。")
MSG_SESSION_PAST = _("考试安排：%(component)s的开始时间已过。")
MSG_NOT_EDITABLE = _("只有草稿或被退回的计划可以修改。")
MSG_NOT_SUBMITTABLE = _("只有草稿或被退回的计划可以提交。")
MSG_SUBMIT_TOO_LATE = _(
    "提交过晚：计划须在首场考试（%(first)s）前至少 %(days)d 个工作日提交，最晚提交日为 %(deadline)s。"
    "如今天提交，首场考试最早可安排在 %(earliest)s。"
)
MSG_STAFF_MISSING = _("人员配备不符合要求：%(problems)s")
MSG_NOT_SUBMITTED = _("只有待确认的计划可以确认或退回。")
MSG_ACKNOWLEDGE_TOO_LATE = _("首场考试已经开始，不能再确认该计划；请退回机构调整时间。")
MSG_REASON_REQUIRED = _("请填写退回原因。")
MSG_SUPERVISOR_STATUS = _("只有待确认或报名中的计划可以指派外部督导员。")
MSG_SUPERVISOR_NOT_ELIGIBLE = _("外部督导员：所选人员不是管辖该机构的人社部门督导员。")


@dataclass(frozen=True, slots=True)
class SessionInput:
    """The date and time of one component of a plan."""

    component: str
    starts_at: datetime
    ends_at: datetime
    room: str = ""


def _require_manager(*, actor: User, plan: EvaluationPlan) -> None:
    if not user_manages_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_NOT_MANAGER))


def _require_authority(*, actor: User, plan: EvaluationPlan) -> None:
    if not user_oversees_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_NOT_AUTHORITY))


def _locked(plan: EvaluationPlan) -> EvaluationPlan:
    """The plan's row, locked for the rest of the transaction (status changes are serialised)."""
    return (
        EvaluationPlan.objects.select_for_update(of=("self",))
        .select_related("tenant", "spec", "spec__level")
        .get(pk=plan.pk)
    )


def _check_spec_and_site(*, body: Body, spec: EvaluationSpec, site: Site) -> None:
    if spec.tenant_id != body.pk:
        raise ApplicationError(str(MSG_SPEC_NOT_OWN), extra={"field": "spec"})
    if not scope_covers(body=body, occupation=spec.occupation, job_type=spec.job_type, level=spec.level):
        raise ApplicationError(str(MSG_SPEC_OUT_OF_SCOPE), extra={"field": "spec"})
    if site.tenant_id != body.pk:
        raise ApplicationError(str(MSG_SITE_NOT_OWN), extra={"field": "site"})
    if not site.is_active:
        raise ApplicationError(str(MSG_SITE_INACTIVE), extra={"field": "site"})
    if not site.sequence_code:
        raise ApplicationError(str(MSG_SITE_NO_CODE), extra={"field": "site"})


def _check_sessions(*, spec: EvaluationSpec, capacity: int, sessions: list[SessionInput]) -> None:
    """One session per component of the spec, each at least the spec's duration, none in the past."""
    errors: list[str] = []
    if not isinstance(capacity, int) or capacity < 1:
        raise ValidationError({"capacity": str(MSG_CAPACITY)})
    labels = dict(Component.choices)
    wanted = spec.components()
    seen: set[str] = set()
    minutes: dict[str, int] = {
        Component.THEORY: spec.theory_minutes,
        Component.SKILLS: spec.skills_minutes,
        Component.REVIEW: spec.review_minutes,
    }
    now = timezone.now()
    for session in sessions:
        label = labels.get(session.component, session.component)
        if session.component not in wanted:
            errors.append(MSG_SESSION_EXTRA % {"component": label})
            continue
        if session.component in seen:
            errors.append(MSG_SESSION_DUPLICATE % {"component": label})
            continue
        seen.add(session.component)
        if session.ends_at <= session.starts_at:
            errors.append(MSG_SESSION_ORDER % {"component": label})
            continue
        length = int((session.ends_at - session.starts_at).total_seconds() // 60)
        if length < minutes[session.component]:
            errors.append(
                MSG_SESSION_SHORT
                % {"component": label, "minutes": length, "required": minutes[session.component]}
            )
        if session.starts_at <= now:
            errors.append(MSG_SESSION_PAST % {"component": label})
    for component in wanted:
        if component not in seen:
            errors.append(MSG_SESSION_MISSING % {"component": labels[component]})
    if errors:
        raise ValidationError({"sessions": errors})


def _save_sessions(plan: EvaluationPlan, sessions: list[SessionInput]) -> None:
    PlanSession.objects.bulk_create(
        [
            PlanSession(
                plan=plan,
                component=s.component,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                room=s.room.strip(),
            )
            for s in sessions
        ]
    )


def _sessions_data(sessions: list[SessionInput]) -> list[dict]:
    return [
        {
            "component": s.component,
            "starts_at": s.starts_at.isoformat(),
            "ends_at": s.ends_at.isoformat(),
            "room": s.room,
        }
        for s in sessions
    ]


def _next_number(site: Site) -> str:
    """P<year>-<site sequence code>-<4-digit sequence>; the caller holds the body's row lock.

    Plan numbers appear in public addresses (the publicity page), so they are built from the site's
    public sequence code, never from an internal key.
    """
    prefix = f"P{timezone.localdate().year}-{site.sequence_code}-"
    last = (
        EvaluationPlan.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


@transaction.atomic
def plan_create(
    *,
    body: Body,
    spec: EvaluationSpec,
    site: Site,
    capacity: int,
    sessions: list[SessionInput],
    actor: User,
    context: RequestContext = NO_REQUEST,
) -> EvaluationPlan:
    """Create a draft plan of the body for one of its specs, at one of its sites, with dated components."""
    require_body_manager(actor=actor, body=body)
    # The body's row lock serialises plan numbering and sees a concurrent suspension.
    body = Body.objects.select_for_update().get(pk=body.pk)
    body_require_may_evaluate(body=body)
    _check_spec_and_site(body=body, spec=spec, site=site)
    _check_sessions(spec=spec, capacity=capacity, sessions=sessions)
    plan = EvaluationPlan(tenant=body, number=_next_number(site), spec=spec, site=site, capacity=capacity)
    plan.full_clean()
    plan.save(force_insert=True)
    _save_sessions(plan, sessions)
    audit_record(
        actor=actor,
        action="plan.created",
        target=plan,
        data={
            "number": plan.number,
            "spec": spec.pk,
            "site": site.sequence_code,
            "capacity": capacity,
            "sessions": _sessions_data(sessions),
        },
        context=context,
    )
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: EvaluationPlan,
    site: Site,
    capacity: int,
    sessions: list[SessionInput],
    actor: User,
    context: RequestContext = NO_REQUEST,
) -> EvaluationPlan:
    """Change a draft or returned plan's site, capacity and component times."""
    _require_manager(actor=actor, plan=plan)
    plan = _locked(plan)
    if plan.status not in EDITABLE_STATUSES:
        raise ApplicationError(str(MSG_NOT_EDITABLE), extra={"status": 409})
    _check_spec_and_site(body=plan.tenant, spec=plan.spec, site=site)
    _check_sessions(spec=plan.spec, capacity=capacity, sessions=sessions)
    before = {"site": plan.site.sequence_code, "capacity": plan.capacity}
    plan.site = site
    plan.capacity = capacity
    plan.full_clean()
    plan.save(update_fields=["site", "capacity"])
    plan.sessions.all().delete()
    _save_sessions(plan, sessions)
    audit_record(
        actor=actor,
        action="plan.updated",
        target=plan,
        data={
            "before": before,
            "site": site.sequence_code,
            "capacity": capacity,
            "sessions": _sessions_data(sessions),
        },
        context=context,
    )
    return plan


@transaction.atomic
def plan_submit(*, plan: EvaluationPlan, actor: User, context: RequestContext = NO_REQUEST) -> EvaluationPlan:
    """Submit the plan to the authority: N working days before its first component, staff complete."""
    _require_manager(actor=actor, plan=plan)
    plan = _locked(plan)
    if plan.status not in EDITABLE_STATUSES:
        raise ApplicationError(str(MSG_NOT_SUBMITTABLE), extra={"status": 409})
    body_require_may_evaluate(body=plan.tenant)
    spec = plan.spec
    if not scope_covers(
        body=plan.tenant, occupation=spec.occupation, job_type=spec.job_type, level=spec.level
    ):
        raise ApplicationError(str(MSG_SPEC_OUT_OF_SCOPE))
    days = settings.SKILLCERT_PLAN_SUBMIT_WORKING_DAYS
    first = plan_first_session_date(plan=plan)
    today = timezone.localdate()
    if first is None:
        raise ApplicationError(str(MSG_SESSION_MISSING % {"component": _("考试")}))
    deadline = add_working_days(first, -days)
    if today > deadline:
        raise ApplicationError(
            MSG_SUBMIT_TOO_LATE
            % {
                "first": first.isoformat(),
                "days": days,
                "deadline": deadline.isoformat(),
                "earliest": add_working_days(today, days).isoformat(),
            }
        )
    problems = plan_staffing_problems(plan=plan)
    if problems:
        raise ApplicationError(MSG_STAFF_MISSING % {"problems": " ".join(problems)})
    from_status = plan.status
    plan.status = Status.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.save(update_fields=["status", "submitted_at"])
    audit_record(
        actor=actor,
        action="plan.submitted",
        target=plan,
        data={
            "number": plan.number,
            "from": from_status,
            "first_session_on": first.isoformat(),
            "deadline": deadline.isoformat(),
        },
        context=context,
    )
    return plan


@transaction.atomic
def plan_acknowledge(
    *, plan: EvaluationPlan, actor: User, context: RequestContext = NO_REQUEST
) -> EvaluationPlan:
    """The authority acknowledges a submitted plan: it opens for applications."""
    _require_authority(actor=actor, plan=plan)
    plan = _locked(plan)
    if plan.status != Status.SUBMITTED:
        raise ApplicationError(str(MSG_NOT_SUBMITTED), extra={"status": 409})
    body_require_may_evaluate(body=plan.tenant)
    first = plan.sessions.order_by("starts_at").values_list("starts_at", flat=True).first()
    if first is not None and first <= timezone.now():
        raise ApplicationError(str(MSG_ACKNOWLEDGE_TOO_LATE), extra={"status": 409})
    plan.status = Status.ACKNOWLEDGED
    plan.decided_at = timezone.now()
    plan.decided_by = actor
    plan.decision_reason = ""
    plan.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit_record(
        actor=actor, action="plan.acknowledged", target=plan, data={"number": plan.number}, context=context
    )
    return plan


@transaction.atomic
def plan_reject(
    *, plan: EvaluationPlan, reason: str, actor: User, context: RequestContext = NO_REQUEST
) -> EvaluationPlan:
    """The authority returns a submitted plan to the body with a reason."""
    _require_authority(actor=actor, plan=plan)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": str(MSG_REASON_REQUIRED)})
    plan = _locked(plan)
    if plan.status != Status.SUBMITTED:
        raise ApplicationError(str(MSG_NOT_SUBMITTED), extra={"status": 409})
    plan.status = Status.REJECTED
    plan.decided_at = timezone.now()
    plan.decided_by = actor
    plan.decision_reason = reason
    plan.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit_record(
        actor=actor,
        action="plan.rejected",
        target=plan,
        data={"number": plan.number, "reason": reason},
        context=context,
    )
    return plan


@transaction.atomic
def plan_assign_external_supervisor(
    *, plan: EvaluationPlan, supervisor: User, actor: User, context: RequestContext = NO_REQUEST
) -> EvaluationPlan:
    """The authority assigns one of its supervisors (外部督导员) to a submitted or open plan."""
    _require_authority(actor=actor, plan=plan)
    plan = _locked(plan)
    if plan.status not in SUPERVISOR_STATUSES:
        raise ApplicationError(str(MSG_SUPERVISOR_STATUS), extra={"status": 409})
    covers = supervisor.is_authority_staff and supervisor.has_role(Role.SUPERVISOR)
    if not covers or not plan.tenant.district_id.startswith(
        scope_prefix(supervisor.authority_region_id or "")
    ):
        raise ApplicationError(str(MSG_SUPERVISOR_NOT_ELIGIBLE), extra={"field": "supervisor"})
    previous = plan.external_supervisor
    plan.external_supervisor = supervisor
    plan.save(update_fields=["external_supervisor"])
    audit_record(
        actor=actor,
        action="plan.external_supervisor_assigned",
        target=plan,
        data={
            "number": plan.number,
            "supervisor": supervisor.username,
            "previous": previous.username if previous else "",
        },
        context=context,
    )
    return plan
