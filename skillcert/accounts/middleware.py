"""Session policy for signed-in users: idle timeout, and the second factor for staff.

Runs after ``OTPMiddleware`` (which sets ``request.user.is_verified()``) and before ``MessageMiddleware``,
so the timeout message is written to the message storage directly.
"""

from functools import cached_property

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from skillcert.accounts.authentication import logout_record, second_factor_required

LAST_ACTIVITY_KEY = "skillcert_last_activity"
# The last-activity time is written at most this often (seconds), so not every request saves the session.
ACTIVITY_RESOLUTION = 60
API_PREFIX = "/api/"
# Pages a half-signed-in staff user must still reach: finishing or abandoning the sign-in.
SECOND_FACTOR_EXEMPT_URL_NAMES = (
    "accounts:login",
    "accounts:login_verify",
    "accounts:login_enrol",
    "accounts:logout",
)


def _now() -> int:
    return int(timezone.now().timestamp())


def mark_activity(request: HttpRequest) -> None:
    """Start the idle clock of a session (called at sign-in)."""
    request.session[LAST_ACTIVITY_KEY] = _now()


def idle_timeout_for(user) -> int:
    if user.needs_second_factor:
        return settings.SKILLCERT_STAFF_IDLE_TIMEOUT
    return settings.SKILLCERT_CANDIDATE_IDLE_TIMEOUT


class SessionPolicyMiddleware:
    """Ends idle sessions and keeps staff without a verified second factor on the second-factor step."""

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def _exempt_paths(self) -> frozenset[str]:
        return frozenset(resolve_url(name) for name in SECOND_FACTOR_EXEMPT_URL_NAMES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            response = self._enforce(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _enforce(self, request: HttpRequest, user) -> HttpResponse | None:
        is_api = request.path.startswith(API_PREFIX)
        now = _now()
        last = request.session.get(LAST_ACTIVITY_KEY)
        if last is not None and now - last > idle_timeout_for(user):
            logout_record(user=user, context=request.context, reason="idle_timeout")  # type: ignore[attr-defined]
            auth_logout(request)
            if is_api:
                return None  # the API answers as for anyone without credentials
            return self._timed_out(request)
        if last is None or now - last >= ACTIVITY_RESOLUTION:
            request.session[LAST_ACTIVITY_KEY] = now

        if second_factor_required(user) and not user.is_verified() and not self._exempt(request):
            if is_api:
                # A password-only staff session carries no authority anywhere, the API included.
                request.user = AnonymousUser()
                return None
            target = resolve_url("accounts:login_verify")
            return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return None

    def _exempt(self, request: HttpRequest) -> bool:
        return request.path in self._exempt_paths or request.path.startswith(settings.STATIC_URL)

    @staticmethod
    def _timed_out(request: HttpRequest) -> HttpResponse:
        # MessageMiddleware runs after this one, so the storage is used directly and saved on the response.
        storage = default_storage(request)
        storage.add(messages.INFO, _("由于长时间未操作，您已退出登录。"))
        response = redirect_to_login(request.get_full_path())
        storage.update(response)
        return response
