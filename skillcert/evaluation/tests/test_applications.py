"""Applications one by one (self-service and staff), withdrawal, and the applications API."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import path
from ninja import NinjaAPI
from openpyxl import load_workbook

from skillcert.accounts.models import Candidate
from skillcert.accounts.services import candidate_create
from skillcert.api.tests.helpers import ApiClient, issued_key
from skillcert.api.v1.auth import TokenAuth
from skillcert.api.v1.problems import install_problem_handlers
from skillcert.api.v1.routers import applications as applications_router
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.evaluation.eligibility import Evidence, PriorCertificate, eligibility_check, eligibility_routes
from skillcert.evaluation.models import Application, EvaluationPlan
from skillcert.evaluation.services.applications import (
    application_register,
    application_submit,
    application_withdraw,
    eligibility_decide,
)
from skillcert.evaluation.spreadsheets.template import application_template_workbook
from skillcert.evaluation.tests.factories import (
    make_application,
    make_candidate,
    make_plan,
    make_resident_id,
    make_spec,
)
from skillcert.registry.models import Body

# A throwaway API with only this router, mounted as the lead will mount it in api.py.
api = NinjaAPI(urls_namespace="applications-api-test", auth=TokenAuth(), docs_url=None)
install_problem_handlers(api)
api.add_router("/", applications_router.router)
urlpatterns = [path("api/v1/", api.urls)]
API_URLS = pytest.mark.urls("skillcert.evaluation.tests.test_applications")

pytestmark = pytest.mark.django_db

ID_SELF = make_resident_id(date(1992, 4, 18), sequence=11)
ID_OTHER = make_resident_id(date(1985, 9, 9), sex="F", sequence=12)
SIX_YEARS = Evidence(work_years=Decimal(6))
ONE_YEAR = Evidence(work_years=Decimal(1))


@pytest.fixture
def plan(world):
    return make_plan(world, spec=make_spec(world, level_code="L4"), capacity=3)


@pytest.fixture
def me(world) -> Candidate:
    """The world's candidate user with their person record (as self-registration leaves it)."""
    return candidate_create(
        name="刘一鸣", id_type="resident_id", id_number=ID_SELF, user=world.candidate, actor=world.candidate
    )


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


# ---- self-service -----------------------------------------------------------------------------------


def test_candidate_applies_and_is_eligible_with_a_ticket_number(world, plan, me):
    # when
    application = application_submit(
        plan=plan, candidate=me, evidence=SIX_YEARS, source="self", actor=world.candidate
    )

    # then
    application.refresh_from_db()
    assert (
        application.status,
        application.eligibility_route,
        application.ticket_number,
        application.source,
    ) == (
        "eligible",
        "standard_2018:L4:2",
        f"{plan.number}-0001",
        "self",
    )
    assert application.eligibility_explanation.startswith("符合申报条件：累计从事本职业或相关职业工作6年")
    event = AuditEvent.objects.get(action="application.submitted")
    assert event.actor_id == world.candidate.pk
    assert event.data["status"] == "eligible" and event.data["ticket_number"] == f"{plan.number}-0001"


def test_ineligible_application_is_kept_with_the_reasons(world, plan, me):
    application = application_submit(
        plan=plan, candidate=me, evidence=ONE_YEAR, source="self", actor=world.candidate
    )

    application.refresh_from_db()
    assert (application.status, application.eligibility_route, application.ticket_number) == (
        "ineligible",
        "",
        None,
    )
    assert "累计工作年限 1 年，少于 6 年" in application.eligibility_explanation
    assert actions()[-1] == "application.submitted"


def test_a_candidate_applies_once_per_plan(world, plan, me):
    application_submit(plan=plan, candidate=me, evidence=SIX_YEARS, source="self", actor=world.candidate)

    with pytest.raises(ApplicationError) as raised:
        application_submit(plan=plan, candidate=me, evidence=SIX_YEARS, source="self", actor=world.candidate)

    assert raised.value.message == "已报名该计划（资格审核通过），同一计划只能报名一次。"
    assert raised.value.extra["status"] == 409
    assert Application.objects.filter(plan=plan).count() == 1


def test_an_ineligible_candidate_may_apply_again_with_corrected_evidence(world, plan, me):
    first = application_submit(
        plan=plan, candidate=me, evidence=ONE_YEAR, source="self", actor=world.candidate
    )

    again = application_submit(
        plan=plan, candidate=me, evidence=SIX_YEARS, source="self", actor=world.candidate
    )

    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.status, str(again.work_years)) == ("eligible", "6.0")
    assert actions()[-1] == "application.resubmitted"


def test_a_full_plan_refuses_an_eligible_application(world, me):
    # given: one place, taken
    plan = make_plan(world, spec=make_spec(world, level_code="L4"), capacity=1)
    make_application(plan, make_candidate("甲", ID_OTHER))

    with pytest.raises(ApplicationError) as raised:
        application_submit(plan=plan, candidate=me, evidence=SIX_YEARS, source="self", actor=world.candidate)

    assert raised.value.message == "报名人数已满：该计划共 1 个名额，已全部报满。"
    assert not Application.objects.filter(candidate=me).exists()


def test_nobody_applies_in_another_persons_name(world, plan):
    other = make_candidate("乙", ID_OTHER)

    with pytest.raises(ApplicationError) as raised:
        application_submit(
            plan=plan, candidate=other, evidence=SIX_YEARS, source="self", actor=world.candidate
        )

    assert raised.value.message == "只能以本人身份报名。"


@pytest.mark.parametrize("status", ["draft", "submitted", "scores_locked"])
def test_only_acknowledged_plans_take_applications(world, me, status):
    plan = make_plan(world, spec=make_spec(world, level_code="L4"), status=status)

    with pytest.raises(ApplicationError) as raised:
        application_submit(plan=plan, candidate=me, evidence=SIX_YEARS, source="self", actor=world.candidate)

    assert raised.value.message == "该评价计划当前不接受报名（只有人社部门已确认的计划开放报名）。"


def test_a_suspended_body_takes_no_applications(world, plan, me):
    Body.objects.filter(pk=world.body_y.pk).update(filing_status=Body.FilingStatus.SUSPENDED)

    with pytest.raises(ApplicationError) as raised:
        application_submit(plan=plan, candidate=me, evidence=SIX_YEARS, source="self", actor=world.candidate)

    assert raised.value.message == "该评价机构未备案、正在整改或已退出备案，不能开展评价活动或核发证书。"


# ---- staff registration and withdrawal --------------------------------------------------------------


def test_staff_register_a_new_person_as_a_group_application(world, plan):
    application = application_register(
        plan=plan,
        name="王小丫",
        id_type="resident_id",
        id_number=ID_OTHER,
        evidence=SIX_YEARS,
        source="group",
        group_name="浦东新区职业技术学校",
        actor=world.body_y_exam_staff,
    )

    assert (application.source, application.group_name, application.status) == (
        "group",
        "浦东新区职业技术学校",
        "eligible",
    )
    assert application.candidate.name == "王小丫" and application.candidate.sex == "F"
    assert actions()[-2:] == ["candidate.created", "application.submitted"]


def test_staff_of_another_body_may_not_register(world, plan):
    with pytest.raises(ApplicationError) as raised:
        application_register(
            plan=plan,
            name="王小丫",
            id_type="resident_id",
            id_number=ID_OTHER,
            evidence=SIX_YEARS,
            actor=world.body_s_admin,
        )
    assert raised.value.message == "只有本机构的管理员或考务人员可以登记报名。"
    assert not Candidate.objects.filter(name="王小丫").exists()


def test_staff_cannot_learn_who_holds_an_id_number_by_registering_it(world):
    # given a person another body registered, and a plan of body_s open for applications
    candidate_create(name="张秘密", id_type="resident_id", id_number=ID_OTHER, actor=None)
    plan_s = make_plan(world, spec=make_spec(world, body=world.body_s))

    # when body_s's staff type that ID number with another name
    with pytest.raises(ValidationError) as raised:
        application_register(
            plan=plan_s,
            name="随便填",
            id_type="resident_id",
            id_number=ID_OTHER,
            evidence=SIX_YEARS,
            actor=world.body_s_admin,
        )

    # then they are told the name does not match, without being told the registered name, and no
    # application is made
    assert raised.value.message_dict["name"] == [
        "姓名：与该证件号码已登记的考生姓名不一致，请核对姓名和证件号码。"
    ]
    assert "张秘密" not in str(raised.value)
    assert not Application.objects.filter(plan=plan_s).exists()


def test_withdrawal_frees_the_place_and_keeps_the_ticket_number(world, me):
    # given: a one-place plan taken by me
    plan = make_plan(world, spec=make_spec(world, level_code="L4"), capacity=1)
    mine = application_submit(
        plan=plan, candidate=me, evidence=SIX_YEARS, source="self", actor=world.candidate
    )

    # when
    application_withdraw(application=mine, reason="时间冲突", actor=world.candidate)

    # then: someone else takes the place with the next number
    mine.refresh_from_db()
    assert (mine.status, mine.ticket_number) == ("withdrawn", f"{plan.number}-0001")
    other = application_register(
        plan=plan,
        name="乙",
        id_type="resident_id",
        id_number=ID_OTHER,
        evidence=SIX_YEARS,
        actor=world.body_y_admin,
    )
    assert other.ticket_number == f"{plan.number}-0002"
    event = AuditEvent.objects.get(action="application.withdrawn")
    assert event.data == {"plan": plan.number, "previous_status": "eligible", "reason": "时间冲突"}


def test_withdrawal_after_scores_are_locked_is_refused(world, plan, me):
    application = make_application(plan, me)
    EvaluationPlan.objects.filter(pk=plan.pk).update(status=EvaluationPlan.Status.SCORES_LOCKED)

    with pytest.raises(ApplicationError) as raised:
        application_withdraw(application=application, actor=world.candidate)

    assert raised.value.message == "考试已开始或计划已进入成绩阶段，不能再撤回报名。"


# ---- the import's eligibility shortcut decides as eligibility_check does ------------------------------


@pytest.mark.parametrize(
    "evidence",
    [
        SIX_YEARS,
        ONE_YEAR,
        Evidence(education="secondary_vocational", education_related=True),
        Evidence(
            prior_certificates=(
                PriorCertificate(number="1731000000500123", level_digit=5, issued_on=date(2017, 6, 30)),
            )
        ),
    ],
)
def test_eligibility_decide_matches_eligibility_check(world, plan, evidence):
    spec = plan.spec
    on = date(2026, 6, 30)
    adult = {"birth_date": date(1990, 1, 1), "sex": "M"}

    shortcut = eligibility_decide(routes=eligibility_routes(spec=spec), evidence=evidence, on=on, **adult)

    assert shortcut == eligibility_check(spec=spec, evidence=evidence, on=on, **adult)


# ---- API ----------------------------------------------------------------------------------------------


@pytest.fixture
def client() -> ApiClient:
    return ApiClient()


def template_with(plan, rows: list[list]) -> bytes:
    workbook = load_workbook(io.BytesIO(application_template_workbook(plan=plan)))
    sheet = workbook["报名名单"]
    for row_number, values in enumerate(rows, start=2):  # the template's rows are pre-formatted: no append
        for column_number, value in enumerate(values, start=1):
            sheet.cell(row=row_number, column=column_number).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, plan, content: bytes, *, token: str | None, **fields):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = {"file": io.BytesIO(content), **fields}
    data["file"].name = "名单.xlsx"
    return client.post(f"/api/v1/plans/{plan.pk}/applications/import", data=data, **extra)


@API_URLS
def test_api_import_answers_counts(world, plan, client):
    content = template_with(plan, [["张三", "居民身份证", ID_OTHER, "", 6]])

    response = upload(client, plan, content, token=issued_key(world.body_y_admin), source="body")

    assert response.status_code == 200
    body = response.json()
    assert (body["imported"], body["unchanged"], body["candidates_created"]) == (1, 0, 1)
    again = upload(client, plan, content, token=issued_key(world.body_y_admin)).json()
    assert (again["imported"], again["unchanged"]) == (0, 1)


@API_URLS
def test_api_import_with_problems_answers_422_with_rows_and_columns(world, plan, client):
    content = template_with(
        plan, [["", "居民身份证", ID_OTHER, "", 6], ["李四", "居民身份证", 310115199001011234, "", 6]]
    )

    response = upload(client, plan, content, token=issued_key(world.body_y_admin))

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["detail"] == "文件有 2 处问题（涉及 2 行），未导入任何数据。请修改后重新上传。"
    assert [(e["row"], e["column"], e["field"]) for e in body["errors"]] == [
        (2, "A", "姓名"),
        (3, "C", "证件号码"),
    ]
    assert body["errors"][0]["message"] == "请填写姓名。"
    assert Application.objects.count() == 0


@API_URLS
def test_api_import_anonymous_returns_401(world, plan, client):
    assert upload(client, plan, b"x", token=None).status_code == 401


@API_URLS
def test_api_import_other_tenant_returns_404(world, plan, client):
    response = upload(client, plan, template_with(plan, []), token=issued_key(world.body_s_admin))
    assert response.status_code == 404


@API_URLS
def test_api_import_without_role_returns_403(world, plan, client):
    response = upload(client, plan, template_with(plan, []), token=issued_key(world.body_y_examiner))
    assert response.status_code == 403


@API_URLS
def test_api_registers_one_application(world, plan, client):
    response = client.call(
        "POST",
        f"/api/v1/plans/{plan.pk}/applications",
        token=issued_key(world.body_y_exam_staff),
        body={"name": "王小丫", "id_number": ID_OTHER, "work_years": "6.5", "education": "high_school"},
    )

    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("name", "status", "eligibility_route", "ticket_number", "source")} == {
        "name": "王小丫",
        "status": "eligible",
        "eligibility_route": "standard_2018:L4:2",
        "ticket_number": f"{plan.number}-0001",
        "source": "body",
    }
    assert body["id_number_masked"] == ID_OTHER[:3] + "*" * 11 + ID_OTHER[-4:]


@API_URLS
def test_api_register_with_a_bad_id_returns_422(world, plan, client):
    response = client.call(
        "POST",
        f"/api/v1/plans/{plan.pk}/applications",
        token=issued_key(world.body_y_admin),
        body={"name": "王小丫", "id_number": ID_OTHER[:17] + ("1" if ID_OTHER[17] == "0" else "0")},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "id_number"


@API_URLS
def test_api_lists_applications_masked_in_scope(world, plan, client):
    make_application(plan, make_candidate("乙", ID_OTHER), ticket_number=f"{plan.number}-0001")

    own = client.call("GET", f"/api/v1/plans/{plan.pk}/applications", token=issued_key(world.body_y_examiner))
    authority = client.call(
        "GET", f"/api/v1/plans/{plan.pk}/applications", token=issued_key(world.pudong_reviewer)
    )
    other = client.call(
        "GET", f"/api/v1/plans/{plan.pk}/applications", token=issued_key(world.minhang_reviewer)
    )

    assert own.status_code == authority.status_code == 200
    assert own.json()["count"] == 1
    item = own.json()["items"][0]
    assert (item["name"], item["id_number_masked"], item["ticket_number"]) == (
        "乙",
        ID_OTHER[:3] + "*" * 11 + ID_OTHER[-4:],
        f"{plan.number}-0001",
    )
    assert ID_OTHER not in own.content.decode()
    assert other.status_code == 404
