"""``/api/v1``: scores, their double entry and lock, publicity, the result report and its review, results.

Mounted at the API root (``api.add_router("/", results.router)``) because its paths start with
``/plans/{plan_id}/…`` and ``/scores/{entry_id}/…``. The same services as the portal; plans and entries
are looked up through the scoped selectors, so another body's (or another district's) object is 404.
"""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from skillcert.accounts.models import User
from skillcert.accounts.roles import (
    AUTHORITY_ACTOR_ROLES,
    BODY_EXAM_ROLES,
    BODY_MANAGER_ROLES,
    STAFF_ROLES,
    Role,
)
from skillcert.api.v1.auth import require_roles
from skillcert.api.v1.problems import FieldError, Problem, problem_responses
from skillcert.api.v1.routers.applications import import_rejected
from skillcert.evaluation.models import EvaluationPlan, ResultReport
from skillcert.evaluation.selectors.plans import plan_get_for_user
from skillcert.evaluation.selectors.publicity import plan_current_report
from skillcert.evaluation.selectors.scores import plan_result_counts, plan_results, score_entry_get_for_user
from skillcert.evaluation.services.application_import import ImportRejected
from skillcert.evaluation.services.publicity import plan_publicity_start
from skillcert.evaluation.services.reports import (
    result_report_approve,
    result_report_return,
    result_report_submit,
)
from skillcert.evaluation.services.results import plan_scores_lock, score_change_after_lock
from skillcert.evaluation.services.score_import import score_import
from skillcert.evaluation.services.scores import ABSENT, score_confirm, score_enter
from skillcert.evaluation.spreadsheets.reader import MAX_UPLOAD_BYTES

router = Router(tags=["results"])


def _plan(user: User, plan_id: int) -> EvaluationPlan:
    return plan_get_for_user(user=user, plan_id=plan_id)


def _context(request: HttpRequest):
    return request.context  # type: ignore[attr-defined]


# ---- scores -----------------------------------------------------------------------------------------

ABSENT_DESCRIPTION = "缺考：考生未参加该科目考核（此时不填 value）"


def _mark(value: Decimal | None, absent: bool) -> object:
    """The mark for the services: the score, or 缺考; both at once is a field error."""
    if absent and value is not None:
        raise Problem(
            status=422,
            detail=_("缺考时不填写成绩。"),
            errors=[FieldError("value", _("缺考时不填写成绩。"))],
        )
    return ABSENT if absent else value


class ScoreEnterIn(Schema):
    application_id: int = Field(description="本计划报名的 id")
    component: str = Field(description="theory / skills / review")
    marker_id: int | None = Field(default=None, description="评分人（考评员）的用户 id；理论知识考试不填")
    value: Decimal | None = Field(default=None, description="0 到 100，最多两位小数；缺考时不填")
    absent: bool = Field(default=False, description=ABSENT_DESCRIPTION)


class ScoreEnterOut(Schema):
    id: int
    application_id: int
    ticket_number: str | None
    component: str
    marker_id: int | None
    value: Decimal | None
    absent: bool
    status: str


@router.post(
    "/plans/{plan_id}/scores",
    response={201: ScoreEnterOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plan_scores_enter",
    operation_id="plan_scores_enter",
    summary="录入一个成绩",
    description="理论知识考试每名考生一个成绩；操作技能考核和综合评审按评分人分别录入。录入后须由另一名工作人员复核。",
)
def enter_score(request: HttpRequest, plan_id: int, data: ScoreEnterIn):
    """Enters one score of an application of the plan."""
    user = require_roles(request, *BODY_EXAM_ROLES)
    plan = _plan(user, plan_id)
    application = get_object_or_404(
        plan.applications.select_related("candidate", "retake_of"), pk=data.application_id
    )
    marker = None
    if data.marker_id is not None:
        marker = get_object_or_404(User, pk=data.marker_id, body_id=plan.tenant_id)
    entry = score_enter(
        application=application,
        component=data.component,
        marker=marker,
        value=_mark(data.value, data.absent),
        actor=user,
        context=_context(request),
    )
    return 201, {
        "id": entry.pk,
        "application_id": application.pk,
        "ticket_number": application.ticket_number,
        "component": entry.component,
        "marker_id": entry.marker_id,
        "value": entry.value,
        "absent": entry.absent,
        "status": entry.status,
    }


class ScoreConfirmIn(Schema):
    value: Decimal | None = Field(default=None, description="按评分表再次输入的成绩；缺考时不填")
    absent: bool = Field(default=False, description=ABSENT_DESCRIPTION)


class ScoreConfirmOut(Schema):
    id: int
    status: str = Field(
        description="confirmed：一致；mismatch：不一致（含一方缺考、一方有成绩），两个值都保留，由录入人更正"
    )
    confirmation_value: Decimal | None
    confirmation_absent: bool


@router.post(
    "/scores/{entry_id}/confirm",
    response={200: ScoreConfirmOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="score_confirm",
    operation_id="score_confirm",
    summary="复核一个成绩（双人录入）",
    description="录入人以外的工作人员再次输入成绩：一致则为已复核；不一致则标记为复核不一致，不覆盖原值。",
)
def confirm_score(request: HttpRequest, entry_id: int, data: ScoreConfirmIn):
    """A second member of staff confirms a score by typing it again."""
    user = require_roles(request, *BODY_EXAM_ROLES)
    entry = score_entry_get_for_user(user=user, entry_id=entry_id)
    entry = score_confirm(
        entry=entry, value=_mark(data.value, data.absent), actor=user, context=_context(request)
    )
    return 200, {
        "id": entry.pk,
        "status": entry.status,
        "confirmation_value": entry.confirmation_value,
        "confirmation_absent": entry.confirmation_absent,
    }


class ScoreChangeIn(Schema):
    value: Decimal | None = Field(default=None, description="新成绩；改为缺考时不填")
    absent: bool = Field(default=False, description=ABSENT_DESCRIPTION)
    reason: str = Field(max_length=500, description="修改原因（必填）")


class ScoreChangeOut(Schema):
    id: int
    value: Decimal | None
    absent: bool
    status: str
    change_reason: str
    application_result: str


@router.post(
    "/scores/{entry_id}/change",
    response={200: ScoreChangeOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="score_change_after_lock",
    operation_id="score_change_after_lock",
    summary="修改已锁定的成绩",
    description="成绩锁定后（含公示中、结果被退回）修改单个成绩须说明原因；审计日志保留修改前后的值，评定结果重新计算。",
)
def change_score(request: HttpRequest, entry_id: int, data: ScoreChangeIn):
    """Changes a locked score with a reason."""
    user = require_roles(request, *BODY_EXAM_ROLES)
    entry = score_entry_get_for_user(user=user, entry_id=entry_id)
    entry = score_change_after_lock(
        entry=entry,
        value=_mark(data.value, data.absent),
        reason=data.reason,
        actor=user,
        context=_context(request),
    )
    entry.application.refresh_from_db(fields=["result"])
    return 200, {
        "id": entry.pk,
        "value": entry.value,
        "absent": entry.absent,
        "status": entry.status,
        "change_reason": entry.change_reason,
        "application_result": entry.application.result,
    }


class ScoreImportOut(Schema):
    imported: int = Field(description="新录入的成绩数")
    unchanged: int = Field(description="已录入且相同、未改变的成绩数")
    rows: int
    sha256: str


@router.post(
    "/plans/{plan_id}/scores/import",
    response={200: ScoreImportOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plan_scores_import",
    operation_id="plan_scores_import",
    summary="从 Excel 成绩模板导入成绩",
    description=(
        "multipart 表单字段 file：本计划的成绩模板（.xlsx）。整个文件校验通过才导入；否则 422，"
        "errors 中每项带 row、column 和 message，不导入任何成绩。重复导入同一文件不改变任何成绩。"
    ),
)
def import_scores(request: HttpRequest, plan_id: int, file: File[UploadedFile]):
    """Imports a filled-in score template of a plan of the caller's body; every cell or none."""
    user = require_roles(request, *BODY_MANAGER_ROLES)
    plan = _plan(user, plan_id)
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise Problem(
            status=422, detail=_("文件不能大于 20 MB。"), errors=[FieldError("file", _("文件过大。"))]
        )
    try:
        result = score_import(
            plan=plan, content=file.read(), filename=file.name or "", actor=user, context=_context(request)
        )
    except ImportRejected as rejected:
        raise import_rejected(rejected) from None
    return 200, {
        "imported": result.imported,
        "unchanged": result.unchanged,
        "rows": result.rows,
        "sha256": result.sha256,
    }


class ScoresLockOut(Schema):
    id: int
    number: str
    status: str
    scores_locked_at: datetime | None
    passed: int
    failed: int
    absent: int = Field(description="缺考人数（不计入实考人数）")


@router.post(
    "/plans/{plan_id}/scores/lock",
    response={200: ScoresLockOut, **problem_responses(401, 403, 404, 409, 422)},
    url_name="plan_scores_lock",
    operation_id="plan_scores_lock",
    summary="锁定成绩并生成评定结果",
    description="考评组长在全部成绩录入并复核一致后锁定；按每个科目的合格分数线生成评定结果。",
)
def lock_scores(request: HttpRequest, plan_id: int):
    """The chief examiner locks the plan's scores."""
    user = require_roles(request, Role.EXAMINER)
    plan = plan_scores_lock(plan=_plan(user, plan_id), actor=user, context=_context(request))
    counts = plan_result_counts(plan=plan)
    return 200, {
        "id": plan.pk,
        "number": plan.number,
        "status": plan.status,
        "scores_locked_at": plan.scores_locked_at,
        "passed": counts.passed,
        "failed": counts.failed,
        "absent": counts.absent,
    }


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
def start_publicity(request: HttpRequest, plan_id: int, data: PublicityStartIn):
    """Publishes the plan's passing list."""
    user = require_roles(request, *BODY_MANAGER_ROLES)
    plan = plan_publicity_start(
        plan=_plan(user, plan_id), starts_on=data.starts_on, actor=user, context=_context(request)
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
def submit_report(request: HttpRequest, plan_id: int):
    """Reports the plan's results to its authority."""
    user = require_roles(request, *BODY_MANAGER_ROLES)
    report = result_report_submit(plan=_plan(user, plan_id), actor=user, context=_context(request))
    return 201, {
        "id": report.pk,
        "plan_id": report.plan_id,
        "status": report.status,
        "passed_count": report.passed_count,
        "submitted_at": report.submitted_at,
        "review_due_on": report.review_due_on,
    }


def _current_report(user: User, plan_id: int) -> ResultReport:
    report = plan_current_report(plan=_plan(user, plan_id))
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
def approve_report(request: HttpRequest, plan_id: int):
    """The authority approves the plan's reported results."""
    user = require_roles(request, *AUTHORITY_ACTOR_ROLES)
    report = result_report_approve(
        report=_current_report(user, plan_id), actor=user, context=_context(request)
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
def return_report(request: HttpRequest, plan_id: int, data: ReportReturnIn):
    """The authority returns the plan's reported results with a reason."""
    user = require_roles(request, *AUTHORITY_ACTOR_ROLES)
    report = result_report_return(
        report=_current_report(user, plan_id), reason=data.reason, actor=user, context=_context(request)
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
    response={200: PlanResultsOut, **problem_responses(401, 403, 404)},
    url_name="plan_results",
    operation_id="plan_results",
    summary="评价计划的评定结果",
    description="每名参加考核的考生的科目成绩与评定结果；成绩锁定前 components 为空、result 为 pending。",
)
def get_results(request: HttpRequest, plan_id: int):
    """The results of a plan in the caller's scope."""
    user = require_roles(request, *STAFF_ROLES)
    plan = _plan(user, plan_id)
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
