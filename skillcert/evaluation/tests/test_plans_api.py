"""The plans API: create, staff, submit and acknowledge through HTTP, and its problem answers."""

import pytest
from django.urls import path

from skillcert.accounts.roles import Role
from skillcert.api.tests.helpers import ApiClient, issued_key
from skillcert.api.v1.api import SkillcertAPI
from skillcert.api.v1.auth import TokenAuth
from skillcert.api.v1.problems import install_problem_handlers
from skillcert.api.v1.routers.plans import router as plans_router
from skillcert.evaluation.models import EvaluationPlan
from skillcert.evaluation.tests.factories import (
    make_plan,
    make_spec,
    qualify_examiner,
    staff_user,
)
from skillcert.evaluation.tests.planning import sessions_for

pytestmark = pytest.mark.django_db
Status = EvaluationPlan.Status


# ---- API --------------------------------------------------------------------------------------------

# The lead mounts the router on the project's API; these tests mount it on their own, identical API.
_test_api = SkillcertAPI(title="plans test", version="test", urls_namespace="plans-test", auth=TokenAuth())
install_problem_handlers(_test_api)
_test_api.add_router("/plans", plans_router)
urlpatterns = [path("api/v1/", _test_api.urls)]


@pytest.fixture
def api(settings):
    settings.ROOT_URLCONF = __name__
    return ApiClient()


def test_api_walks_create_staff_submit_acknowledge(api, world):
    spec = make_spec(world, level_code="L4")
    body_key = issued_key(world.body_y_admin)
    sessions = [
        {"component": s.component, "starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat()}
        for s in sessions_for(spec)
    ]
    # create
    response = api.call(
        "post",
        "/api/v1/plans",
        token=body_key,
        body={"spec_id": spec.pk, "site_id": world.site_y.pk, "capacity": 10, "sessions": sessions},
    )
    assert response.status_code == 201, response.content
    plan_id = response.json()["id"]
    assert response.json()["status"] == "draft"
    # staff: a chief examiner, two examiners, two invigilators
    plan = EvaluationPlan.objects.get(pk=plan_id)
    qualify_examiner(world.body_y_examiner, spec=spec)
    members = [(world.body_y_examiner, "chief_examiner")]
    members += [(staff_user(world.body_y, Role.EXAMINER, i, qualify=spec), "examiner") for i in (1, 2)]
    members += [(staff_user(world.body_y, Role.EXAM_STAFF, i), "invigilator") for i in (1, 2)]
    for member, duty in members:
        response = api.call(
            "post",
            f"/api/v1/plans/{plan_id}/staff",
            token=body_key,
            body={"user_id": member.pk, "duty": duty},
        )
        assert response.status_code == 201, response.content
    # submit
    response = api.call("post", f"/api/v1/plans/{plan_id}/submit", token=body_key)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    # the 闵行 reviewer gets 404, the 浦东 reviewer acknowledges
    response = api.call(
        "post", f"/api/v1/plans/{plan_id}/acknowledge", token=issued_key(world.minhang_reviewer)
    )
    assert response.status_code == 404
    response = api.call(
        "post", f"/api/v1/plans/{plan_id}/acknowledge", token=issued_key(world.pudong_reviewer)
    )
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"
    # the plan's status and next steps
    response = api.call("get", f"/api/v1/plans/{plan_id}", token=body_key)
    assert response.status_code == 200
    payload = response.json()
    assert (payload["number"], payload["status"]) == (plan.number, "acknowledged")
    assert [step["label"] for step in payload["next_steps"]] == [
        "组织报名并审核申报资格",
        "组织考试并录入成绩",
    ]
    assert all(rule["met"] for rule in payload["staffing"])


def test_api_errors(api, world):
    plan = make_plan(world, status=Status.SUBMITTED)
    # no token
    assert api.call("get", f"/api/v1/plans/{plan.pk}").status_code == 401
    # a body's examiner cannot submit
    response = api.call("post", f"/api/v1/plans/{plan.pk}/submit", token=issued_key(world.body_y_examiner))
    assert response.status_code == 403
    # rejecting without a reason is a 422 problem
    reviewer = issued_key(world.pudong_reviewer)
    response = api.call("post", f"/api/v1/plans/{plan.pk}/reject", token=reviewer, body={"reason": ""})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    # a submitted plan cannot be submitted again: 409
    response = api.call("post", f"/api/v1/plans/{plan.pk}/submit", token=issued_key(world.body_y_admin))
    assert response.status_code == 409
    assert response.json()["detail"] == "只有草稿或被退回的计划可以提交。"
    # rejecting with a reason
    response = api.call(
        "post", f"/api/v1/plans/{plan.pk}/reject", token=reviewer, body={"reason": "时间冲突"}
    )
    assert response.json() == {
        "id": plan.pk,
        "number": plan.number,
        "status": "rejected",
        "decision_reason": "时间冲突",
    }
