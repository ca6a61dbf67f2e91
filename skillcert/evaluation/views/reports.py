"""Result report pages: the body reports, the authority approves or returns, and the authority's list of
reports with their review deadlines (overdue ones highlighted)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skillcert.accounts.permissions import role_required
from skillcert.accounts.roles import AUTHORITY_ACTOR_ROLES, AUTHORITY_ROLES, BODY_MANAGER_ROLES
from skillcert.core.calendar import add_working_days
from skillcert.core.errors import ApplicationError
from skillcert.core.forms import form_action
from skillcert.evaluation.models import EvaluationPlan, ResultReport
from skillcert.evaluation.selectors.plans import plan_get_for_user
from skillcert.evaluation.selectors.publicity import (
    plan_current_report,
    plan_passed_count,
    plan_unanswered_objections,
    report_counts,
    report_is_overdue,
    report_list_for_user,
)
from skillcert.evaluation.selectors.scores import plan_result_counts
from skillcert.evaluation.services.reports import (
    result_report_approve,
    result_report_return,
    result_report_submit,
)

LIST_ROLES = AUTHORITY_ROLES | BODY_MANAGER_ROLES
REPORTS_PER_PAGE = 20


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("退回原因"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class ReportFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部状态")), *ResultReport.Status.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    q = forms.CharField(
        label=gettext_lazy("搜索"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": gettext_lazy("计划编号或机构名称")}
        ),
    )


def _confirm(request: HttpRequest, plan: EvaluationPlan, **context) -> HttpResponse:
    return render(request, "evaluation/reports/confirm.html", {"plan": plan, **context})


@role_required(*BODY_MANAGER_ROLES)
def plan_report_submit_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id)
    if request.method == "POST":
        try:
            report = result_report_submit(plan=plan, actor=request.user, context=request.context)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("评价结果已报送，人社部门应于 %(due)s 前审核。")
                % {"due": report.review_due_on.isoformat()},
            )
            return redirect("evaluation:plan_detail", plan_id=plan.pk)
    due = add_working_days(timezone.localdate(), settings.SKILLCERT_RESULT_REVIEW_WORKING_DAYS)
    unanswered = plan_unanswered_objections(plan=plan)
    return _confirm(
        request,
        plan,
        title=_("报送评价结果"),
        explanation=_(
            "将本计划的评价结果（合格 %(passed)d 人）报送人社部门审核，"
            "审核期限为 %(days)d 个工作日（至 %(due)s）。报送后在审核完成前不能修改成绩。"
        )
        % {
            "passed": plan_passed_count(plan=plan),
            "days": settings.SKILLCERT_RESULT_REVIEW_WORKING_DAYS,
            "due": due.isoformat(),
        },
        button=_("确认报送"),
        counts=plan_result_counts(plan=plan),
        warnings=[_("还有 %(n)d 件异议未答复，须全部答复后方可报送。") % {"n": unanswered}]
        if unanswered
        else [],
    )


def _report(request: HttpRequest, plan_id: int) -> tuple[EvaluationPlan, ResultReport]:
    plan = plan_get_for_user(user=request.user, plan_id=plan_id)
    report = plan_current_report(plan=plan)
    if report is None:
        raise Http404
    return plan, report


@role_required(*AUTHORITY_ACTOR_ROLES)
def plan_report_approve_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, report = _report(request, plan_id)
    if request.method == "POST":
        try:
            result_report_approve(report=report, actor=request.user, context=request.context)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已核准评价结果，机构可以为合格考生发放证书。"))
            return redirect("evaluation:plan_detail", plan_id=plan.pk)
    return _confirm(
        request,
        plan,
        title=_("核准评价结果"),
        explanation=_(
            "核准本计划报送的评价结果（合格 %(passed)d 人，审核期限 %(due)s）。"
            "核准后机构即可为合格考生发放证书。"
        )
        % {"passed": report.passed_count, "due": report.review_due_on.isoformat()},
        button=_("确认核准"),
        counts=plan_result_counts(plan=plan),
    )


@role_required(*AUTHORITY_ACTOR_ROLES)
def plan_report_return_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, report = _report(request, plan_id)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        returned = form_action(
            form,
            lambda: result_report_return(
                report=report,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                context=request.context,
            ),
        )
        if returned is not None:
            messages.success(request, _("已退回评价结果，机构修改后将重新报送。"))
            return redirect("evaluation:plan_detail", plan_id=plan.pk)
    return _confirm(
        request,
        plan,
        title=_("退回评价结果"),
        explanation=_("说明需要修改的内容，退回机构。机构可在说明原因后修改成绩并重新报送。"),
        button=_("确认退回"),
        form=form,
        danger=True,
    )


@role_required(*LIST_ROLES)
def report_list_view(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET)
    status = search = ""
    if form.is_valid():
        status, search = form.cleaned_data["status"], form.cleaned_data["q"]
    reports = report_list_for_user(user=request.user, status=status, search=search)
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [{"report": report, "overdue": report_is_overdue(report=report, today=today)} for report in page]
    return render(
        request,
        "evaluation/reports/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "counts": report_counts(reports=report_list_for_user(user=request.user)),
            "filtered": bool(status or search),
            "today": today,
        },
    )


urlpatterns = [
    path("plans/<int:plan_id>/report/", plan_report_submit_view, name="plan_report_submit"),
    path("plans/<int:plan_id>/report/approve/", plan_report_approve_view, name="plan_report_approve"),
    path("plans/<int:plan_id>/report/return/", plan_report_return_view, name="plan_report_return"),
    path("reports/", report_list_view, name="report_list"),
]
