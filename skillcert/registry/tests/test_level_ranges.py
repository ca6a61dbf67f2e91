"""Filing within the published level ranges (可备案职业(工种)、等级范围).

The service, the page and the API all refuse a level outside the range of the occupation or its 工种;
ranges changed later leave filed scope alone.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from skillcert.api.tests.helpers import ApiClient, issued_key
from skillcert.core.models import AuditEvent
from skillcert.reference.models import LevelRange, SkillLevel
from skillcert.reference.services import level_range_update
from skillcert.registry.models import FiledScope, FilingApplication, FilingScopeRequest
from skillcert.registry.selectors import body_may_evaluate_scope, filed_scope_in_force
from skillcert.registry.services import filing_scope_add, filing_submit
from skillcert.registry.tests.api_urls import PREFIX
from skillcert.registry.tests.conftest import credit_code, grant_scope, register, scope, site

INFANT = "4-10-01-01"  # 婴幼儿发展引导员: 四级 to 一级
WELDER = "6-18-02-04"  # 焊工: 气焊工 五级 to 三级, 钎焊工 五级 to 二级, 电焊工 五级 to 一级
INFANT_L5_REFUSED = "婴幼儿发展引导员只可评价四级/中级工至一级/高级技师，不含五级/初级工。"
GAS_L2_REFUSED = "焊工（气焊工）只可评价五级/初级工至三级/高级工，不含二级/技师。"


@pytest.fixture
def new_body(world):
    """A newly registered body in 浦东 with its empty draft."""
    return register(district=world.pudong)


def requested(application: FilingApplication) -> list[tuple[str, str, str]]:
    return [
        (row.occupation.code, row.job_type.name if row.job_type else "", row.level_id)
        for row in FilingScopeRequest.objects.filter(application=application)
        .select_related("occupation", "job_type")
        .order_by("pk")
    ]


# --- the service ------------------------------------------------------------------------------------------


def test_service_refuses_a_level_below_the_occupation_range(new_body):
    # when the body asks for 婴幼儿发展引导员 五级, which its 2021 standard does not have
    with pytest.raises(ValidationError) as error:
        filing_scope_add(actor=new_body.admin, application=new_body.application, scope=scope(INFANT, "L5"))
    # then the level field names the occupation and its range, and nothing is added or audited
    assert error.value.message_dict == {"level": [INFANT_L5_REFUSED]}
    assert requested(new_body.application) == []
    assert not AuditEvent.objects.filter(action="filing.scope_added").exists()


def test_service_accepts_the_levels_inside_the_range(new_body):
    for level in ("L4", "L1"):
        filing_scope_add(actor=new_body.admin, application=new_body.application, scope=scope(INFANT, level))
    assert requested(new_body.application) == [(INFANT, "", "L4"), (INFANT, "", "L1")]


def test_service_applies_the_job_type_range(new_body):
    application, admin = new_body.application, new_body.admin
    # 气焊工 stops at 三级
    with pytest.raises(ValidationError) as error:
        filing_scope_add(actor=admin, application=application, scope=scope(WELDER, "L2", "气焊工"))
    assert error.value.message_dict == {"level": [GAS_L2_REFUSED]}
    # while 气焊工 三级, 电焊工 一级 and 焊工 with no 工种 (no range of its own) are accepted
    filing_scope_add(actor=admin, application=application, scope=scope(WELDER, "L3", "气焊工"))
    filing_scope_add(actor=admin, application=application, scope=scope(WELDER, "L1", "电焊工"))
    filing_scope_add(actor=admin, application=application, scope=scope(WELDER, "L1"))
    assert requested(application) == [
        (WELDER, "气焊工", "L3"),
        (WELDER, "电焊工", "L1"),
        (WELDER, "", "L1"),
    ]


def test_range_error_comes_with_the_other_field_errors(new_body):
    # given a row with too few examiners and a level outside the range
    row = scope(INFANT, "L5")
    row = type(row)(**{**{f: getattr(row, f) for f in row.__slots__}, "examiners": 0})
    with pytest.raises(ValidationError) as error:
        filing_scope_add(actor=new_body.admin, application=new_body.application, scope=row)
    # then both are reported at once
    assert set(error.value.message_dict) == {"examiners", "level"}
    assert error.value.message_dict["level"] == [INFANT_L5_REFUSED]


def test_submit_checks_the_rows_again_against_a_narrowed_range(world, new_body):
    # given a draft asking for 钎焊工 二级, allowed when added
    application, admin = new_body.application, new_body.admin
    filing_scope_add(actor=admin, application=application, scope=scope(WELDER, "L2", "钎焊工"))
    from skillcert.registry.services import filing_site_add

    filing_site_add(actor=admin, application=application, site=site(district=world.pudong))
    # when the authority narrows 钎焊工 to 三级 before the body submits
    brazing = LevelRange.objects.get(job_type__name="钎焊工")
    level_range_update(
        actor=world.municipal_admin,
        level_range=brazing,
        lowest=SkillLevel.objects.get(code="L5"),
        highest=SkillLevel.objects.get(code="L3"),
    )
    # then the submission names the row, and the draft stays a draft
    with pytest.raises(ValidationError) as error:
        filing_submit(actor=admin, application=application)
    assert error.value.message_dict == {
        "scope.0.level": ["焊工（钎焊工）只可评价五级/初级工至三级/高级工，不含二级/技师。"]
    }
    application.refresh_from_db()
    assert application.status == FilingApplication.Status.DRAFT


def test_narrowing_a_range_leaves_filed_scope_in_force(world):
    # given body_y filed for 焊工/气焊工 三级
    grant_scope(
        body=world.body_y,
        admin=world.body_y_admin,
        reviewer=world.pudong_reviewer,
        scopes=[scope(WELDER, "L3", "气焊工")],
    )
    filed = FiledScope.objects.get(tenant=world.body_y, job_type__name="气焊工")
    # when 气焊工 is narrowed to 五级–四级
    gas = LevelRange.objects.get(job_type__name="气焊工")
    level_range_update(
        actor=world.municipal_admin,
        level_range=gas,
        lowest=SkillLevel.objects.get(code="L5"),
        highest=SkillLevel.objects.get(code="L4"),
    )
    # then the filed row is still in force and the body may still evaluate it
    assert list(filed_scope_in_force(body=world.body_y)) == [filed]
    assert body_may_evaluate_scope(
        body=world.body_y, occupation=filed.occupation, job_type=filed.job_type, level=filed.level
    )


# --- the page ---------------------------------------------------------------------------------------------


def scope_post(**overrides) -> dict:
    data = {
        "occupation": INFANT,
        "job_type": "",
        "level": "L5",
        "examiners": "5",
        "internal_supervisors": "1",
        "question_bank": "婴幼儿发展引导员国家题库",
        "equipment": "早教活动室 1 间",
    }
    return data | overrides


def test_scope_form_refuses_a_level_outside_the_range(client, settings, new_body):
    settings.SKILLCERT_REQUIRE_2FA = False
    client.force_login(new_body.admin)
    url = reverse("registry:filing_scope_add", args=[new_body.application.pk])
    # when the body administrator asks for 五级 on the page
    response = client.post(url, scope_post())
    # then the form shows the message on the level field and nothing is added
    assert response.status_code == 422
    assert response.context["scope_form"].errors["level"] == [INFANT_L5_REFUSED]
    assert INFANT_L5_REFUSED in response.content.decode()
    assert requested(new_body.application) == []
    # when they ask for 四级 / then it is added
    response = client.post(url, scope_post(level="L4"))
    assert response.status_code == 302
    assert requested(new_body.application) == [(INFANT, "", "L4")]


def test_scope_form_applies_the_job_type_range(client, settings, new_body):
    settings.SKILLCERT_REQUIRE_2FA = False
    client.force_login(new_body.admin)
    url = reverse("registry:filing_scope_add", args=[new_body.application.pk])
    response = client.post(url, scope_post(occupation=WELDER, job_type="气焊工", level="L2"))
    assert response.status_code == 422
    assert response.context["scope_form"].errors["level"] == [GAS_L2_REFUSED]
    assert requested(new_body.application) == []


# --- the API ----------------------------------------------------------------------------------------------


@pytest.fixture
def api(settings) -> ApiClient:
    settings.ROOT_URLCONF = "skillcert.registry.tests.api_urls"
    return ApiClient()


def filing_body(*scope_rows: dict) -> dict:
    return {
        "details": {
            "body_name": "上海新港智能制造有限公司",
            "credit_code": credit_code("91310115MA1K4XQ2P"),
            "body_kind": "Y",
            "district": "310115",
            "address": "浦东新区张江路 88 号",
            "contact_name": "王敏",
            "contact_phone": "021-58880000",
        },
        "sites": [{"name": "张江实训中心", "address": "浦东新区张江路 90 号", "district": "310115"}],
        "scope": [
            {"examiners": 5, "internal_supervisors": 1, "question_bank": "国家题库", "equipment": "实训室"}
            | row
            for row in scope_rows
        ],
    }


def test_api_refuses_a_level_outside_the_range(api, new_body):
    key = issued_key(new_body.admin)
    # when the enterprise system submits 婴幼儿发展引导员 四级 and 五级
    body = filing_body(
        {"occupation": INFANT, "level": "L4"},
        {"occupation": INFANT, "level": "L5"},
    )
    response = api.call("POST", f"{PREFIX}/filings", token=key, body=body)
    # then 422 names the second row's level with the range, and nothing is kept or submitted
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [{"field": "body.scope.1.level", "message": INFANT_L5_REFUSED}]
    application = FilingApplication.objects.get(pk=new_body.application.pk)
    assert application.status == FilingApplication.Status.DRAFT
    assert requested(application) == []


def test_api_applies_the_job_type_range_and_accepts_inside_it(api, new_body):
    key = issued_key(new_body.admin)
    refused = api.call(
        "POST",
        f"{PREFIX}/filings",
        token=key,
        body=filing_body({"occupation": WELDER, "job_type": "气焊工", "level": "L2"}),
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "body.scope.0.level", "message": GAS_L2_REFUSED}]
    accepted = api.call(
        "POST",
        f"{PREFIX}/filings",
        token=key,
        body=filing_body(
            {"occupation": WELDER, "job_type": "气焊工", "level": "L3"},
            {"occupation": INFANT, "level": "L4"},
        ),
    )
    assert accepted.status_code == 201, accepted.content
    assert {(row["occupation"], row["job_type"], row["level"]) for row in accepted.json()["scope"]} == {
        (WELDER, "气焊工", "L3"),
        (INFANT, None, "L4"),
    }
