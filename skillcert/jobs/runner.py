"""Running a job in a daemon thread of the web process, so that `make run` needs no worker process.

The thread has its own database connection (Django's are per thread) and closes it at the end. If the
process dies, the job's heartbeat stops and ``jobs_fail_stale`` marks it failed later.
"""

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db import connections

from skillcert.core.errors import ApplicationError
from skillcert.jobs.files import job_input_read
from skillcert.jobs.models import Job
from skillcert.jobs.services import (
    MSG_INTERNAL,
    JobFailed,
    JobProgress,
    job_begin,
    job_fail,
    job_succeed,
)

logger = logging.getLogger(__name__)

# work(job, content, progress) → the result to keep; raises JobFailed to refuse the input.
JobWork = Callable[[Job, bytes, JobProgress], dict[str, Any]]


def job_run(*, job_id: int, work: JobWork) -> None:
    """Run one queued job to its end in the calling thread."""
    job = job_begin(job_id=job_id)
    if job is None:
        return
    try:
        content = job_input_read(name=job.input_file)
        result = work(job, content, JobProgress(job))
    except JobFailed as failure:
        job_fail(job=job, message=failure.message, result=failure.result)
    except ApplicationError as error:
        job_fail(job=job, message=error.message)
    except Exception:
        logger.exception("job %s (%s) crashed", job.uuid, job.kind)
        job_fail(job=job, message=str(MSG_INTERNAL))
    else:
        job_succeed(job=job, result=result)


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
