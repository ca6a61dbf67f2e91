"""Certificate PDFs: one (the holder, or the issuing body's admin and exam staff) or a plan's as a ZIP."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.http import require_GET

from skillcert.accounts.models import User
from skillcert.accounts.permissions import login_required_view, role_required
from skillcert.certificates import selectors
from skillcert.certificates.pdf import certificate_pdf_filename, plan_certificates_zip_filename
from skillcert.certificates.permissions import PRINTER_ROLES
from skillcert.certificates.services import certificate_pdf_download, plan_certificates_zip_download
from skillcert.core.request_context import RequestContext


class SignedInRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    context: RequestContext


def _no_store(response: HttpResponse) -> HttpResponse:
    # The PDF carries the full ID number: no shared or browser cache may keep it.
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required_view
@require_GET
def certificate_pdf_view(request: SignedInRequest, number: str) -> HttpResponse:
    # Only the holder's own certificates and, for the body's admin and exam staff, the body's: else 404.
    certificate = get_object_or_404(selectors.certificate_list_printable(user=request.user), number=number)
    pdf = certificate_pdf_download(certificate=certificate, actor=request.user, context=request.context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate_pdf_filename(certificate)}"'
    return _no_store(response)


@role_required(*PRINTER_ROLES)
@require_GET
def plan_certificates_zip_view(request: SignedInRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(selectors.plan_list_for_printing(user=request.user), pk=plan_id)
    archive, _count = plan_certificates_zip_download(plan=plan, actor=request.user, context=request.context)
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=plan_certificates_zip_filename(plan.number),
        content_type="application/zip",
    )
    return _no_store(response)


urlpatterns = [
    path("plans/<int:plan_id>/certificates.zip", plan_certificates_zip_view, name="plan_zip"),
    path("<str:number>/pdf/", certificate_pdf_view, name="pdf"),
]
