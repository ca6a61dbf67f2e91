"""Writes of the jobs mechanism: create (and start after commit), progress, finish, fail, expire, purge.

Progress is committed to the job's row as the work goes, so it must be reported while the worker holds no
open transaction (SQLite has one writer). A job whose thread died with its process (a restart) is found by
its old heartbeat and marked failed when someone next looks at a job or starts one; at the same moments the
outputs past their retention are deleted (``jobs_tidy``).
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from skillcert.accounts.models import User
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.jobs.files import job_input_delete, job_input_save, job_output_delete, job_output_name
from skillcert.jobs.models import Job
from skillcert.registry.models import Body

logger = logging.getLogger(__name__)

Status = Job.Status
ACTIVE = (Status.QUEUED, Status.RUNNING)
MSG_BUSY = gettext_lazy("本机构已有一项导入正在进行，请等待其完成后再上传。")
MSG_STALE = gettext_lazy("导入已中断（服务器可能已重启），未导入任何数据，请重新导入。")
MSG_INTERNAL = gettext_lazy("处理时发生内部错误，未导入任何数据，请重新导入；如仍失败请联系平台管理员。")
MSG_CANCELLED = gettext_lazy("该任务已被标记为中断，未导入任何数据，请重新导入。")
SYSTEM = "skillcert jobs"  # the audit's actor label for what the mechanism does on its own


@dataclass(frozen=True, slots=True)
class JobWording:
    """How a kind of job words what the mechanism itself says: busy, interrupted, crashed."""

    busy: str | Promise
    stale: str | Promise
    internal: str | Promise


# The mechanism was built for the import and speaks of it unless a kind registers its own wording.
IMPORT_WORDING = JobWording(busy=MSG_BUSY, stale=MSG_STALE, internal=MSG_INTERNAL)
_wordings: dict[str, JobWording] = {}


def job_kind_register(*, kind: str, wording: JobWording) -> None:
    """Let ``kind`` word its failures its own way; called from the owning app's ``AppConfig.ready``."""
    _wordings[kind] = wording


def job_wording(kind: str) -> JobWording:
    return _wordings.get(kind, IMPORT_WORDING)


class JobBusy(ApplicationError):
    """The body already has a queued or running job of this kind."""


class JobFailed(Exception):
    """The job's work refused its input: ``message`` and ``result`` (e.g. the problems) are kept."""

    def __init__(self, message: str, *, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.result = result or {}


class JobProgress:
    """The progress callback handed to the work: commits (phase, done, total) to the job's row.

    Commits at most every ``SKILLCERT_JOBS_PROGRESS_ROWS`` rows or ``SKILLCERT_JOBS_PROGRESS_MS``
    milliseconds, at every change of phase and when a phase completes; each commit is a heartbeat.
    Inside an atomic block it writes nothing (it could not commit there anyway).
    """

    def __init__(self, job: Job) -> None:
        self.job = job
        self.rows = settings.SKILLCERT_JOBS_PROGRESS_ROWS
        self.seconds = settings.SKILLCERT_JOBS_PROGRESS_MS / 1000
        self._phase: str | None = None
        self._done = 0
        self._at = 0.0
        self.commits = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        due = (
            phase != self._phase
            or done >= total
            or done - self._done >= self.rows
            or now - self._at >= self.seconds
        )
        if not due or transaction.get_connection().in_atomic_block:
            return
        self._phase, self._done, self._at = phase, done, now
        Job.objects.filter(pk=self.job.pk).update(
            phase=phase[:40], progress_done=done, progress_total=total, heartbeat_at=timezone.now()
        )
        self.commits += 1


def jobs_fail_stale(*, now: datetime | None = None) -> int:
    """Mark queued or running jobs with no heartbeat for SKILLCERT_JOBS_STALE_SECONDS as failed."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.SKILLCERT_JOBS_STALE_SECONDS)
    # A plain read first: on SQLite, polling pages must not queue for the write lock behind a long import.
    stale = list(Job.objects.filter(status__in=ACTIVE, heartbeat_at__lt=cutoff).values_list("pk", flat=True))
    failed = 0
    for pk in stale:
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=pk, status__in=ACTIVE, heartbeat_at__lt=cutoff)
            found = job.first()
            if found is None:
                continue
            message = str(job_wording(found.kind).stale)
            _finish(job=found, status=Status.FAILED, message=message, result={}, by_system=True)
            failed += 1
    return failed


def jobs_purge_outputs(*, now: datetime | None = None) -> int:
    """Delete the outputs of jobs finished more than SKILLCERT_JOBS_OUTPUT_HOURS ago.

    The row keeps its outcome; only ``output_file`` is emptied (the page then says the file has expired).
    """
    cutoff = (now or timezone.now()) - timedelta(hours=settings.SKILLCERT_JOBS_OUTPUT_HOURS)
    kept = Job.objects.exclude(output_file="").filter(finished_at__lt=cutoff)
    # A plain read first, as in jobs_fail_stale: nothing to purge must not take SQLite's write lock.
    purged = 0
    for pk in list(kept.values_list("pk", flat=True)):
        with transaction.atomic():
            job = kept.select_for_update().filter(pk=pk).first()
            if job is None:
                continue
            name, job.output_file = job.output_file, ""
            job.save(update_fields=["output_file"])
            audit_record(
                actor=None,
                actor_label=SYSTEM,
                action="job.output_deleted",
                target=("jobs.job", str(job.uuid)),
                data={"kind": job.kind, "params": job.params},
            )
            transaction.on_commit(partial(job_output_delete, name=name))
            purged += 1
    return purged


def jobs_tidy(*, now: datetime | None = None) -> tuple[int, int]:
    """Fail jobs whose thread is gone, purge expired outputs: run whenever jobs are shown or started, and
    from cron (``skillcert jobs-tidy``) so that an idle instance keeps no expired file. Returns how many
    jobs were failed and how many outputs deleted."""
    return jobs_fail_stale(now=now), jobs_purge_outputs(now=now)


def _finish(
    *,
    job: Job,
    status: str,
    message: str,
    result: dict[str, Any],
    output_file: str = "",
    by_system: bool = False,
) -> None:
    job.status = status
    job.message = message[:500]
    job.result = result
    job.finished_at = timezone.now()
    name, job.input_file = job.input_file, ""
    job.output_file = output_file
    job.save(update_fields=["status", "message", "result", "finished_at", "input_file", "output_file"])
    if status == Status.FAILED:
        # What a failed work may have left (a process that died while writing its output) goes too.
        transaction.on_commit(partial(job_output_delete, name=job_output_name(job.uuid)))
    audit_record(
        actor=None if by_system else job.created_by,
        actor_label=SYSTEM if by_system else "",
        action="job.succeeded" if status == Status.SUCCEEDED else "job.failed",
        target=("jobs.job", str(job.uuid)),
        data={"kind": job.kind, "params": job.params, "message": job.message, **_audit_summary(result)},
    )
    transaction.on_commit(lambda: job_input_delete(name=name))


def _audit_summary(result: dict[str, Any]) -> dict[str, Any]:
    summary = {k: v for k, v in result.items() if isinstance(v, int | str)}
    if isinstance(result.get("problems"), list):
        summary["problems"] = len(result["problems"])
    return summary


JobStarter = Callable[[Job], None]


def job_create(
    *,
    kind: str,
    body: Body | None,
    actor: User,
    params: dict[str, Any],
    content: bytes | None = None,
    start: JobStarter,
    context: RequestContext = NO_REQUEST,
) -> Job:
    """Queue a job for ``body`` (with its input file, if any) and call ``start(job)`` once it is committed.

    Raises JobBusy while the body has another queued or running job of the same ``kind``.
    """
    jobs_tidy()
    now = timezone.now()
    job = Job(kind=kind, body=body, created_by=actor, params=params, created_at=now, heartbeat_at=now)
    busy = str(job_wording(kind).busy)
    data: dict[str, Any] = {"kind": kind, "params": params}
    if content is not None:
        job.input_file = f"{job.uuid.hex}.bin"
        job_input_save(name=job.input_file, content=content)
        data["bytes"] = len(content)
    try:
        with transaction.atomic():
            if body is not None and Job.objects.filter(body=body, kind=kind, status__in=ACTIVE).exists():
                raise JobBusy(busy, extra={"status": 409})
            try:
                with transaction.atomic():
                    job.save()
            except IntegrityError:  # the other one was created at the same moment
                raise JobBusy(busy, extra={"status": 409}) from None
            audit_record(
                actor=actor,
                action="job.created",
                target=("jobs.job", str(job.uuid)),
                data=data,
                context=context,
            )
            transaction.on_commit(lambda: start(job))
    except BaseException:
        job_input_delete(name=job.input_file)
        raise
    return job


def job_begin(*, job_id: int) -> Job | None:
    """Queued → running; None if the job is no longer queued (expired meanwhile)."""
    now = timezone.now()
    if not Job.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, heartbeat_at=now
    ):
        return None
    return Job.objects.select_related("created_by", "body").get(pk=job_id)


def job_require_running(*, job: Job) -> None:
    """Inside the work's final transaction: the job still runs (not expired meanwhile); beat once more."""
    if not Job.objects.filter(pk=job.pk, status=Status.RUNNING).update(heartbeat_at=timezone.now()):
        raise ApplicationError(str(MSG_CANCELLED))


@transaction.atomic
def job_succeed(*, job: Job, result: dict[str, Any], output_file: str = "") -> Job:
    """Running → succeeded with ``result`` (and the private file it made); progress shown complete.

    A job already failed meanwhile (no heartbeat for too long, so ``jobs_fail_stale`` gave up on it) keeps
    that verdict, as in ``job_fail``: the user was told to start again, and its output is deleted.
    """
    job = Job.objects.select_for_update().select_related("created_by").get(pk=job.pk)
    if job.status != Status.RUNNING:
        logger.warning("job %s finished but was %s: its output is dropped", job.uuid, job.status)
        transaction.on_commit(partial(job_output_delete, name=output_file))
        return job
    job.progress_done = job.progress_total = max(job.progress_total, job.progress_done)
    job.save(update_fields=["progress_done", "progress_total"])
    _finish(job=job, status=Status.SUCCEEDED, message="", result=result, output_file=output_file)
    return job


@transaction.atomic
def job_fail(*, job: Job, message: str, result: dict[str, Any] | None = None) -> Job:
    """Queued or running → failed with the user-facing ``message`` (and e.g. the list of problems)."""
    job = Job.objects.select_for_update().select_related("created_by").get(pk=job.pk)
    if job.status not in ACTIVE:
        return job  # already expired: keep its first verdict
    _finish(job=job, status=Status.FAILED, message=message, result=result or {})
    return job
