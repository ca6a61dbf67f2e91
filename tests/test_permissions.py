"""The permission matrix, generated from the URL configuration.

Every portal route is requested by the anonymous visitor and every user of the test world: a role the view
does not admit gets 403, an admitted user outside the object's scope (the other body, the other district)
gets 404, an admitted user in scope gets the page. What each route needs and who is out of its scope is its
case in ``tests/test_permissions_cases.py``; the objects the cases point at are built here (the API's matrix,
``tests/test_api_permissions.py``, uses them too).
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from skillcert.accounts.models import LoginFailure, User
from skillcert.accounts.tokens import api_token_create
from skillcert.certificates.services import certificates_issue_for_plan
from skillcert.evaluation.models import Application, EvaluationPlan
from skillcert.evaluation.tests.factories import (
    make_application,
    make_candidate,
    make_plan,
    make_resident_id,
    make_spec,
)
from skillcert.registry.models import FiledScope, FilingApplication, FilingApplicationSite, FilingScopeRequest
from tests.permission_matrix import portal_routes
from tests.test_permissions_cases import CASES, FORBIDDEN, LOGIN, NOT_FOUND, OK, Case


@dataclass
class Objects:
    world: object
    filing: FilingApplication  # a draft: the body edits it
    submitted_filing: FilingApplication  # the authority reviews it
    filing_site: FilingApplicationSite
    filing_scope: FilingScopeRequest
    filed_scope: FiledScope
    spec: object
    plan: EvaluationPlan
    certificate: object
    candidate: object
    login_alert_user: User
    token_id: int


def build_objects(world) -> Objects:
    spec = make_spec(world)
    filed_scope = FiledScope.objects.get(tenant=world.body_y, occupation=spec.occupation, level=spec.level)
    filing = FilingApplication.objects.create(
        tenant=world.body_y,
        kind=FilingApplication.Kind.SCOPE_CHANGE,
        body_name=world.body_y.name,
        credit_code=world.body_y.credit_code,
        body_kind=world.body_y.kind,
        district=world.pudong,
        address="浦东新区川沙路 1 号",
        contact_name="王敏",
        contact_phone="021-58881234",
    )
    submitted_filing = FilingApplication.objects.create(
        tenant=world.body_y,
        kind=FilingApplication.Kind.SCOPE_CHANGE,
        body_name=world.body_y.name,
        credit_code=world.body_y.credit_code,
        body_kind=world.body_y.kind,
        district=world.pudong,
        address="浦东新区川沙路 1 号",
        contact_name="王敏",
        contact_phone="021-58881234",
        status=FilingApplication.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    filing_site = FilingApplicationSite.objects.create(
        application=filing, name="第二实训基地", address="浦东新区川沙路 2 号", district=world.pudong
    )
    filing_scope = FilingScopeRequest.objects.create(
        application=filing,
        occupation=spec.occupation,
        level=spec.level,
        examiners=5,
        internal_supervisors=1,
        question_bank="自有题库",
        equipment="实训车间",
    )
    plan = make_plan(world, spec=spec)
    approved = make_plan(world, spec=spec, status=EvaluationPlan.Status.RESULTS_APPROVED)
    holder = make_candidate("陈晓东", make_resident_id(date(1990, 1, 1)))
    make_application(approved, holder, result=Application.Result.PASSED)
    certificate = certificates_issue_for_plan(plan=approved, actor=world.body_y_admin)[0]
    alerted = world.body_y_examiner
    LoginFailure.objects.create(
        user=alerted,
        username=alerted.username,
        ip_address="198.51.100.1",
        occurred_at=timezone.now(),
        locked_until=timezone.now() + timedelta(minutes=20),
    )
    token, _key = api_token_create(
        user=world.body_y_admin, name="人事系统", scope="read_write", actor=world.body_y_admin
    )
    return Objects(
        world=world,
        filing=filing,
        submitted_filing=submitted_filing,
        filing_site=filing_site,
        filing_scope=filing_scope,
        filed_scope=filed_scope,
        spec=spec,
        plan=plan,
        certificate=certificate,
        candidate=holder,
        login_alert_user=alerted,
        token_id=token.pk,
    )


def expected(route, case: Case, username: str | None, user: User | None) -> object:
    access = route.access
    if username in case.overrides:
        return case.overrides[username]
    if user is None:
        return OK if access.public else LOGIN
    if not access.allows(user):
        return FORBIDDEN
    if username in case.outside:
        return NOT_FOUND
    return OK


def outcome(response) -> object:
    if response.status_code in (403, 404):
        return response.status_code
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    if response.status_code >= 500:
        return response.status_code
    return OK


def request_route(client, url: str):
    response = client.get(url)
    if response.status_code == 405:  # an action without a confirmation page: probe it with an empty POST
        response = client.post(url, {})
    return response


@pytest.mark.parametrize("route", portal_routes(), ids=lambda route: route.name)
def test_route_answers_each_user_as_declared(route, world, client, settings):
    # given the test world, the objects the route needs, and no second factor (tested in accounts)
    settings.SKILLCERT_REQUIRE_2FA = False
    case = CASES.get(route.name)
    if case is None:
        pytest.fail(f"{route.name} 没有权限测试用例")
    objects = build_objects(world)
    url = route_url(route, case.kwargs(objects))
    visitors: list[tuple[str | None, User | None]] = [(None, None), *world.users().items()]

    # when each visitor requests it / then each gets what the declaration and the scope say
    mismatches = []
    for username, user in visitors:
        client.logout()
        if user is not None:
            client.force_login(user)
        got = outcome(request_route(client, url))
        want = expected(route, case, username, user)
        if got != want:
            mismatches.append(f"{username or '匿名'}: 期望 {want}，实际 {got}")
    assert mismatches == [], f"{route.name} ({url})\n" + "\n".join(mismatches)


def route_url(route, kwargs: dict) -> str:
    from django.urls import reverse

    return reverse(route.name, kwargs=kwargs)
