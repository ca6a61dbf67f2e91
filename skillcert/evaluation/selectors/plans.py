"""Reads on evaluation plans: scoped lists, dates, external supervisors, the plan page.

Body staff see their body's plans; authority staff see the plans of bodies whose district their region
covers; anyone else sees none, and a plan outside one's scope answers 404. Staffing reads live in
``selectors/staffing.py``.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.accounts.roles import AUTHORITY_ACTOR_ROLES, BODY_MANAGER_ROLES, Role
from skillcert.core.calendar import add_working_days
from skillcert.core.regions import scope_prefix
from skillcert.evaluation.models import EvaluationPlan, PlanStaff
from skillcert.evaluation.selectors.staffing import MARKING_DUTIES, plan_staffing_problems

Status = EvaluationPlan.Status
Duty = PlanStaff.Duty


# ---- scoping --------------------------------------------------------------------------------------


def plan_list_for_user(*, user: User, status: str = "", search: str = "") -> QuerySet[EvaluationPlan]:
    """The plans the user may see (own body, or bodies in the authority's region), newest first."""
    plans = EvaluationPlan.objects.select_related(
        "tenant", "tenant__district", "spec", "spec__occupation", "spec__job_type", "spec__level", "site"
    ).order_by("-created_at", "-pk")
    if not user.is_authenticated:
        return plans.none()
    if user.is_authority_staff:
        plans = plans.filter(tenant__district__code__startswith=scope_prefix(user.authority_region_id or ""))
    elif user.is_body_staff and user.body is not None:
        plans = plans.for_tenant(user.body)
    else:
        return plans.none()
    if status:
        plans = plans.filter(status=status)
    if search:
        plans = plans.filter(
            Q(number__icontains=search)
            | Q(spec__occupation__name__icontains=search)
            | Q(spec__occupation__code__startswith=search)
            | Q(tenant__name__icontains=search)
        )
    return plans


def plan_get_for_user(*, user: User, plan_id: int) -> EvaluationPlan:
    """One plan in the user's scope; 404 outside it."""
    try:
        return plan_list_for_user(user=user).get(pk=plan_id)
    except EvaluationPlan.DoesNotExist as error:
        raise Http404 from error


def user_manages_plan(*, user: User, plan: EvaluationPlan) -> bool:
    """Whether the user is the plan's body's administrator or exam staff."""
    return user.is_authenticated and user.body_id == plan.tenant_id and user.has_role(*BODY_MANAGER_ROLES)


def user_oversees_plan(*, user: User, plan: EvaluationPlan) -> bool:
    """Whether the user is authority staff (reviewer, supervisor, admin) whose region covers the body."""
    return (
        user.is_authenticated
        and user.is_authority_staff
        and user.has_role(*AUTHORITY_ACTOR_ROLES)
        and plan.tenant.district_id.startswith(scope_prefix(user.authority_region_id or ""))
    )


# ---- dates ----------------------------------------------------------------------------------------


def plan_first_session_date(*, plan: EvaluationPlan) -> date | None:
    """The local date of the plan's first component."""
    first = plan.sessions.order_by("starts_at").values_list("starts_at", flat=True).first()
    return timezone.localdate(first) if first else None


def plan_submit_deadline(*, plan: EvaluationPlan) -> date | None:
    """The last day the plan may be submitted: N working days before its first component."""
    first = plan_first_session_date(plan=plan)
    if first is None:
        return None
    return add_working_days(first, -settings.SKILLCERT_PLAN_SUBMIT_WORKING_DAYS)


# ---- external supervisor --------------------------------------------------------------------------


def external_supervisor_choices(*, plan: EvaluationPlan) -> QuerySet[User]:
    """Authority supervisors whose region covers the plan's body (its district, city or province)."""
    district = plan.tenant.district_id
    covering = {district, district[:4] + "00", district[:2] + "0000"}
    return (
        User.objects.filter(is_active=True, roles__role=Role.SUPERVISOR, authority_region_id__in=covering)
        .distinct()
        .order_by("full_name", "username")
    )


# ---- the plan page: where the plan stands, what is to do next -------------------------------------


@dataclass(frozen=True, slots=True)
class NextStep:
    """Something to do next on a plan. ``url_name`` (reversed with the plan's pk) is None for steps done
    elsewhere on the plan page or by someone else."""

    label: str
    url_name: str | None
    explanation: str


@dataclass(frozen=True, slots=True)
class TimelineStage:
    label: str
    state: str  # "done", "current" or "upcoming"
    note: str = ""


# The spine of a plan, in order; each status sits on one stage.
TIMELINE = (
    _("草稿"),
    _("已提交"),
    _("报名中"),
    _("成绩锁定"),
    _("公示中"),
    _("已报送"),
    _("结果核准"),
    _("已发证"),
)
STAGE_OF_STATUS: dict[str, int] = {
    Status.DRAFT: 0,
    Status.SUBMITTED: 1,
    Status.REJECTED: 1,
    Status.ACKNOWLEDGED: 2,
    Status.SCORES_LOCKED: 3,
    Status.PUBLICITY: 4,
    Status.REPORTED: 5,
    Status.RESULTS_RETURNED: 5,
    Status.RESULTS_APPROVED: 6,
    Status.ISSUED: 7,
}
RETURNED_NOTES: dict[str, object] = {
    Status.REJECTED: _("已被人社部门退回"),
    Status.RESULTS_RETURNED: _("结果被退回"),
}


def plan_timeline(*, plan: EvaluationPlan) -> list[TimelineStage]:
    """The eight stages of the spine, each done, current or upcoming for this plan."""
    current = STAGE_OF_STATUS[plan.status]
    stages = []
    for index, label in enumerate(TIMELINE):
        state = "done" if index < current else "current" if index == current else "upcoming"
        # An issued plan has nothing left to do: its last stage is done, not current.
        if plan.status == Status.ISSUED and index == current:
            state = "done"
        note = str(RETURNED_NOTES.get(plan.status, "")) if index == current else ""
        stages.append(TimelineStage(label=str(label), state=state, note=note))
    return stages


def _step(label, url_name: str | None, explanation) -> NextStep:
    return NextStep(label=str(label), url_name=url_name, explanation=str(explanation))


def _body_steps(plan: EvaluationPlan, user: User) -> list[NextStep]:
    days = settings.SKILLCERT_PLAN_SUBMIT_WORKING_DAYS
    if plan.status in (Status.DRAFT, Status.REJECTED):
        steps = []
        if plan.status == Status.REJECTED:
            steps.append(
                _step(
                    _("按退回意见修改计划"),
                    "evaluation:plan_edit",
                    _("退回原因：%(reason)s") % {"reason": plan.decision_reason},
                )
            )
        problems = plan_staffing_problems(plan=plan)
        staffing = " ".join(problems) if problems else _("人员配备已满足要求。")
        steps.append(_step(_("配备考评和监考人员"), "evaluation:plan_staff", staffing))
        deadline = plan_submit_deadline(plan=plan)
        if deadline is not None and timezone.localdate() > deadline:
            steps.append(
                _step(
                    _("修改考试时间"),
                    "evaluation:plan_edit",
                    _("已过提交期限 %(deadline)s（首场考试前 %(days)d 个工作日），请推迟考试时间后再提交。")
                    % {"deadline": deadline.isoformat(), "days": days},
                )
            )
        else:
            steps.append(
                _step(
                    _("提交计划"),
                    "evaluation:plan_submit",
                    _("最晚于 %(deadline)s 提交（首场考试前 %(days)d 个工作日），由人社部门确认后开放报名。")
                    % {"deadline": deadline.isoformat() if deadline else "-", "days": days},
                )
            )
        return steps
    if plan.status == Status.SUBMITTED:
        return [_step(_("等待人社部门确认"), None, _("计划已提交，人社部门确认后即开放报名。"))]
    if plan.status == Status.ACKNOWLEDGED:
        first = plan_first_session_date(plan=plan)
        return [
            _step(
                _("组织报名并审核申报资格"),
                "evaluation:plan_applications",
                _("在本页“报名”栏目登记考生或导入名单，计划人数 %(capacity)d 人。")
                % {"capacity": plan.capacity},
            ),
            _step(
                _("组织考试并录入成绩"),
                "evaluation:plan_scores",
                _("首场考试 %(first)s；考评人员在“成绩”栏目录入成绩，复核后由考评组长锁定。")
                % {"first": first.isoformat() if first else "-"},
            ),
        ]
    if plan.status == Status.SCORES_LOCKED:
        return [
            _step(
                _("发布合格名单公示"),
                "evaluation:plan_publicity_start",
                _("在“公示”栏目发布，公示 %(days)d 个工作日，考生个人信息脱敏显示。")
                % {"days": settings.SKILLCERT_PUBLICITY_WORKING_DAYS},
            )
        ]
    if plan.status == Status.PUBLICITY:
        ends = plan.publicity_ends_on.isoformat() if plan.publicity_ends_on else "-"
        return [
            _step(
                _("答复异议，公示期满后报送结果"),
                "evaluation:plan_report_submit",
                _("公示至 %(ends)s；须答复全部异议后方可报送。") % {"ends": ends},
            )
        ]
    if plan.status == Status.REPORTED:
        return [_step(_("等待人社部门审核结果"), None, _("结果已报送，人社部门审核通过后即可发证。"))]
    if plan.status == Status.RESULTS_RETURNED:
        return [
            _step(
                _("按退回意见修改后重新报送"),
                "evaluation:plan_scores",
                _("在“公示”栏目查看退回意见，修改成绩（须填写原因）后重新报送。"),
            )
        ]
    if plan.status == Status.RESULTS_APPROVED:
        return [_step(_("发放证书"), "certificates:plan_issue", _("为合格考生生成证书编号并发放证书。"))]
    return [_step(_("证书已发放"), None, _("在“证书”栏目查看已发放的证书。"))]


def _authority_steps(plan: EvaluationPlan, user: User) -> list[NextStep]:
    supervisor_step = []
    if plan.external_supervisor_id is None and plan.status in (Status.SUBMITTED, Status.ACKNOWLEDGED):
        supervisor_step = [
            _step(
                _("指派外部督导员"),
                "evaluation:plan_external_supervisor",
                _("可为本计划指派一名外部督导员。"),
            )
        ]
    if plan.status == Status.SUBMITTED:
        return [
            _step(
                _("确认计划"), "evaluation:plan_acknowledge", _("核对考试安排和人员配备，确认后开放报名。")
            ),
            _step(_("退回计划"), "evaluation:plan_reject", _("不符合要求的，说明原因退回机构修改。")),
            *supervisor_step,
        ]
    if plan.status == Status.REPORTED:
        return [
            _step(
                _("审核评价结果"),
                "evaluation:plan_report_approve",
                _("请在 %(days)d 个工作日内在“公示”栏目核准或退回结果。")
                % {"days": settings.SKILLCERT_RESULT_REVIEW_WORKING_DAYS},
            )
        ]
    if plan.status in (Status.DRAFT, Status.REJECTED):
        return [_step(_("等待机构提交计划"), None, _("机构提交后在此确认或退回。"))]
    return supervisor_step


def _examiner_steps(plan: EvaluationPlan, user: User) -> list[NextStep]:
    duties = {staff.duty for staff in plan.staff.all() if staff.user_id == user.pk}
    steps = []
    if plan.status == Status.ACKNOWLEDGED and duties & set(MARKING_DUTIES):
        steps.append(
            _step(
                _("申报回避"),
                "evaluation:plan_recusal",
                _("与考生有亲属等利害关系的，请在评分前申报回避。"),
            )
        )
        steps.append(_step(_("录入成绩"), None, _("考试结束后在“成绩”栏目录入所评考生的成绩。")))
    if plan.status == Status.ACKNOWLEDGED and Duty.CHIEF_EXAMINER in duties:
        steps.append(_step(_("锁定成绩"), None, _("全部成绩复核一致后，由考评组长锁定。")))
    return steps


def plan_next_steps(*, plan: EvaluationPlan, user: User) -> list[NextStep]:
    """What the viewing user has to do next on this plan (empty when nothing falls to them)."""
    steps: list[NextStep] = []
    if user_manages_plan(user=user, plan=plan):
        steps += _body_steps(plan, user)
    elif user_oversees_plan(user=user, plan=plan):
        steps += _authority_steps(plan, user)
    if user.is_authenticated and user.body_id == plan.tenant_id:
        steps += _examiner_steps(plan, user)
    return steps
