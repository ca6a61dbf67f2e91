"""Reissuing a corrected certificate: a new number, the old one revoked and pointing to the new one."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from skillcert.certificates.models import Certificate
from skillcert.certificates.services import certificate_reissue, certificate_revoke
from skillcert.certificates.services.reissue import (
    MSG_FIELD_NOT_CORRECTABLE,
    MSG_JOB_TYPE_UNKNOWN,
    MSG_NOTHING_CORRECTED,
    MSG_REVOKED_NOT_REISSUABLE,
)
from skillcert.certificates.tests.builders import issue_certificates, make_candidate, make_plan
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.verification.models import VerificationRecord

REASON = "姓名录入错误，应为欧阳明华"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.SKILLCERT_REQUIRE_2FA = False


def issued_this_year(world, *, count=3, job_type=None):
    """A plan's certificates issued today, so that a reissue continues the same serial counter."""
    plan = make_plan(site=world.site_y, level_code="L3", job_type=job_type)
    candidates = [make_candidate(name=name) for name in ("欧阳名华", "李娜", "王强")[:count]]
    return issue_certificates(plan=plan, actor=world.body_y_admin, candidates=candidates)


@pytest.mark.django_db
def test_reissue_replaces_the_old_certificate(world):
    # given: three certificates issued today, serials 1–3
    old, *_others = issued_this_year(world)
    year = timezone.localdate().year

    # when: the first holder's name is corrected
    new = certificate_reissue(
        certificate=old, corrections={"holder_name": "欧阳明华"}, reason=REASON, actor=world.body_y_admin
    )

    # then: a new certificate with the next serial of the same site, year and level
    assert new.number == f"Y000031000101{year % 100:02d}3000004"
    assert (new.site_code, new.year, new.serial, new.level_id) == ("000101", year, 4, "L3")
    assert (new.holder_name, new.job_type_name, new.status) == ("欧阳明华", "--", "valid")
    assert (new.application_id, new.candidate_id, new.occupation_id) == (
        old.application_id,
        old.candidate_id,
        old.occupation_id,
    )
    assert new.qr_token != old.qr_token
    assert new.issue_date == timezone.localdate()
    # and the old one is revoked with the reason and points to the new one
    old.refresh_from_db()
    assert (old.status, old.revocation_reason, old.replaced_by_id) == ("revoked", REASON, new.pk)
    assert old.holder_name == "欧阳名华"  # what was printed stays on record
    records = dict(
        VerificationRecord.objects.filter(number__in=[old.number, new.number]).values_list(
            "number", "replaced_by_number"
        )
    )
    assert records == {old.number: new.number, new.number: ""}
    assert VerificationRecord.objects.get(number=old.number).status == "revoked"


@pytest.mark.django_db
def test_reissue_is_audited_on_both_certificates(world):
    old, *_ = issued_this_year(world)

    new = certificate_reissue(
        certificate=old, corrections={"holder_name": "欧阳明华"}, reason=REASON, actor=world.body_y_admin
    )

    revoked = AuditEvent.objects.get(action="certificate.revoked")
    assert (revoked.actor_id, revoked.target_id, revoked.data) == (
        world.body_y_admin.pk,
        str(old.pk),
        {"number": old.number, "reason": REASON, "revoked_by": "body", "replaced_by": new.number},
    )
    reissued = AuditEvent.objects.get(action="certificate.reissued")
    assert (reissued.actor_id, reissued.target_id, reissued.data) == (
        world.body_y_admin.pk,
        str(new.pk),
        {
            "number": new.number,
            "replaces": old.number,
            "reason": REASON,
            "corrections": {"holder_name": {"from": "欧阳名华", "to": "欧阳明华"}},
            "issue_date": timezone.localdate().isoformat(),
        },
    )


@pytest.mark.django_db
def test_reissue_corrects_the_job_type(world):
    (old,) = issued_this_year(world, count=1, job_type="电焊工")

    new = certificate_reissue(
        certificate=old,
        corrections={"holder_name": old.holder_name, "job_type_name": "气焊工"},
        reason="工种填写错误，应为气焊工",
        actor=world.body_y_admin,
    )

    assert (new.holder_name, new.job_type_name) == (old.holder_name, "气焊工")


@pytest.mark.django_db
def test_a_reissued_certificate_can_be_reissued_again(world):
    # given: a chain old → middle
    old, *_ = issued_this_year(world)
    middle = certificate_reissue(
        certificate=old, corrections={"holder_name": "欧阳明化"}, reason=REASON, actor=world.body_y_admin
    )

    # when
    newest = certificate_reissue(
        certificate=middle, corrections={"holder_name": "欧阳明华"}, reason=REASON, actor=world.body_y_admin
    )

    # then: each points to the next, the serials keep counting
    old.refresh_from_db()
    middle.refresh_from_db()
    assert (old.replaced_by_id, middle.replaced_by_id, newest.replaced_by_id) == (middle.pk, newest.pk, None)
    assert (middle.serial, newest.serial) == (4, 5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("corrections", "errors"),
    [
        ({"holder_name": "欧阳名华"}, {"corrections": [str(MSG_NOTHING_CORRECTED)]}),
        ({}, {"corrections": [str(MSG_NOTHING_CORRECTED)]}),
        ({"level": "L2"}, {"level": [str(MSG_FIELD_NOT_CORRECTABLE) % {"field": "level"}]}),
        (
            {"job_type_name": "电焊工"},
            {
                "job_type_name": [
                    str(MSG_JOB_TYPE_UNKNOWN) % {"job_type": "电焊工", "occupation": "中式烹调师"}
                ]
            },
        ),
    ],
)
def test_corrections_must_change_an_allowed_field(world, corrections, errors):
    old, *_ = issued_this_year(world)

    with pytest.raises(ValidationError) as raised:
        certificate_reissue(certificate=old, corrections=corrections, reason=REASON, actor=world.body_y_admin)

    assert raised.value.message_dict == errors
    assert Certificate.objects.count() == 3
    old.refresh_from_db()
    assert old.status == Certificate.Status.VALID


@pytest.mark.django_db
def test_revoked_certificate_cannot_be_reissued(world):
    old, *_ = issued_this_year(world)
    certificate_revoke(certificate=old, reason="考试作弊，撤销证书", actor=world.pudong_reviewer)

    with pytest.raises(ApplicationError) as raised:
        certificate_reissue(
            certificate=old, corrections={"holder_name": "欧阳明华"}, reason=REASON, actor=world.body_y_admin
        )

    assert raised.value.message == str(MSG_REVOKED_NOT_REISSUABLE) % {"number": old.number}
    assert raised.value.extra == {"status": 409}
    assert not AuditEvent.objects.filter(action="certificate.reissued").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["body_y_exam_staff", "pudong_reviewer", "municipal_admin", "body_s_admin"])
def test_only_the_body_admin_reissues(world, user):
    old, *_ = issued_this_year(world)

    with pytest.raises(PermissionDenied):
        certificate_reissue(
            certificate=old,
            corrections={"holder_name": "欧阳明华"},
            reason=REASON,
            actor=getattr(world, user),
        )

    assert Certificate.objects.count() == 3


# ---- the portal --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reissue_page_confirms_then_reissues(client, world):
    # given
    old, *_ = issued_this_year(world)
    client.force_login(world.body_y_admin)
    url = reverse("certificates:reissue", args=[old.number])

    # when
    page = client.get(url)
    response = client.post(
        url, {"holder_name": "欧阳明华", "job_type_name": "--", "reason": REASON, "confirm": "on"}
    )

    # then: the new certificate's page, which the old one's page links to
    assert page.status_code == 200
    assert page.context["form"].initial == {"holder_name": "欧阳名华", "job_type_name": "--"}
    old.refresh_from_db()
    new = old.replaced_by
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:detail", args=[new.number])
    old_page = client.get(reverse("certificates:detail", args=[old.number])).content.decode()
    assert reverse("certificates:detail", args=[new.number]) in old_page
    new_page = client.get(reverse("certificates:detail", args=[new.number])).content.decode()
    assert reverse("certificates:detail", args=[old.number]) in new_page


@pytest.mark.django_db
def test_reissue_page_shows_the_service_error_on_the_form(client, world):
    old, *_ = issued_this_year(world)
    client.force_login(world.body_y_admin)

    response = client.post(
        reverse("certificates:reissue", args=[old.number]),
        {"holder_name": old.holder_name, "job_type_name": "--", "reason": REASON, "confirm": "on"},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [str(MSG_NOTHING_CORRECTED)]
    assert Certificate.objects.count() == 3


@pytest.mark.django_db
def test_reissue_page_for_other_staff(client, world):
    old, *_ = issued_this_year(world)

    client.force_login(world.body_s_admin)
    assert client.get(reverse("certificates:reissue", args=[old.number])).status_code == 404
    client.force_login(world.body_y_exam_staff)
    assert client.get(reverse("certificates:reissue", args=[old.number])).status_code == 403
