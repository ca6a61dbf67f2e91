"""Reads of jobs: always through the tenant (a job of another body is not found)."""

from uuid import UUID

from django.http import Http404

from skillcert.jobs.models import Job
from skillcert.registry.models import Body


def job_get_for_body(*, body: Body, job_uuid: UUID, kind: str) -> Job:
    """One job of ``body`` of the given kind; 404 otherwise."""
    job = Job.objects.filter(body=body, uuid=job_uuid, kind=kind).first()
    if job is None:
        raise Http404
    return job
