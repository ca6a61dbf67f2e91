"""Downloading PDFs from the portal: the holder and the body's admin and exam staff; 404 for anyone else."""

from datetime import date

import pytest
from django.urls import reverse

from skillcert.certificates.pdf import certificate_pdf
from skillcert.certificates.services import plan_certificates_zip_start
from skillcert.certificates.tests.builders import issue_certificates, make_candidate, make_plan
from skillcert.core.models import AuditEvent
from skillcert.jobs.models import Job

ISSUED_ON = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.SKILLCERT_REQUIRE_2FA = False


@pytest.fixture
def own_certificate(world):
    """A certificate of body_y whose holder is the world's candidate user."""
    plan = make_plan(site=world.site_y)
    holder = make_candidate(name="陈晓东", user=world.candidate)
    (certificate,) = issue_certificates(
        plan=plan, actor=world.body_y_admin, candidates=[holder], issue_date=ISSUED_ON
    )
    return certificate


def download_events():
    return [
        (event.actor_id, event.target_id, event.data)
        for event in AuditEvent.objects.filter(action="certificate.pdf_downloaded").order_by("sequence")
    ]


@pytest.mark.django_db
def test_holder_downloads_their_certificate(client, world, own_certificate):
    # given
    client.force_login(world.candidate)

    # when
    response = client.get(reverse("certificates:pdf", args=[own_certificate.number]))

    # then: the PDF, not cached anywhere, and the download on record
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'attachment; filename="certificate-{own_certificate.number}.pdf"'
    )
    assert response["Cache-Control"] == "no-store, private"
    assert response.content == certificate_pdf(certificate=own_certificate)
    assert download_events() == [
        (
            world.candidate.pk,
            str(own_certificate.pk),
            {"number": own_certificate.number, "status": "valid", "downloaded_by": "holder"},
        )
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["body_y_admin", "body_y_exam_staff"])
def test_issuing_body_staff_download(client, world, own_certificate, user):
    client.force_login(getattr(world, user))

    response = client.get(reverse("certificates:pdf", args=[own_certificate.number]))

    assert response.status_code == 200
    assert download_events() == [
        (
            getattr(world, user).pk,
            str(own_certificate.pk),
            {"number": own_certificate.number, "status": "valid", "downloaded_by": "body"},
        )
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user",
    ["body_y_examiner", "body_y_internal_supervisor", "body_s_admin", "municipal_admin", "pudong_reviewer"],
)
def test_anyone_else_gets_not_found(client, world, own_certificate, user):
    client.force_login(getattr(world, user))

    response = client.get(reverse("certificates:pdf", args=[own_certificate.number]))

    assert response.status_code == 404
    assert download_events() == []


@pytest.mark.django_db
def test_another_candidate_gets_not_found(client, world):
    # given: a certificate whose holder is someone else
    plan = make_plan(site=world.site_y)
    (certificate,) = issue_certificates(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)
    client.force_login(world.candidate)

    assert client.get(reverse("certificates:pdf", args=[certificate.number])).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, world, own_certificate):
    response = client.get(reverse("certificates:pdf", args=[own_certificate.number]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_my_certificates_link_to_the_pdf(client, world, own_certificate):
    client.force_login(world.candidate)

    body = client.get(reverse("certificates:mine")).content.decode()

    assert reverse("certificates:pdf", args=[own_certificate.number]) in body


@pytest.mark.django_db
def test_the_old_plan_zip_address_leads_to_the_plan_page_which_makes_the_zip_as_a_job(client, world):
    # given: a plan with certificates and no ZIP job yet
    plan = make_plan(site=world.site_y)
    issue_certificates(plan=plan, actor=world.body_y_admin, count=2, issue_date=ISSUED_ON)
    client.force_login(world.body_y_exam_staff)

    # when: the old synchronous address is opened (a bookmark)
    response = client.get(reverse("certificates:plan_zip", args=[plan.pk]), follow=True)

    # then: no PDF is made within the request; the plan page says where the ZIP is made now
    assert response.redirect_chain == [(reverse("evaluation:plan_detail", args=[plan.pk]), 302)]
    assert "证书压缩包现在在后台生成" in response.content.decode()
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action="plan.certificates_pdf_downloaded").exists()


@pytest.mark.django_db
def test_the_old_plan_zip_address_leads_to_the_plans_zip_job_when_there_is_one(client, world):
    plan = make_plan(site=world.site_y)
    issue_certificates(plan=plan, actor=world.body_y_admin, count=1, issue_date=ISSUED_ON)
    job = plan_certificates_zip_start(plan=plan, actor=world.body_y_admin).job
    client.force_login(world.body_y_exam_staff)

    response = client.get(reverse("certificates:plan_zip", args=[plan.pk]))

    assert response["Location"] == reverse("certificates:plan_zip_job", args=[plan.pk, job.uuid])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "status"), [("body_s_admin", 404), ("body_y_examiner", 403), ("pudong_reviewer", 403)]
)
def test_plan_zip_for_anyone_else(client, world, user, status):
    plan = make_plan(site=world.site_y)
    issue_certificates(plan=plan, actor=world.body_y_admin, count=1, issue_date=ISSUED_ON)
    client.force_login(getattr(world, user))

    assert client.get(reverse("certificates:plan_zip", args=[plan.pk])).status_code == status
    assert not AuditEvent.objects.filter(action="plan.certificates_pdf_downloaded").exists()


@pytest.mark.django_db
def test_plan_panel_offers_zip_and_bulk_revoke_to_the_body_admin(world):
    from django.template import Context, Template

    plan = make_plan(site=world.site_y)
    issue_certificates(plan=plan, actor=world.body_y_admin, count=1, issue_date=ISSUED_ON)
    template = Template("{% load certificate_panels %}{% plan_certificates_panel plan %}")

    admin_html = template.render(Context({"plan": plan, "user": world.body_y_admin}))
    examiner_html = template.render(Context({"plan": plan, "user": world.body_y_examiner}))

    zip_start = reverse("certificates:plan_zip_start", args=[plan.pk])
    assert "生成证书压缩包" in admin_html and f'<form method="post" action="{zip_start}">' in admin_html
    assert reverse("certificates:plan_revoke", args=[plan.pk]) in admin_html
    assert zip_start not in examiner_html
    assert reverse("certificates:plan_revoke", args=[plan.pk]) not in examiner_html
