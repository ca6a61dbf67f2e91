"""Running a job in a daemon thread of the web process, so that `make run` needs no worker process.

The thread has its own database connection (Django's are per thread) and closes it at the end. If the
process dies, the job's heartbeat stops and ``jobs_fail_stale`` marks it failed later.

A work that makes a file writes it with ``job_output_write(name=job_output_name(job.uuid))``; when the work
succeeds the runner records the file on the job's row, otherwise it deletes it.
"""

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db import connections

from skillcert.core.errors import ApplicationError
from skillcert.jobs.files import job_input_read, job_output_delete, job_output_exists, job_output_name
from skillcert.jobs.models import Job
from skillcert.jobs.services import (
    JobFailed,
    JobProgress,
    job_begin,
    job_fail,
    job_succeed,
    job_wording,
)

logger = logging.getLogger(__name__)

# work(job, content, progress) → the result to keep; raises JobFailed to refuse the input. ``content`` is
# the uploaded input (empty for a job created without one).
JobWork = Callable[[Job, bytes, JobProgress], dict[str, Any]]


def job_run(*, job_id: int, work: JobWork) -> None:
    """Run one queued job to its end in the calling thread."""
    job = job_begin(job_id=job_id)
    if job is None:
        return
    output = job_output_name(job.uuid)
    try:
        content = job_input_read(name=job.input_file) if job.input_file else b""
        result = work(job, content, JobProgress(job))
    except JobFailed as failure:
        job_output_delete(name=output)
        job_fail(job=job, message=failure.message, result=failure.result)
    except ApplicationError as error:
        job_output_delete(name=output)
        job_fail(job=job, message=error.message)
    except Exception:
        logger.exception("job %s (%s) crashed", job.uuid, job.kind)
        job_output_delete(name=output)
        job_fail(job=job, message=str(job_wording(job.kind).internal))
    else:
        try:
            job_succeed(job=job, result=result, output_file=output if job_output_exists(name=output) else "")
        except BaseException:
            job_output_delete(name=output)  # not recorded: it would never be purged
            raise


def _thread_main(job_id: int, work: JobWork) -> None:
    try:
        job_run(job_id=job_id, work=work)
    except Exception:
        logger.exception("job %s could not be recorded", job_id)
    finally:
        connections.close_all()  # this thread's connections only


def job_starter(work: JobWork) -> Callable[[Job], None]:
    """The ``start`` for ``job_create``: run ``work`` in a new daemon thread after commit."""

    def start(job: Job) -> None:
        thread = threading.Thread(
            target=_thread_main, args=(job.pk, work), name=f"job-{job.uuid.hex[:8]}", daemon=True
        )
        thread.start()

    return start
