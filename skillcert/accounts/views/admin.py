"""Administrators' pages: accounts with sign-in alerts and clearing them; revealing a full ID number."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from skillcert.accounts.forms import RevealForm
from skillcert.accounts.login_failures import user_login_failures_clear
from skillcert.accounts.permissions import login_required_view, role_required
from skillcert.accounts.roles import Role
from skillcert.accounts.selectors import (
    candidate_for_reveal,
    user_administered_by,
    user_annotate_login_failures,
    user_list_login_alerts,
)
from skillcert.accounts.services import candidate_reveal_id_number
from skillcert.accounts.views.requests import SignedInRequest
from skillcert.core.errors import ApplicationError

LOGIN_ALERTS_PER_PAGE = 50


@role_required(Role.AUTHORITY_ADMIN, Role.BODY_ADMIN)
@never_cache
def login_alerts(request: SignedInRequest) -> HttpResponse:
    page = Paginator(user_list_login_alerts(actor=request.user), LOGIN_ALERTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/login_alerts.html", {"page": page})


@role_required(Role.AUTHORITY_ADMIN, Role.BODY_ADMIN)
@never_cache
def login_failures_clear_view(request: SignedInRequest, pk: int) -> HttpResponse:
    # Users outside the administrator's scope do not exist for them: 404.
    users = user_annotate_login_failures(users=user_administered_by(actor=request.user))
    user = get_object_or_404(users, pk=pk)
    if request.method != "POST":
        return render(request, "accounts/login_failures_clear_confirm.html", {"target": user})
    try:
        user_login_failures_clear(user=user, actor=request.user, context=request.context)
    except ApplicationError as error:
        raise Http404 from error
    messages.success(request, _("已清除用户 %(username)s 的登录失败记录。") % {"username": user.username})
    return redirect("accounts:login_alerts")


@login_required_view
@never_cache
def candidate_reveal_id(request: SignedInRequest, pk: int) -> HttpResponse:
    # Without the right to reveal, no candidate is found: 404, whether or not it exists.
    candidate = get_object_or_404(candidate_for_reveal(actor=request.user), pk=pk)
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            number = candidate_reveal_id_number(
                candidate=candidate,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                context=request.context,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except ApplicationError as error:
            raise Http404 from error
        else:
            return render(
                request, "accounts/candidate_reveal_id.html", {"candidate": candidate, "number": number}
            )
    return render(request, "accounts/candidate_reveal_id.html", {"candidate": candidate, "form": form})
