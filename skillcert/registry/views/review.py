"""The authority's review of a filing application: approve with codes, return with reasons, reject."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from skillcert.accounts.permissions import role_required
from skillcert.accounts.roles import FILING_AUTHORITY_ROLES
from skillcert.core.errors import ApplicationError
from skillcert.registry import selectors, services
from skillcert.registry.forms import ApproveForm, ReasonForm
from skillcert.registry.models import FilingApplication
from skillcert.registry.views._helpers import errors_onto_form


def _submitted_or_redirect(request: HttpRequest, pk: int) -> tuple[FilingApplication, HttpResponse | None]:
    """The application in the reviewer's scope (404 outside it); a redirect if it is not awaiting review."""
    application = selectors.filing_get_for_user(user=request.user, pk=pk)
    if application.status != FilingApplication.Status.SUBMITTED:
        messages.error(request, _("该备案申请不在待审核状态。"))
        return application, redirect("registry:filing_detail", pk=pk)
    return application, None


@role_required(*FILING_AUTHORITY_ROLES)
@require_http_methods(["GET", "POST"])
def filing_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the codes that approval will assign (suggested, editable); the POST approves."""
    application, refused = _submitted_or_redirect(request, pk)
    if refused:
        return refused
    suggestions = selectors.site_sequence_code_suggestions(application=application)
    form = ApproveForm(
        request.POST if request.method == "POST" else None, application=application, suggestions=suggestions
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.filing_approve(
                actor=request.user,
                application=application,
                site_codes=form.site_codes(),
                body_code=form.cleaned_data.get("body_code", "0000"),
                context=request.context,
            )
        except ValidationError as error:
            errors_onto_form(form, error, rename={"site_codes": "__all__"})
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("registry:filing_detail", pk=pk)
        else:
            messages.success(request, _("已批准“%(name)s”的备案申请。") % {"name": application.body_name})
            return redirect("registry:filing_detail", pk=pk)
    return render(
        request,
        "registry/filing_approve.html",
        {"application": application, "form": form},
        status=422 if form.errors else 200,
    )


def _decide(request: HttpRequest, pk: int, *, service, template_title: str, done: str) -> HttpResponse:
    application, refused = _submitted_or_redirect(request, pk)
    if refused:
        return refused
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            service(
                actor=request.user,
                application=application,
                reason=form.cleaned_data["reason"],
                context=request.context,
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("registry:filing_detail", pk=pk)
        else:
            messages.success(request, done)
            return redirect("registry:filing_detail", pk=pk)
    return render(
        request,
        "registry/filing_decide.html",
        {
            "application": application,
            "form": form,
            "title": template_title,
            "rejecting": service is services.filing_reject,
        },
        status=422 if form.errors else 200,
    )


@role_required(*FILING_AUTHORITY_ROLES)
@require_http_methods(["GET", "POST"])
def filing_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        service=services.filing_return,
        template_title=_("退回修改"),
        done=_("已退回备案申请，机构修改后可重新提交。"),
    )


@role_required(*FILING_AUTHORITY_ROLES)
@require_http_methods(["GET", "POST"])
def filing_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        service=services.filing_reject,
        template_title=_("不予备案"),
        done=_("已作出不予备案的决定。"),
    )


urlpatterns = [
    path("filings/<int:pk>/approve/", filing_approve_view, name="filing_approve"),
    path("filings/<int:pk>/return/", filing_return_view, name="filing_return"),
    path("filings/<int:pk>/reject/", filing_reject_view, name="filing_reject"),
]
