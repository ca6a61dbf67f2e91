"""The certificates API: the PDF, revoking one or a plan's, reissuing; problem+json errors."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from skillcert.api.tests.helpers import ApiClient, issued_key
from skillcert.certificates.models import Certificate
from skillcert.certificates.pdf import certificate_pdf
from skillcert.certificates.services.reissue import MSG_NOTHING_CORRECTED
from skillcert.certificates.tests.builders import issue_certificates, make_candidate, make_plan
from skillcert.core.models import AuditEvent

pytestmark = pytest.mark.urls("skillcert.certificates.tests.api_urls")

ISSUED_ON = date(2025, 6, 30)
REASON = "考评过程存在违规，成绩无效"


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


def issued(world, *, count=1, issue_date=ISSUED_ON):
    plan = make_plan(site=world.site_y)
    return plan, issue_certificates(plan=plan, actor=world.body_y_admin, count=count, issue_date=issue_date)


# ---- GET /certificates/{number}/pdf ------------------------------------------------------------------


@pytest.mark.django_db
def test_pdf_for_the_body(api, world):
    _plan, (certificate,) = issued(world)

    response = api.call(
        "GET",
        f"/api/v1/certificates/{certificate.number.lower()}/pdf",
        token=issued_key(world.body_y_exam_staff),
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == certificate_pdf(certificate=certificate)
    event = AuditEvent.objects.get(action="certificate.pdf_downloaded")
    assert (event.actor_id, event.data["downloaded_by"]) == (world.body_y_exam_staff.pk, "body")


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["body_y_examiner", "body_s_admin", "municipal_admin"])
def test_pdf_for_anyone_else_is_not_found(api, world, user):
    _plan, (certificate,) = issued(world)

    response = api.call(
        "GET", f"/api/v1/certificates/{certificate.number}/pdf", token=issued_key(getattr(world, user))
    )

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_pdf_without_token_is_401(api, world):
    _plan, (certificate,) = issued(world)

    assert api.call("GET", f"/api/v1/certificates/{certificate.number}/pdf").status_code == 401


# ---- POST /certificates/{number}/revoke --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("user", "by"), [("body_y_admin", "body"), ("pudong_reviewer", "authority")])
def test_with_role_can_revoke(api, world, user, by):
    _plan, (certificate,) = issued(world)

    response = api.call(
        "POST",
        f"/api/v1/certificates/{certificate.number}/revoke",
        token=issued_key(getattr(world, user)),
        body={"reason": REASON},
    )

    assert response.status_code == 200
    certificate.refresh_from_db()
    body = response.json()
    # The API writes times in UTC to the millisecond.
    at = certificate.revoked_at
    assert datetime.fromisoformat(body.pop("revoked_at")) == at.replace(
        microsecond=at.microsecond // 1000 * 1000
    )
    assert body == {
        "number": certificate.number,
        "status": "revoked",
        "revocation_reason": REASON,
        "revoked_by": by,
    }


@pytest.mark.django_db
def test_other_tenant_returns_404(api, world):
    _plan, (certificate,) = issued(world)

    response = api.call(
        "POST",
        f"/api/v1/certificates/{certificate.number}/revoke",
        token=issued_key(world.minhang_reviewer),
        body={"reason": REASON},
    )

    assert response.status_code == 404
    certificate.refresh_from_db()
    assert certificate.status == "valid"


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["municipal_statistician", "body_y_exam_staff"])
def test_without_role_returns_403(api, world, user):
    _plan, (certificate,) = issued(world)

    response = api.call(
        "POST",
        f"/api/v1/certificates/{certificate.number}/revoke",
        token=issued_key(getattr(world, user)),
        body={"reason": REASON},
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
# Too short for the schema (body.reason), or only white space, which the service strips (reason).
@pytest.mark.parametrize(("reason", "field"), [("作弊", "body.reason"), ("    ", "reason")])
def test_invalid_reason_returns_422(api, world, reason, field):
    _plan, (certificate,) = issued(world)

    response = api.call(
        "POST",
        f"/api/v1/certificates/{certificate.number}/revoke",
        token=issued_key(world.body_y_admin),
        body={"reason": reason},
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    certificate.refresh_from_db()
    assert certificate.status == "valid"


@pytest.mark.django_db
def test_revoking_twice_returns_409(api, world):
    _plan, (certificate,) = issued(world)
    key = issued_key(world.body_y_admin)
    url = f"/api/v1/certificates/{certificate.number}/revoke"
    api.call("POST", url, token=key, body={"reason": REASON})

    response = api.call("POST", url, token=key, body={"reason": REASON})

    assert response.status_code == 409
    assert "不能重复撤销" in response.json()["detail"]


# ---- POST /plans/{plan_id}/certificates/revoke -------------------------------------------------------


@pytest.mark.django_db
def test_plan_revocation(api, world):
    plan, certificates = issued(world, count=2)

    response = api.call(
        "POST",
        f"/api/v1/plans/{plan.pk}/certificates/revoke",
        token=issued_key(world.municipal_supervisor),
        body={"reason": REASON},
    )

    assert response.status_code == 200
    assert response.json() == {
        "plan_id": plan.pk,
        "plan_number": plan.number,
        "count": 2,
        "numbers": [c.number for c in certificates],
    }
    assert set(Certificate.objects.values_list("status", flat=True)) == {"revoked"}


@pytest.mark.django_db
def test_plan_revocation_out_of_scope_returns_404(api, world):
    plan, _certificates = issued(world, count=1)

    response = api.call(
        "POST",
        f"/api/v1/plans/{plan.pk}/certificates/revoke",
        token=issued_key(world.body_s_admin),
        body={"reason": REASON},
    )

    assert response.status_code == 404


# ---- POST /certificates/{number}/reissue -------------------------------------------------------------


@pytest.mark.django_db
def test_reissue(api, world):
    # given: a certificate issued today, serial 1
    plan = make_plan(site=world.site_y, job_type="电焊工")
    (old,) = issue_certificates(plan=plan, actor=world.body_y_admin, candidates=[make_candidate(name="张伟")])

    # when
    response = api.call(
        "POST",
        f"/api/v1/certificates/{old.number}/reissue",
        token=issued_key(world.body_y_admin),
        body={"corrections": {"job_type_name": "气焊工"}, "reason": "工种填写错误，应为气焊工"},
    )

    # then
    assert response.status_code == 201
    year = timezone.localdate().year
    assert response.json() == {
        "number": f"Y000031000101{year % 100:02d}3000002",
        "replaces": old.number,
        "holder_name": "张伟",
        "job_type_name": "气焊工",
        "issue_date": timezone.localdate().isoformat(),
        "status": "valid",
    }
    old.refresh_from_db()
    assert (old.status, old.replaced_by.number) == ("revoked", response.json()["number"])


@pytest.mark.django_db
def test_reissue_without_a_change_returns_422(api, world):
    _plan, (old,) = issued(world)

    response = api.call(
        "POST",
        f"/api/v1/certificates/{old.number}/reissue",
        token=issued_key(world.body_y_admin),
        body={"corrections": {"holder_name": old.holder_name}, "reason": "核对后无需更正"},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "corrections", "message": str(MSG_NOTHING_CORRECTED)}]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "status"), [("body_y_exam_staff", 403), ("pudong_reviewer", 403), ("body_s_admin", 404)]
)
def test_reissue_by_others(api, world, user, status):
    _plan, (old,) = issued(world)

    response = api.call(
        "POST",
        f"/api/v1/certificates/{old.number}/reissue",
        token=issued_key(getattr(world, user)),
        body={"corrections": {"holder_name": "欧阳明华"}, "reason": REASON},
    )

    assert response.status_code == status
    assert Certificate.objects.count() == 1
