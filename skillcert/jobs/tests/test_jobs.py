"""The jobs mechanism on its own: progress commits, private input files, one active job per body,
expiry of jobs whose thread is gone, and a crash inside the work."""

import os
import stat
from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.jobs.files import job_input_read
from skillcert.jobs.models import Job
from skillcert.jobs.runner import job_run, job_starter
from skillcert.jobs.services import (
    MSG_BUSY,
    MSG_INTERNAL,
    JobFailed,
    JobProgress,
    job_create,
    jobs_fail_stale,
)
from skillcert.jobs.tests.waiting import wait_for

pytestmark = pytest.mark.django_db
CHECKPOINTS = [("校验", 0), ("校验", 1000), ("校验", 2000), ("校验", 2500)]


@pytest.fixture(autouse=True)
def _private_jobs_dir(settings, tmp_path):
    settings.SKILLCERT_JOBS_DIR = tmp_path / "jobs"


def never_start(job: Job) -> None:
    return None


def queued(world, **fields) -> Job:
    return job_create(
        kind="test.kind",
        body=world.body_y,
        actor=world.body_y_admin,
        params={"n": 1},
        content=b"secret bytes",
        start=never_start,
        **fields,
    )


def test_given_an_upload_when_a_job_is_created_then_its_input_is_private_and_audited(world, settings):
    # when
    job = queued(world)

    # then
    path = settings.SKILLCERT_JOBS_DIR / job.input_file
    assert job.status == Job.Status.QUEUED and job.input_file == f"{job.uuid.hex}.bin"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(settings.SKILLCERT_JOBS_DIR).st_mode) == 0o700
    assert "media" not in path.parts
    assert job_input_read(name=job.input_file) == b"secret bytes"
    event = AuditEvent.objects.get(action="job.created")
    assert (event.target_type, event.target_id, event.data["kind"]) == (
        "jobs.job",
        str(job.uuid),
        "test.kind",
    )
    path.unlink()


def test_given_an_active_job_of_the_body_then_a_second_is_refused(world, settings):
    first = queued(world)

    with pytest.raises(ApplicationError) as raised:
        queued(world)

    assert raised.value.message == str(MSG_BUSY)
    assert list(Job.objects.values_list("pk", flat=True)) == [first.pk]
    assert sorted(p.name for p in settings.SKILLCERT_JOBS_DIR.glob("*.bin")) == [first.input_file]


def test_the_database_refuses_two_active_jobs_of_one_body(world):
    now = timezone.now()
    fields = {"kind": "k", "body": world.body_y, "created_by": world.body_y_admin, "created_at": now}
    Job.objects.create(status=Job.Status.RUNNING, heartbeat_at=now, **fields)
    Job.objects.create(status=Job.Status.FAILED, heartbeat_at=now, **fields)  # finished ones don't count

    with pytest.raises(IntegrityError):
        Job.objects.create(status=Job.Status.QUEUED, heartbeat_at=now, **fields)


@pytest.mark.django_db(transaction=True)  # progress is committed only outside a transaction
def test_progress_is_committed_every_n_rows_at_phase_changes_and_at_the_end(world, settings):
    # given: every 1,000 rows, never by time
    settings.SKILLCERT_JOBS_PROGRESS_ROWS = 1000
    settings.SKILLCERT_JOBS_PROGRESS_MS = 10**9
    job = queued(world)
    progress = JobProgress(job)
    seen = []

    # when: 2,500 rows of 校验, then 写入
    for done in range(2501):
        progress("校验", done, 2500)
        job.refresh_from_db()
        seen.append((job.phase, job.progress_done, job.progress_total))
    progress("写入", 0, 2500)
    job.refresh_from_db()

    # then
    assert progress.commits == 5
    assert sorted(set(seen)) == [
        ("校验", 0, 2500),
        ("校验", 1000, 2500),
        ("校验", 2000, 2500),
        ("校验", 2500, 2500),
    ]
    assert (job.phase, job.progress_done) == ("写入", 0)


def test_jobs_without_heartbeat_are_failed_and_recent_ones_kept(world, settings):
    settings.SKILLCERT_JOBS_STALE_SECONDS = 60
    now = timezone.now()
    fields = {"kind": "k", "created_by": world.body_y_admin, "created_at": now, "status": Job.Status.RUNNING}
    old = Job.objects.create(body=world.body_y, heartbeat_at=now - timedelta(seconds=61), **fields)
    recent = Job.objects.create(body=world.body_s, heartbeat_at=now - timedelta(seconds=30), **fields)

    assert jobs_fail_stale() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, recent.status) == (Job.Status.FAILED, Job.Status.RUNNING)
    assert "请重新导入" in old.message


def test_work_that_refuses_or_crashes_fails_the_job_with_a_message(world, settings):
    def refuse(job, content, progress):
        raise JobFailed("不行", result={"problems": [[2, "A", "姓名", "请填写姓名。"]]})

    def crash(job, content, progress):
        raise RuntimeError("boom")

    job = queued(world)
    job_run(job_id=job.pk, work=refuse)
    job.refresh_from_db()
    assert (job.status, job.message, job.result["problems"][0][0]) == (Job.Status.FAILED, "不行", 2)

    job = queued(world)
    job_run(job_id=job.pk, work=crash)
    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.FAILED, str(MSG_INTERNAL))


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_in_its_own_thread_after_commit(world, settings):
    # given work that reports progress
    def work(job, content, progress):
        progress("校验", 3, 3)
        return {"bytes": len(content)}

    # when
    job = wait_for(
        job_create(
            kind="k",
            body=world.body_y,
            actor=world.body_y_admin,
            params={},
            content=b"12345",
            start=job_starter(work),
        )
    )

    # then
    assert (job.status, job.result, job.progress_done, job.progress_total) == (
        Job.Status.SUCCEEDED,
        {"bytes": 5},
        3,
        3,
    )
    assert not (settings.SKILLCERT_JOBS_DIR / f"{job.uuid.hex}.bin").exists()
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))[-2:] == [
        "job.created",
        "job.succeeded",
    ]
