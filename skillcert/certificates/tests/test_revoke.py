"""Revoking certificates: by the body, by the authority in scope, refused outside it, in bulk for a plan."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from skillcert.certificates.models import Certificate
from skillcert.certificates.services import certificate_revoke, certificates_revoke_for_plan
from skillcert.certificates.services.revoke import (
    MSG_ALREADY_REVOKED,
    MSG_PLAN_NOTHING_TO_REVOKE,
    MSG_REASON_REQUIRED,
)
from skillcert.certificates.tests.builders import issue_certificates, make_plan
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.verification.models import VerificationRecord

ISSUED_ON = date(2025, 6, 30)
REASON = "考评过程存在违规，成绩无效"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.SKILLCERT_REQUIRE_2FA = False


def issued(world, *, count=1, body="y"):
    site = world.site_y if body == "y" else world.site_s
    admin = world.body_y_admin if body == "y" else world.body_s_admin
    plan = make_plan(site=site)
    return plan, issue_certificates(plan=plan, actor=admin, count=count, issue_date=ISSUED_ON)


def revoked_events():
    return [
        (event.actor_id, event.target_id, event.data)
        for event in AuditEvent.objects.filter(action="certificate.revoked").order_by("sequence")
    ]


# ---- the service -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_body_admin_revokes_with_a_reason(world):
    # given
    _plan, (certificate,) = issued(world)

    # when
    revoked = certificate_revoke(certificate=certificate, reason=f"  {REASON} ", actor=world.body_y_admin)

    # then: the certificate, its public record and the audit row agree
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revocation_reason == REASON
    assert certificate.revoked_at == revoked.revoked_at
    record = VerificationRecord.objects.get(number=certificate.number)
    assert (record.status, record.revoked_on) == (
        "revoked",
        timezone.localtime(certificate.revoked_at).date(),
    )
    assert revoked_events() == [
        (
            world.body_y_admin.pk,
            str(certificate.pk),
            {"number": certificate.number, "reason": REASON, "revoked_by": "body"},
        )
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["pudong_reviewer", "municipal_supervisor", "municipal_admin"])
def test_authority_in_scope_revokes_as_a_sanction(world, user):
    _plan, (certificate,) = issued(world)
    actor = getattr(world, user)

    certificate_revoke(certificate=certificate, reason=REASON, actor=actor)

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert revoked_events() == [
        (
            actor.pk,
            str(certificate.pk),
            {"number": certificate.number, "reason": REASON, "revoked_by": "authority"},
        )
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user", ["minhang_reviewer", "body_s_admin", "municipal_statistician", "body_y_exam_staff", "candidate"]
)
def test_service_refuses_anyone_else(world, user):
    _plan, (certificate,) = issued(world)

    with pytest.raises(PermissionDenied):
        certificate_revoke(certificate=certificate, reason=REASON, actor=getattr(world, user))

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert revoked_events() == []


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   ", "作弊", "违规 "])
def test_reason_of_at_least_four_characters_is_required(world, reason):
    _plan, (certificate,) = issued(world)

    with pytest.raises(ValidationError) as raised:
        certificate_revoke(certificate=certificate, reason=reason, actor=world.body_y_admin)

    assert raised.value.message_dict == {"reason": [str(MSG_REASON_REQUIRED) % {"min": 4}]}
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert revoked_events() == []


@pytest.mark.django_db
def test_already_revoked_is_a_clear_error(world):
    # given: a certificate revoked once
    _plan, (certificate,) = issued(world)
    certificate_revoke(certificate=certificate, reason=REASON, actor=world.body_y_admin)

    # when / then
    with pytest.raises(ApplicationError) as raised:
        certificate_revoke(certificate=certificate, reason="再次撤销试试", actor=world.pudong_reviewer)

    certificate.refresh_from_db()
    on = timezone.localtime(certificate.revoked_at).date().isoformat()
    assert raised.value.message == str(MSG_ALREADY_REVOKED) % {"number": certificate.number, "date": on}
    assert raised.value.extra == {"status": 409}
    assert certificate.revocation_reason == REASON
    assert len(revoked_events()) == 1


@pytest.mark.django_db
def test_plan_bulk_revocation_revokes_every_valid_certificate(world):
    # given: three certificates, one of them already revoked for its own reason
    plan, certificates = issued(world, count=3)
    certificate_revoke(certificate=certificates[0], reason="个人信息造假", actor=world.body_y_admin)

    # when
    revoked = certificates_revoke_for_plan(plan=plan, reason=REASON, actor=world.municipal_supervisor)

    # then: the two valid ones are revoked; the first keeps its own reason
    assert sorted(c.number for c in revoked) == [certificates[1].number, certificates[2].number]
    reasons = dict(
        Certificate.objects.filter(application__plan=plan).values_list("number", "revocation_reason")
    )
    assert reasons == {
        certificates[0].number: "个人信息造假",
        certificates[1].number: REASON,
        certificates[2].number: REASON,
    }
    assert set(VerificationRecord.objects.filter(number__in=reasons).values_list("status", flat=True)) == {
        "revoked"
    }
    event = AuditEvent.objects.get(action="plan.certificates_revoked")
    assert (event.actor_id, event.target_id, event.data) == (
        world.municipal_supervisor.pk,
        str(plan.pk),
        {
            "plan": plan.number,
            "count": 2,
            "numbers": [certificates[1].number, certificates[2].number],
            "reason": REASON,
            "revoked_by": "authority",
        },
    )


@pytest.mark.django_db
def test_plan_without_valid_certificates_is_refused(world):
    plan, certificates = issued(world, count=1)
    certificate_revoke(certificate=certificates[0], reason=REASON, actor=world.body_y_admin)

    with pytest.raises(ApplicationError) as raised:
        certificates_revoke_for_plan(plan=plan, reason=REASON, actor=world.body_y_admin)

    assert raised.value.message == str(MSG_PLAN_NOTHING_TO_REVOKE) % {"plan": plan.number}
    assert not AuditEvent.objects.filter(action="plan.certificates_revoked").exists()


@pytest.mark.django_db
def test_plan_bulk_revocation_refused_out_of_scope(world):
    plan, _certificates = issued(world, count=2)

    with pytest.raises(PermissionDenied):
        certificates_revoke_for_plan(plan=plan, reason=REASON, actor=world.minhang_reviewer)

    assert set(Certificate.objects.filter(application__plan=plan).values_list("status", flat=True)) == {
        "valid"
    }


# ---- the portal --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["body_y_admin", "pudong_reviewer"])
def test_revoke_page_confirms_then_revokes(client, world, user):
    # given
    _plan, (certificate,) = issued(world)
    client.force_login(getattr(world, user))
    url = reverse("certificates:revoke", args=[certificate.number])

    # when: the confirmation page, then the POST
    page = client.get(url)
    response = client.post(url, {"reason": REASON, "confirm": "on"})

    # then
    assert page.status_code == 200
    assert "确认撤销" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:detail", args=[certificate.number])
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revocation_reason) == ("revoked", REASON)


@pytest.mark.django_db
def test_revoke_page_without_confirmation_changes_nothing(client, world):
    _plan, (certificate,) = issued(world)
    client.force_login(world.body_y_admin)

    response = client.post(reverse("certificates:revoke", args=[certificate.number]), {"reason": REASON})

    assert response.status_code == 200
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["minhang_reviewer", "body_s_admin"])
def test_revoke_out_of_scope_is_not_found(client, world, user):
    _plan, (certificate,) = issued(world)
    client.force_login(getattr(world, user))

    url = reverse("certificates:revoke", args=[certificate.number])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": REASON, "confirm": "on"}).status_code == 404

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user", ["municipal_statistician", "body_y_exam_staff", "body_y_examiner", "candidate"]
)
def test_revoke_by_other_roles_is_forbidden(client, world, user):
    _plan, (certificate,) = issued(world)
    client.force_login(getattr(world, user))

    response = client.post(
        reverse("certificates:revoke", args=[certificate.number]), {"reason": REASON, "confirm": "on"}
    )

    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


@pytest.mark.django_db
def test_plan_revoke_page_revokes_the_plan(client, world):
    plan, _certificates = issued(world, count=2)
    client.force_login(world.municipal_admin)
    url = reverse("certificates:plan_revoke", args=[plan.pk])

    page = client.get(url)
    response = client.post(url, {"reason": REASON, "confirm": "on"})

    assert page.status_code == 200
    assert page.context["valid_count"] == 2
    assert response.status_code == 302
    assert set(Certificate.objects.filter(application__plan=plan).values_list("status", flat=True)) == {
        "revoked"
    }


@pytest.mark.django_db
def test_plan_revoke_page_of_another_body_is_not_found(client, world):
    plan, _certificates = issued(world, count=1, body="s")
    client.force_login(world.body_y_admin)

    assert client.get(reverse("certificates:plan_revoke", args=[plan.pk])).status_code == 404


@pytest.mark.django_db
def test_detail_page_shows_the_revocation(client, world):
    _plan, (certificate,) = issued(world)
    certificate_revoke(certificate=certificate, reason=REASON, actor=world.body_y_admin)
    client.force_login(world.body_y_exam_staff)

    response = client.get(reverse("certificates:detail", args=[certificate.number]))

    body = response.content.decode()
    assert "本证书已撤销" in body
    assert f"撤销原因：{REASON}" in body
    assert reverse("certificates:revoke", args=[certificate.number]) not in body  # nothing left to revoke
