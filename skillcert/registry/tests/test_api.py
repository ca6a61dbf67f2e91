"""The registry API: the public directory, a filing submitted in one call, review by the authority."""

import pytest

from skillcert.api.tests.helpers import ApiClient, issued_key
from skillcert.core.models import AuditEvent
from skillcert.registry.models import Body, FiledScope, FilingApplication, Site
from skillcert.registry.services import filing_submit
from skillcert.registry.tests.api_urls import PREFIX
from skillcert.registry.tests.conftest import credit_code, grant_scope, register, scope


@pytest.fixture
def api(settings) -> ApiClient:
    settings.ROOT_URLCONF = "skillcert.registry.tests.api_urls"
    return ApiClient()


def filing_body(**details) -> dict:
    return {
        "details": {
            "body_name": "上海新港智能制造有限公司",
            "credit_code": credit_code("91310115MA1K4XQ2P"),
            "body_kind": "Y",
            "district": "310115",
            "address": "浦东新区张江路 88 号",
            "contact_name": "王敏",
            "contact_phone": "021-58880000",
        }
        | details,
        "sites": [{"name": "张江实训中心", "address": "浦东新区张江路 90 号", "district": "310115"}],
        "scope": [
            {
                "occupation": "6-18-02-04",
                "job_type": "电焊工",
                "level": "L3",
                "examiners": 5,
                "internal_supervisors": 1,
                "question_bank": "焊工国家题库",
                "equipment": "焊机 10 台",
            }
        ],
    }


def test_directory_is_public_and_paginated(api, world):
    grant_scope(body=world.body_y, admin=world.body_y_admin, reviewer=world.pudong_reviewer, scopes=[scope()])
    response = api.call("GET", f"{PREFIX}/bodies?occupation=4-03-02")
    assert response.status_code == 200
    data = response.json()
    assert (data["count"], data["page"], data["pages"]) == (1, 1, 1)
    item = data["items"][0]
    assert (item["credit_code"], item["status"], item["district"]) == (
        world.body_y.credit_code,
        "filed",
        "浦东新区",
    )
    assert item["scope"] == [
        {
            "occupation_code": "4-03-02-01",
            "occupation_name": "中式烹调师",
            "job_type": "",
            "level": "四级/中级工",
        }
    ]
    assert "contact_name" not in item and "id" not in item
    detail = api.call("GET", f"{PREFIX}/bodies/{world.body_s.credit_code}").json()
    assert detail["sites"] == [
        {"name": "闵行评价中心考点", "address": "闵行区莘庄镇 2 号", "district": "闵行区"}
    ]
    assert api.call("GET", f"{PREFIX}/bodies/91310115MA1K4XQ2P0").status_code == 404


def test_body_admin_submits_then_pudong_reviewer_approves(api, world):
    # Given: a registered body (draft from registration) whose administrator holds a token
    registered = register(district=world.pudong)
    admin_key = issued_key(registered.admin)

    # When: the enterprise system submits the whole application in one call
    response = api.call("POST", f"{PREFIX}/filings", token=admin_key, body=filing_body())

    # Then: it is submitted, with its site and scope
    assert response.status_code == 201, response.content
    filing = response.json()
    assert (filing["id"], filing["kind"], filing["status"]) == (
        registered.application.pk,
        "initial",
        "submitted",
    )
    assert [site["name"] for site in filing["sites"]] == ["张江实训中心"]
    assert [(row["occupation"], row["job_type"], row["level"]) for row in filing["scope"]] == [
        ("6-18-02-04", "电焊工", "L3")
    ]

    # When: the 闵行 reviewer tries to read or approve it
    minhang_key = issued_key(world.minhang_reviewer)
    assert api.call("GET", f"{PREFIX}/filings/{filing['id']}", token=minhang_key).status_code == 404
    refused = api.call("POST", f"{PREFIX}/filings/{filing['id']}/approve", token=minhang_key, body={})
    # Then: 404, as if it did not exist
    assert refused.status_code == 404
    assert refused["Content-Type"] == "application/problem+json"

    # When: the 浦东 reviewer approves, choosing the site code
    pudong_key = issued_key(world.pudong_reviewer)
    site_id = filing["sites"][0]["id"]
    approved = api.call(
        "POST",
        f"{PREFIX}/filings/{filing['id']}/approve",
        token=pudong_key,
        body={"body_code": "0000", "sites": [{"id": site_id, "sequence_code": "000305"}]},
    )

    # Then: the body is filed with the site code and scope, and the approval is audited
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["sites"][0]["sequence_code"] == "000305"
    body = Body.objects.get(pk=registered.body.pk)
    assert body.filing_status == "filed"
    assert Site.objects.get(tenant=body).sequence_code == "000305"
    assert FiledScope.objects.filter(tenant=body, withdrawn_at__isnull=True).count() == 1
    assert AuditEvent.objects.get(action="filing.approved").actor_id == world.pudong_reviewer.pk


def test_submit_errors_name_the_field(api, world):
    registered = register(district=world.pudong)
    key = issued_key(registered.admin)
    body = filing_body(credit_code=world.body_y.credit_code)
    body["scope"][0]["level"] = "SPECIAL_TECH"
    body["sites"][0]["district"] = "999999"

    # Unknown codes are named before anything is written
    response = api.call("POST", f"{PREFIX}/filings", token=key, body=body)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body.sites.0.district"]

    # A taken credit code is named under details
    body["sites"][0]["district"] = "310115"
    response = api.call("POST", f"{PREFIX}/filings", token=key, body=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.details.credit_code"

    # A level outside 五级–一级 is named on its row
    body = filing_body()
    body["scope"][0]["level"] = "SPECIAL_TECH"
    response = api.call("POST", f"{PREFIX}/filings", token=key, body=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.scope.0.level"
    assert FilingApplication.objects.get(pk=registered.application.pk).status == "draft"


def test_return_and_reject_through_the_api(api, world):
    registered = register(district=world.pudong)
    api.call("POST", f"{PREFIX}/filings", token=issued_key(registered.admin), body=filing_body())
    key = issued_key(world.municipal_reviewer)
    url = f"{PREFIX}/filings/{registered.application.pk}"

    assert api.call("POST", f"{url}/return", token=key, body={"reason": ""}).status_code == 422
    returned = api.call("POST", f"{url}/return", token=key, body={"reason": "请补充设备清单。"})
    assert (returned.status_code, returned.json()["status"]) == (200, "returned")
    # A returned application cannot be rejected until resubmitted
    conflict = api.call("POST", f"{url}/reject", token=key, body={"reason": "不符合条件"})
    assert conflict.status_code == 409
    filing_submit(actor=registered.admin, application=registered.application)
    rejected = api.call("POST", f"{url}/reject", token=key, body={"reason": "不符合条件"})
    assert (rejected.json()["status"], rejected.json()["decision_reason"]) == ("rejected", "不符合条件")


def test_filings_need_the_right_role(api, world):
    key = issued_key(world.body_y_exam_staff)
    assert api.call("POST", f"{PREFIX}/filings", token=key, body=filing_body()).status_code == 403
    assert api.call("POST", f"{PREFIX}/filings", body=filing_body()).status_code == 401


def test_scope_change_through_the_api(api, world):
    grant_scope(body=world.body_y, admin=world.body_y_admin, reviewer=world.pudong_reviewer, scopes=[scope()])
    key = issued_key(world.body_y_admin)
    body = {
        "scope": filing_body()["scope"],
        "withdraw": [{"occupation": "4-03-02-01", "level": "L4"}],
    }
    response = api.call("POST", f"{PREFIX}/filings", token=key, body=body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["kind"], data["withdraw"]) == (
        "scope_change",
        [{"occupation": "4-03-02-01", "job_type": None, "level": "L4"}],
    )
    approved = api.call(
        "POST", f"{PREFIX}/filings/{data['id']}/approve", token=issued_key(world.pudong_reviewer), body={}
    )
    assert approved.status_code == 200
    in_force = FiledScope.objects.filter(tenant=world.body_y, withdrawn_at__isnull=True)
    assert list(in_force.values_list("occupation__code", "level")) == [("6-18-02-04", "L3")]
