"""Who may reach a view. Every portal view declares its access with exactly one of these decorators.

The declaration is stored on the view (``view.access``) so that the permission test, generated from the
URL configuration, can find any view that declares nothing and fail the suite.

Anonymous users are sent to the login page; signed-in users without the role get 403. Objects outside a
user's scope are the selectors' business: they answer 404 (see ``scoped_get_or_404`` callers).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


@dataclass(frozen=True, slots=True)
class Access:
    public: bool = False
    roles: frozenset[str] = frozenset()  # empty with public=False: any signed-in user

    def allows(self, user) -> bool:
        if self.public:
            return True
        if not user.is_authenticated:
            return False
        return not self.roles or user.has_role(*self.roles)


def _declare(access: Access) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not access.public:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if not access.allows(request.user):
                    raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access = access  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public_view(view: View) -> View:
    """Anyone may open this page, signed in or not."""
    return _declare(Access(public=True))(view)


def login_required_view(view: View) -> View:
    """Any signed-in user may open this page (it shows only the user's own data)."""
    return _declare(Access())(view)


def role_required(*roles: str) -> Callable[[View], View]:
    """Only users holding one of ``roles`` may open this page."""
    if not roles:
        raise ValueError("role_required needs at least one role")
    return _declare(Access(roles=frozenset(roles)))
