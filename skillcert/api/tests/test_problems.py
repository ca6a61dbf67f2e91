"""Every kind of error becomes an RFC 9457 problem document.

The operations below exist only for this test: they raise each error the real routers can raise, under a
NinjaAPI that installs the same handlers and auth as ``/api/v1``.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import path
from ninja import NinjaAPI, Router
from ninja.throttling import AnonRateThrottle

from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.api.tests.helpers import issued_key
from skillcert.api.v1.auth import TokenAuth, require_roles
from skillcert.api.v1.problems import PROBLEM_CONTENT_TYPE, install_problem_handlers
from skillcert.core.errors import ApplicationError

pytestmark = pytest.mark.urls(__name__)

SECRET_IN_EXCEPTION = "password=hunter2 at /srv/skillcert/settings.py"

router = Router()


@router.get("/application-error", auth=None)
def raise_application_error(request: HttpRequest):
    raise ApplicationError("该批次已结束报名，不能再添加考生。")


@router.get("/conflict", auth=None)
def raise_conflict(request: HttpRequest):
    raise ApplicationError("证书已撤销。", extra={"status": 409})


@router.get("/application-error-on-field", auth=None)
def raise_application_error_on_field(request: HttpRequest):
    raise ApplicationError("考试日期不能早于报名截止日期。", extra={"field": "exam_date"})


@router.get("/django-validation", auth=None)
def raise_django_validation(request: HttpRequest):
    raise ValidationError({"id_number": ["校验码错误。"], "__all__": ["姓名与证件号码不符。"]})


@router.get("/django-validation-single", auth=None)
def raise_django_validation_single(request: HttpRequest):
    raise ValidationError("证件号码长度应为 18 位。")


@router.get("/permission", auth=None)
def raise_permission_denied(request: HttpRequest):
    raise PermissionDenied


@router.get("/http404", auth=None)
def raise_http404(request: HttpRequest):
    raise Http404("internal detail that must not be shown")


@router.get("/does-not-exist", auth=None)
def raise_does_not_exist(request: HttpRequest):
    return User.objects.get(username="nobody-at-all")


@router.get("/throttled", auth=None, throttle=AnonRateThrottle("1/h"))
def throttled(request: HttpRequest):
    return {"ok": True}


@router.get("/crash", auth=None)
def crash(request: HttpRequest):
    raise RuntimeError(SECRET_IN_EXCEPTION)


@router.get("/reviewers-only", auth=TokenAuth())
def reviewers_only(request: HttpRequest):
    user = require_roles(request, Role.FILING_REVIEWER)
    return {"username": user.username}


api = NinjaAPI(urls_namespace="problems-test", docs_url=None, openapi_url=None)
install_problem_handlers(api)
api.add_router("/", router)
urlpatterns = [path("t/", api.urls)]


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert body["status"] == status
    return body


def test_application_error_is_422_with_its_message(client):
    body = problem(client.get("/t/application-error"), 422)
    assert body == {
        "type": "urn:skillcert:problem:validation-error",
        "title": "请求数据未通过校验",
        "status": 422,
        "detail": "该批次已结束报名，不能再添加考生。",
        "errors": [],
    }


def test_application_error_marked_as_conflict_is_409(client):
    body = problem(client.get("/t/conflict"), 409)
    assert (body["type"], body["detail"]) == ("urn:skillcert:problem:conflict", "证书已撤销。")


def test_application_error_naming_a_field_lists_it(client):
    body = problem(client.get("/t/application-error-on-field"), 422)
    assert body["errors"] == [{"field": "exam_date", "message": "考试日期不能早于报名截止日期。"}]


def test_django_validation_error_lists_each_field(client):
    body = problem(client.get("/t/django-validation"), 422)
    assert body["errors"] == [
        {"field": "id_number", "message": "校验码错误。"},
        {"field": None, "message": "姓名与证件号码不符。"},
    ]


def test_django_validation_error_without_field_uses_its_message_as_detail(client):
    body = problem(client.get("/t/django-validation-single"), 422)
    assert body["detail"] == "证件号码长度应为 18 位。"
    assert body["errors"] == [{"field": None, "message": "证件号码长度应为 18 位。"}]


def test_permission_denied_is_403(client):
    body = problem(client.get("/t/permission"), 403)
    assert body["type"] == "urn:skillcert:problem:forbidden"


def test_http404_is_404_without_its_internal_message(client):
    response = client.get("/t/http404")
    body = problem(response, 404)
    assert "internal detail" not in response.content.decode()
    assert body["detail"] == "请求的对象不存在，或不在您的权限范围内。"


def test_object_does_not_exist_is_404(db, client):
    problem(client.get("/t/does-not-exist"), 404)


def test_throttled_is_429_with_retry_after(db, client):  # throttle counters live in the database cache
    # given one request allowed per hour from this address
    assert client.get("/t/throttled").status_code == 200
    # when a second one comes
    response = client.get("/t/throttled")
    # then 429 says when to come back
    body = problem(response, 429)
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 3600
    assert body["detail"] == f"请求过于频繁，请在 {retry_after} 秒后重试。"


def test_unhandled_exception_is_500_with_a_generic_message(client, caplog):
    # when a handler crashes
    client.raise_request_exception = False
    response = client.get("/t/crash")
    # then the caller sees a generic message with the request id, and nothing of the exception
    body = problem(response, 500)
    assert "hunter2" not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()
    request_id = response["X-Request-ID"]
    assert body["detail"] == (
        f"服务器处理请求时出错，请稍后重试。如问题持续，请联系管理员并提供请求编号 {request_id}。"
    )
    # and the log keeps the traceback
    assert any(
        record.exc_info and SECRET_IN_EXCEPTION in str(record.exc_info[1]) for record in caplog.records
    )


def test_require_roles_refuses_a_user_without_the_role(world, client):
    key = issued_key(world.body_y_admin)
    response = client.get("/t/reviewers-only", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert problem(response, 403)["detail"] == "当前账号没有执行此操作所需的角色。"


def test_require_roles_admits_a_user_with_the_role(world, client):
    key = issued_key(world.pudong_reviewer)
    response = client.get("/t/reviewers-only", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json() == {"username": "pudong_reviewer"}
