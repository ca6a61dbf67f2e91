"""Request types for the accounts views (what the middleware and the access decorators guarantee)."""

from django.http import HttpRequest

from skillcert.accounts.models import User
from skillcert.core.request_context import RequestContext


class ContextRequest(HttpRequest):
    """Any request: ``RequestContextMiddleware`` set ``context``."""

    context: RequestContext


class SignedInRequest(ContextRequest):
    """A request behind ``login_required_view`` or ``role_required``: the user is signed in."""

    user: User  # type: ignore[assignment]
