"""Waiting for a job's thread in tests: a bounded poll of the job's row."""

import time

import pytest

from skillcert.jobs.models import Job


def wait_for(job: Job, seconds: float = 60) -> Job:
    """Poll the job's row until its thread has finished it; fail the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.active:
            return job
        time.sleep(0.05)
    pytest.fail(f"job {job.uuid} still {job.status} after {seconds} s ({job.phase} {job.progress_done})")
