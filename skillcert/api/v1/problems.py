"""Every API error as an RFC 9457 problem document (``application/problem+json``).

Body: ``{"type", "title", "status", "detail", "errors": [{"field", "message"}]}``. ``errors`` is always
present (empty when no field is at fault) so that clients read one shape. Unhandled exceptions answer a
generic Chinese message with the request id and leak nothing; the traceback goes to the log.
"""

import json
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    BadRequest,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from skillcert.core.errors import ApplicationError

logger = logging.getLogger("skillcert.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Problem types are URNs: stable identifiers that clients switch on; nothing needs to be dereferenced.
PROBLEM_TYPE_PREFIX = "urn:skillcert:problem:"
# The challenge sent with every 401 (RFC 6750 §3).
BEARER_CHALLENGE = 'Bearer realm="skillcert"'

TITLES = {
    400: gettext_lazy("请求有误"),
    401: gettext_lazy("未通过身份验证"),
    403: gettext_lazy("无权执行此操作"),
    404: gettext_lazy("对象不存在"),
    405: gettext_lazy("不支持该请求方法"),
    409: gettext_lazy("与当前状态冲突"),
    422: gettext_lazy("请求数据未通过校验"),
    428: gettext_lazy("须先完成工作量证明"),
    429: gettext_lazy("请求过于频繁"),
    500: gettext_lazy("服务器内部错误"),
    503: gettext_lazy("服务暂不可用"),
}
TYPES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    422: "validation-error",
    428: "challenge-required",
    429: "too-many-requests",
    500: "server-error",
    503: "service-unavailable",
}
# What Django raises when it cannot read a request body: a multipart body without a (valid) boundary, a
# form that is not UTF-8, a client that stops sending, a body over DATA_UPLOAD_MAX_MEMORY_SIZE or with too
# many fields or files. They come from reading request.POST, request.FILES or request.body, which ninja does
# while collecting the parameters, before the handler runs: so nothing has been written or audited.
# Django's own views answer these 400; without a handler here they would be taken for server errors.
UNREADABLE_BODY_ERRORS: tuple[type[Exception], ...] = (
    MultiPartParserError,
    BadRequest,
    UnreadablePostError,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
UNREADABLE_BODY_DETAIL = gettext_lazy(
    "无法读取请求体：请确认 Content-Type 与请求体一致（上传文件须使用带 boundary 的 multipart/form-data，"
    "表单须为 UTF-8 编码），且请求体的大小和字段、文件数量未超出限制。"
)
# An ApplicationError answers 422 unless it says ``extra={"status": 409}`` (a clash with current state).
APPLICATION_ERROR_STATUSES = frozenset({409, 422})

# Chinese messages for the pydantic error types that request validation produces most often.
PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("必须填写此项。"),
    "string_type": gettext_lazy("必须是字符串。"),
    "int_type": gettext_lazy("必须是整数。"),
    "int_parsing": gettext_lazy("必须是整数。"),
    "bool_type": gettext_lazy("必须是布尔值。"),
    "bool_parsing": gettext_lazy("必须是布尔值。"),
    "float_parsing": gettext_lazy("必须是数字。"),
    "string_too_short": gettext_lazy("长度不能少于 {min_length} 个字符。"),
    "string_too_long": gettext_lazy("长度不能超过 {max_length} 个字符。"),
    "string_pattern_mismatch": gettext_lazy("格式不正确。"),
    "json_invalid": gettext_lazy("请求体不是有效的 JSON。"),
    "model_attributes_type": gettext_lazy("必须是 JSON 对象。"),
    "dict_type": gettext_lazy("必须是 JSON 对象。"),
    "list_type": gettext_lazy("必须是列表。"),
    "datetime_parsing": gettext_lazy("必须是 ISO 8601 格式的日期时间。"),
    "date_parsing": gettext_lazy("必须是 YYYY-MM-DD 格式的日期。"),
    "literal_error": gettext_lazy("取值不在允许范围内：{expected}。"),
    "enum": gettext_lazy("取值不在允许范围内：{expected}。"),
    "greater_than_equal": gettext_lazy("不能小于 {ge}。"),
    "less_than_equal": gettext_lazy("不能大于 {le}。"),
    "extra_forbidden": gettext_lazy("不允许此字段。"),
}


class FieldErrorOut(Schema):
    field: str | None
    message: str
    # Spreadsheet imports name the cell: the row number as Excel shows it and the column letter.
    row: int | None = Field(default=None, description="Excel 行号（仅文件导入的错误）")
    column: str | None = Field(default=None, description="Excel 列字母（仅文件导入的错误）")


class ProblemOut(Schema):
    """The body of every error response (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldErrorOut]


class ChallengeProblemOut(ProblemOut):
    """428: a proof of work to solve before sending the request again (security.md A2). Find a solution
    such that SHA-256 of ``challenge + ":" + solution`` begins with ``bits`` zero bits."""

    challenge: str = Field(description="挑战令牌，与解（solution）一起重新提交")
    algorithm: str = Field(description="哈希算法，固定为 SHA-256")
    bits: int = Field(description='SHA-256(challenge + ":" + solution) 开头须为 0 的位数')
    expires: int = Field(description="挑战的过期时间（Unix 秒）")


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str | None  # None: the error concerns the request as a whole
    message: str
    row: int | None = None  # spreadsheet imports: the row as Excel numbers it
    column: str | None = None  # spreadsheet imports: the column letter


@dataclass(eq=False)  # exceptions compare by identity
class Problem(Exception):
    """Raise from a handler to answer a problem document with this status, detail and field errors."""

    status: int
    detail: str
    errors: Sequence[FieldError] = ()
    headers: dict[str, str] = field(default_factory=dict)
    # RFC 9457 extension members, added to the body beside the standard ones (a challenge to solve).
    extensions: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.detail


def problem_responses(*statuses: int) -> dict[int, type[ProblemOut]]:
    """Document an operation's error statuses: ``response={200: XOut, **problem_responses(401, 404)}``."""
    return dict.fromkeys(statuses, ProblemOut)


def _error_body(error: FieldError) -> dict[str, Any]:
    body: dict[str, Any] = {"field": error.field, "message": str(error.message)}
    if error.row is not None or error.column is not None:
        body.update(row=error.row, column=error.column)
    return body


def problem_response(
    *,
    status: int,
    detail: str,
    errors: Iterable[FieldError] = (),
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> HttpResponse:
    body = {
        **(extensions or {}),
        "type": PROBLEM_TYPE_PREFIX + TYPES.get(status, "error"),
        "title": str(TITLES.get(status, _("请求失败"))),
        "status": status,
        "detail": detail,
        "errors": [_error_body(error) for error in errors],
    }
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    if status == 401 and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = BEARER_CHALLENGE
    return response


def _field_path(loc: Sequence[Any]) -> str:
    # ninja prefixes the source ("body", "query", "path") and, for a body schema, the parameter's name;
    # clients know fields by their JSON path, so "body.data.username" is reported as "body.username".
    parts = [str(part) for part in loc]
    if len(parts) >= 2 and parts[0] == "body" and parts[1] == "data":
        parts = [parts[0], *parts[2:]]
    return ".".join(parts)


def _pydantic_message(error: dict[str, Any]) -> str:
    template = PYDANTIC_MESSAGES.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", _("取值无效。")))
    try:
        return str(template).format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return str(template)


def _on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [FieldError(_field_path(e.get("loc", ())), _pydantic_message(e)) for e in exc.errors]
    return problem_response(
        status=422, detail=_("请求数据未通过校验，请查看 errors 中列出的字段。"), errors=errors
    )


def _on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            FieldError(None if name == NON_FIELD_ERRORS else name, message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [FieldError(None, message) for message in exc.messages]
    detail = errors[0].message if len(errors) == 1 else _("请求数据未通过校验，请查看 errors 中列出的字段。")
    return problem_response(status=422, detail=detail, errors=errors)


def _on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    status = exc.extra.get("status", 422)
    if status not in APPLICATION_ERROR_STATUSES:
        status = 422
    errors = [FieldError(exc.extra["field"], exc.message)] if exc.extra.get("field") else []
    return problem_response(status=status, detail=exc.message, errors=errors)


def _on_problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return problem_response(
        status=exc.status,
        detail=exc.detail,
        errors=exc.errors,
        headers=exc.headers,
        extensions=exc.extensions,
    )


def _on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        status=401, detail=_("缺少有效的接口令牌：请在 Authorization 请求头中以 Bearer 方式提供。")
    )


def _on_authorization(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(status=403, detail=_("当前账号没有执行此操作的权限。"))


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(status=404, detail=_("请求的对象不存在，或不在您的权限范围内。"))


def _on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = math.ceil(exc.wait) if exc.wait is not None else 60
    return problem_response(
        status=429,
        detail=_("请求过于频繁，请在 %(seconds)d 秒后重试。") % {"seconds": wait},
        headers={"Retry-After": str(wait)},
    )


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own HttpErrors carry English messages; a Chinese description of the status replaces them.
    # The one ninja raises with 400 is a body it cannot parse.
    if exc.status_code == 400:
        detail = _("无法解析请求体：请发送 Content-Type 为 application/json 的有效 JSON。")
    else:
        detail = str(TITLES.get(exc.status_code, _("请求失败")))
    return problem_response(status=exc.status_code, detail=detail)


def _on_unreadable_body(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(status=400, detail=str(UNREADABLE_BODY_DETAIL))


def _on_unhandled(request: HttpRequest, exc: Exception) -> HttpResponse:
    context = getattr(request, "context", None)
    request_id = getattr(context, "request_id", "")
    logger.exception("unhandled API error (request %s)", request_id, exc_info=exc)
    return problem_response(
        status=500,
        detail=_("服务器处理请求时出错，请稍后重试。如问题持续，请联系管理员并提供请求编号 %(request_id)s。")
        % {"request_id": request_id or "-"},
    )


def install_problem_handlers(api: NinjaAPI) -> None:
    """Answer every error raised under ``api`` as a problem document (the most specific class wins)."""
    handlers: list[tuple[type[Exception], Any]] = [
        (NinjaValidationError, _on_ninja_validation),
        (DjangoValidationError, _on_django_validation),
        (ApplicationError, _on_application_error),
        (Problem, _on_problem),
        (AuthenticationError, _on_authentication),
        (AuthorizationError, _on_authorization),
        (PermissionDenied, _on_authorization),
        (Http404, _on_not_found),
        (ObjectDoesNotExist, _on_not_found),
        (Throttled, _on_throttled),
        (HttpError, _on_http_error),
        *((exc_class, _on_unreadable_body) for exc_class in UNREADABLE_BODY_ERRORS),
        (Exception, _on_unhandled),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
