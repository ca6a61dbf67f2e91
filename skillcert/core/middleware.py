import secrets

from django.http import HttpRequest, HttpResponse

from skillcert.core.request_context import RequestContext


def client_ip(request: HttpRequest) -> str:
    """The peer as the server saw it. Behind a reverse proxy, ``skillcert serve`` has already replaced it
    with the proxy's X-Forwarded-For, and only when the peer is one of SKILLCERT_TRUSTED_PROXIES (decision
    0003). No header is read here: anyone can send one, and audit addresses and the per-address sign-in
    and claim throttles rely on this value."""
    return request.META.get("REMOTE_ADDR", "") or ""


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
