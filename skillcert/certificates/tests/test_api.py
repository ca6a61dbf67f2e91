"""The certificates API: issue a plan's certificates, list them in scope, read one by number."""

from datetime import date

import pytest
from django.utils import timezone

from skillcert.api.tests.helpers import ApiClient, issued_key
from skillcert.certificates.models import Certificate
from skillcert.certificates.services import certificates_issue_for_plan
from skillcert.certificates.tests.builders import add_passed, make_plan
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import EvaluationPlan

pytestmark = pytest.mark.urls("skillcert.certificates.tests.api_urls")

ISSUED_ON = date(2025, 6, 30)


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


def issue_url(plan_id: int) -> str:
    return f"/api/v1/plans/{plan_id}/certificates/issue"


# ---- POST /plans/{plan_id}/certificates/issue --------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_returns_401(api, world):
    plan = make_plan(site=world.site_y)
    response = api.call("POST", issue_url(plan.pk))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_with_role_can_issue(api, world):
    # given
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=3)
    year = f"{timezone.localdate().year % 100:02d}"

    # when
    response = api.call("POST", issue_url(plan.pk), token=issued_key(world.body_y_admin))

    # then
    assert response.status_code == 201
    assert response.json() == {
        "plan_id": plan.pk,
        "plan_number": plan.number,
        "plan_status": "issued",
        "count": 3,
        "first_number": f"Y000031000101{year}3000001",
        "last_number": f"Y000031000101{year}3000003",
    }
    plan.refresh_from_db()
    assert plan.status == EvaluationPlan.Status.ISSUED
    assert (
        AuditEvent.objects.filter(action="plan.certificates_issued", actor_id=world.body_y_admin.pk).count()
        == 1
    )


@pytest.mark.django_db
def test_plan_not_approved_returns_409(api, world):
    plan = make_plan(site=world.site_y, status=EvaluationPlan.Status.PUBLICITY)
    add_passed(plan=plan, count=1)

    response = api.call("POST", issue_url(plan.pk), token=issued_key(world.body_y_admin))

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "评价结果经人社部门核准后才能发放证书" in response.json()["detail"]
    assert Certificate.objects.count() == 0


@pytest.mark.django_db
def test_other_tenant_returns_404(api, world):
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=1)

    response = api.call("POST", issue_url(plan.pk), token=issued_key(world.body_s_admin))

    assert response.status_code == 404
    assert Certificate.objects.count() == 0


@pytest.mark.django_db
def test_without_role_returns_403(api, world):
    plan = make_plan(site=world.site_y)
    response = api.call("POST", issue_url(plan.pk), token=issued_key(world.body_y_exam_staff))
    assert response.status_code == 403


# ---- GET /certificates, GET /certificates/{number} -----------------------------------------------------


def issue_both(world) -> tuple[list[Certificate], list[Certificate]]:
    y_plan = make_plan(site=world.site_y)
    s_plan = make_plan(site=world.site_s, level_code="L4")
    add_passed(plan=y_plan, count=2)
    add_passed(plan=s_plan, count=1)
    return (
        certificates_issue_for_plan(plan=y_plan, actor=world.body_y_admin, issue_date=ISSUED_ON),
        certificates_issue_for_plan(plan=s_plan, actor=world.body_s_admin, issue_date=ISSUED_ON),
    )


@pytest.mark.django_db
def test_list_is_scoped_to_the_callers_body(api, world):
    y_certs, _ = issue_both(world)

    response = api.call("GET", "/api/v1/certificates", token=issued_key(world.body_y_exam_staff))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert sorted(item["number"] for item in body["items"]) == sorted(c.number for c in y_certs)


@pytest.mark.django_db
def test_list_filters_by_plan(api, world):
    _, s_certs = issue_both(world)
    plan_id = s_certs[0].application.plan_id

    response = api.call(
        "GET", f"/api/v1/certificates?plan_id={plan_id}", token=issued_key(world.municipal_admin)
    )

    items = response.json()["items"]
    assert [item["number"] for item in items] == [s_certs[0].number]
    assert items[0] == {
        "number": "S000031000202254000001",
        "status": "valid",
        "holder_name": s_certs[0].holder_name,
        "holder_id_type": "resident_id",
        "id_number_masked": s_certs[0].candidate.id_number_masked,
        "occupation_code": "4-03-02-01",
        "occupation_name": "中式烹调师",
        "job_type_name": "--",
        "level_code": "L4",
        "level_label": "四级/中级工",
        "body_name": "上海闵行职业技能评价中心",
        "province_code": "31",
        "issue_date": "2025-06-30",
        "revoked_at": None,
        "plan_id": plan_id,
        "plan_number": s_certs[0].application.plan.number,
    }


@pytest.mark.django_db
def test_district_authority_lists_only_its_district(api, world):
    issue_both(world)
    response = api.call("GET", "/api/v1/certificates", token=issued_key(world.minhang_reviewer))
    assert [item["number"][0] for item in response.json()["items"]] == ["S"]


@pytest.mark.django_db
def test_list_pages_with_limit_and_offset(api, world):
    issue_both(world)
    response = api.call("GET", "/api/v1/certificates?limit=1&offset=1", token=issued_key(world.body_y_admin))
    body = response.json()
    assert body["count"] == 2
    assert len(body["items"]) == 1


@pytest.mark.django_db
def test_invalid_limit_returns_422(api, world):
    response = api.call("GET", "/api/v1/certificates?limit=1000", token=issued_key(world.body_y_admin))
    assert response.status_code == 422


@pytest.mark.django_db
def test_detail_in_scope(api, world):
    y_certs, _ = issue_both(world)
    number = y_certs[0].number

    response = api.call("GET", f"/api/v1/certificates/{number}", token=issued_key(world.pudong_reviewer))

    assert response.status_code == 200
    assert response.json()["number"] == number
    assert response.json()["id_number_masked"] == y_certs[0].candidate.id_number_masked


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["body_s_admin", "minhang_reviewer"])
def test_detail_outside_scope_returns_404(api, world, user):
    y_certs, _ = issue_both(world)
    response = api.call(
        "GET", f"/api/v1/certificates/{y_certs[0].number}", token=issued_key(getattr(world, user))
    )
    assert response.status_code == 404
