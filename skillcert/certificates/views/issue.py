"""Issuing a plan's certificates from the portal: a page that shows what will happen, then POST."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from skillcert.accounts.models import User
from skillcert.accounts.permissions import role_required
from skillcert.accounts.roles import Role
from skillcert.certificates import selectors
from skillcert.certificates.forms import IssueConfirmForm
from skillcert.certificates.services import certificates_issue_for_plan
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import RequestContext
from skillcert.evaluation.models import EvaluationPlan


class SignedInRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    context: RequestContext


@role_required(Role.BODY_ADMIN)
@require_http_methods(["GET", "POST"])
def plan_issue_view(request: SignedInRequest, plan_id: int) -> HttpResponse:
    # Only the admin's own body's plans exist here: another body's plan answers 404.
    plan = get_object_or_404(selectors.plan_list_for_issuer(user=request.user), pk=plan_id)
    form = IssueConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            certificates = certificates_issue_for_plan(plan=plan, actor=request.user, context=request.context)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if certificates:
                messages.success(
                    request,
                    _("已为 %(count)d 名合格考生发放证书，编号 %(first)s 至 %(last)s。")
                    % {
                        "count": len(certificates),
                        "first": certificates[0].number,
                        "last": certificates[-1].number,
                    },
                )
            else:
                messages.success(request, _("本计划没有待发证的合格考生，计划已标记为证书已发放。"))
            return redirect(f"{reverse('certificates:list')}?plan={plan.pk}")
    return render(
        request,
        "certificates/issue_confirm.html",
        {
            "plan": plan,
            "form": form,
            "summary": selectors.plan_certificate_summary(plan=plan),
            "may_issue": plan.status == EvaluationPlan.Status.RESULTS_APPROVED,
        },
    )


urlpatterns = [
    path("plans/<int:plan_id>/issue/", plan_issue_view, name="plan_issue"),
]
