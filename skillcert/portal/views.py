from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from skillcert.accounts.models import User
from skillcert.accounts.permissions import login_required_view, public_view
from skillcert.portal.dashboards import dashboard_for
from skillcert.portal.navigation import allowed_url
from skillcert.portal.selectors import home_figures


@public_view
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "figures": home_figures(),
        # The query form submits only once the verification service has a page to answer it.
        "query_url": allowed_url("verification:query", user),
        "login_url": None if user.is_authenticated else allowed_url("accounts:login", user),
        "register_url": None if user.is_authenticated else allowed_url("accounts:register", user),
        "dashboard_url": allowed_url("portal:dashboard", user),
        "directory_url": allowed_url("registry:directory", user),
        "occupations_url": allowed_url("reference:occupations", user),
        "levels_url": allowed_url("reference:skill_levels", user),
    }
    return render(request, "portal/home.html", context)


@login_required_view
def dashboard(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required_view lets only signed-in users through
    return render(request, "portal/dashboard.html", {"dashboard": dashboard_for(user=user)})
