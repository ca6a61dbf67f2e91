"""Reads of jobs: always through the tenant (a job of another body is not found)."""

from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from skillcert.jobs.models import Job
from skillcert.registry.models import Body


def job_get_for_body(*, body: Body, job_uuid: UUID, kind: str) -> Job:
    """One job of ``body`` of the given kind; 404 otherwise."""
    job = Job.objects.filter(body=body, uuid=job_uuid, kind=kind).first()
    if job is None:
        raise Http404
    return job


def job_output_expires_at(*, job: Job) -> datetime | None:
    """When the job's output is (or was) deleted: SKILLCERT_JOBS_OUTPUT_HOURS after the job finished."""
    if job.finished_at is None:
        return None
    return job.finished_at + timedelta(hours=settings.SKILLCERT_JOBS_OUTPUT_HOURS)


def job_output_available(*, job: Job, at: datetime | None = None) -> bool:
    """Whether the job made an output that is still kept (its retention not over, not yet purged)."""
    expires_at = job_output_expires_at(job=job)
    return bool(
        job.status == Job.Status.SUCCEEDED
        and job.output_file
        and expires_at is not None
        and (at or timezone.now()) < expires_at
    )
