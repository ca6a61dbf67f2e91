"""``/api/v1``: after the scores are locked: publicity, the result report and its review, the results.

Mounted at the API root (``api.add_router("/", results_router)``) because its paths start with
``/plans/{plan_id}/…``; the scores and their lock are in ``scores.py``. The same services as the portal;
plans are looked up through the scoped selector, so another body's (or another district's) plan is 404.
"""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from skillcert.accounts.models import User
from skillcert.accounts.roles import AUTHORITY_ACTOR_ROLES, BODY_MANAGER_ROLES, STAFF_ROLES
from skillcert.api.v1.auth import require_roles
from skillcert.api.v1.integers import DatabaseId
from skillcert.api.v1.problems import problem_responses
from skillcert.evaluation.models import EvaluationPlan, ResultReport
from skillcert.evaluation.selectors.plans import plan_get_for_user
from skillcert.evaluation.selectors.publicity import plan_current_report
from skillcert.evaluation.selectors.scores import plan_result_counts, plan_results
from skillcert.evaluation.services.publicity import plan_publicity_start
from skillcert.evaluation.services.reports import (
    result_report_approve,
    result_report_return,
    result_report_submit,
)

router = Router(tags=["results"])


# ---- publicity and the result report ----------------------------------------------------------------


class PublicityStartIn(Schema):
    starts_on: date | None = Field(default=None, description="公示开始日期，默认今天")


class PublicityStartOut(Schema):
    id: int
    number: str
    status: str
    publicity_starts_on: date
    publicity_ends_on: date


@router.post(
    "/plans/{plan_id}/publicity",
    response={200: PublicityStartOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plan_publicity_start",
    operation_id="plan_publicity_start",
    summary="发布合格名单公示",
    description=(
        "成绩锁定后公示合格名单（姓名、证件号码脱敏），公示期为规定的工作日数，"
        "开始当天如为工作日计为第 1 天。"
    ),
)
def start_publicity(request: HttpRequest, plan_id: DatabaseId, data: PublicityStartIn):
    """Publishes the plan's passing list."""
    user = require_roles(request, *BODY_MANAGER_ROLES)
    plan = plan_publicity_start(
        plan=plan_get_for_user(user=user, plan_id=plan_id),
        starts_on=data.starts_on,
        actor=user,
        context=request.context,  # type: ignore[attr-defined]
    )
    return 200, {
        "id": plan.pk,
        "number": plan.number,
        "status": plan.status,
        "publicity_starts_on": plan.publicity_starts_on,
        "publicity_ends_on": plan.publicity_ends_on,
    }


class ReportSubmitOut(Schema):
    id: int
    plan_id: int
    status: str
    passed_count: int
    submitted_at: datetime
    review_due_on: date


@router.post(
    "/plans/{plan_id}/report",
    response={201: ReportSubmitOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plan_report_submit",
    operation_id="plan_report_submit",
    summary="报送评价结果",
    description="公示期满、全部异议已答复后（或结果被退回修改后）报送人社部门审核；审核期限按工作日计算。",
)
def submit_report(request: HttpRequest, plan_id: DatabaseId):
    """Reports the plan's results to its authority."""
    user = require_roles(request, *BODY_MANAGER_ROLES)
    report = result_report_submit(
        plan=plan_get_for_user(user=user, plan_id=plan_id),
        actor=user,
        context=request.context,  # type: ignore[attr-defined]
    )
    return 201, {
        "id": report.pk,
        "plan_id": report.plan_id,
        "status": report.status,
        "passed_count": report.passed_count,
        "submitted_at": report.submitted_at,
        "review_due_on": report.review_due_on,
    }


def _current_report(user: User, plan_id: int) -> ResultReport:
    report = plan_current_report(plan=plan_get_for_user(user=user, plan_id=plan_id))
    if report is None:
        raise Http404
    return report


class ReportApproveOut(Schema):
    id: int
    plan_id: int
    status: str
    plan_status: str
    reviewed_at: datetime | None


@router.post(
    "/plans/{plan_id}/report/approve",
    response={200: ReportApproveOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plan_report_approve",
    operation_id="plan_report_approve",
    summary="核准评价结果",
    description="机构所在地区的人社部门核准报送的结果；核准后机构可为合格考生发放证书。",
)
def approve_report(request: HttpRequest, plan_id: DatabaseId):
    """The authority approves the plan's reported results."""
    user = require_roles(request, *AUTHORITY_ACTOR_ROLES)
    report = result_report_approve(
        report=_current_report(user, plan_id),
        actor=user,
        context=request.context,  # type: ignore[attr-defined]
    )
    return 200, {
        "id": report.pk,
        "plan_id": report.plan_id,
        "status": report.status,
        "plan_status": EvaluationPlan.Status.RESULTS_APPROVED,
        "reviewed_at": report.reviewed_at,
    }


class ReportReturnIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class ReportReturnOut(Schema):
    id: int
    plan_id: int
    status: str
    plan_status: str
    review_reason: str


@router.post(
    "/plans/{plan_id}/report/return",
    response={200: ReportReturnOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plan_report_return",
    operation_id="plan_report_return",
    summary="退回评价结果",
    description="人社部门说明原因退回报送的结果；机构可说明原因修改成绩后重新报送。",
)
def return_report(request: HttpRequest, plan_id: DatabaseId, data: ReportReturnIn):
    """The authority returns the plan's reported results with a reason."""
    user = require_roles(request, *AUTHORITY_ACTOR_ROLES)
    report = result_report_return(
        report=_current_report(user, plan_id),
        reason=data.reason,
        actor=user,
        context=request.context,  # type: ignore[attr-defined]
    )
    return 200, {
        "id": report.pk,
        "plan_id": report.plan_id,
        "status": report.status,
        "plan_status": EvaluationPlan.Status.RESULTS_RETURNED,
        "review_reason": report.review_reason,
    }


# ---- results ----------------------------------------------------------------------------------------


class ComponentResultOut(Schema):
    component: str
    score: Decimal | None = Field(description="缺考时为 null")
    passed: bool
    absent: bool = Field(description="缺考")
    carried_from_application_id: int | None = Field(description="补考保留的合格科目：取得该成绩的报名 id")


class ApplicationResultOut(Schema):
    application_id: int
    ticket_number: str | None
    name: str
    id_number_masked: str
    retake_of_application_id: int | None
    result: str = Field(description="pending 待评定 / passed 合格 / failed 不合格 / absent 缺考")
    components: list[ComponentResultOut]


class PlanResultCountsOut(Schema):
    applied: int = Field(description="报名人数（资格审核通过）")
    sat: int = Field(description="实考人数（不含缺考）")
    absent: int = Field(description="缺考人数")
    passed: int = Field(description="合格人数")
    failed: int = Field(description="不合格人数")
    pass_rate: float | None = Field(description="合格率 = 合格人数 / 实考人数；无人实考时为 null")


class PlanResultsOut(Schema):
    plan_id: int
    number: str
    status: str
    scores_locked_at: datetime | None
    counts: PlanResultCountsOut
    applications: list[ApplicationResultOut]


@router.get(
    "/plans/{plan_id}/results",
    response={200: PlanResultsOut, **problem_responses(401, 403, 404, 422)},
    url_name="plan_results",
    operation_id="plan_results",
    summary="评价计划的评定结果",
    description="每名参加考核的考生的科目成绩与评定结果；成绩锁定前 components 为空、result 为 pending。",
)
def get_results(request: HttpRequest, plan_id: DatabaseId):
    """The results of a plan in the caller's scope."""
    user = require_roles(request, *STAFF_ROLES)
    plan = plan_get_for_user(user=user, plan_id=plan_id)
    components = plan.spec.components()
    counts = plan_result_counts(plan=plan)
    return 200, {
        "plan_id": plan.pk,
        "number": plan.number,
        "status": plan.status,
        "scores_locked_at": plan.scores_locked_at,
        "counts": {
            "applied": counts.applied,
            "sat": counts.sat,
            "absent": counts.absent,
            "passed": counts.passed,
            "failed": counts.failed,
            "pass_rate": counts.pass_rate,
        },
        "applications": [
            {
                "application_id": row.application.pk,
                "ticket_number": row.application.ticket_number,
                "name": row.application.candidate.name,
                "id_number_masked": row.application.candidate.id_number_masked,
                "retake_of_application_id": row.application.retake_of_id,
                "result": row.application.result,
                "components": [
                    {
                        "component": component,
                        "score": result.score,
                        "passed": result.passed,
                        "absent": result.absent,
                        "carried_from_application_id": result.carried_from_id,
                    }
                    for component in components
                    if (result := row.results.get(component)) is not None
                ],
            }
            for row in plan_results(plan=plan)
        ],
    }
