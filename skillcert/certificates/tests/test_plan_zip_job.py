"""A plan's certificates ZIP made as a background job: the real thread, its progress, the same ZIP as the
synchronous download, the body's staff only, every download audited, the file deleted after its retention,
one job per plan, and no waiting on (or for) an application import."""

import io
import os
import stat
import warnings
import zipfile
from datetime import date, timedelta

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.urls import reverse
from django.utils import timezone

from skillcert.certificates.models import Certificate
from skillcert.certificates.pdf import certificate_pdf, certificates_zip_write
from skillcert.certificates.services import certificate_revoke, documents, plan_certificates_zip_start
from skillcert.certificates.services.documents import plan_certificates_zip_write
from skillcert.certificates.services.plan_zip_job import (
    MSG_NO_CERTIFICATES,
    MSG_ZIP_BUSY,
    PLAN_ZIP,
    ZIP_WORDING,
)
from skillcert.certificates.tests.builders import issue_certificates, make_plan
from skillcert.core.models import AuditEvent
from skillcert.core.tests.asgi import asgi_request
from skillcert.evaluation.services.application_import_job import (
    APPLICATION_IMPORT,
    application_import_start,
)
from skillcert.evaluation.spreadsheets.template import application_template_workbook
from skillcert.evaluation.tests import factories as evaluation_factories
from skillcert.jobs.models import Job
from skillcert.jobs.tests.waiting import wait_for

ISSUED_ON = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def _private_jobs_dir(settings, tmp_path):
    settings.SKILLCERT_JOBS_DIR = tmp_path / "jobs"
    settings.SKILLCERT_JOBS_OUTPUT_HOURS = 24


@pytest.fixture
def staff(client, settings, world):
    settings.SKILLCERT_REQUIRE_2FA = False
    client.force_login(world.body_y_exam_staff)
    return client


def start_url(plan) -> str:
    return reverse("certificates:plan_zip_start", args=[plan.pk])


def job_url(plan, job: Job, name: str = "plan_zip_job") -> str:
    return reverse(f"certificates:{name}", args=[plan.pk, job.uuid])


def download_url(plan, job: Job) -> str:
    return job_url(plan, job, "plan_zip_job_download")


def issued_plan(world, count: int = 3):
    plan = make_plan(site=world.site_y)
    return plan, issue_certificates(plan=plan, actor=world.body_y_admin, count=count, issue_date=ISSUED_ON)


def made_zip(client, plan) -> Job:
    """Press 生成证书压缩包 and wait for the job's thread to finish."""
    client.post(start_url(plan))
    return wait_for(Job.objects.get(kind=PLAN_ZIP, params__plan=plan.pk))


def download_events() -> list[tuple]:
    events = AuditEvent.objects.filter(action="plan.certificates_pdf_downloaded").order_by("sequence")
    return [(event.actor_id, event.target_id, event.data) for event in events]


def actions_since(count: int) -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))[count:]


# ---- the job and its progress -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_given_issued_certificates_when_staff_press_generate_then_a_job_makes_the_zip(staff, world, settings):
    # given
    plan, _certificates = issued_plan(world, count=3)
    events_before = AuditEvent.objects.count()

    # when
    response = staff.post(start_url(plan))

    # then: on the job's page at once; the thread makes the ZIP and records its progress
    job = Job.objects.get()
    assert (response.status_code, response["Location"]) == (302, job_url(plan, job))
    job = wait_for(job)
    assert (job.kind, job.status, job.message) == (PLAN_ZIP, Job.Status.SUCCEEDED, "")
    assert (job.body, job.created_by) == (world.body_y, world.body_y_exam_staff)
    assert job.params == {"plan": plan.pk, "plan_number": plan.number, "certificates": 3}
    assert (job.phase, job.progress_done, job.progress_total) == ("生成证书 PDF", 3, 3)
    # the ZIP is the job's private output (never a media file), and nothing else is left in its directory
    output = settings.SKILLCERT_JOBS_DIR / job.output_file
    assert job.output_file == f"{job.uuid.hex}.out" and job.input_file == ""
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600
    assert job.result == {"count": 3, "bytes": output.stat().st_size}
    assert sorted(settings.SKILLCERT_JOBS_DIR.iterdir()) == [output]
    # starting is not a download: only the job's own events
    assert actions_since(events_before) == ["job.created", "job.succeeded"]
    page = staff.get(job_url(plan, job)).content.decode()
    assert "已生成 3 本证书的压缩包" in page and download_url(plan, job) in page
    assert "hx-trigger" not in page  # done: the page stops polling


@pytest.mark.django_db
def test_the_zip_reports_its_progress_after_each_certificate(world, monkeypatch):
    # given: five certificates read two at a time
    monkeypatch.setattr(documents, "ZIP_BATCH", 2)
    plan, _certificates = issued_plan(world, count=5)
    seen: list[tuple[str, int, int]] = []

    # when
    count = plan_certificates_zip_write(
        plan=plan, out=io.BytesIO(), progress=lambda phase, done, total: seen.append((phase, done, total))
    )

    # then
    assert count == 5
    assert seen == [("生成证书 PDF", done, 5) for done in range(6)]


@pytest.mark.django_db
def test_a_running_job_page_shows_its_phase_and_progress_and_polls(staff, world):
    # given: a ZIP job of the plan halfway (its thread never started: the test's transaction is not committed)
    plan, _certificates = issued_plan(world, count=1)
    job = plan_certificates_zip_start(plan=plan, actor=world.body_y_admin).job
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, phase="生成证书 PDF", progress_done=1200, progress_total=2000
    )

    # when
    page = staff.get(job_url(plan, job)).content.decode()
    status = staff.get(job_url(plan, job, "plan_zip_job_status")).content.decode()

    # then
    for html in (page, status):
        assert "正在生成证书 PDF" in html and "1200 / 2000 本证书" in html and "60%" in html
        assert f'hx-get="{job_url(plan, job, "plan_zip_job_status")}"' in html
    assert "下载压缩包" not in page


# ---- the download ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_zip_downloaded_from_the_job_is_the_zip_the_synchronous_download_gave(staff, world, monkeypatch):
    # given: five certificates, one revoked (it carries its mark), read in batches of two
    monkeypatch.setattr(documents, "ZIP_BATCH", 2)
    plan, certificates = issued_plan(world, count=5)
    certificate_revoke(certificate=certificates[1], reason="证书信息有误，收回重发", actor=world.body_y_admin)
    job = made_zip(staff, plan)

    # when
    response = staff.get(download_url(plan, job))

    # then: served as today, and the same bytes as today's in-request ZIP (its query, its writer)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="certificates-{plan.number}.zip"'
    assert response["Cache-Control"] == "no-store, private"
    data = b"".join(response.streaming_content)
    today = io.BytesIO()
    certificates_zip_write(
        certificates=Certificate.objects.filter(application__plan=plan)
        .select_related("candidate", "level", "replaced_by")
        .order_by("number"),
        out=today,
    )
    assert data == today.getvalue()
    ordered = sorted(Certificate.objects.filter(application__plan=plan), key=lambda c: c.number)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == [f"certificate-{c.number}.pdf" for c in ordered]
        for certificate in ordered:
            assert archive.read(f"certificate-{certificate.number}.pdf") == certificate_pdf(
                certificate=certificate
            )
    assert sum(c.status == Certificate.Status.REVOKED for c in ordered) == 1


def asgi_get(path: str, cookies) -> list[dict]:
    """GET ``path`` through Django's own ASGI handler, as ``skillcert serve`` runs it; the messages sent."""
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
    return asgi_request(path, headers={"Cookie": cookie})


@pytest.mark.django_db(transaction=True)
def test_under_asgi_the_zip_is_streamed_as_it_is_read_not_read_whole_first(
    staff, world, settings, monkeypatch
):
    # given: a ZIP made, downloaded the way the portal is served (ASGI), whose handler reads files in
    # chunks of 4 KiB (64 KiB in service: these four certificates make less than one)
    monkeypatch.setattr(ASGIHandler, "chunk_size", 4096)
    plan, _certificates = issued_plan(world, count=4)
    job = made_zip(staff, plan)
    stored = (settings.SKILLCERT_JOBS_DIR / job.output_file).read_bytes()

    # when
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sent = asgi_get(download_url(plan, job), staff.cookies)

    # then: the file's bytes, sent as the file is read: Django did not have to take the whole file
    # into memory first, which it does, with this warning, for a synchronous iterator
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 200
    assert b"".join(message.get("body", b"") for message in sent[1:]) == stored
    assert len(stored) > 4096 and len([m for m in sent[1:] if m.get("body")]) > 1
    assert not [w for w in caught if "must consume synchronous iterators" in str(w.message)]


@pytest.mark.django_db(transaction=True)
def test_each_download_from_the_job_is_audited_as_the_synchronous_one_was(client, settings, world):
    # given: a ZIP made at the exam staff's request
    settings.SKILLCERT_REQUIRE_2FA = False
    client.force_login(world.body_y_exam_staff)
    plan, _certificates = issued_plan(world, count=2)
    job = made_zip(client, plan)
    assert download_events() == []

    # when: the exam staff and then the administrator download it
    client.get(download_url(plan, job)).close()
    client.force_login(world.body_y_admin)
    client.get(download_url(plan, job)).close()

    # then
    data = {"plan": plan.number, "count": 2, "job": str(job.uuid)}
    assert download_events() == [
        (world.body_y_exam_staff.pk, str(plan.pk), data),
        (world.body_y_admin.pk, str(plan.pk), data),
    ]


@pytest.mark.django_db(transaction=True)
def test_another_bodys_staff_get_404_for_the_job_and_its_file(client, settings, world):
    # given: body_y's ZIP
    settings.SKILLCERT_REQUIRE_2FA = False
    client.force_login(world.body_y_admin)
    plan, _certificates = issued_plan(world, count=1)
    job = made_zip(client, plan)
    urls = [job_url(plan, job), job_url(plan, job, "plan_zip_job_status"), download_url(plan, job)]

    # when / then: body_s's administrator finds nothing, cannot start one either
    client.force_login(world.body_s_admin)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert client.post(start_url(plan)).status_code == 404
    # body_y's examiner (not a role that prints) is refused
    client.force_login(world.body_y_examiner)
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    # the job is not reachable under another plan of the same body
    client.force_login(world.body_y_exam_staff)
    other, _ = issued_plan(world, count=1)
    assert client.get(download_url(other, job)).status_code == 404
    assert client.get(job_url(other, job)).status_code == 404
    assert download_events() == []
    # while the body's own staff get it
    assert client.get(download_url(plan, job)).status_code == 200


# ---- retention ------------------------------------------------------------------------------------------


def finished_hours_ago(job: Job, hours: float) -> None:
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=hours))


@pytest.mark.django_db(transaction=True)
def test_given_an_output_past_its_retention_then_the_file_is_deleted_and_the_page_says_so(
    staff, world, settings
):
    # given: a ZIP made 23 hours ago (24 hours kept)
    plan, _certificates = issued_plan(world, count=1)
    job = made_zip(staff, plan)
    output = settings.SKILLCERT_JOBS_DIR / job.output_file
    finished_hours_ago(job, 23)
    assert "下载压缩包" in staff.get(job_url(plan, job)).content.decode()
    assert output.exists()

    # when: 25 hours have passed and the page is viewed
    finished_hours_ago(job, 25)
    page = staff.get(job_url(plan, job)).content.decode()

    # then: the file is gone, the page says so and offers to generate again
    job.refresh_from_db()
    assert not output.exists() and job.output_file == ""
    assert "已自动删除" in page and "下载压缩包" not in page
    assert f'action="{start_url(plan)}"' in page
    event = AuditEvent.objects.get(action="job.output_deleted")
    assert (event.target_id, event.actor_id, event.actor_username) == (str(job.uuid), None, "skillcert jobs")
    # the download address now leads back to the page, with the reason; nothing was downloaded
    response = staff.get(download_url(plan, job), follow=True)
    assert response.redirect_chain == [(job_url(plan, job), 302)]
    assert "生成 24 小时后已自动删除" in response.content.decode()
    assert download_events() == []


@pytest.mark.django_db
def test_the_plan_panel_offers_a_made_zip_until_its_retention_ends(staff, world):
    # given: a ZIP job of the plan that has finished (its file's state is the job page's business)
    plan, _certificates = issued_plan(world, count=1)
    job = plan_certificates_zip_start(plan=plan, actor=world.body_y_admin).job
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.SUCCEEDED, output_file=f"{job.uuid.hex}.out", result={"count": 1, "bytes": 2}
    )
    plan_page = reverse("evaluation:plan_detail", args=[plan.pk])

    # when / then: offered 23 hours after it finished, not 25 hours after (even before the file is purged)
    finished_hours_ago(job, 23)
    assert job_url(plan, job) in staff.get(plan_page).content.decode()
    finished_hours_ago(job, 25)
    assert job_url(plan, job) not in staff.get(plan_page).content.decode()


# ---- one job per plan, none waiting on an import ---------------------------------------------------------


@pytest.mark.django_db
def test_pressing_again_while_the_zip_is_made_leads_to_that_job(staff, world):
    # given: the plan's ZIP queued by the administrator
    plan, _certificates = issued_plan(world, count=2)
    first = plan_certificates_zip_start(plan=plan, actor=world.body_y_admin)
    assert first.created

    # when: the exam staff press the button
    response = staff.post(start_url(plan), follow=True)

    # then: they are on that job's page; no second job
    assert response.redirect_chain == [(job_url(plan, first.job), 302)]
    assert "已在生成中" in response.content.decode()
    assert list(Job.objects.values_list("pk", flat=True)) == [first.job.pk]
    assert AuditEvent.objects.filter(action="job.created").count() == 1


@pytest.mark.django_db
def test_a_second_plans_zip_waits_for_the_first(staff, world):
    # given: plan A's ZIP being made
    plan_a, _ = issued_plan(world, count=1)
    plan_b, _ = issued_plan(world, count=1)
    plan_certificates_zip_start(plan=plan_a, actor=world.body_y_admin)

    # when
    response = staff.post(start_url(plan_b), follow=True)

    # then: back on plan B's page with the reason; no job for B
    assert response.redirect_chain == [(reverse("evaluation:plan_detail", args=[plan_b.pk]), 302)]
    assert str(MSG_ZIP_BUSY) % {"plan": plan_a.number} in response.content.decode()
    assert Job.objects.filter(params__plan=plan_b.pk).count() == 0


@pytest.fixture
def open_plan(world):
    """A plan of body_y open for applications (the import's plan)."""
    return evaluation_factories.make_plan(world)


def import_start(world, plan) -> Job:
    return application_import_start(
        plan=plan,
        content=application_template_workbook(plan=plan),
        filename="名单.xlsx",
        source="body",
        actor=world.body_y_exam_staff,
    )


@pytest.mark.django_db
def test_an_import_starts_while_a_zip_is_being_made(world, open_plan):
    # given
    plan, _ = issued_plan(world, count=1)
    zip_job = plan_certificates_zip_start(plan=plan, actor=world.body_y_admin).job

    # when
    import_job = import_start(world, open_plan)

    # then: both queued for the same body
    assert import_job.kind == APPLICATION_IMPORT
    queued = Job.objects.filter(body=world.body_y, status=Job.Status.QUEUED)
    assert set(queued.values_list("pk", flat=True)) == {zip_job.pk, import_job.pk}


@pytest.mark.django_db
def test_a_zip_starts_while_an_import_runs(staff, world, open_plan):
    # given: an import of the body running
    import_job = import_start(world, open_plan)
    Job.objects.filter(pk=import_job.pk).update(status=Job.Status.RUNNING)
    plan, _ = issued_plan(world, count=1)

    # when
    response = staff.post(start_url(plan))

    # then
    zip_job = Job.objects.get(kind=PLAN_ZIP)
    assert response["Location"] == job_url(plan, zip_job)
    assert zip_job.status == Job.Status.QUEUED


# ---- nothing to make, failures --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_plan_without_certificates_gets_a_message_and_no_job(staff, world):
    plan = make_plan(site=world.site_y)

    response = staff.post(start_url(plan), follow=True)

    assert response.redirect_chain == [(reverse("evaluation:plan_detail", args=[plan.pk]), 302)]
    assert str(MSG_NO_CERTIFICATES) in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_zip_job_whose_server_restarted_fails_in_its_own_words_and_offers_to_generate_again(
    staff, world, settings
):
    # given: the plan's ZIP job left running by a server that restarted 10 minutes ago
    settings.SKILLCERT_JOBS_STALE_SECONDS = 300
    plan, _ = issued_plan(world, count=1)
    job = plan_certificates_zip_start(plan=plan, actor=world.body_y_admin).job
    beat = timezone.now() - timedelta(minutes=10)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=beat)

    # when
    page = staff.get(job_url(plan, job)).content.decode()

    # then: failed, said in the ZIP's words (not the import's), with the button to try again
    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.FAILED, str(ZIP_WORDING.stale))
    assert "证书压缩包的生成已中断（服务器可能已重启），请重新生成。" in page and "导入" not in page
    assert f'action="{start_url(plan)}"' in page and "重新生成压缩包" in page
    # pressing it starts a new job
    response = staff.post(start_url(plan))
    new = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == job_url(plan, new)


# ---- the plan page --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_plan_panel_offers_the_zip_as_a_post_with_csrf_and_links_the_job_being_made(staff, world):
    plan, _ = issued_plan(world, count=1)
    plan_page = reverse("evaluation:plan_detail", args=[plan.pk])

    before = staff.get(plan_page).content.decode()
    job = plan_certificates_zip_start(plan=plan, actor=world.body_y_admin).job
    after = staff.get(plan_page).content.decode()

    form = f'<form method="post" action="{start_url(plan)}"><input type="hidden" name="csrfmiddlewaretoken"'
    assert form in before and "生成证书压缩包" in before
    assert job_url(plan, job) not in before
    assert job_url(plan, job) in after and "正在生成" in after
