"""A plan's certificates ZIP as a background job: start it, follow its progress, download the file.

The body's admin and exam staff only (the same scope as the synchronous ZIP was): plans and jobs of another
body answer 404. The job page polls its status fragment every second while the job runs, as the
application import's page does.
"""

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from skillcert.accounts.models import User
from skillcert.accounts.permissions import role_required
from skillcert.certificates import selectors
from skillcert.certificates.pdf import plan_certificates_zip_filename
from skillcert.certificates.permissions import PRINTER_ROLES
from skillcert.certificates.services import plan_certificates_zip_job_download, plan_certificates_zip_start
from skillcert.certificates.views.documents import no_store
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import RequestContext
from skillcert.core.responses import StreamedFileResponse
from skillcert.evaluation.models import EvaluationPlan
from skillcert.jobs.models import Job
from skillcert.jobs.services import jobs_tidy


class SignedInRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    context: RequestContext


def _printable_plan(request: SignedInRequest, plan_id: int) -> EvaluationPlan:
    return get_object_or_404(selectors.plan_list_for_printing(user=request.user), pk=plan_id)


def _zip_job(request: SignedInRequest, plan_id: int, job_uuid: UUID) -> tuple[EvaluationPlan, Job]:
    plan = _printable_plan(request, plan_id)
    jobs_tidy()  # a job whose thread died must not show "进行中" for ever; old files go
    return plan, selectors.plan_zip_job_get(plan=plan, job_uuid=job_uuid)


def _job_context(plan: EvaluationPlan, job: Job) -> dict:
    return {"plan": plan, "job": job, "state": selectors.plan_zip_job_state(job=job)}


@role_required(*PRINTER_ROLES)
@require_POST
def plan_zip_start_view(request: SignedInRequest, plan_id: int) -> HttpResponse:
    plan = _printable_plan(request, plan_id)
    try:
        started = plan_certificates_zip_start(plan=plan, actor=request.user, context=request.context)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("evaluation:plan_detail", plan.pk)
    if not started.created:
        messages.info(request, _("本计划的证书压缩包已在生成中，以下是它的进度。"))
    return redirect("certificates:plan_zip_job", plan_id=plan.pk, job_uuid=started.job.uuid)


@role_required(*PRINTER_ROLES)
@require_GET
def plan_zip_job_view(request: SignedInRequest, plan_id: int, job_uuid: UUID) -> HttpResponse:
    plan, job = _zip_job(request, plan_id, job_uuid)
    return render(request, "certificates/plan_zip_job.html", _job_context(plan, job))


@role_required(*PRINTER_ROLES)
@require_GET
def plan_zip_job_status_view(request: SignedInRequest, plan_id: int, job_uuid: UUID) -> HttpResponse:
    """The progress fragment that the job page polls every second while the job runs."""
    plan, job = _zip_job(request, plan_id, job_uuid)
    return render(request, "certificates/partials/plan_zip_job_status.html", _job_context(plan, job))


@role_required(*PRINTER_ROLES)
@require_GET
def plan_zip_job_download_view(request: SignedInRequest, plan_id: int, job_uuid: UUID) -> HttpResponse:
    plan, job = _zip_job(request, plan_id, job_uuid)
    try:
        archive, _count = plan_certificates_zip_job_download(
            job=job, plan=plan, actor=request.user, context=request.context
        )
    except ApplicationError as error:
        messages.warning(request, error.message)
        return redirect("certificates:plan_zip_job", plan_id=plan.pk, job_uuid=job.uuid)
    response = StreamedFileResponse(
        archive,
        as_attachment=True,
        filename=plan_certificates_zip_filename(plan.number),
        content_type="application/zip",
    )
    return no_store(response)


urlpatterns = [
    path("plans/<int:plan_id>/certificates-zip/", plan_zip_start_view, name="plan_zip_start"),
    path("plans/<int:plan_id>/certificates-zip/<uuid:job_uuid>/", plan_zip_job_view, name="plan_zip_job"),
    path(
        "plans/<int:plan_id>/certificates-zip/<uuid:job_uuid>/status/",
        plan_zip_job_status_view,
        name="plan_zip_job_status",
    ),
    path(
        "plans/<int:plan_id>/certificates-zip/<uuid:job_uuid>/download/",
        plan_zip_job_download_view,
        name="plan_zip_job_download",
    ),
]
