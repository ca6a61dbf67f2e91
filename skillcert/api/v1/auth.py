"""Who is calling the API: bearer tokens from the ``Authorization`` header, and role checks for handlers.

The API knows no session cookies: an integration presents a token in the header, nowhere else. A key
in the URL ends up in proxy and server logs, so a request that carries one in its query string is
refused even when its header is right (security.md Z4).

A token's scope is enforced here too, in ``TokenAuth.authenticate``: every operation that takes a token
runs it before its body is parsed and before its handler, so no handler can forget the check, and a
read-only token is refused any unsafe method (RFC 9110 §9.2.1) whatever the operation does.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.security import HttpBearer

from skillcert.accounts.models import ApiToken, User
from skillcert.accounts.tokens import KEY_PREFIX, api_token_authenticate
from skillcert.api.v1.problems import BEARER_CHALLENGE, Problem

# Query parameters under which clients commonly (and wrongly) send credentials.
CREDENTIAL_QUERY_PARAMETERS = frozenset({"access_token", "token", "api_key", "apikey", "bearer"})
# The methods a read-only token may use: those that change nothing on the server.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY_TOKEN_MESSAGE = gettext_lazy(
    "该接口令牌为只读令牌，只能查询，不能修改数据：请改用“读写”权限的令牌。"
)
# RFC 6750 §3.1: a token that is valid but lacks the scope answers 403 with insufficient_scope.
INSUFFICIENT_SCOPE_CHALLENGE = f'{BEARER_CHALLENGE}, error="insufficient_scope", scope="read_write"'


def credentials_in_query(request: HttpRequest) -> bool:
    """Whether the query string carries something that looks like a credential."""
    for name, values in request.GET.lists():
        if name.lower() in CREDENTIAL_QUERY_PARAMETERS:
            return True
        if any(value.startswith(KEY_PREFIX) for value in values):
            return True
    return False


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sc_…``: ``request.auth`` becomes the ApiToken, ``request.user`` its owner."""

    def __call__(self, request: HttpRequest) -> Any:
        if credentials_in_query(request):
            raise Problem(
                status=401,
                detail=_("不接受在网址中传递的令牌：请改用 Authorization 请求头，并撤销已暴露的令牌。"),
            )
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = api_token_authenticate(key=token.strip())
        if api_token is None:
            return None
        # Handlers and audit read request.user; for the API it is the token's owner, never a session.
        request.user = api_token.user
        # Raised, not returned as None: the caller is known, so this is 403 (not 401), before any handler.
        if request.method not in SAFE_METHODS and not api_token.may_write:
            raise Problem(
                status=403,
                detail=str(READ_ONLY_TOKEN_MESSAGE),
                headers={"WWW-Authenticate": INSUFFICIENT_SCOPE_CHALLENGE},
            )
        return api_token


def api_user(request: HttpRequest) -> User:
    """The user behind the bearer token of an authenticated API request."""
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        raise Problem(
            status=401, detail=_("缺少有效的接口令牌：请在 Authorization 请求头中以 Bearer 方式提供。")
        )
    return token.user


def require_roles(request: HttpRequest, *roles: str) -> User:
    """The calling user if they hold one of ``roles``; otherwise a 403 problem."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    user = api_user(request)
    if not user.has_role(*roles):
        raise Problem(status=403, detail=_("当前账号没有执行此操作所需的角色。"))
    return user
