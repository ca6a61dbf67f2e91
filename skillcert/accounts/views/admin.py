"""Administrators' pages: locked accounts and unlocking; revealing a candidate's full ID number."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from skillcert.accounts.authentication import user_unlock
from skillcert.accounts.forms import RevealForm
from skillcert.accounts.permissions import login_required_view, role_required
from skillcert.accounts.roles import Role
from skillcert.accounts.selectors import candidate_for_reveal, user_administered_by, user_list_locked
from skillcert.accounts.services import candidate_reveal_id_number
from skillcert.accounts.views.requests import SignedInRequest
from skillcert.core.errors import ApplicationError


@role_required(Role.AUTHORITY_ADMIN, Role.BODY_ADMIN)
def locked_users(request: SignedInRequest) -> HttpResponse:
    return render(request, "accounts/locked_users.html", {"users": user_list_locked(actor=request.user)})


@role_required(Role.AUTHORITY_ADMIN, Role.BODY_ADMIN)
def user_unlock_view(request: SignedInRequest, pk: int) -> HttpResponse:
    # Users outside the administrator's scope do not exist for them: 404.
    user = get_object_or_404(user_administered_by(actor=request.user), pk=pk)
    if request.method != "POST":
        return render(request, "accounts/user_unlock_confirm.html", {"target": user})
    try:
        user_unlock(user=user, actor=request.user, context=request.context)
    except ApplicationError as error:
        raise Http404 from error
    messages.success(request, _("已解锁用户 %(username)s。") % {"username": user.username})
    return redirect("accounts:locked_users")


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
