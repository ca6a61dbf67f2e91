"""A URL configuration with stand-ins for pages later issues add, so the menu and the home page can be
tested against names that exist, with the access each stand-in declares."""

from django.http import HttpResponse
from django.urls import include, path

from skillcert.accounts.permissions import login_required_view, public_view, role_required
from skillcert.accounts.roles import Role


def _page(request, *args, **kwargs):
    return HttpResponse("stand-in")


public_page = public_view(_page)
signed_in_page = login_required_view(_page)
reviewer_page = role_required(Role.FILING_REVIEWER)(_page)
admin_page = role_required(Role.AUTHORITY_ADMIN, Role.BODY_ADMIN)(_page)

accounts = (
    [
        path("login/", public_page, name="login"),
        path("logout/", public_page, name="logout"),
        path("register/", public_page, name="register"),
        path("tokens/", signed_in_page, name="tokens"),
        path("users/", admin_page, name="user_list"),
    ],
    "accounts",
)
registry = (
    [
        path("directory/", public_page, name="directory"),
        path("filings/", reviewer_page, name="filing_list"),
    ],
    "registry",
)
verification = ([path("query", public_page, name="query")], "verification")

urlpatterns = [
    path("", include("skillcert.portal.urls")),
    path("accounts/", include(accounts)),
    path("registry/", include(registry)),
    path("certificates/", include(verification)),
]
