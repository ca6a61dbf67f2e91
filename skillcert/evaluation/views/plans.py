"""Plan pages: the list, the plan page (status, next steps, panels) and one page per action.

Body actions (create, edit, staff, submit) are for the body's administrator and exam staff; the
authority's (acknowledge, reject, external supervisor) for reviewers, supervisors and administrators
whose region covers the body. Plans are looked up through the scoped selector: out of scope is 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _

from skillcert.accounts.permissions import role_required
from skillcert.accounts.roles import AUTHORITY_ACTOR_ROLES, BODY_EXAM_ROLES, BODY_MANAGER_ROLES, STAFF_ROLES
from skillcert.core.errors import ApplicationError
from skillcert.core.forms import form_action
from skillcert.evaluation.forms.plans import (
    ExternalSupervisorForm,
    PlanFilterForm,
    PlanForm,
    RecusalForm,
    RejectForm,
    StaffAssignForm,
)
from skillcert.evaluation.models import EvaluationPlan, PlanStaff
from skillcert.evaluation.selectors.plans import (
    plan_first_session_date,
    plan_get_for_user,
    plan_list_for_user,
    plan_next_steps,
    plan_submit_deadline,
    plan_timeline,
    user_manages_plan,
    user_oversees_plan,
)
from skillcert.evaluation.selectors.staffing import (
    plan_recusals,
    plan_staff_list,
    plan_staffing,
    plan_staffing_problems,
)
from skillcert.evaluation.services.plans import (
    plan_acknowledge,
    plan_assign_external_supervisor,
    plan_create,
    plan_reject,
    plan_submit,
    plan_update,
)
from skillcert.evaluation.services.staff import plan_staff_assign, plan_staff_remove, recusal_declare

PLANS_PER_PAGE = 20


def _plan(request: HttpRequest, plan_id: int) -> EvaluationPlan:
    return plan_get_for_user(user=request.user, plan_id=plan_id)


def _detail(plan: EvaluationPlan) -> HttpResponse:
    return redirect("evaluation:plan_detail", plan_id=plan.pk)


def _step_url(url_name: str | None, plan: EvaluationPlan) -> str | None:
    if not url_name:
        return None
    try:
        return reverse(url_name, args=[plan.pk])
    except NoReverseMatch:
        return None


@role_required(*STAFF_ROLES)
def plan_list_view(request: HttpRequest) -> HttpResponse:
    form = PlanFilterForm(request.GET)
    status = search = ""
    if form.is_valid():
        status, search = form.cleaned_data["status"], form.cleaned_data["q"]
    plans = plan_list_for_user(user=request.user, status=status, search=search)
    page = Paginator(plans, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/plans/list.html",
        {
            "form": form,
            "page": page,
            "filtered": bool(status or search),
            "may_create": request.user.is_body_staff and request.user.has_role(*BODY_MANAGER_ROLES),
        },
    )


@role_required(*STAFF_ROLES)
def plan_detail_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    steps = [
        {"label": step.label, "url": _step_url(step.url_name, plan), "explanation": step.explanation}
        for step in plan_next_steps(plan=plan, user=request.user)
    ]
    return render(
        request,
        "evaluation/plans/detail.html",
        {
            "plan": plan,
            "user": request.user,
            "timeline": plan_timeline(plan=plan),
            "steps": steps,
            "sessions": plan.sessions.all(),
            "staffing": plan_staffing(plan=plan),
            "staff": plan_staff_list(plan=plan),
            "deadline": plan_submit_deadline(plan=plan),
            "manages": user_manages_plan(user=request.user, plan=plan),
            "oversees": user_oversees_plan(user=request.user, plan=plan),
        },
    )


@role_required(*BODY_MANAGER_ROLES)
def plan_create_view(request: HttpRequest) -> HttpResponse:
    body = request.user.body
    if body is None:
        raise Http404
    form = PlanForm(request.POST or None, body=body)
    if request.method == "POST" and form.is_valid():
        plan = form_action(
            form,
            lambda: plan_create(
                body=body,
                spec=form.cleaned_data["spec"],
                site=form.cleaned_data["site"],
                capacity=form.cleaned_data["capacity"],
                sessions=form.sessions(),
                actor=request.user,
                context=request.context,
            ),
        )
        if plan is not None:
            messages.success(
                request, _("评价计划 %(number)s 已创建，请配备人员后提交。") % {"number": plan.number}
            )
            return _detail(plan)
    return render(request, "evaluation/plans/form.html", {"form": form, "plan": None})


@role_required(*BODY_MANAGER_ROLES)
def plan_edit_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = PlanForm(
        request.POST or None, body=plan.tenant, plan=plan, initial=PlanForm.initial_for_plan(plan)
    )
    if request.method == "POST" and form.is_valid():
        updated = form_action(
            form,
            lambda: plan_update(
                plan=plan,
                site=form.cleaned_data["site"],
                capacity=form.cleaned_data["capacity"],
                sessions=form.sessions(),
                actor=request.user,
                context=request.context,
            ),
        )
        if updated is not None:
            messages.success(request, _("评价计划已保存。"))
            return _detail(plan)
    return render(request, "evaluation/plans/form.html", {"form": form, "plan": plan})


def _confirm(
    request: HttpRequest,
    plan: EvaluationPlan,
    *,
    title: str,
    explanation: str,
    button: str,
    form=None,
    problems: list[str] | None = None,
    danger: bool = False,
) -> HttpResponse:
    return render(
        request,
        "evaluation/plans/confirm.html",
        {
            "plan": plan,
            "title": title,
            "explanation": explanation,
            "button": button,
            "form": form,
            "problems": problems or [],
            "danger": danger,
        },
    )


def _run(request: HttpRequest, action, **kwargs) -> str | None:
    """Run a service; return its refusal as a message, or None when it succeeded."""
    try:
        action(actor=request.user, context=request.context, **kwargs)
    except ApplicationError as error:
        return error.message
    return None


@role_required(*BODY_MANAGER_ROLES)
def plan_submit_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    problems = plan_staffing_problems(plan=plan)
    if request.method == "POST":
        refusal = _run(request, plan_submit, plan=plan)
        if refusal is None:
            messages.success(request, _("计划已提交人社部门确认。"))
            return _detail(plan)
        messages.error(request, refusal)
    deadline = plan_submit_deadline(plan=plan)
    first = plan_first_session_date(plan=plan)
    return _confirm(
        request,
        plan,
        title=_("提交评价计划"),
        explanation=_(
            "提交后由人社部门确认，确认后开放报名。首场考试 %(first)s，最晚提交日 %(deadline)s。"
            "提交后不能修改考试时间。"
        )
        % {"first": first or "-", "deadline": deadline or "-"},
        button=_("确认提交"),
        problems=problems,
    )


@role_required(*AUTHORITY_ACTOR_ROLES)
def plan_acknowledge_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    if request.method == "POST":
        refusal = _run(request, plan_acknowledge, plan=plan)
        if refusal is None:
            messages.success(request, _("已确认计划，计划开放报名。"))
            return _detail(plan)
        messages.error(request, refusal)
    return _confirm(
        request,
        plan,
        title=_("确认评价计划"),
        explanation=_("确认后计划开放报名，机构可以登记考生。请先核对考试安排和人员配备。"),
        button=_("确认计划"),
        problems=plan_staffing_problems(plan=plan),
    )


@role_required(*AUTHORITY_ACTOR_ROLES)
def plan_reject_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rejected = form_action(
            form,
            lambda: plan_reject(
                plan=plan, reason=form.cleaned_data["reason"], actor=request.user, context=request.context
            ),
        )
        if rejected is not None:
            messages.success(request, _("计划已退回机构修改。"))
            return _detail(plan)
    return _confirm(
        request,
        plan,
        title=_("退回评价计划"),
        explanation=_("退回后机构可以修改计划并重新提交。请说明需要修改的内容。"),
        button=_("确认退回"),
        form=form,
        danger=True,
    )


@role_required(*AUTHORITY_ACTOR_ROLES)
def plan_external_supervisor_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = ExternalSupervisorForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            plan_assign_external_supervisor(
                plan=plan,
                supervisor=form.cleaned_data["supervisor"],
                actor=request.user,
                context=request.context,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已指派外部督导员。"))
            return _detail(plan)
    return _confirm(
        request,
        plan,
        title=_("指派外部督导员"),
        explanation=_("外部督导员代表人社部门对本计划的考试进行现场督导。"),
        button=_("确认指派"),
        form=form,
    )


@role_required(*BODY_MANAGER_ROLES)
def plan_staff_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    form = StaffAssignForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        assignment = form_action(
            form,
            lambda: plan_staff_assign(
                plan=plan,
                user=form.cleaned_data["user"],
                duty=form.cleaned_data["duty"],
                actor=request.user,
                context=request.context,
            ),
        )
        if assignment is not None:
            messages.success(request, _("已安排人员。"))
            return redirect("evaluation:plan_staff", plan_id=plan.pk)
    return render(
        request,
        "evaluation/plans/staff.html",
        {
            "plan": plan,
            "form": form,
            "staff": plan_staff_list(plan=plan),
            "staffing": plan_staffing(plan=plan),
        },
    )


@role_required(*BODY_MANAGER_ROLES)
def plan_staff_remove_view(request: HttpRequest, plan_id: int, staff_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    staff = get_object_or_404(PlanStaff.objects.select_related("user"), plan=plan, pk=staff_id)
    if request.method == "POST":
        refusal = _run(request, plan_staff_remove, staff=staff)
        if refusal is None:
            messages.success(request, _("已移除。"))
            return redirect("evaluation:plan_staff", plan_id=plan.pk)
        messages.error(request, refusal)
    return _confirm(
        request,
        plan,
        title=_("移除计划人员"),
        explanation=_("将 %(name)s 从本计划的“%(duty)s”职责中移除。")
        % {"name": staff.user.full_name or staff.user.username, "duty": staff.get_duty_display()},
        button=_("确认移除"),
        danger=True,
    )


@role_required(*BODY_EXAM_ROLES)
def plan_recusal_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    # An examiner declares for themselves; the body's administrator or exam staff for any examiner.
    only = None if user_manages_plan(user=request.user, plan=plan) else request.user
    form = RecusalForm(request.POST or None, plan=plan, only=only)
    if request.method == "POST" and form.is_valid():
        recusal = form_action(
            form,
            lambda: recusal_declare(
                plan=plan,
                examiner=form.cleaned_data["examiner"],
                candidate=form.cleaned_data["candidate"],
                relationship=form.cleaned_data["relationship"],
                actor=request.user,
                context=request.context,
            ),
        )
        if recusal is not None:
            messages.success(request, _("已登记回避，该考评人员不会参与该考生的评分。"))
            return redirect("evaluation:plan_recusal", plan_id=plan.pk)
    return render(
        request,
        "evaluation/plans/recusal.html",
        {"plan": plan, "form": form, "recusals": plan_recusals(plan=plan)},
    )


urlpatterns = [
    path("plans/", plan_list_view, name="plan_list"),
    path("plans/new/", plan_create_view, name="plan_create"),
    path("plans/<int:plan_id>/", plan_detail_view, name="plan_detail"),
    path("plans/<int:plan_id>/edit/", plan_edit_view, name="plan_edit"),
    path("plans/<int:plan_id>/submit/", plan_submit_view, name="plan_submit"),
    path("plans/<int:plan_id>/acknowledge/", plan_acknowledge_view, name="plan_acknowledge"),
    path("plans/<int:plan_id>/reject/", plan_reject_view, name="plan_reject"),
    path(
        "plans/<int:plan_id>/external-supervisor/",
        plan_external_supervisor_view,
        name="plan_external_supervisor",
    ),
    path("plans/<int:plan_id>/staff/", plan_staff_view, name="plan_staff"),
    path(
        "plans/<int:plan_id>/staff/<int:staff_id>/remove/", plan_staff_remove_view, name="plan_staff_remove"
    ),
    path("plans/<int:plan_id>/recusals/", plan_recusal_view, name="plan_recusal"),
]
