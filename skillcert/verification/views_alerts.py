"""The enumeration watch's alerts (security.md P5) for the municipal authority's administrator.

The public query is city-wide, so are its alerts: a district's administrator neither runs the public
service nor can tell which district a scraper is after, and alerts shared by every district would be
acknowledged by whoever came first. Like the working-day calendar, the page is the municipal
administrator's: the role check admits authority administrators, ``require_municipal_admin`` then refuses
a district's (403).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skillcert.accounts.permissions import role_required
from skillcert.accounts.roles import Role
from skillcert.accounts.views.requests import SignedInRequest
from skillcert.core.errors import ApplicationError
from skillcert.reference.permissions import require_municipal_admin
from skillcert.verification.selectors import enumeration_alert_list
from skillcert.verification.services import enumeration_alert_acknowledge

ALERTS_PER_PAGE = 30


@role_required(Role.AUTHORITY_ADMIN)
def alert_list(request: SignedInRequest) -> HttpResponse:
    require_municipal_admin(request.user)
    page = Paginator(enumeration_alert_list(), ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "verification/alerts.html", {"page": page})


@role_required(Role.AUTHORITY_ADMIN)
@require_POST
def alert_acknowledge(request: SignedInRequest, pk: int) -> HttpResponse:
    require_municipal_admin(request.user)
    alert = get_object_or_404(enumeration_alert_list(), pk=pk)
    try:
        enumeration_alert_acknowledge(alert=alert, actor=request.user, context=request.context)
    except ApplicationError as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, _("已确认告警：%(kind)s。") % {"kind": alert.get_kind_display()})
    url = reverse("verification:alert_list")
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)
