"""Bodies for staff: an authority's bodies in its region, a body's own page, and filing status changes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from skillcert.accounts.permissions import role_required
from skillcert.accounts.roles import FILING_AUTHORITY_ROLES, STAFF_ROLES
from skillcert.core.errors import ApplicationError
from skillcert.registry import selectors, services
from skillcert.registry.forms import ReasonForm
from skillcert.registry.models import Body
from skillcert.registry.views._helpers import errors_onto_form, page_of

# What each status action does: the service, the statuses it starts from, and its words.
STATUS_ACTIONS = {
    "suspend": {
        "service": services.body_filing_suspend,
        "from": (Body.FilingStatus.FILED,),
        "title": _("暂停备案（整改）"),
        "effect": _("暂停后该机构不能开考前计划、不能核发证书，名录中显示“整改中”，直至恢复备案。"),
        "done": _("已暂停“%(name)s”的备案，机构进入整改。"),
    },
    "reinstate": {
        "service": services.body_filing_reinstate,
        "from": (Body.FilingStatus.SUSPENDED,),
        "title": _("恢复备案"),
        "effect": _("恢复后该机构可以在备案范围内重新开展评价活动。"),
        "done": _("已恢复“%(name)s”的备案。"),
    },
    "revoke": {
        "service": services.body_filing_revoke,
        "from": (Body.FilingStatus.FILED, Body.FilingStatus.SUSPENDED),
        "title": _("退出备案"),
        "effect": _("退出后该机构不能再开展评价活动或核发证书，名录中显示“已退出”及日期。此操作不能恢复。"),
        "done": _("“%(name)s”已退出备案。"),
    },
}


@role_required(*STAFF_ROLES)
def body_list_view(request: HttpRequest) -> HttpResponse:
    bodies = selectors.body_list_for_user(user=request.user)
    search = request.GET.get("q", "").strip()[:60]
    if search:
        bodies = bodies.filter(Q(name__contains=search) | Q(credit_code=search.upper()))
    status = request.GET.get("status", "")
    if status in Body.FilingStatus.values:
        bodies = bodies.filter(filing_status=status)
    return render(
        request,
        "registry/body_list.html",
        {
            "page": page_of(request, bodies),
            "search": search,
            "status": status,
            "statuses": Body.FilingStatus.choices,
        },
    )


@role_required(*STAFF_ROLES)
def body_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    body = selectors.body_get_for_user(user=request.user, pk=pk)
    may_change = selectors.user_reviews_district(user=request.user, district_code=body.district_id)
    actions = [
        (name, action["title"])
        for name, action in STATUS_ACTIONS.items()
        if may_change and body.filing_status in action["from"]
    ]
    return render(
        request,
        "registry/body_detail.html",
        {
            "body": body,
            "sites": selectors.body_sites(body=body),
            "scope": selectors.filed_scope_in_force(body=body),
            "changes": selectors.body_status_changes(body=body),
            "actions": actions,
        },
    )


@role_required(*FILING_AUTHORITY_ROLES)
@require_http_methods(["GET", "POST"])
def body_status_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """GET asks for the reason and says what the change does; the POST of the confirmation makes it."""
    if action not in STATUS_ACTIONS:
        raise Http404
    body = selectors.body_get_for_user(user=request.user, pk=pk)
    spec = STATUS_ACTIONS[action]
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            spec["service"](
                actor=request.user, body=body, reason=form.cleaned_data["reason"], context=request.context
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("registry:body_detail", pk=pk)
        else:
            messages.success(request, spec["done"] % {"name": body.name})
            return redirect("registry:body_detail", pk=pk)
    return render(
        request,
        "registry/body_status.html",
        {"body": body, "form": form, "action": action, "title": spec["title"], "effect": spec["effect"]},
        status=422 if form.errors else 200,
    )


urlpatterns = [
    path("manage/bodies/", body_list_view, name="body_list"),
    path("manage/bodies/<int:pk>/", body_detail_view, name="body_detail"),
    path("manage/bodies/<int:pk>/<str:action>/", body_status_view, name="body_status"),
]
