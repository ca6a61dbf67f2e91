"""The portal's error pages: 400, 403, 404, 500 and the CSRF failure, in Chinese and in the portal's layout.

None of these views reads ``request.POST`` or ``request.FILES``. A body that Django refuses to parse (a
form posted as latin-1, too many fields) raises again on every read, and Django's own handlers read it
again: their ``requires_csrf_token`` reruns the CSRF check, which looks for the token in the form. The 400
then becomes a 500.

The pages render without the request, so no context processor runs. That means no session, user or
database query and no personal data on a page that may be answering for a broken database or session.
Paths under ``/api/`` get an RFC 9457 problem document instead, like the API's own errors.
"""

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from skillcert.api.v1.problems import problem_response
from skillcert.portal.navigation import optional_reverse

API_PREFIX = "/api/"


def _request_id(request: HttpRequest) -> str:
    # Set by RequestContextMiddleware; absent when the error happened before it ran.
    return getattr(getattr(request, "context", None), "request_id", "")


def _error_page(
    request: HttpRequest, *, template_name: str, status: int, api_detail: str, request_id: str = ""
) -> HttpResponse:
    if request.path_info.startswith(API_PREFIX):
        return problem_response(status=status, detail=api_detail)
    context = {"nav_home_url": optional_reverse("portal:home") or "/", "request_id": request_id}
    return HttpResponse(loader.render_to_string(template_name, context), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(
        request, template_name="400.html", status=400, api_detail=_("请求无法解析，请检查请求的格式和编码。")
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(
        request, template_name="403.html", status=403, api_detail=_("当前账号没有执行此操作的权限。")
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(
        request,
        template_name="404.html",
        status=404,
        api_detail=_("接口地址不存在，请对照接口文档检查请求路径。"),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    request_id = _request_id(request)
    api_detail = _(
        "服务器处理请求时出错，请稍后重试。如问题持续，请联系管理员并提供请求编号 %(request_id)s。"
    ) % {"request_id": request_id or "-"}
    return _error_page(
        request, template_name="500.html", status=500, api_detail=api_detail, request_id=request_id
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # Django logs the reason (django.security.csrf); the visitor is told what to do instead.
    return _error_page(
        request,
        template_name="403_csrf.html",
        status=403,
        api_detail=_("请求未通过跨站请求伪造（CSRF）校验。"),
    )
