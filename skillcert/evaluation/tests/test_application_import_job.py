"""The portal's application import as a background job: the real thread, progress, all or nothing, every
problem kept with its row and column, tenant isolation of the job page, restarts and concurrent uploads."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from skillcert.accounts.models import Candidate
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import Application
from skillcert.evaluation.services.application_import import ImportRejected, application_import
from skillcert.evaluation.services.application_import_job import APPLICATION_IMPORT
from skillcert.evaluation.tests.application_workbooks import ID_1, ID_2, row, workbook_bytes
from skillcert.evaluation.tests.factories import (
    make_application,
    make_candidate,
    make_plan,
    make_resident_id,
    make_spec,
)
from skillcert.jobs.files import job_input_save
from skillcert.jobs.models import Job
from skillcert.jobs.services import MSG_BUSY, MSG_STALE
from skillcert.jobs.tests.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _private_jobs_dir(settings, tmp_path):
    settings.SKILLCERT_JOBS_DIR = tmp_path / "jobs"


def many_rows(count: int) -> list[dict]:
    return [
        row(
            name=f"考生{i}",
            id_number=make_resident_id(date(1985, 1, 1) + timedelta(days=i // 400), sequence=i % 400 + 1),
        )
        for i in range(count)
    ]


@pytest.fixture
def plan(world):
    return make_plan(world, spec=make_spec(world, level_code="L4"), capacity=5000)


def upload(client, plan, content: bytes, **fields):
    file = io.BytesIO(content)
    file.name = "名单.xlsx"
    return client.post(
        f"/evaluation/plans/{plan.pk}/applications/import/", {"file": file, "source": "body", **fields}
    )


def job_page(plan, job: Job, suffix: str = "") -> str:
    return f"/evaluation/plans/{plan.pk}/applications/import/jobs/{job.uuid}/{suffix}"


def test_given_a_good_file_when_uploaded_then_the_job_imports_every_row_with_progress_and_audit(
    exam_staff_client, plan, world, settings
):
    # given: 1,500 good rows, progress committed every 500 rows
    settings.SKILLCERT_JOBS_PROGRESS_ROWS = 500
    content = workbook_bytes(plan, many_rows(1500))
    events_before = AuditEvent.objects.count()

    # when
    response = upload(exam_staff_client, plan, content)

    # then: redirected to the job page at once; the thread imports every row
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_page(plan, job)
    job = wait_for(job)
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.result["rows"] == job.result["imported"] == job.result["candidates_created"] == 1500
    assert job.progress_done == job.progress_total == 1500
    assert job.phase == "写入"
    assert (job.body, job.created_by, job.input_file) == (world.body_y, world.body_y_exam_staff, "")
    assert job.started_at is not None and job.finished_at is not None
    assert not (settings.SKILLCERT_JOBS_DIR / f"{job.uuid.hex}.bin").exists()
    assert Application.objects.filter(plan=plan, status=Application.Status.ELIGIBLE).count() == 1500
    events = list(AuditEvent.objects.order_by("sequence"))[events_before:]
    assert [event.action for event in events] == ["job.created", "application.imported", "job.succeeded"]
    assert {event.actor_id for event in events} == {world.body_y_exam_staff.pk}
    assert events[0].target_id == events[2].target_id == str(job.uuid)
    assert events[2].data["imported"] == 1500
    page = exam_staff_client.get(job_page(plan, job)).content.decode()
    assert "文件共 1500 行：新报名 1500 人（其中新建考生信息 1500 人），未变化 0 人。" in page
    assert f'href="/evaluation/plans/{plan.pk}/"' in page and "hx-trigger" not in page


def test_given_bad_rows_when_uploaded_then_nothing_is_written_and_the_job_lists_every_problem(
    exam_staff_client, plan, world
):
    # given: two bad rows among good ones
    rows = [row(), row(name="李四", id_number=ID_2), row(id_number="1.10101E+17"), row(name="")]
    content = workbook_bytes(plan, rows)

    # when
    upload(exam_staff_client, plan, content)
    job = wait_for(Job.objects.get())

    # then: nothing written, the problems are the synchronous import's, with row and column
    assert job.status == Job.Status.FAILED
    assert (Candidate.objects.count(), Application.objects.count()) == (0, 0)
    with pytest.raises(ImportRejected) as raised:
        application_import(plan=plan, content=content, filename="名单.xlsx", actor=world.body_y_exam_staff)
    assert job.message == raised.value.message
    assert job.message.startswith("文件有 2 处问题（涉及 2 行），未导入任何数据。")
    assert job.result["problems"] == [[p.row, p.column, p.header, p.message] for p in raised.value.problems]
    assert [(r, c) for r, c, _h, _m in job.result["problems"]] == [(4, "C"), (5, "A")]
    assert AuditEvent.objects.filter(action="job.failed", target_id=str(job.uuid)).count() == 1
    page = exam_staff_client.get(job_page(plan, job)).content.decode()
    assert "<td>4</td><td>C（证件号码）</td>" in page and "<td>5</td><td>A（姓名）</td>" in page
    csv = exam_staff_client.get(
        f"/evaluation/plans/{plan.pk}/applications/import/problems.csv"
    ).content.decode("utf-8-sig")
    assert csv.splitlines()[1].startswith("4,C,证件号码,")


def test_given_a_long_problem_list_then_the_job_page_paginates_it(exam_staff_client, plan, world):
    # given a failed job with 450 problems
    now = timezone.now()
    problems = [[row_number, "A", "姓名", "请填写姓名。"] for row_number in range(2, 452)]
    job = Job.objects.create(
        kind=APPLICATION_IMPORT,
        body=world.body_y,
        created_by=world.body_y_exam_staff,
        params={"plan": plan.pk, "filename": "名单.xlsx"},
        status=Job.Status.FAILED,
        message="文件有 450 处问题",
        result={"problems": problems},
        created_at=now,
        heartbeat_at=now,
    )

    # when / then: 200 a page
    first = exam_staff_client.get(job_page(plan, job)).content.decode()
    third = exam_staff_client.get(job_page(plan, job) + "?page=3").content.decode()
    assert first.count("<td>A（姓名）</td>") == 200 and "第 1 / 3 页" in first
    assert third.count("<td>A（姓名）</td>") == 50 and "<td>451</td>" in third


def test_given_another_bodys_user_then_the_job_page_and_its_status_are_404(client, settings, plan, world):
    # given body_y's import job
    settings.SKILLCERT_REQUIRE_2FA = False
    client.force_login(world.body_y_admin)
    upload(client, plan, workbook_bytes(plan, [row()]))
    job = wait_for(Job.objects.get())

    # when body_s's administrator asks for it
    client.force_login(world.body_s_admin)

    # then
    assert client.get(job_page(plan, job)).status_code == 404
    assert client.get(job_page(plan, job, "status/")).status_code == 404
    # and body_y's own staff see it, also under the status URL that the page polls
    client.force_login(world.body_y_exam_staff)
    assert client.get(job_page(plan, job, "status/")).status_code == 200
    # a job is not reachable under another plan of the same body
    other = make_plan(world, spec=plan.spec)
    assert client.get(job_page(other, job)).status_code == 404


def running_job(world, plan, *, beat_seconds_ago: float) -> Job:
    beat = timezone.now() - timedelta(seconds=beat_seconds_ago)
    job = Job.objects.create(
        kind=APPLICATION_IMPORT,
        body=world.body_y,
        created_by=world.body_y_exam_staff,
        params={"plan": plan.pk, "filename": "名单.xlsx"},
        status=Job.Status.RUNNING,
        phase="校验",
        input_file="stale-test.bin",
        created_at=beat,
        started_at=beat,
        heartbeat_at=beat,
    )
    return job


def test_given_a_running_job_without_heartbeat_when_its_page_is_viewed_then_it_is_failed(
    exam_staff_client, plan, world, settings
):
    # given: a job left running by a server that restarted 10 minutes ago, its upload still on disk
    settings.SKILLCERT_JOBS_STALE_SECONDS = 300
    job_input_save(name="stale-test.bin", content=b"PK")
    job = running_job(world, plan, beat_seconds_ago=600)

    # when
    page = exam_staff_client.get(job_page(plan, job)).content.decode()

    # then
    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.FAILED, str(MSG_STALE))
    assert "请重新导入" in page and "hx-trigger" not in page
    assert not (settings.SKILLCERT_JOBS_DIR / "stale-test.bin").exists()
    event = AuditEvent.objects.get(action="job.failed", target_id=str(job.uuid))
    assert (event.actor_id, event.actor_username) == (None, "skillcert jobs")


def test_given_a_running_import_when_a_second_is_uploaded_then_it_is_refused(exam_staff_client, plan, world):
    # given: an import of this body running right now (recent heartbeat)
    running = running_job(world, plan, beat_seconds_ago=1)

    # when
    response = upload(exam_staff_client, plan, workbook_bytes(plan, [row(id_number=ID_1)]))

    # then: the form says why; no second job, nothing imported; the running one is untouched
    assert response.status_code == 200
    assert str(MSG_BUSY) in response.content.decode()
    assert list(Job.objects.values_list("pk", flat=True)) == [running.pk]
    running.refresh_from_db()
    assert running.status == Job.Status.RUNNING
    assert Application.objects.count() == 0
    assert list(settings_dir_files()) == []


def settings_dir_files() -> list[str]:
    from django.conf import settings

    directory = settings.SKILLCERT_JOBS_DIR
    return [path.name for path in directory.glob("*.bin")] if directory.exists() else []


@pytest.mark.django_db
def test_given_a_place_taken_between_checking_and_writing_then_the_rows_are_checked_again(world):
    # given: a plan with 2 places and a file of 2 good rows; while the import moves to 写入 (checks done,
    # no transaction yet), someone else registers a third person
    plan = make_plan(world, spec=make_spec(world, level_code="L4"), capacity=2)
    content = workbook_bytes(plan, [row(), row(name="李四", id_number=ID_2)])

    def progress(phase: str, done: int, total: int) -> None:
        if phase == "写入" and done == 0:
            other = make_candidate("王五", make_resident_id(date(1991, 1, 1), sequence=9))
            make_application(plan, other, ticket_number=f"{plan.number}-0001")

    # when
    with pytest.raises(ImportRejected) as raised:
        application_import(
            plan=plan,
            content=content,
            filename="名单.xlsx",
            actor=world.body_y_exam_staff,
            progress=progress,
        )

    # then: checked again under the plan's lock: the second row no longer fits, nothing of the file written
    assert [(p.row, p.column) for p in raised.value.problems] == [(3, None)]
    assert "超出计划人数" in raised.value.problems[0].message
    assert Application.objects.filter(plan=plan).count() == 1
