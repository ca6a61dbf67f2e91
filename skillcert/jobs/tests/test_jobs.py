"""The jobs mechanism on its own: progress commits, private input and output files, one active job per body
and kind, expiry of jobs whose thread is gone, a crash inside the work, and outputs deleted after their
retention."""

import io
import os
import stat
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.jobs.files import job_input_read, job_output_name, job_output_write
from skillcert.jobs.models import Job
from skillcert.jobs.runner import job_run, job_starter
from skillcert.jobs.services import (
    MSG_BUSY,
    MSG_INTERNAL,
    JobBusy,
    JobFailed,
    JobProgress,
    JobWording,
    job_create,
    job_kind_register,
    jobs_fail_stale,
    jobs_purge_outputs,
)
from skillcert.jobs.tests.waiting import wait_for

pytestmark = pytest.mark.django_db
CHECKPOINTS = [("校验", 0), ("校验", 1000), ("校验", 2000), ("校验", 2500)]


@pytest.fixture(autouse=True)
def _private_jobs_dir(settings, tmp_path):
    settings.SKILLCERT_JOBS_DIR = tmp_path / "jobs"


def never_start(job: Job) -> None:
    return None


def queued(world, kind: str = "test.kind", **fields) -> Job:
    return job_create(
        kind=kind,
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

    with pytest.raises(JobBusy) as raised:
        queued(world)

    assert isinstance(raised.value, ApplicationError) and raised.value.message == str(MSG_BUSY)
    assert list(Job.objects.values_list("pk", flat=True)) == [first.pk]
    assert sorted(p.name for p in settings.SKILLCERT_JOBS_DIR.glob("*.bin")) == [first.input_file]


def test_given_an_active_job_of_one_kind_then_a_job_of_another_kind_is_created(world, settings):
    # given: an import-like job of the body running
    first = queued(world, kind="test.import")

    # when: the body starts a job of another kind
    second = queued(world, kind="test.zip")

    # then: both are queued; and a third of the first kind still waits
    assert set(Job.objects.filter(status=Job.Status.QUEUED).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    with pytest.raises(JobBusy):
        queued(world, kind="test.import")


def test_the_database_refuses_two_active_jobs_of_one_body_and_kind(world):
    now = timezone.now()
    fields = {"kind": "k", "body": world.body_y, "created_by": world.body_y_admin, "created_at": now}
    Job.objects.create(status=Job.Status.RUNNING, heartbeat_at=now, **fields)
    Job.objects.create(status=Job.Status.FAILED, heartbeat_at=now, **fields)  # finished ones don't count
    Job.objects.create(status=Job.Status.QUEUED, heartbeat_at=now, **{**fields, "kind": "other"})

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


def without_input(world, *, kind: str = "test.output", body=None) -> Job:
    return job_create(kind=kind, body=body, actor=world.body_y_admin, params={}, start=never_start)


def test_a_job_without_input_has_no_input_file(world, settings):
    job = without_input(world, body=world.body_y)

    assert job.input_file == ""
    assert "bytes" not in AuditEvent.objects.get(action="job.created").data
    assert not settings.SKILLCERT_JOBS_DIR.exists() or list(settings.SKILLCERT_JOBS_DIR.iterdir()) == []


def write_output(job, content, progress):
    with job_output_write(name=job_output_name(job.uuid)) as out:
        out.write(b"PK made")
    return {"bytes": 7}


def test_a_works_output_is_private_and_recorded_when_it_succeeds(world, settings):
    # given
    job = without_input(world, body=world.body_y)

    # when
    job_run(job_id=job.pk, work=write_output)

    # then
    job.refresh_from_db()
    path = settings.SKILLCERT_JOBS_DIR / job.output_file
    assert (job.status, job.output_file) == (Job.Status.SUCCEEDED, f"{job.uuid.hex}.out")
    assert path.read_bytes() == b"PK made" and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in settings.SKILLCERT_JOBS_DIR.iterdir()) == [job.output_file]


def test_a_failed_works_output_is_deleted_whole_or_partial(
    world, settings, django_capture_on_commit_callbacks
):
    # given: one work that writes its output and then refuses, one that fails while writing
    def refuse_after_writing(job, content, progress):
        write_output(job, content, progress)
        raise JobFailed("不行")

    def crash_while_writing(job, content, progress):
        with job_output_write(name=job_output_name(job.uuid)) as out:
            out.write(b"PK half")
            raise RuntimeError("disk full")

    for work in (refuse_after_writing, crash_while_writing):
        job = without_input(world)

        # when
        with django_capture_on_commit_callbacks(execute=True):
            job_run(job_id=job.pk, work=work)

        # then: failed, and nothing of its output left
        job.refresh_from_db()
        assert (job.status, job.output_file) == (Job.Status.FAILED, "")
        assert list(settings.SKILLCERT_JOBS_DIR.iterdir()) == []


def test_a_stale_jobs_partial_output_is_deleted(world, settings, django_capture_on_commit_callbacks):
    # given: a job whose process died while it wrote its output
    settings.SKILLCERT_JOBS_STALE_SECONDS = 60
    job = without_input(world, body=world.body_y)
    settings.SKILLCERT_JOBS_DIR.mkdir(parents=True, exist_ok=True)
    partial = settings.SKILLCERT_JOBS_DIR / f"{job_output_name(job.uuid)}.part"
    partial.write_bytes(b"PK half")
    beat = timezone.now() - timedelta(seconds=61)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=beat)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        jobs_fail_stale()

    # then
    assert not partial.exists()


def test_a_job_given_up_as_stale_keeps_failing_when_its_work_ends_after_all(
    world, settings, django_capture_on_commit_callbacks
):
    # given: a work that goes quiet so long that a page view gives the job up meanwhile
    settings.SKILLCERT_JOBS_STALE_SECONDS = 60
    job = without_input(world, body=world.body_y)

    def slow_then_done(job, content, progress):
        beat = timezone.now() - timedelta(seconds=61)
        Job.objects.filter(pk=job.pk).update(heartbeat_at=beat)
        jobs_fail_stale()  # another request, while the work still runs
        return write_output(job, content, progress)

    # when the work ends after all
    with django_capture_on_commit_callbacks(execute=True):
        job_run(job_id=job.pk, work=slow_then_done)

    # then: the user was told it failed, and so it stays; its output is not kept
    job.refresh_from_db()
    assert (job.status, job.output_file) == (Job.Status.FAILED, "")
    assert not (settings.SKILLCERT_JOBS_DIR / job_output_name(job.uuid)).exists()


def finished_hours_ago(job: Job, hours: float) -> Job:
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=hours))
    job.refresh_from_db()
    return job


def test_outputs_past_their_retention_are_deleted_and_recent_ones_kept(
    world, settings, django_capture_on_commit_callbacks
):
    # given: 24 hours kept; one output 25 hours old, one 23
    settings.SKILLCERT_JOBS_OUTPUT_HOURS = 24
    old, recent = without_input(world), without_input(world)
    for job in (old, recent):
        job_run(job_id=job.pk, work=write_output)
    old, recent = finished_hours_ago(old, 25), finished_hours_ago(recent, 23)
    old_path = settings.SKILLCERT_JOBS_DIR / old.output_file

    # when
    with django_capture_on_commit_callbacks(execute=True):
        purged = jobs_purge_outputs()

    # then: the old file is gone and its row says so; the job keeps its outcome
    assert purged == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.output_file, old.result) == (Job.Status.SUCCEEDED, "", {"bytes": 7})
    assert recent.output_file == f"{recent.uuid.hex}.out"
    assert sorted(p.name for p in settings.SKILLCERT_JOBS_DIR.iterdir()) == [recent.output_file]
    assert not old_path.exists()
    event = AuditEvent.objects.get(action="job.output_deleted")
    assert (event.target_id, event.actor_id, event.actor_username) == (str(old.uuid), None, "skillcert jobs")
    # nothing more to purge
    assert jobs_purge_outputs() == 0


def test_a_kind_words_its_own_failures(world, settings):
    # given: a kind with its own wording
    settings.SKILLCERT_JOBS_STALE_SECONDS = 60
    wording = JobWording(busy="正忙。", stale="中断了，请重新生成。", internal="出错了，请重新生成。")
    job_kind_register(kind="test.worded", wording=wording)

    def crash(job, content, progress):
        raise RuntimeError("boom")

    # when: one job crashes, one is left without heartbeat, a third is refused while one is active
    crashed = without_input(world, kind="test.worded")
    job_run(job_id=crashed.pk, work=crash)
    stale = without_input(world, kind="test.worded", body=world.body_y)
    with pytest.raises(JobBusy) as busy:
        without_input(world, kind="test.worded", body=world.body_y)
    Job.objects.filter(pk=stale.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    jobs_fail_stale()

    # then
    crashed.refresh_from_db()
    stale.refresh_from_db()
    assert (crashed.message, stale.message, busy.value.message) == (
        "出错了，请重新生成。",
        "中断了，请重新生成。",
        "正忙。",
    )


def test_the_tidy_command_deletes_expired_outputs_and_fails_interrupted_jobs(
    world, settings, django_capture_on_commit_callbacks
):
    # given: an output past its retention and a running job whose thread is gone (no heartbeat)
    settings.SKILLCERT_JOBS_OUTPUT_HOURS = 24
    settings.SKILLCERT_JOBS_STALE_SECONDS = 60
    finished = without_input(world)
    job_run(job_id=finished.pk, work=write_output)
    interrupted = without_input(world, kind="test.interrupted")  # creating a job tidies too: age after
    finished = finished_hours_ago(finished, 25)
    Job.objects.filter(pk=interrupted.pk).update(
        status=Job.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    out = io.StringIO()

    # when: cron runs the command, nobody having opened a job page
    with django_capture_on_commit_callbacks(execute=True):  # files go once the rows say so
        call_command("jobs_tidy", stdout=out)

    # then
    finished.refresh_from_db()
    interrupted.refresh_from_db()
    assert finished.output_file == ""
    assert not (settings.SKILLCERT_JOBS_DIR / job_output_name(finished.uuid)).exists()
    assert interrupted.status == Job.Status.FAILED
    assert out.getvalue().strip() == "已将 1 个中断的任务标记为失败，删除过期结果文件 1 个。"
