"""A plan's certificates ZIP made as a background job (docs/decisions/0008), then downloaded from the job.

The job runs ``plan_certificates_zip_write`` (the same code as the synchronous download, so the same bytes)
in a thread of the web process and keeps the ZIP as the job's private output file, deleted
SKILLCERT_JOBS_OUTPUT_HOURS after the job ends: the PDFs print full ID numbers. Starting is not a download;
each download of the file is audited as ``plan.certificates_pdf_downloaded``, like the synchronous one.

A body makes one ZIP at a time (one active job per body and kind): pressing the button again for the same
plan leads to the running job; for another plan it is refused until that one is done.
"""

from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.certificates.models import Certificate
from skillcert.certificates.permissions import user_is_printer
from skillcert.certificates.services.documents import MSG_MAY_NOT_PRINT, plan_certificates_zip_write
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation.models import EvaluationPlan
from skillcert.jobs.files import job_output_name, job_output_open, job_output_write
from skillcert.jobs.models import Job
from skillcert.jobs.runner import job_starter
from skillcert.jobs.selectors import job_output_available
from skillcert.jobs.services import ACTIVE, JobBusy, JobProgress, JobWording, job_create, jobs_tidy

PLAN_ZIP = "certificates.plan_zip"

MSG_NO_CERTIFICATES = _("本计划还没有证书，无需生成证书压缩包。")
MSG_ZIP_BUSY = _("本机构正在生成计划 %(plan)s 的证书压缩包，请等待其完成后再生成本计划的压缩包。")
MSG_ZIP_NOT_READY = _("证书压缩包尚未生成完成，请稍候。")
MSG_ZIP_EXPIRED = _(
    "证书压缩包含有持证人的完整证件号码，生成 %(hours)d 小时后已自动删除。如仍需要，请重新生成。"
)
MSG_ZIP_FAILED = _("证书压缩包未能生成，请重新生成。")
ZIP_WORDING = JobWording(
    busy=_("本机构正在生成另一个计划的证书压缩包，请等待其完成后再生成。"),
    stale=_("证书压缩包的生成已中断（服务器可能已重启），请重新生成。"),
    internal=_("生成证书压缩包时发生内部错误，请重新生成；如仍失败请联系平台管理员。"),
)


@dataclass(frozen=True, slots=True)
class PlanZipStart:
    job: Job
    created: bool  # False: the ZIP of this plan was already being made, ``job`` is that job


def plan_zip_expired_message() -> str:
    return str(MSG_ZIP_EXPIRED) % {"hours": settings.SKILLCERT_JOBS_OUTPUT_HOURS}


def _work(job: Job, content: bytes, progress: JobProgress) -> dict[str, Any]:
    plan = EvaluationPlan.objects.get(pk=job.params["plan"], tenant=job.body)
    with job_output_write(name=job_output_name(job.uuid)) as out:
        count = plan_certificates_zip_write(plan=plan, out=out, progress=progress)
        size = out.tell()
    return {"count": count, "bytes": size}


def _active_zip_job(*, plan: EvaluationPlan) -> Job | None:
    return Job.objects.filter(body_id=plan.tenant_id, kind=PLAN_ZIP, status__in=ACTIVE).first()


def _running_for(*, plan: EvaluationPlan) -> Job | None:
    """The body's ZIP job being made: returned if it is this plan's, refused if another plan's."""
    running = _active_zip_job(plan=plan)
    if running is None or running.params.get("plan") == plan.pk:
        return running
    raise ApplicationError(str(MSG_ZIP_BUSY) % {"plan": running.params.get("plan_number", "")})


def plan_certificates_zip_start(
    *, plan: EvaluationPlan, actor: User, context: RequestContext = NO_REQUEST
) -> PlanZipStart:
    """Queue the ZIP of the plan's certificates, or return the job already making it."""
    if not user_is_printer(user=actor, body_id=plan.tenant_id):
        raise PermissionDenied(str(MSG_MAY_NOT_PRINT))
    count = Certificate.objects.filter(application__plan=plan).count()
    if not count:
        raise ApplicationError(str(MSG_NO_CERTIFICATES))
    jobs_tidy()  # a ZIP job whose thread died with a restart must not block the body for ever
    running = _running_for(plan=plan)
    if running is not None:
        return PlanZipStart(job=running, created=False)
    try:
        job = job_create(
            kind=PLAN_ZIP,
            body=plan.tenant,
            actor=actor,
            params={"plan": plan.pk, "plan_number": plan.number, "certificates": count},
            start=job_starter(_work),
            context=context,
        )
    except JobBusy:  # another press at the same moment
        running = _running_for(plan=plan)
        if running is None:
            raise
        return PlanZipStart(job=running, created=False)
    return PlanZipStart(job=job, created=True)


def plan_certificates_zip_job_download(
    *, job: Job, plan: EvaluationPlan, actor: User, context: RequestContext = NO_REQUEST
) -> tuple[IO[bytes], int]:
    """The ZIP a finished job made, opened for reading, and its number of certificates; audited.

    The caller closes the file. Refused once the file's retention is over.
    """
    if not user_is_printer(user=actor, body_id=plan.tenant_id):
        raise PermissionDenied(str(MSG_MAY_NOT_PRINT))
    if job.kind != PLAN_ZIP or job.body_id != plan.tenant_id or job.params.get("plan") != plan.pk:
        raise PermissionDenied(str(MSG_MAY_NOT_PRINT))
    if job.active:
        raise ApplicationError(str(MSG_ZIP_NOT_READY))
    if job.status != Job.Status.SUCCEEDED:
        raise ApplicationError(str(MSG_ZIP_FAILED))
    expired = ApplicationError(plan_zip_expired_message())
    if not job_output_available(job=job):
        raise expired
    try:
        archive = job_output_open(name=job.output_file)
    except FileNotFoundError:  # purged meanwhile
        raise expired from None
    count = int(job.result["count"])
    try:
        audit_record(
            actor=actor,
            action="plan.certificates_pdf_downloaded",
            target=plan,
            data={"plan": plan.number, "count": count, "job": str(job.uuid)},
            context=context,
        )
    except BaseException:
        archive.close()
        raise
    return archive, count
