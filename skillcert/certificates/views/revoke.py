"""Revoking a certificate or a plan's, and reissuing a corrected one: confirmation pages, then POST."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from skillcert.accounts.models import User
from skillcert.accounts.permissions import role_required
from skillcert.certificates import selectors
from skillcert.certificates.forms import ReissueForm, RevokeForm
from skillcert.certificates.models import Certificate
from skillcert.certificates.pdf import id_type_label
from skillcert.certificates.permissions import REISSUER_ROLES, REVOKER_ROLES
from skillcert.certificates.services import (
    certificate_reissue,
    certificate_revoke,
    certificates_revoke_for_plan,
)
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import RequestContext


class SignedInRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    context: RequestContext


def _add_service_errors(form, error: ValidationError) -> None:
    """Show a service's field errors on the form (fields it does not have go to the top)."""
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@role_required(*REVOKER_ROLES)
@require_http_methods(["GET", "POST"])
def certificate_revoke_view(request: SignedInRequest, number: str) -> HttpResponse:
    # A certificate of another body, or of a body outside the authority's region, is not there: 404.
    certificate = get_object_or_404(selectors.certificate_list_revocable(user=request.user), number=number)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_revoke(
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                context=request.context,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("证书 %(number)s 已撤销。") % {"number": certificate.number})
            return redirect("certificates:detail", number=certificate.number)
    return render(
        request,
        "certificates/revoke_confirm.html",
        {
            "certificate": certificate,
            "form": form,
            "is_valid": certificate.status == Certificate.Status.VALID,
        },
    )


@role_required(*REVOKER_ROLES)
@require_http_methods(["GET", "POST"])
def plan_revoke_view(request: SignedInRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(selectors.plan_list_for_revoker(user=request.user), pk=plan_id)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            revoked = certificates_revoke_for_plan(
                plan=plan, reason=form.cleaned_data["reason"], actor=request.user, context=request.context
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("已撤销计划 %(plan)s 的 %(count)d 本证书。") % {"plan": plan.number, "count": len(revoked)},
            )
            return redirect(f"{reverse('certificates:list')}?plan={plan.pk}")
    return render(
        request,
        "certificates/plan_revoke_confirm.html",
        {"plan": plan, "form": form, "valid_count": selectors.plan_valid_certificate_count(plan=plan)},
    )


@role_required(*REISSUER_ROLES)
@require_http_methods(["GET", "POST"])
def certificate_reissue_view(request: SignedInRequest, number: str) -> HttpResponse:
    certificate = get_object_or_404(selectors.certificate_list_reissuable(user=request.user), number=number)
    job_types = selectors.certificate_job_type_choices(certificate=certificate)
    if certificate.job_type_name not in job_types:  # a name since removed from the catalogue stays choosable
        job_types.append(certificate.job_type_name)
    initial = {"holder_name": certificate.holder_name, "job_type_name": certificate.job_type_name}
    form = ReissueForm(
        request.POST if request.method == "POST" else None, initial=initial, job_types=job_types
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = certificate_reissue(
                certificate=certificate,
                corrections={"holder_name": data["holder_name"], "job_type_name": data["job_type_name"]},
                reason=data["reason"],
                actor=request.user,
                context=request.context,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("已换发新证书 %(new)s，原证书 %(old)s 已撤销。")
                % {"new": new.number, "old": certificate.number},
            )
            return redirect("certificates:detail", number=new.number)
    return render(
        request,
        "certificates/reissue_confirm.html",
        {
            "certificate": certificate,
            "form": form,
            "id_type_label": id_type_label(certificate.holder_id_type),
            "is_valid": certificate.status == Certificate.Status.VALID,
        },
    )


urlpatterns = [
    path("plans/<int:plan_id>/revoke/", plan_revoke_view, name="plan_revoke"),
    path("<str:number>/revoke/", certificate_revoke_view, name="revoke"),
    path("<str:number>/reissue/", certificate_reissue_view, name="reissue"),
]
