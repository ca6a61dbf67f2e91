"""``/api/v1/plans``: create a plan, staff it, submit it; the authority acknowledges or rejects it.

The same services as the portal's plan pages. A plan outside the caller's scope (another body's, or a
body outside the authority's region) answers 404.
"""

from datetime import datetime
from typing import Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from skillcert.accounts.models import User
from skillcert.accounts.roles import AUTHORITY_ACTOR_ROLES, BODY_MANAGER_ROLES, STAFF_ROLES
from skillcert.api.v1.auth import require_roles
from skillcert.api.v1.integers import DatabaseId
from skillcert.api.v1.problems import problem_responses
from skillcert.evaluation.models import EvaluationPlan
from skillcert.evaluation.selectors.plans import (
    plan_get_for_user,
    plan_next_steps,
)
from skillcert.evaluation.selectors.specs import spec_get
from skillcert.evaluation.selectors.staffing import plan_staffing
from skillcert.evaluation.services.plans import (
    SessionInput,
    plan_acknowledge,
    plan_create,
    plan_reject,
    plan_submit,
)
from skillcert.evaluation.services.staff import plan_staff_assign
from skillcert.registry.models import Site

router = Router(tags=["plans"])

ComponentName = Literal["theory", "skills", "review"]
DutyName = Literal["chief_examiner", "examiner", "invigilator", "reviewer", "internal_supervisor"]


class PlanSessionIn(Schema):
    component: ComponentName
    starts_at: datetime = Field(description="开始时间（ISO 8601，带时区）")
    ends_at: datetime
    room: str = Field(default="", max_length=60)


class PlanCreateIn(Schema):
    spec_id: DatabaseId = Field(description="本机构评价规范的 id")
    site_id: DatabaseId = Field(description="本机构评价站点的 id")
    capacity: int = Field(ge=1, le=100_000)
    sessions: list[PlanSessionIn] = Field(description="评价规范每个考核科目一场")


class PlanCreateOut(Schema):
    id: int
    number: str
    status: str


class PlanSubmitOut(Schema):
    id: int
    number: str
    status: str
    submitted_at: datetime | None


class PlanAcknowledgeOut(Schema):
    id: int
    number: str
    status: str
    decided_at: datetime | None


class PlanRejectIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class PlanRejectOut(Schema):
    id: int
    number: str
    status: str
    decision_reason: str


class PlanStaffAssignIn(Schema):
    user_id: DatabaseId = Field(description="本机构工作人员的用户 id")
    duty: DutyName


class PlanStaffAssignOut(Schema):
    id: int
    plan_id: int
    user_id: int
    username: str
    duty: str


class PlanSessionOut(Schema):
    component: str
    starts_at: datetime
    ends_at: datetime
    room: str


class PlanNextStepOut(Schema):
    label: str
    url_name: str | None
    explanation: str


class PlanStaffingOut(Schema):
    component: str
    duty: str
    required: int
    assigned: int
    met: bool
    message: str


class PlanDetailOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    body_name: str
    occupation_code: str
    occupation_name: str
    job_type: str | None
    level: str
    site_sequence_code: str | None
    capacity: int
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_reason: str
    external_supervisor: str | None
    sessions: list[PlanSessionOut]
    staffing: list[PlanStaffingOut]
    next_steps: list[PlanNextStepOut]


def _plan(request: HttpRequest, plan_id: int) -> EvaluationPlan:
    return plan_get_for_user(user=request.user, plan_id=plan_id)  # type: ignore[arg-type]


@router.post(
    "",
    response={201: PlanCreateOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plans_create",
    operation_id="plans_create",
    summary="新建评价计划（草稿）",
    description="为本机构的一份评价规范在本机构的站点新建计划草稿：评价规范的每个考核科目一场，时长不少于规范规定。",
)
def create_plan(request: HttpRequest, data: PlanCreateIn):
    """Creates a draft plan of the caller's body."""
    user = require_roles(request, *BODY_MANAGER_ROLES)
    if user.body is None:
        raise Http404
    spec = spec_get(body=user.body, spec_id=data.spec_id)
    site = get_object_or_404(Site.objects.for_tenant(user.body), pk=data.site_id)
    plan = plan_create(
        body=user.body,
        spec=spec,
        site=site,
        capacity=data.capacity,
        sessions=[
            SessionInput(component=s.component, starts_at=s.starts_at, ends_at=s.ends_at, room=s.room)
            for s in data.sessions
        ],
        actor=user,
        context=request.context,  # type: ignore[attr-defined]
    )
    return 201, {"id": plan.pk, "number": plan.number, "status": plan.status}


@router.get(
    "/{plan_id}",
    response={200: PlanDetailOut, **problem_responses(401, 403, 404, 422)},
    url_name="plans_get",
    operation_id="plans_get",
    summary="查看评价计划的状态和下一步",
    description="计划的状态、考试安排、人员配备情况，以及调用者在该计划上的下一步事项。",
)
def get_plan(request: HttpRequest, plan_id: DatabaseId):
    """A plan in the caller's scope with its staffing and the caller's next steps."""
    user = require_roles(request, *STAFF_ROLES)
    plan = _plan(request, plan_id)
    spec = plan.spec
    return 200, {
        "id": plan.pk,
        "number": plan.number,
        "status": plan.status,
        "status_label": plan.get_status_display(),
        "body_name": plan.tenant.name,
        "occupation_code": spec.occupation.code,
        "occupation_name": spec.occupation.name,
        "job_type": spec.job_type.name if spec.job_type else None,
        "level": spec.level.code,
        "site_sequence_code": plan.site.sequence_code,
        "capacity": plan.capacity,
        "submitted_at": plan.submitted_at,
        "decided_at": plan.decided_at,
        "decision_reason": plan.decision_reason,
        "external_supervisor": plan.external_supervisor.username if plan.external_supervisor else None,
        "sessions": [
            {"component": s.component, "starts_at": s.starts_at, "ends_at": s.ends_at, "room": s.room}
            for s in plan.sessions.all()
        ],
        "staffing": [
            {
                "component": rule.component,
                "duty": rule.duty,
                "required": rule.required,
                "assigned": rule.assigned,
                "met": rule.met,
                "message": str(rule.message),
            }
            for rule in plan_staffing(plan=plan)
        ],
        "next_steps": [
            {"label": step.label, "url_name": step.url_name, "explanation": step.explanation}
            for step in plan_next_steps(plan=plan, user=user)
        ],
    }


@router.post(
    "/{plan_id}/staff",
    response={201: PlanStaffAssignOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plans_staff_assign",
    operation_id="plans_staff_assign",
    summary="为评价计划安排人员",
    description="从本机构工作人员中安排考评组长、考评员、监考人员、评审组成员或内部督导员。",
)
def assign_plan_staff(request: HttpRequest, plan_id: DatabaseId, data: PlanStaffAssignIn):
    """Assigns one of the body's staff to a duty on the plan."""
    user = require_roles(request, *BODY_MANAGER_ROLES)
    plan = _plan(request, plan_id)
    member = get_object_or_404(User, pk=data.user_id, body_id=plan.tenant_id)
    staff = plan_staff_assign(
        plan=plan,
        user=member,
        duty=data.duty,
        actor=user,
        context=request.context,  # type: ignore[attr-defined]
    )
    return 201, {
        "id": staff.pk,
        "plan_id": plan.pk,
        "user_id": member.pk,
        "username": member.username,
        "duty": staff.duty,
    }


@router.post(
    "/{plan_id}/submit",
    response={200: PlanSubmitOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plans_submit",
    operation_id="plans_submit",
    summary="提交评价计划",
    description="在首场考试前规定的工作日数之前、人员配备符合要求时，将计划提交所在区人社部门确认。",
)
def submit_plan(request: HttpRequest, plan_id: DatabaseId):
    """Submits a draft or returned plan to the authority."""
    user = require_roles(request, *BODY_MANAGER_ROLES)
    plan = plan_submit(plan=_plan(request, plan_id), actor=user, context=request.context)  # type: ignore[attr-defined]
    return 200, {
        "id": plan.pk,
        "number": plan.number,
        "status": plan.status,
        "submitted_at": plan.submitted_at,
    }


@router.post(
    "/{plan_id}/acknowledge",
    response={200: PlanAcknowledgeOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plans_acknowledge",
    operation_id="plans_acknowledge",
    summary="确认评价计划（开放报名）",
    description="所在区人社部门确认已提交的计划，计划开放报名。",
)
def acknowledge_plan(request: HttpRequest, plan_id: DatabaseId):
    """The authority acknowledges a submitted plan."""
    user = require_roles(request, *AUTHORITY_ACTOR_ROLES)
    plan = plan_acknowledge(plan=_plan(request, plan_id), actor=user, context=request.context)  # type: ignore[attr-defined]
    return 200, {"id": plan.pk, "number": plan.number, "status": plan.status, "decided_at": plan.decided_at}


@router.post(
    "/{plan_id}/reject",
    response={200: PlanRejectOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plans_reject",
    operation_id="plans_reject",
    summary="退回评价计划",
    description="所在区人社部门说明原因，将已提交的计划退回机构修改。",
)
def reject_plan(request: HttpRequest, plan_id: DatabaseId, data: PlanRejectIn):
    """The authority returns a submitted plan with a reason."""
    user = require_roles(request, *AUTHORITY_ACTOR_ROLES)
    plan = plan_reject(
        plan=_plan(request, plan_id),
        reason=data.reason,
        actor=user,
        context=request.context,  # type: ignore[attr-defined]
    )
    return 200, {
        "id": plan.pk,
        "number": plan.number,
        "status": plan.status,
        "decision_reason": plan.decision_reason,
    }
