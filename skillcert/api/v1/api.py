"""The JSON API at ``/api/v1``: one router per domain, bearer-token auth, RFC 9457 problem errors.

Every operation needs a token unless it says ``auth=None``; the OpenAPI tests list the public ones.
"""

from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from skillcert.api.v1.auth import TokenAuth
from skillcert.api.v1.problems import PROBLEM_CONTENT_TYPE, install_problem_handlers, problem_response
from skillcert.api.v1.routers.applications import router as applications_router
from skillcert.api.v1.routers.auth import router as auth_router
from skillcert.api.v1.routers.certificates import router as certificates_router
from skillcert.api.v1.routers.credentials import router as credentials_router
from skillcert.api.v1.routers.directory import router as directory_router
from skillcert.api.v1.routers.health import router as health_router
from skillcert.api.v1.routers.plans import router as plans_router
from skillcert.api.v1.routers.registry import router as registry_router
from skillcert.api.v1.routers.results import router as results_router
from skillcert.api.v1.routers.scores import router as scores_router


def docs_access(view: Any) -> Any:
    """In production the schema and docs are for signed-in staff only (security.md I1); open elsewhere."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(settings, "PRODUCTION", False):
            user = request.user
            if not user.is_authenticated:
                return problem_response(status=401, detail=_("接口文档仅向已登录的工作人员开放。"))
            if not user.needs_second_factor:
                return problem_response(status=403, detail=_("接口文档仅向工作人员开放。"))
        return view(request, *args, **kwargs)

    return wrapped


class UnicodeJSONRenderer(JSONRenderer):
    # Chinese text as itself rather than \uXXXX escapes: readable in logs and a third shorter.
    json_dumps_params = {"ensure_ascii": False}


class SkillcertAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        # ninja documents every response as application/json; problem documents are sent as problem+json.
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
                    if ref.endswith(("/ProblemOut", "/ChallengeProblemOut")):
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
                _document_input_errors(operation)
        return schema


def _document_input_errors(operation: dict[str, Any]) -> None:
    """The answers any operation gives to input it cannot use, whether or not its handler lists them:
    400 for a body it cannot read (problems.UNREADABLE_BODY_ERRORS, invalid JSON), 422 for a parameter or
    body field that fails validation (a path id that is no number, a number out of range)."""
    responses = operation.setdefault("responses", {})
    takes_body = "requestBody" in operation
    if takes_body:
        responses.setdefault(400, _problem("Bad Request"))
    if takes_body or any(_can_fail(parameter) for parameter in operation.get("parameters", [])):
        responses.setdefault(422, _problem("Unprocessable Entity"))


def _can_fail(parameter: dict[str, Any]) -> bool:
    """Whether validation can refuse a parameter: a number, a constrained string, or a required query
    parameter that may be missing (a path's own text is always there)."""
    schema = parameter.get("schema", {})
    free_text = schema.get("type") == "string" and schema.keys() <= _UNCONSTRAINED
    missing = parameter.get("required", False) and parameter.get("in") != "path"
    return missing or not free_text


_UNCONSTRAINED = {"type", "title", "description", "default"}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemOut"}}},
    }


api = SkillcertAPI(
    title="职业技能等级认定公共服务平台 API",
    version="1",
    description="skillcert 对外接口。除注明无需认证的接口外，均需在 Authorization 请求头中提供 Bearer 令牌。",
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs_decorator=docs_access,
    auth=TokenAuth(),
    renderer=UnicodeJSONRenderer(),
)
install_problem_handlers(api)

api.add_router("/auth", auth_router)
api.add_router("/health", health_router)
api.add_router("/plans", plans_router)
api.add_router("/", certificates_router)
api.add_router("/", directory_router)
api.add_router("/", registry_router)
api.add_router("/", applications_router)
# Scores before results: the order of their operations in the OpenAPI document.
api.add_router("/", scores_router)
api.add_router("/", results_router)
api.add_router("/credentials", credentials_router)
