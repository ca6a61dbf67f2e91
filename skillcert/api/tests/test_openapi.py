"""The OpenAPI document: committed snapshot, operation names, declared auth, and routes ↔ schema (I1)."""

import json
import os
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from skillcert.api.tests.helpers import generated_schema, login_with_second_factor
from skillcert.api.v1.api import api
from skillcert.api.v1.auth import TokenAuth

SNAPSHOT = Path(__file__).with_name("openapi_snapshot.json")
UPDATE_VARIABLE = "SKILLCERT_UPDATE_SNAPSHOTS"
# Operations anyone may call. Adding one here is a security decision: say why in the commit.
PUBLIC_OPERATIONS = {
    "health_check",  # load balancers and monitoring; reveals only vendor, version and migration state
    "auth_token_create",  # the credentials are in the body: this is how a token is obtained
    "registry_body_list",  # the public directory of filed bodies: only what a body publishes
    "registry_body_detail",
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def schema_operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def bound_operations() -> list:
    """Every ninja Operation mounted on the API, as the router machinery built them."""
    return [
        operation
        for bound_router in api._get_bound_routers()
        for path_view in bound_router.path_operations.values()
        for operation in path_view.operations
    ]


def test_schema_matches_committed_snapshot():
    schema = generated_schema()
    if os.environ.get(UPDATE_VARIABLE) == "1":
        SNAPSHOT.write_text(json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    if not SNAPSHOT.exists():
        pytest.fail(
            f"{SNAPSHOT} is missing: run the tests with {UPDATE_VARIABLE}=1 to write it, then commit it."
        )
    committed = json.loads(SNAPSHOT.read_text())
    assert schema == committed, (
        "The generated OpenAPI schema differs from the committed snapshot "
        f"({SNAPSHOT.relative_to(Path.cwd()) if SNAPSHOT.is_relative_to(Path.cwd()) else SNAPSHOT}). "
        "If the API change is intended, run the tests with "
        f"{UPDATE_VARIABLE}=1 to rewrite the snapshot, review the diff and commit it."
    )


def test_every_operation_has_a_unique_operation_id_and_url_name():
    operations = bound_operations()
    assert operations, "the API has no operations"
    operation_ids = [operation.operation_id for operation in operations]
    url_names = [operation.url_name for operation in operations]
    assert all(operation_ids), (
        f"operations without operation_id: {[op.view_func.__name__ for op in operations]}"
    )
    assert all(url_names), "every operation must set url_name"
    assert len(set(operation_ids)) == len(operation_ids), "operation_ids must be unique"
    schema_ids = [operation["operationId"] for _, _, operation in schema_operations(generated_schema())]
    assert sorted(schema_ids) == sorted(operation_ids)


def test_every_operation_requires_a_token_unless_listed_as_public():
    schema = generated_schema()
    for path, method, operation in schema_operations(schema):
        operation_id = operation["operationId"]
        if operation_id in PUBLIC_OPERATIONS:
            assert "security" not in operation, f"{operation_id} is listed as public but declares auth"
        else:
            assert operation.get("security") == [{"TokenAuth": []}], (
                f"{method.upper()} {path} ({operation_id}) does not declare token auth; "
                "give it auth or list it in PUBLIC_OPERATIONS with a reason"
            )
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_operations_that_declare_auth_really_check_a_token():
    # The schema says what is documented; this checks what runs.
    for operation in bound_operations():
        if operation.operation_id in PUBLIC_OPERATIONS:
            assert not operation.auth_callbacks, operation.operation_id
        else:
            assert [type(callback) for callback in operation.auth_callbacks] == [TokenAuth], (
                operation.operation_id
            )


def test_every_operation_documents_its_401_and_error_media_type():
    for path, method, operation in schema_operations(generated_schema()):
        responses = operation["responses"]
        if operation["operationId"] not in PUBLIC_OPERATIONS:
            assert "401" in responses, f"{method.upper()} {path} does not document 401"
        for status, response in responses.items():
            if int(status) >= 400 and "content" in response and operation["operationId"] != "health_check":
                assert list(response["content"]) == ["application/problem+json"], (path, status)


def _api_routes() -> set[str]:
    """The URL patterns Django serves under /api/v1/, as OpenAPI paths."""
    routes: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern) and text.startswith("api/v1/"):
                routes.add("/" + text.replace("<int:", "{").replace("<", "{").replace(">", "}"))

    walk(get_resolver().url_patterns, "")
    return routes


def test_every_route_is_documented_and_every_documented_route_exists():
    documented = set(generated_schema()["paths"])
    served = _api_routes() - {"/api/v1/", "/api/v1/openapi.json", "/api/v1/docs"}
    assert served == documented


def test_openapi_document_and_docs_are_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == generated_schema()
    assert client.get("/api/v1/docs").status_code == 200


def test_openapi_document_requires_staff_in_production(world, client, settings):
    # given production settings
    settings.PRODUCTION = True
    # then anonymous callers and candidates are refused; the schema is not public
    assert client.get("/api/v1/openapi.json").status_code == 401
    assert client.get("/api/v1/docs").status_code == 401
    client.force_login(world.candidate)
    assert client.get("/api/v1/openapi.json").status_code == 403
    # and staff who signed in with their second factor may read it
    login_with_second_factor(client, world.municipal_admin)
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_every_operation_documents_the_answers_to_input_it_cannot_use():
    # given the generated document
    schema = generated_schema()

    # then an operation that takes a body lists 400 (unreadable) and 422 (invalid), and one that takes a
    # number lists 422, each as a problem document: what a client generated from the document must handle
    for path, method, operation in schema_operations(schema):
        responses = operation["responses"]
        numbers = [
            parameter["name"]
            for parameter in operation.get("parameters", [])
            if "integer" in json.dumps(parameter["schema"])
        ]
        expected = ({"400", "422"} if "requestBody" in operation else set()) | ({"422"} if numbers else set())
        listed = {str(status) for status in responses}
        assert expected <= listed, f"{method.upper()} {path} does not list {sorted(expected - listed)}"
        for status in expected:
            content = responses.get(status) or responses[int(status)]
            assert "application/problem+json" in content["content"], f"{method.upper()} {path} {status}"
