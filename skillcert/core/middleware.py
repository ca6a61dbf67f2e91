import secrets

from django.http import HttpRequest, HttpResponse

from skillcert.core.request_context import RequestContext


def client_ip(request: HttpRequest) -> str:
    # The portal is served directly or behind one trusted proxy that sets X-Real-IP.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR", "") or ""


class RequestContextMiddleware:
    """Gives every request an id and its client address, for audit events and logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = RequestContext(ip_address=client_ip(request), request_id=secrets.token_hex(8))
        request.context = context  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = context.request_id
        return response
