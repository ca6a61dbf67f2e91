"""Candidate self-service (我的报名): apply, see only one's own applications, decisions, tickets, scores."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from skillcert.accounts.services import candidate_create
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import Application, ComponentResult, EvaluationPlan
from skillcert.evaluation.tests.factories import (
    make_application,
    make_candidate,
    make_plan,
    make_resident_id,
    make_spec,
)

pytestmark = pytest.mark.django_db

ID_SELF = make_resident_id(date(1992, 4, 18), sequence=31)
ID_OTHER = make_resident_id(date(1985, 9, 9), sex="F", sequence=32)


@pytest.fixture
def me(world):
    return candidate_create(
        name="刘一鸣", id_type="resident_id", id_number=ID_SELF, user=world.candidate, actor=world.candidate
    )


@pytest.fixture
def plan(world):
    return make_plan(world, spec=make_spec(world, level_code="L4"), capacity=5)


@pytest.fixture
def browser(client, settings, world):
    settings.SKILLCERT_REQUIRE_2FA = False
    client.force_login(world.candidate)
    return client


def test_my_applications_lists_only_my_own(browser, plan, me):
    # given: my application and someone else's in the same plan
    make_application(plan, me, ticket_number=f"{plan.number}-0001")
    make_application(plan, make_candidate("别人", ID_OTHER), ticket_number=f"{plan.number}-0002")

    page = browser.get("/evaluation/me/applications/").content.decode()

    assert "刘一鸣" in page and f"{plan.number}-0001" in page
    assert "别人" not in page and f"{plan.number}-0002" not in page
    assert f'href="{reverse("certificates:mine")}"' in page


def test_another_persons_application_is_404(browser, plan, me):
    theirs = make_application(plan, make_candidate("别人", ID_OTHER), ticket_number=f"{plan.number}-0002")

    for suffix in ("", "ticket.pdf", "withdraw/"):
        assert browser.get(f"/evaluation/me/applications/{theirs.pk}/{suffix}").status_code == 404


def test_a_candidate_applies_through_the_form(browser, plan, me, world):
    # when
    response = browser.post(
        f"/evaluation/me/apply/{plan.pk}/",
        {"work_years": "6", "education": "none", "title_rank": "none", "certificates": ""},
    )

    # then
    application = Application.objects.get(plan=plan, candidate=me)
    assert response.status_code == 302
    assert response["Location"] == f"/evaluation/me/applications/{application.pk}/"
    assert (application.status, application.source, application.ticket_number) == (
        "eligible",
        "self",
        f"{plan.number}-0001",
    )
    assert AuditEvent.objects.filter(action="application.submitted", actor_id=world.candidate.pk).count() == 1
    detail = browser.get(response["Location"]).content.decode()
    assert "资格审核通过" in detail and "符合申报条件" in detail


def test_an_ineligible_application_shows_why(browser, plan, me):
    browser.post(
        f"/evaluation/me/apply/{plan.pk}/", {"work_years": "2", "education": "none", "title_rank": "none"}
    )

    application = Application.objects.get(plan=plan, candidate=me)
    page = browser.get(f"/evaluation/me/applications/{application.pk}/").content.decode()
    assert application.status == "ineligible"
    assert "不符合申报条件" in page and "累计工作年限 2 年，少于 6 年" in page


def test_prior_certificates_typed_one_per_line_are_evidence(browser, plan, me):
    browser.post(
        f"/evaluation/me/apply/{plan.pk}/",
        {
            "work_years": "0",
            "education": "none",
            "title_rank": "none",
            "certificates": "1731000000500123 2017-06-30",
        },
    )

    application = Application.objects.get(plan=plan, candidate=me)
    assert application.eligibility_route == "standard_2018:L4:1"
    assert application.prior_certificates == [
        {"number": "1731000000500123", "level_digit": 5, "issued_on": "2017-06-30"}
    ]


def test_open_plans_list_only_acknowledged_plans_with_room(browser, world, plan, me):
    full = make_plan(world, spec=make_spec(world, level_code="L4"), capacity=1)
    make_application(full, make_candidate("别人", ID_OTHER))
    draft = make_plan(world, spec=make_spec(world, level_code="L4"), status="draft")

    page = browser.get("/evaluation/me/apply/").content.decode()

    assert f'href="/evaluation/me/apply/{plan.pk}/"' in page
    assert f"/evaluation/me/apply/{full.pk}/" not in page
    assert f"/evaluation/me/apply/{draft.pk}/" not in page
    assert browser.get(f"/evaluation/me/apply/{full.pk}/").status_code == 404


def test_scores_are_shown_only_after_they_are_locked(browser, plan, me):
    application = make_application(
        plan, me, ticket_number=f"{plan.number}-0001", result=Application.Result.FAILED
    )
    ComponentResult.objects.create(
        application=application, component="theory", score=Decimal("72.50"), passed=True
    )
    ComponentResult.objects.create(
        application=application, component="skills", score=Decimal("55.00"), passed=False
    )
    url = f"/evaluation/me/applications/{application.pk}/"

    before = browser.get(url).content.decode()
    EvaluationPlan.objects.filter(pk=plan.pk).update(status=EvaluationPlan.Status.SCORES_LOCKED)
    after = browser.get(url).content.decode()

    assert "72.50" not in before and "成绩在考评组长锁定后公布" in before
    assert "72.50" in after and "55.00" in after and "不合格" in after
    assert "评定结果：" in after


def test_i_download_my_ticket(browser, plan, me):
    application = make_application(plan, me, ticket_number=f"{plan.number}-0001")

    response = browser.get(f"/evaluation/me/applications/{application.pk}/ticket.pdf")

    assert response.status_code == 200
    text = "".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "刘一鸣" in text and f"{plan.number}-0001" in text


def test_i_withdraw_my_application(browser, plan, me, world):
    application = make_application(plan, me, ticket_number=f"{plan.number}-0001")
    url = f"/evaluation/me/applications/{application.pk}/withdraw/"

    assert "确认撤回" in browser.get(url).content.decode()
    response = browser.post(url, {"reason": ""})

    application.refresh_from_db()
    assert response.status_code == 302 and application.status == "withdrawn"
    assert AuditEvent.objects.get(action="application.withdrawn").actor_id == world.candidate.pk


def test_an_account_without_its_person_is_told_what_to_do(browser):
    page = browser.get("/evaluation/me/applications/").content.decode()
    assert "尚未关联考生信息" in page


def test_staff_are_not_candidates(client, settings, world):
    settings.SKILLCERT_REQUIRE_2FA = False
    client.force_login(world.body_y_admin)
    assert client.get("/evaluation/me/applications/").status_code == 403
