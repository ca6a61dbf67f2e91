"""A request body Django or ninja cannot read answers 400 as a problem document, not 500, and does nothing.

Django raises while ninja collects the parameters (reading ``request.FILES``, ``request.POST`` or
``request.body``), so the operation never runs: nothing is imported, written or audited.
"""

import pytest

from skillcert.api.tests.helpers import ApiClient, issued_key
from skillcert.api.v1.problems import PROBLEM_CONTENT_TYPE, UNREADABLE_BODY_DETAIL
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import Application, ScoreEntry
from skillcert.evaluation.tests.scoring import scoring_plan

pytestmark = pytest.mark.django_db

IMPORTS = ["/api/v1/plans/{plan}/scores/import", "/api/v1/plans/{plan}/applications/import"]
JSON_NOT_PARSED = "无法解析请求体：请发送 Content-Type 为 application/json 的有效 JSON。"


@pytest.fixture
def plan(world):
    return scoring_plan(world, candidates=1)


def post_raw(client: ApiClient, path: str, content: bytes, content_type: str, *, token: str):
    # ``generic`` sends the Content-Type as given, even with an empty body (``post`` would drop it).
    return client.generic(
        "POST", path, content, CONTENT_TYPE=content_type, HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def bad_request(response) -> dict:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert (body["type"], body["title"], body["status"], body["errors"]) == (
        "urn:skillcert:problem:bad-request",
        "请求有误",
        400,
        [],
    )
    return body


def stored() -> tuple[int, int, int]:
    return Application.objects.count(), ScoreEntry.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize("path", IMPORTS)
def test_multipart_without_boundary_returns_400_and_imports_nothing(world, plan, api_client: ApiClient, path):
    # given a manager's token and what the database holds
    key = issued_key(world.body_y_admin)
    before = stored()
    # when an import is posted as multipart/form-data with no boundary (and so no readable part)
    response = post_raw(api_client, path.format(plan=plan.pk), b"", "multipart/form-data", token=key)
    # then the body is reported unreadable
    body = bad_request(response)
    assert body["detail"] == str(UNREADABLE_BODY_DETAIL)
    assert body["detail"].startswith("无法读取请求体")
    # and nothing was imported, written or audited
    assert stored() == before
    assert not AuditEvent.objects.filter(action__in=["score.imported", "application.imported"]).exists()


@pytest.mark.parametrize(
    ("path", "content", "content_type"),
    [
        # Django's MultiPartParser refuses a Content-Type that is not ASCII.
        (IMPORTS[0], b"x", "multipart/form-data; boundary=B; name=\u00e9"),
        # A form must be UTF-8 (Django raises BadRequest for any other charset).
        (IMPORTS[1], "source=团体".encode("gbk"), "application/x-www-form-urlencoded; charset=gbk"),
        # Over DATA_UPLOAD_MAX_NUMBER_FILES (100) parts with a file.
        (
            IMPORTS[0],
            b"".join(
                b'--B\r\nContent-Disposition: form-data; name="file"; filename="%d.xlsx"\r\n\r\nx\r\n' % i
                for i in range(101)
            )
            + b"--B--\r\n",
            "multipart/form-data; boundary=B",
        ),
    ],
    ids=["non-ascii-content-type", "form-not-utf8", "too-many-files"],
)
def test_other_unreadable_uploads_return_400_and_import_nothing(
    world, plan, api_client: ApiClient, path, content, content_type
):
    key = issued_key(world.body_y_admin)
    before = stored()
    response = post_raw(api_client, path.format(plan=plan.pk), content, content_type, token=key)
    assert bad_request(response)["detail"] == str(UNREADABLE_BODY_DETAIL)
    assert stored() == before


def test_json_body_over_the_size_limit_returns_400(world, plan, api_client: ApiClient, settings):
    # given a body larger than Django will hold in memory
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    content = b'{"component": "theory", "application_id": 1, "reason": "' + b"x" * 2048 + b'"}'
    key = issued_key(world.body_y_admin)
    before = stored()
    # when it is posted to a JSON operation
    response = post_raw(
        api_client,
        f"/api/v1/plans/{plan.pk}/scores",
        content,
        "application/json",
        token=key,
    )
    # then it is refused unread
    assert bad_request(response)["detail"] == str(UNREADABLE_BODY_DETAIL)
    assert stored() == before


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"application_id": 1, "component": ', "application/json"),
        ('{"application_id": 1, "component": "理论"}'.encode("gbk"), "application/json; charset=gbk"),
    ],
    ids=["malformed-json", "json-not-utf8"],
)
def test_json_body_that_cannot_be_parsed_returns_400(
    world, plan, api_client: ApiClient, content, content_type
):
    # JSON must be UTF-8 (RFC 8259): ninja's parser fails on anything else, and says so as for bad syntax
    key = issued_key(world.body_y_admin)
    before = stored()
    response = post_raw(
        api_client,
        f"/api/v1/plans/{plan.pk}/scores",
        content,
        content_type,
        token=key,
    )
    assert bad_request(response)["detail"] == JSON_NOT_PARSED
    assert stored() == before
