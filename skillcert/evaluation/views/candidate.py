"""Candidate self-service (我的报名): apply to an open plan, see one's applications, the eligibility
decision, admission tickets, scores per component (once locked), the result and certificates.

A candidate reaches only their own applications: anything else answers 404.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _

from skillcert.accounts.models import Candidate
from skillcert.accounts.permissions import role_required
from skillcert.accounts.roles import Role
from skillcert.core.errors import ApplicationError
from skillcert.core.forms import form_action
from skillcert.evaluation.forms.applications import EvidenceForm, WithdrawForm
from skillcert.evaluation.models import Application
from skillcert.evaluation.selectors.applications import (
    application_component_results,
    application_get_for_candidate,
    application_list_for_candidate,
    application_scores_visible,
    application_ticket_available,
    candidate_of_user,
    plan_get_open_for_applications,
    plan_list_open_for_applications,
)
from skillcert.evaluation.services.applications import application_submit, application_withdraw
from skillcert.evaluation.tickets import ticket_filename, tickets_pdf

PLANS_SHOWN = 100


def _candidate(request: HttpRequest) -> Candidate | None:
    return candidate_of_user(user=request.user)


def _no_candidate(request: HttpRequest) -> HttpResponse:
    """A candidate account without its person (name and ID number) has nothing to list or apply with."""
    return render(request, "evaluation/candidate/no_candidate.html")


def certificates_url() -> str | None:
    """The candidate's certificates page, when the certificates app provides it."""
    try:
        return reverse("certificates:mine")
    except NoReverseMatch:
        return None


@role_required(Role.CANDIDATE)
def my_applications_view(request: HttpRequest) -> HttpResponse:
    candidate = _candidate(request)
    if candidate is None:
        return _no_candidate(request)
    applications = list(application_list_for_candidate(candidate=candidate))
    rows = [{"application": a, "ticket": application_ticket_available(application=a)} for a in applications]
    return render(
        request,
        "evaluation/candidate/applications.html",
        {"candidate": candidate, "rows": rows, "certificates_url": certificates_url()},
    )


@role_required(Role.CANDIDATE)
def my_application_view(request: HttpRequest, application_id: int) -> HttpResponse:
    candidate = _candidate(request)
    if candidate is None:
        raise Http404
    application = application_get_for_candidate(candidate=candidate, application_id=application_id)
    plan = application.plan
    return render(
        request,
        "evaluation/candidate/application.html",
        {
            "application": application,
            "plan": plan,
            "sessions": plan.sessions.order_by("starts_at"),
            "ticket": application_ticket_available(application=application),
            "scores_visible": application_scores_visible(application=application),
            "results": application_component_results(application=application),
            "may_withdraw": application.status != application.Status.WITHDRAWN
            and plan.status == plan.Status.ACKNOWLEDGED,
            "certificates_url": certificates_url(),
        },
    )


@role_required(Role.CANDIDATE)
def my_ticket_view(request: HttpRequest, application_id: int) -> HttpResponse:
    candidate = _candidate(request)
    if candidate is None:
        raise Http404
    application = application_get_for_candidate(candidate=candidate, application_id=application_id)
    if not application_ticket_available(application=application):
        raise Http404
    response = HttpResponse(tickets_pdf(applications=[application]), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{ticket_filename(application)}"'
    return response


@role_required(Role.CANDIDATE)
def my_withdraw_view(request: HttpRequest, application_id: int) -> HttpResponse:
    candidate = _candidate(request)
    if candidate is None:
        raise Http404
    application = application_get_for_candidate(candidate=candidate, application_id=application_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application_withdraw(
                application=application,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                context=request.context,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已撤回报名。"))
            return redirect("evaluation:my_applications")
    return render(request, "evaluation/candidate/withdraw.html", {"application": application, "form": form})


@role_required(Role.CANDIDATE)
def apply_plans_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:40]
    plans = plan_list_open_for_applications(search=search)[:PLANS_SHOWN]
    return render(request, "evaluation/candidate/plans.html", {"plans": plans, "q": search})


@role_required(Role.CANDIDATE)
def apply_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    candidate = _candidate(request)
    if candidate is None:
        return _no_candidate(request)
    open_plan = plan_get_open_for_applications(plan_id=plan_id)
    form = EvidenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        application = form_action(
            form,
            lambda: application_submit(
                plan=open_plan.plan,
                candidate=candidate,
                evidence=form.evidence(),
                source=Application.Source.SELF,
                actor=request.user,
                context=request.context,
            ),
        )
        if application is not None:
            if application.status == application.Status.ELIGIBLE:
                messages.success(
                    request,
                    _("报名成功，符合申报条件。准考证号 %(ticket)s。")
                    % {"ticket": application.ticket_number},
                )
            else:
                messages.warning(request, _("已提交报名，但不符合申报条件，原因见下方。"))
            return redirect("evaluation:my_application", application_id=application.pk)
    return render(
        request,
        "evaluation/candidate/apply.html",
        {"open_plan": open_plan, "plan": open_plan.plan, "form": form},
    )


urlpatterns = [
    path("me/applications/", my_applications_view, name="my_applications"),
    path("me/applications/<int:application_id>/", my_application_view, name="my_application"),
    path("me/applications/<int:application_id>/ticket.pdf", my_ticket_view, name="my_ticket"),
    path("me/applications/<int:application_id>/withdraw/", my_withdraw_view, name="my_withdraw"),
    path("me/apply/", apply_plans_view, name="apply_plans"),
    path("me/apply/<int:plan_id>/", apply_view, name="apply"),
]
