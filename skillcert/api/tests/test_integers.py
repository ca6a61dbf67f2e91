"""Integers beyond what the database holds answer 422 naming the field, not 500; the largest allowed works.

Every id, offset and page number the API takes is bounded by ``DATABASE_INTEGER_MAX`` (2**63 - 1, the
largest signed 64-bit integer of SQLite and PostgreSQL alike). One past it is the smallest value that used
to reach a query and fail there.
"""

import pytest

from skillcert.api.tests.helpers import ApiClient, generated_schema, issued_key
from skillcert.api.v1.integers import DATABASE_INTEGER_MAX
from skillcert.evaluation.tests.scoring import scoring_plan

pytestmark = pytest.mark.django_db

TOO_LARGE = DATABASE_INTEGER_MAX + 1  # 2**63
TOO_LARGE_MESSAGE = f"不能大于 {DATABASE_INTEGER_MAX}。"


def field_errors(response) -> list[dict]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["detail"] == "请求数据未通过校验，请查看 errors 中列出的字段。"
    return body["errors"]


@pytest.fixture
def plan(world):
    return scoring_plan(world, candidates=1)


# ---- offsets and page numbers ------------------------------------------------------------------------


OFFSET_LISTS = ["/api/v1/certificates", "/api/v1/plans/{plan}/applications"]


@pytest.mark.parametrize("path", OFFSET_LISTS)
def test_offset_beyond_64_bits_returns_422(world, plan, api_client: ApiClient, path):
    # when a list is asked to skip 2**63 rows
    response = api_client.call(
        "GET", path.format(plan=plan.pk) + f"?offset={TOO_LARGE}", token=issued_key(world.body_y_admin)
    )
    # then the offset is refused as a field error, before any query
    assert field_errors(response) == [{"field": "query.offset", "message": TOO_LARGE_MESSAGE}]


@pytest.mark.parametrize("path", OFFSET_LISTS)
def test_largest_offset_returns_an_empty_page(world, plan, api_client: ApiClient, path):
    # when a list is asked to skip the largest number of rows the database accepts
    response = api_client.call(
        "GET",
        path.format(plan=plan.pk) + f"?offset={DATABASE_INTEGER_MAX}",
        token=issued_key(world.body_y_admin),
    )
    # then the page is empty, and the count is still that of the whole list
    assert response.status_code == 200, response.content
    assert response.json()["items"] == []


def test_page_number_beyond_64_bits_returns_422(world, api_client: ApiClient):
    response = api_client.call("GET", f"/api/v1/bodies?page={TOO_LARGE}")
    assert field_errors(response) == [{"field": "query.page", "message": TOO_LARGE_MESSAGE}]


def test_largest_page_number_returns_the_last_page(world, api_client: ApiClient):
    # given the directory's two filed bodies, one page of them
    # when the largest page number is asked for
    response = api_client.call("GET", f"/api/v1/bodies?page={DATABASE_INTEGER_MAX}")
    # then the paginator answers its last page, as for any page past the end
    assert response.status_code == 200, response.content
    assert (response.json()["page"], response.json()["count"]) == (1, 2)


# ---- ids in the query string, the path and the body ------------------------------------------------------


def test_plan_filter_beyond_64_bits_returns_422(world, api_client: ApiClient):
    response = api_client.call(
        "GET", f"/api/v1/certificates?plan_id={TOO_LARGE}", token=issued_key(world.body_y_admin)
    )
    assert field_errors(response) == [{"field": "query.plan_id", "message": TOO_LARGE_MESSAGE}]


def test_largest_plan_filter_returns_an_empty_list(world, api_client: ApiClient):
    response = api_client.call(
        "GET", f"/api/v1/certificates?plan_id={DATABASE_INTEGER_MAX}", token=issued_key(world.body_y_admin)
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"count": 0, "items": []}


# One operation per router that takes an id in its path, called by a user it admits.
PATH_IDS = [
    ("GET", "/api/v1/plans/{id}", "plan_id", "body_y_admin", None),
    ("GET", "/api/v1/plans/{id}/applications", "plan_id", "body_y_admin", None),
    ("POST", "/api/v1/plans/{id}/certificates/issue", "plan_id", "body_y_admin", None),
    ("GET", "/api/v1/plans/{id}/results", "plan_id", "body_y_admin", None),
    ("POST", "/api/v1/plans/{id}/scores/lock", "plan_id", "body_y_examiner", None),
    ("POST", "/api/v1/scores/{id}/confirm", "entry_id", "body_y_exam_staff", {"value": "60"}),
    ("GET", "/api/v1/filings/{id}", "filing_id", "body_y_admin", None),
    ("DELETE", "/api/v1/auth/tokens/{id}", "token_id", "body_y_admin", None),
]


@pytest.mark.parametrize(("method", "path", "name", "user", "body"), PATH_IDS)
def test_path_id_beyond_64_bits_returns_422(world, api_client: ApiClient, method, path, name, user, body):
    key = issued_key(getattr(world, user))
    response = api_client.call(method, path.format(id=TOO_LARGE), token=key, body=body)
    assert field_errors(response) == [{"field": f"path.{name}", "message": TOO_LARGE_MESSAGE}]


@pytest.mark.parametrize(("method", "path", "name", "user", "body"), PATH_IDS)
def test_largest_path_id_returns_404(world, api_client: ApiClient, method, path, name, user, body):
    key = issued_key(getattr(world, user))
    response = api_client.call(method, path.format(id=DATABASE_INTEGER_MAX), token=key, body=body)
    assert response.status_code == 404, response.content


def test_path_id_below_one_returns_422(world, api_client: ApiClient):
    # ids start at 1: zero is refused like any other id that cannot exist
    response = api_client.call("GET", "/api/v1/plans/0", token=issued_key(world.body_y_admin))
    assert field_errors(response) == [{"field": "path.plan_id", "message": "不能小于 1。"}]


# Operations that take ids in their JSON body; {field} is the one under test, the others are valid.
BODY_IDS = [
    ("/api/v1/plans/{plan}/staff", "user_id", {"duty": "examiner"}),
    ("/api/v1/plans/{plan}/scores", "application_id", {"component": "theory", "value": "60"}),
    ("/api/v1/plans/{plan}/scores", "marker_id", {"application_id": 1, "component": "skills", "value": "60"}),
]


@pytest.mark.parametrize(("path", "name", "rest"), BODY_IDS)
def test_body_id_beyond_64_bits_returns_422(world, plan, api_client: ApiClient, path, name, rest):
    response = api_client.call(
        "POST",
        path.format(plan=plan.pk),
        token=issued_key(world.body_y_admin),
        body={name: TOO_LARGE, **rest},
    )
    assert field_errors(response) == [{"field": f"body.{name}", "message": TOO_LARGE_MESSAGE}]


@pytest.mark.parametrize(("path", "name", "rest"), BODY_IDS)
def test_largest_body_id_returns_404(world, plan, api_client: ApiClient, path, name, rest):
    body = {name: DATABASE_INTEGER_MAX, **rest}
    if name == "marker_id":
        body["application_id"] = plan.applications.get().pk
    response = api_client.call(
        "POST", path.format(plan=plan.pk), token=issued_key(world.body_y_admin), body=body
    )
    assert response.status_code == 404, response.content


def test_plan_create_ids_beyond_64_bits_return_422(world, api_client: ApiClient):
    body = {"spec_id": TOO_LARGE, "site_id": TOO_LARGE, "capacity": 1, "sessions": []}
    response = api_client.call("POST", "/api/v1/plans", token=issued_key(world.body_y_admin), body=body)
    assert field_errors(response) == [
        {"field": "body.spec_id", "message": TOO_LARGE_MESSAGE},
        {"field": "body.site_id", "message": TOO_LARGE_MESSAGE},
    ]


def test_filing_approval_site_id_beyond_64_bits_returns_422(world, api_client: ApiClient):
    body = {"sites": [{"id": TOO_LARGE, "sequence_code": "000301"}]}
    response = api_client.call(
        "POST", "/api/v1/filings/1/approve", token=issued_key(world.pudong_reviewer), body=body
    )
    assert field_errors(response) == [{"field": "body.sites.0.id", "message": TOO_LARGE_MESSAGE}]


# ---- the audit: no unbounded integer comes in ------------------------------------------------------------


def _input_schemas(node, components: dict, seen: set[str]):
    """Every schema reachable from ``node``, following $refs into the components once each."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                yield from _input_schemas(components[name], components, seen)
            return
        yield node
        for value in node.values():
            yield from _input_schemas(value, components, seen)
    elif isinstance(node, list):
        for value in node:
            yield from _input_schemas(value, components, seen)


def test_every_integer_the_api_accepts_is_bounded():
    # given the OpenAPI document: what the API takes in its paths, query strings and request bodies
    schema = generated_schema()
    components = schema["components"]["schemas"]
    unbounded = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            inputs = [operation.get("parameters", []), operation.get("requestBody", {})]
            for node in _input_schemas(inputs, components, set()):
                # then every integer among them has a maximum (the database's, or a smaller one of its own)
                if node.get("type") == "integer" and "maximum" not in node:
                    unbounded.append((method.upper(), path, node.get("title")))
    assert unbounded == []
