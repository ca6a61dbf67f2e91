"""``/api/v1``: scores: their entry, double entry, change after the lock, Excel import, and the lock.

Mounted at the API root (``api.add_router("/", scores_router)``) because its paths start with
``/plans/{plan_id}/scores…`` and ``/scores/{entry_id}/…``. The same services as the portal; plans and
entries are looked up through the scoped selectors, so another body's object is 404. What follows the
lock (publicity, the result report, the results) is in ``results.py``.
"""

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from skillcert.accounts.models import User
from skillcert.accounts.roles import BODY_EXAM_ROLES, BODY_MANAGER_ROLES, Role
from skillcert.api.v1.auth import require_roles
from skillcert.api.v1.integers import DatabaseId
from skillcert.api.v1.problems import FieldError, Problem, problem_responses
from skillcert.api.v1.routers.applications import import_rejected, upload_size_check
from skillcert.evaluation.selectors.plans import plan_get_for_user
from skillcert.evaluation.selectors.scores import plan_result_counts, score_entry_get_for_user
from skillcert.evaluation.services.application_import import ImportRejected
from skillcert.evaluation.services.results import plan_scores_lock, score_change_after_lock
from skillcert.evaluation.services.score_import import score_import
from skillcert.evaluation.services.scores import ABSENT, score_confirm, score_enter

# Tagged "results", as before scores had a module of their own: the OpenAPI document groups scores and
# results together, and api.py mounts this router just before the results router to keep their order.
router = Router(tags=["results"])

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
    application_id: DatabaseId = Field(description="本计划报名的 id")
    component: str = Field(description="theory / skills / review")
    marker_id: DatabaseId | None = Field(
        default=None, description="评分人（考评员）的用户 id；理论知识考试不填"
    )
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
def enter_score(request: HttpRequest, plan_id: DatabaseId, data: ScoreEnterIn):
    """Enters one score of an application of the plan."""
    user = require_roles(request, *BODY_EXAM_ROLES)
    plan = plan_get_for_user(user=user, plan_id=plan_id)
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
        context=request.context,  # type: ignore[attr-defined]
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
def confirm_score(request: HttpRequest, entry_id: DatabaseId, data: ScoreConfirmIn):
    """A second member of staff confirms a score by typing it again."""
    user = require_roles(request, *BODY_EXAM_ROLES)
    entry = score_entry_get_for_user(user=user, entry_id=entry_id)
    entry = score_confirm(
        entry=entry,
        value=_mark(data.value, data.absent),
        actor=user,
        context=request.context,  # type: ignore[attr-defined]
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
def change_score(request: HttpRequest, entry_id: DatabaseId, data: ScoreChangeIn):
    """Changes a locked score with a reason."""
    user = require_roles(request, *BODY_EXAM_ROLES)
    entry = score_entry_get_for_user(user=user, entry_id=entry_id)
    entry = score_change_after_lock(
        entry=entry,
        value=_mark(data.value, data.absent),
        reason=data.reason,
        actor=user,
        context=request.context,  # type: ignore[attr-defined]
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
    response={200: ScoreImportOut, **problem_responses(400, 401, 403, 404, 409, 422)},
    url_name="plan_scores_import",
    operation_id="plan_scores_import",
    summary="从 Excel 成绩模板导入成绩",
    description=(
        "multipart 表单字段 file：本计划的成绩模板（.xlsx）。整个文件校验通过才导入；否则 422，"
        "errors 中每项带 row、column 和 message，不导入任何成绩。重复导入同一文件不改变任何成绩。"
    ),
)
def import_scores(request: HttpRequest, plan_id: DatabaseId, file: File[UploadedFile]):
    """Imports a filled-in score template of a plan of the caller's body; every cell or none."""
    user = require_roles(request, *BODY_MANAGER_ROLES)
    plan = plan_get_for_user(user=user, plan_id=plan_id)
    upload_size_check(file)
    try:
        result = score_import(
            plan=plan,
            content=file.read(),
            filename=file.name or "",
            actor=user,
            context=request.context,  # type: ignore[attr-defined]
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
def lock_scores(request: HttpRequest, plan_id: DatabaseId):
    """The chief examiner locks the plan's scores."""
    user = require_roles(request, Role.EXAMINER)
    plan = plan_scores_lock(
        plan=plan_get_for_user(user=user, plan_id=plan_id),
        actor=user,
        context=request.context,  # type: ignore[attr-defined]
    )
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
