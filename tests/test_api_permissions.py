"""The API's permission matrix, generated from the OpenAPI document.

Every operation must have a case below, so a new endpoint cannot ship without its permission test. Each
operation is called without a token (401 unless public) and with a token of every member of staff in the
test world: a role the operation does not admit gets 403, an admitted user outside the object's scope (the
other body, the other district) gets 404, an admitted user in scope gets past the gate (any answer but
401, 403, 404 or a server error: a 409 or 422 means the rules, not the permissions, said no).
"""

import io
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from skillcert.accounts.roles import Role
from skillcert.accounts.tokens import api_token_create
from skillcert.api.v1.api import api
from skillcert.evaluation.models import EvaluationPlan, ResultReport, ScoreEntry
from skillcert.evaluation.tests.factories import make_application, make_candidate, make_resident_id
from tests.test_permissions import Objects, build_objects
from tests.test_permissions_cases import WORLD_USERNAMES

PUBLIC = "public"
BODY_MANAGERS = {Role.BODY_ADMIN, Role.EXAM_STAFF}
SCORERS = {Role.BODY_ADMIN, Role.EXAM_STAFF, Role.EXAMINER}
REVIEWERS = {Role.FILING_REVIEWER, Role.AUTHORITY_ADMIN}
AUTHORITY_ACTORS = {Role.FILING_REVIEWER, Role.SUPERVISOR, Role.AUTHORITY_ADMIN}
AUTHORITY = {Role.FILING_REVIEWER, Role.SUPERVISOR, Role.STATISTICIAN, Role.AUTHORITY_ADMIN}
BODY = {Role.BODY_ADMIN, Role.EXAM_STAFF, Role.EXAMINER, Role.INTERNAL_SUPERVISOR}
STAFF = AUTHORITY | BODY
OUTSIDE_BODY_Y = frozenset({"body_s_admin", "minhang_reviewer"})
WORLD_STAFF = tuple(name for name in WORLD_USERNAMES if name != "candidate")  # every staff account


@dataclass(frozen=True)
class ApiCase:
    roles: frozenset[str] | str  # the roles admitted, or PUBLIC
    path: Callable[["ApiObjects"], dict] = lambda o: {}
    body: Callable[["ApiObjects"], dict] | None = None
    files: bool = False  # a multipart upload
    outside: frozenset[str] = frozenset()  # admitted but out of scope: 404
    overrides: dict[str, object] = field(default_factory=dict)


def case(
    roles, path=lambda o: {}, body=None, *, files=False, outside=OUTSIDE_BODY_Y, overrides=None
) -> ApiCase:
    return ApiCase(
        roles=roles if roles == PUBLIC else frozenset(roles),
        path=path,
        body=body,
        files=files,
        outside=frozenset(outside),
        overrides=overrides or {},
    )


@dataclass
class ApiObjects:
    portal: Objects
    entry: ScoreEntry
    reported_plan: EvaluationPlan

    def __getattr__(self, name):
        return getattr(self.portal, name)


def build_api_objects(world) -> ApiObjects:
    portal = build_objects(world)
    person = make_candidate("林小满", make_resident_id(timezone.localdate().replace(year=1992), sequence=5))
    application = make_application(portal.plan, person, ticket_number=f"{portal.plan.number}-0001")
    entry = ScoreEntry.objects.create(
        application=application,
        component="theory",
        value=70,
        entered_by=world.body_y_exam_staff,
        entered_at=timezone.now(),
    )
    reported = EvaluationPlan.objects.filter(status=EvaluationPlan.Status.ISSUED).first()
    EvaluationPlan.objects.filter(pk=reported.pk).update(status=EvaluationPlan.Status.REPORTED)
    ResultReport.objects.create(
        plan=reported,
        passed_count=1,
        submitted_at=timezone.now(),
        submitted_by=world.body_y_admin,
        review_due_on=timezone.localdate() + timedelta(days=7),
    )
    return ApiObjects(portal=portal, entry=entry, reported_plan=reported)


def plan(o) -> dict:
    return {"plan_id": o.plan.pk}


REASON = {"reason": "材料不全，请补充后再提交。"}
UNKNOWN_USERNAMES = itertools.count()

API_CASES: dict[str, ApiCase] = {
    "health_check": case(PUBLIC),
    # Public, and it refuses wrong credentials to everyone alike. Each caller tries a username of its own:
    # five failures of one username from one client would lock that pair (429), which is not this test's.
    "auth_token_create": case(
        PUBLIC,
        body=lambda o: {"username": f"nobody-{next(UNKNOWN_USERNAMES)}", "password": "wrong-password"},
        overrides={name: 401 for name in (None, *WORLD_STAFF)},
    ),
    "registry_body_list": case(PUBLIC),
    "registry_body_detail": case(PUBLIC, lambda o: {"credit_code": o.world.body_y.credit_code}),
    # Own tokens only: listing shows the caller's own; another's token does not exist for them.
    "auth_token_list": case(STAFF, outside=()),
    "auth_token_revoke": case(
        STAFF,
        lambda o: {"token_id": o.token_id},
        outside={u for u in WORLD_STAFF if u != "body_y_admin"},
    ),
    "certificate_list": case(STAFF, outside=()),
    "certificate_detail": case(STAFF, lambda o: {"number": o.certificate.number}),
    "registry_filing_submit": case({Role.BODY_ADMIN}, body=lambda o: {}, outside=()),
    "registry_filing_detail": case(
        {Role.BODY_ADMIN, *REVIEWERS}, lambda o: {"filing_id": o.submitted_filing.pk}
    ),
    "registry_filing_approve": case(
        REVIEWERS,
        lambda o: {"filing_id": o.submitted_filing.pk},
        lambda o: {"site_codes": {}, "body_code": "0000"},
    ),
    "registry_filing_return": case(
        REVIEWERS, lambda o: {"filing_id": o.submitted_filing.pk}, lambda o: REASON
    ),
    "registry_filing_reject": case(
        REVIEWERS, lambda o: {"filing_id": o.submitted_filing.pk}, lambda o: REASON
    ),
    "plans_create": case(
        BODY_MANAGERS,
        body=lambda o: {"spec_id": o.spec.pk, "site_id": o.world.site_y.pk, "capacity": 10, "sessions": []},
    ),
    "plans_get": case(AUTHORITY | BODY, plan),
    "plans_staff_assign": case(
        BODY_MANAGERS, plan, lambda o: {"user_id": o.world.body_y_examiner.pk, "duty": "examiner"}
    ),
    "plans_submit": case(BODY_MANAGERS, plan),
    "plans_acknowledge": case(AUTHORITY_ACTORS, plan),
    "plans_reject": case(AUTHORITY_ACTORS, plan, lambda o: REASON),
    "plan_applications_list": case(AUTHORITY | BODY, plan),
    "plan_applications_create": case(
        BODY_MANAGERS,
        plan,
        lambda o: {
            "name": "周晓",
            "id_number": make_resident_id(timezone.localdate().replace(year=1990), sequence=9),
        },
    ),
    "plan_applications_import": case(BODY_MANAGERS, plan, files=True),
    "plan_scores_enter": case(
        SCORERS,
        plan,
        lambda o: {"application_id": o.entry.application_id, "component": "theory", "value": "80"},
    ),
    "plan_scores_import": case(BODY_MANAGERS, plan, files=True),
    "plan_scores_lock": case({Role.EXAMINER}, plan),
    "score_confirm": case(SCORERS, lambda o: {"entry_id": o.entry.pk}, lambda o: {"value": "70"}),
    "score_change_after_lock": case(
        SCORERS, lambda o: {"entry_id": o.entry.pk}, lambda o: {"value": "71", "reason": "复核发现录入错误"}
    ),
    "plan_publicity_start": case(BODY_MANAGERS, plan, lambda o: {}),
    "plan_report_submit": case(BODY_MANAGERS, plan),
    "plan_report_approve": case(AUTHORITY_ACTORS, lambda o: {"plan_id": o.reported_plan.pk}),
    "plan_report_return": case(AUTHORITY_ACTORS, lambda o: {"plan_id": o.reported_plan.pk}, lambda o: REASON),
    "plan_results": case(AUTHORITY | BODY, plan),
    "plan_certificates_issue": case({Role.BODY_ADMIN}, plan),
    "credential_for_certificate": case(STAFF, lambda o: {"number": o.certificate.number}),
    "credential_trust_bundle_export": case(AUTHORITY, body=lambda o: {}, outside=()),
    # The PDF prints the full ID number: the issuing body's admin and exam staff only.
    "certificate_pdf": case(
        STAFF,
        lambda o: {"number": o.certificate.number},
        outside={u for u in WORLD_STAFF if u not in ("body_y_admin", "body_y_exam_staff")},
    ),
    "certificate_revoke": case(
        {Role.BODY_ADMIN, *AUTHORITY_ACTORS}, lambda o: {"number": o.certificate.number}, lambda o: REASON
    ),
    "plan_certificates_revoke": case(
        {Role.BODY_ADMIN, *AUTHORITY_ACTORS},
        lambda o: {"plan_id": o.certificate.application.plan_id},
        lambda o: REASON,
    ),
    "certificate_reissue": case(
        {Role.BODY_ADMIN},
        lambda o: {"number": o.certificate.number},
        lambda o: {"corrections": {"holder_name": "陈晓冬"}, "reason": "姓名录入错误"},
    ),
}


def operations() -> list[tuple[str, str, str]]:
    schema = api.get_openapi_schema()
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            found.append((operation["operationId"], method, path))
    return sorted(found)


def test_every_operation_has_a_permission_case():
    missing = sorted({operation_id for operation_id, _, _ in operations()} - set(API_CASES))
    assert missing == [], (
        f"以下接口没有权限测试，请在 tests/test_api_permissions.py 的 API_CASES 中补充：{missing}"
    )


def test_no_case_names_an_operation_that_does_not_exist():
    assert sorted(set(API_CASES) - {operation_id for operation_id, _, _ in operations()}) == []


def call(client: Client, method: str, url: str, api_case: ApiCase, objects, token: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if api_case.files:
        upload = io.BytesIO(b"not a spreadsheet")
        upload.name = "upload.xlsx"
        return client.post(url, {"file": upload}, **headers)
    if method == "get":
        return client.get(url, **headers)
    body = json.dumps(api_case.body(objects)) if api_case.body else None
    return getattr(client, method)(url, data=body, content_type="application/json", **headers)


def outcome(status: int) -> object:
    if status in (401, 403, 404) or status >= 500:
        return status
    return "ok"


@pytest.mark.parametrize(
    ("operation_id", "method", "path"), operations(), ids=lambda v: v if "/" not in v else ""
)
def test_operation_answers_each_caller_as_declared(operation_id, method, path, world, settings):
    # given the test world, its objects and a token for every member of staff
    settings.SKILLCERT_REQUIRE_2FA = False
    api_case = API_CASES.get(operation_id)
    if api_case is None:
        pytest.fail(f"{operation_id} 没有权限测试用例")
    objects = build_api_objects(world)
    url = path.format(**api_case.path(objects))
    tokens = {
        name: api_token_create(user=getattr(world, name), name="权限测试", scope="read_write", actor=None)[1]
        for name in WORLD_STAFF
    }

    def expected(name: str | None) -> object:
        if name in api_case.overrides:
            return api_case.overrides[name]
        if api_case.roles == PUBLIC:
            return "ok"
        if name is None:
            return 401
        if not getattr(world, name).has_role(*api_case.roles):
            return 403
        if name in api_case.outside:
            return 404
        return "ok"

    # when each caller calls it (refused callers first: an admitted call may change the object's state)
    callers = sorted([None, *WORLD_STAFF], key=lambda name: expected(name) == "ok")
    mismatches = []
    for name in callers:
        response = call(Client(), method, url, api_case, objects, tokens.get(name) if name else None)
        got, want = outcome(response.status_code), expected(name)
        if got != want:
            mismatches.append(f"{name or '无令牌'}: 期望 {want}，实际 {got} {response.content[:200]!r}")

    # then each got what the role table and the scope say
    assert mismatches == [], f"{operation_id} {method.upper()} {url}\n" + "\n".join(mismatches)
