"""Portal pages: staff list and scope, one certificate, 我的证书, the issue confirmation, the panel."""

from datetime import date

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from skillcert.accounts.models import Candidate
from skillcert.certificates.models import Certificate
from skillcert.certificates.services import certificates_issue_for_plan
from skillcert.certificates.tests.builders import add_application, add_passed, make_candidate, make_plan
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import EvaluationPlan

ISSUED_ON = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.SKILLCERT_REQUIRE_2FA = False


def issued(world, *, site, count, level_code="L3", issue_date=ISSUED_ON) -> list[Certificate]:
    plan = make_plan(site=site, level_code=level_code)
    add_passed(plan=plan, count=count)
    admin = world.body_y_admin if site == world.site_y else world.body_s_admin
    return certificates_issue_for_plan(plan=plan, actor=admin, issue_date=issue_date)


def listed_numbers(response) -> list[str]:
    return [certificate.number for certificate in response.context["page"]]


# ---- staff list ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("certificates:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_candidate_may_not_open_the_staff_list(client, world):
    client.force_login(world.candidate)
    assert client.get(reverse("certificates:list")).status_code == 403


@pytest.mark.django_db
def test_body_staff_see_only_their_body(client, world):
    # given: certificates of both bodies
    own = issued(world, site=world.site_y, count=2)
    issued(world, site=world.site_s, count=2)

    # when
    client.force_login(world.body_y_exam_staff)
    response = client.get(reverse("certificates:list"))

    # then
    assert response.status_code == 200
    assert sorted(listed_numbers(response)) == sorted(c.number for c in own)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "bodies"),
    [("municipal_statistician", {"Y", "S"}), ("pudong_reviewer", {"Y"}), ("minhang_reviewer", {"S"})],
)
def test_authority_sees_its_region(client, world, user, bodies):
    issued(world, site=world.site_y, count=1)
    issued(world, site=world.site_s, count=1)

    client.force_login(getattr(world, user))
    response = client.get(reverse("certificates:list"))

    assert {number[0] for number in listed_numbers(response)} == bodies


@pytest.mark.django_db
def test_search_by_number_prefix_and_by_name(client, world):
    # given
    plan = make_plan(site=world.site_y)
    add_application(plan=plan, candidate=make_candidate(name="李娜"), ticket_number="T1")
    add_application(plan=plan, candidate=make_candidate(name="王强"), ticket_number="T2")
    first, second = certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)
    client.force_login(world.body_y_admin)

    # when / then
    by_name = client.get(reverse("certificates:list"), {"q": "李"})
    assert listed_numbers(by_name) == [first.number]
    by_number = client.get(reverse("certificates:list"), {"q": second.number.lower()})
    assert listed_numbers(by_number) == [second.number]
    nothing = client.get(reverse("certificates:list"), {"q": "Y9999"})
    assert listed_numbers(nothing) == []
    assert "没有符合条件的证书" in nothing.content.decode()


@pytest.mark.django_db
def test_filters_by_plan_level_and_year(client, world):
    # given: 三级 in 2024 and 2025, 四级 in 2025
    l3_2024 = issued(world, site=world.site_y, count=1, issue_date=date(2024, 5, 1))
    l3_2025 = issued(world, site=world.site_y, count=1)
    l4_2025 = issued(world, site=world.site_y, count=1, level_code="L4")
    client.force_login(world.body_y_admin)
    url = reverse("certificates:list")

    # when / then
    assert listed_numbers(client.get(url, {"level": "L4"})) == [l4_2025[0].number]
    assert listed_numbers(client.get(url, {"year": "2024"})) == [l3_2024[0].number]
    assert listed_numbers(client.get(url, {"level": "L3", "year": "2025"})) == [l3_2025[0].number]
    plan_id = l3_2025[0].application.plan_id
    by_plan = client.get(url, {"plan": plan_id})
    assert listed_numbers(by_plan) == [l3_2025[0].number]
    assert by_plan.context["plan"].pk == plan_id


@pytest.mark.django_db
def test_other_bodys_plan_filters_to_nothing(client, world):
    other = issued(world, site=world.site_s, count=1)
    issued(world, site=world.site_y, count=1)
    client.force_login(world.body_y_admin)

    response = client.get(reverse("certificates:list"), {"plan": other[0].application.plan_id})

    assert listed_numbers(response) == []
    assert response.context["plan"] is None


@pytest.mark.django_db
def test_list_is_paginated_by_50(client, world):
    issued(world, site=world.site_y, count=51)
    client.force_login(world.body_y_admin)

    first = client.get(reverse("certificates:list"))
    second = client.get(reverse("certificates:list"), {"page": 2})

    assert len(listed_numbers(first)) == 50
    assert len(listed_numbers(second)) == 1
    assert first.context["page"].paginator.count == 51


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_rows(client, world, django_assert_num_queries):
    # given: a page with 2 rows, measured; then 20 rows
    issued(world, site=world.site_y, count=2)
    client.force_login(world.body_y_admin)
    client.get(reverse("certificates:list"))  # warm the session and the user's roles
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("certificates:list"))
    issued(world, site=world.site_y, count=18)

    # when / then
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("certificates:list"))


@pytest.mark.django_db
def test_empty_list_says_what_to_do(client, world):
    client.force_login(world.body_y_admin)
    response = client.get(reverse("certificates:list"))
    assert "还没有证书" in response.content.decode()


# ---- detail -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_shows_the_masked_id_only(client, world):
    # given
    (certificate,) = issued(world, site=world.site_y, count=1)
    client.force_login(world.body_y_admin)

    # when
    response = client.get(reverse("certificates:detail", args=[certificate.number]))

    # then: the mask, never the full number (its birth date digits)
    body = response.content.decode()
    assert response.status_code == 200
    assert certificate.candidate.id_number_masked in body
    assert "19900101" not in body
    assert "居民身份证" in body


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["body_s_admin", "minhang_reviewer", "candidate"])
def test_detail_outside_scope_is_404(client, world, user):
    (certificate,) = issued(world, site=world.site_y, count=1)
    client.force_login(getattr(world, user))

    response = client.get(reverse("certificates:detail", args=[certificate.number]))

    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["body_y_admin", "pudong_reviewer", "municipal_admin"])
def test_detail_inside_scope_is_shown(client, world, user):
    (certificate,) = issued(world, site=world.site_y, count=1)
    client.force_login(getattr(world, user))

    assert client.get(reverse("certificates:detail", args=[certificate.number])).status_code == 200


# ---- 我的证书 -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_candidate_sees_only_own_certificates(client, world):
    # given: the signed-in candidate's certificate, and another person's in the same plan
    plan = make_plan(site=world.site_y)
    mine = make_candidate(name="本人", user=world.candidate)
    add_application(plan=plan, candidate=mine, ticket_number="T1")
    add_application(plan=plan, ticket_number="T2")
    own, other = certificates_issue_for_plan(plan=plan, actor=world.body_y_admin, issue_date=ISSUED_ON)
    client.force_login(world.candidate)

    # when
    response = client.get(reverse("certificates:mine"))

    # then
    assert [c.number for c in response.context["certificates"]] == [own.number]
    page = response.content.decode()
    # the holder gets the PDF, the signed credential and the public verification page from here
    assert reverse("certificates:pdf", args=[own.number]) in page
    assert reverse("credentials:download", kwargs={"number": own.number}) in page
    assert reverse("verification:certificate", kwargs={"token": own.qr_token}) in page
    assert other.number not in page
    assert client.get(reverse("certificates:detail", args=[own.number])).status_code == 200
    assert client.get(reverse("certificates:detail", args=[other.number])).status_code == 404


@pytest.mark.django_db
def test_my_certificates_empty_state(client, world):
    Candidate.objects.filter(user=world.candidate).delete()
    client.force_login(world.candidate)
    response = client.get(reverse("certificates:mine"))
    assert response.status_code == 200
    assert "您还没有职业技能等级证书" in response.content.decode()


# ---- issuing from the portal -------------------------------------------------------------------------


@pytest.mark.django_db
def test_issue_page_shows_what_will_happen(client, world):
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=3)
    client.force_login(world.body_y_admin)

    response = client.get(reverse("certificates:plan_issue", args=[plan.pk]))

    assert response.status_code == 200
    assert "将为 3 名评定合格的考生发放职业技能等级证书" in response.content.decode()
    assert Certificate.objects.count() == 0


@pytest.mark.django_db
def test_issue_without_confirmation_issues_nothing(client, world):
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=1)
    client.force_login(world.body_y_admin)

    response = client.post(reverse("certificates:plan_issue", args=[plan.pk]), {})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Certificate.objects.count() == 0


@pytest.mark.django_db
def test_admin_issues_with_confirmation(client, world):
    # given
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=2)
    client.force_login(world.body_y_admin)

    # when
    response = client.post(reverse("certificates:plan_issue", args=[plan.pk]), {"confirm": "on"})

    # then
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('certificates:list')}?plan={plan.pk}"
    assert Certificate.objects.filter(application__plan=plan).count() == 2
    plan.refresh_from_db()
    assert plan.status == EvaluationPlan.Status.ISSUED
    event = AuditEvent.objects.get(action="plan.certificates_issued")
    assert event.actor_id == world.body_y_admin.pk
    assert event.request_id != ""


@pytest.mark.django_db
def test_issue_refused_for_a_plan_not_approved(client, world):
    plan = make_plan(site=world.site_y, status=EvaluationPlan.Status.REPORTED)
    add_passed(plan=plan, count=1)
    client.force_login(world.body_y_admin)

    page = client.get(reverse("certificates:plan_issue", args=[plan.pk]))
    posted = client.post(reverse("certificates:plan_issue", args=[plan.pk]), {"confirm": "on"})

    assert "评价结果经人社部门核准后才能发放证书" in page.content.decode()
    assert posted.status_code == 200
    assert Certificate.objects.count() == 0


@pytest.mark.django_db
def test_other_bodys_admin_gets_404(client, world):
    plan = make_plan(site=world.site_y)
    client.force_login(world.body_s_admin)
    assert client.get(reverse("certificates:plan_issue", args=[plan.pk])).status_code == 404
    assert (
        client.post(reverse("certificates:plan_issue", args=[plan.pk]), {"confirm": "on"}).status_code == 404
    )


@pytest.mark.django_db
def test_exam_staff_may_not_issue(client, world):
    plan = make_plan(site=world.site_y)
    client.force_login(world.body_y_exam_staff)
    assert (
        client.post(reverse("certificates:plan_issue", args=[plan.pk]), {"confirm": "on"}).status_code == 403
    )


# ---- the plan page's panel ----------------------------------------------------------------------------


def render_panel(plan, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("evaluation/plans/panels/certificates.html", {"plan": plan}, request=request)


@pytest.mark.django_db
def test_panel_offers_issue_to_the_admin_of_an_approved_plan(world):
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=4)
    issue_url = reverse("certificates:plan_issue", args=[plan.pk])

    admin_view = render_panel(plan, world.body_y_admin)
    staff_view = render_panel(plan, world.body_y_exam_staff)

    assert "4 名合格考生待发证" in admin_view
    assert issue_url in admin_view
    assert issue_url not in staff_view


@pytest.mark.django_db
def test_panel_counts_issued_certificates_and_links_to_them(world):
    plan = make_plan(site=world.site_y)
    add_passed(plan=plan, count=3)
    certificates_issue_for_plan(plan=plan, actor=world.body_y_admin)
    plan.refresh_from_db()

    html = render_panel(plan, world.body_y_admin)

    assert "本计划已发放 3 本证书" in html
    assert f"{reverse('certificates:list')}?plan={plan.pk}" in html
    assert reverse("certificates:plan_issue", args=[plan.pk]) not in html
