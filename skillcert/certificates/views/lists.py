"""Certificate pages: the staff list (body or region scope), one certificate, and the candidate's own."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from skillcert.accounts.models import User
from skillcert.accounts.permissions import login_required_view, role_required
from skillcert.accounts.roles import STAFF_ROLES
from skillcert.certificates import selectors
from skillcert.certificates.forms import CertificateFilterForm
from skillcert.certificates.pdf import id_type_label

CERTIFICATES_PER_PAGE = 50


class SignedInRequest(HttpRequest):
    user: User  # type: ignore[assignment]


@role_required(*STAFF_ROLES)
@require_GET
def certificate_list_view(request: SignedInRequest) -> HttpResponse:
    visible = selectors.certificate_list_for_staff(user=request.user)
    form = CertificateFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    plan = None
    if filters.get("plan"):
        plan = selectors.plan_list_for_staff(user=request.user).filter(pk=filters["plan"]).first()
    certificates = selectors.certificate_search(
        certificates=visible,
        q=filters.get("q", ""),
        # A plan outside the viewer's scope filters to nothing rather than being ignored.
        plan_id=filters.get("plan"),
        level_code=filters["level"].code if filters.get("level") else "",
        year=filters.get("year"),
    )
    page = Paginator(certificates, CERTIFICATES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "certificates/list.html",
        {
            "form": form,
            "page": page,
            "plan": plan,
            "years": selectors.certificate_years(certificates=visible),
            "filtered": any(filters.get(name) for name in ("q", "plan", "level", "year")),
        },
    )


@login_required_view
@require_GET
def certificate_detail_view(request: SignedInRequest, number: str) -> HttpResponse:
    # Through the viewer's scope: another body's certificate, or another person's, is simply not there.
    certificate = get_object_or_404(selectors.certificate_list_visible(user=request.user), number=number)
    return render(
        request,
        "certificates/detail.html",
        {
            "certificate": certificate,
            "id_type_label": id_type_label(certificate.holder_id_type),
            "is_own": certificate.candidate.user_id == request.user.pk,
            "actions": selectors.certificate_actions(user=request.user, certificate=certificate),
            # The certificate this one corrected, if it is a reissue (shown as a link back).
            "replaces": certificate.replaces.order_by("pk").first(),
        },
    )


@login_required_view
@require_GET
def my_certificates_view(request: SignedInRequest) -> HttpResponse:
    certificates = selectors.certificate_list_for_candidate(user=request.user)
    return render(request, "certificates/mine.html", {"certificates": certificates})


urlpatterns = [
    path("", certificate_list_view, name="list"),
    path("mine/", my_certificates_view, name="mine"),
    path("<str:number>/", certificate_detail_view, name="detail"),
]
