"""Certificate PDFs: one (the holder, or the issuing body's admin and exam staff) or a plan's as a ZIP.

A plan's ZIP is made as a background job (``plan_zip.py``); its old address leads there.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from skillcert.accounts.models import User
from skillcert.accounts.permissions import login_required_view, role_required
from skillcert.certificates import selectors
from skillcert.certificates.pdf import certificate_pdf_filename
from skillcert.certificates.permissions import PRINTER_ROLES
from skillcert.certificates.services import certificate_pdf_download
from skillcert.core.request_context import RequestContext

MSG_ZIP_MOVED = gettext_lazy("证书压缩包现在在后台生成：请点击“证书”一栏的“生成证书压缩包”，完成后即可下载。")


class SignedInRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    context: RequestContext


def no_store(response: HttpResponse) -> HttpResponse:
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
    return no_store(response)


@role_required(*PRINTER_ROLES)
@require_GET
def plan_certificates_zip_view(request: SignedInRequest, plan_id: int) -> HttpResponse:
    """The old synchronous ZIP address (bookmarks): to the plan's ZIP job if there is one, else the plan.

    Making thousands of PDFs within a GET kept the browser waiting past a proxy's timeout; a GET does not
    start a job either, so the plan page offers the button that does.
    """
    plan = get_object_or_404(selectors.plan_list_for_printing(user=request.user), pk=plan_id)
    job = selectors.plan_zip_job_latest(plan=plan)
    if job is not None:
        return redirect("certificates:plan_zip_job", plan_id=plan.pk, job_uuid=job.uuid)
    messages.info(request, MSG_ZIP_MOVED)
    return redirect("evaluation:plan_detail", plan.pk)


urlpatterns = [
    path("plans/<int:plan_id>/certificates.zip", plan_certificates_zip_view, name="plan_zip"),
    path("<str:number>/pdf/", certificate_pdf_view, name="pdf"),
]
